"""The weekly digest: sections built from hand-made facts, and Slack's limits.

As of Mon 30 Apr 2018, 09:00 in London (08:00 UTC). The week runs from Mon 23 Apr 08:00 UTC;
"no update in 30 days" means nothing since Sat 31 Mar 08:00 UTC.
"""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import pytest
from slack_sdk.models.blocks import HeaderBlock, SectionBlock

from bot.core.calendar import WorkingCalendar
from bot.core.messages import Reply
from bot.jobs.digest import (
    LINES_PER_MESSAGE,
    Section,
    build_digest,
    digest_replies,
    digest_title,
    plan_sections,
    week_facts,
)
from bot.jobs.facts import EventFacts, RegisterFacts
from bot.jobs.planner import ActionFacts
from bot.render.blocks import MAX_MESSAGE_BLOCKS, MAX_TEXT, reply_blocks, reply_message
from tests.fakes.block_kit import check_message

CAL = WorkingCalendar("GB-ENG")
NOW = datetime(2018, 4, 30, 8, 0, tzinfo=UTC)
TODAY = date(2018, 4, 30)


def d(month: int, day: int) -> date:
    return date(2018, month, day)


def t(month: int, day: int, hour: int = 10) -> datetime:
    return datetime(2018, month, day, hour, 0, tzinfo=UTC)


def act(
    action_id: int, ref: str, due: date | None, plan: str = "FIN", **changes: object
) -> ActionFacts:
    base = ActionFacts(
        action_id=action_id,
        plan_code=plan,
        ref=ref,
        title=f"Title {ref}",
        due=due,
        status="in_progress",
        rag=None,
        owners=("Finance",),
        last_update=t(4, 28),
    )
    return replace(base, **changes)  # type: ignore[arg-type]


def event(
    action_id: int | None,
    field: str,
    new: str | None,
    at: datetime,
    *,
    old: str | None = None,
    note: str | None = None,
) -> EventFacts:
    return EventFacts(action_id, field, old, new, note, at, "someone")


# The FIN plan: one action per situation the digest reports on.
FIN = [
    act(1, "F1", d(4, 20), status="done", rag="green"),  # done this week
    act(2, "F2", d(4, 10), status="done"),  # done the week before
    act(
        3,
        "F3",
        d(4, 26),  # 4 days overdue: newly overdue
        rag="amber",
        latest_update="Waiting on supplier",
        owners=("Finance", "Procurement"),
        last_update=t(4, 27),
    ),
    act(4, "F4", d(3, 29), status="not_started", owners=(), last_update=None),  # 20 working days
    act(5, "F5", d(5, 8), rag="red", owners=("Legal",)),
    act(6, "F6", d(5, 14), rag="green", slip_count=1),  # today + 14: due soon
    act(7, "F7", d(5, 15)),  # today + 15: not due soon
    act(8, "F8", d(4, 1), status="cancelled"),  # "overdue" but cancelled
    act(9, "F9", d(5, 10), status="blocked", rag="amber", slip_count=2, latest_update="Budget"),
    act(10, "F10", d(4, 16), last_update=t(4, 17)),  # overdue, updated since
    act(11, "F11", None, last_update=t(3, 15)),  # no update in 30 days
    act(12, "F12", d(3, 29), last_update=t(3, 30)),  # 20 working days, but updated after due
    act(13, "F13", d(4, 23)),  # exactly a week overdue: still "newly"
    act(14, "F14", d(4, 22)),  # 8 days overdue: not newly
    act(15, "F15", d(4, 30)),  # due today
    act(17, "F17", d(4, 3), last_update=None),  # 19 working days overdue, created 1 Apr
]
HR = [
    act(100, "H1", d(4, 20), plan="HR", status="done", owners=("People",)),
    act(101, "H2", d(5, 1), plan="HR", owners=("People",)),
]
CREATED = {4: t(3, 1), 17: t(4, 1, 0), 11: t(1, 1)}
EVENTS = [
    event(1, "status", "done", t(4, 25), old="in_progress"),
    event(2, "status", "done", t(4, 20), old="in_progress"),  # before the week
    event(3, "rag", "amber", t(4, 27)),  # not a status change
    event(5, "status", "blocked", t(4, 27)),  # a status change, not to done
    event(9, "revised_target_date", "2018-05-10", t(4, 24), old="2018-04-20", note="Budget moved"),
    event(6, "revised_target_date", "2018-05-14", t(4, 26)),  # no reason, no previous date
    event(7, "revised_target_date", "2018-05-15", t(4, 20), old="2018-05-01", note="old news"),
    event(100, "status", "done", t(4, 24)),  # the HR plan's
    event(None, "owner_mapped", "x", t(4, 24)),  # not about an action
]


def facts(
    actions: list[ActionFacts], created: dict[int, datetime] | None = None, **plans: str
) -> RegisterFacts:
    return RegisterFacts(
        actions=actions,
        people=[],
        unreachable={},
        contacts={},
        plans=plans,
        created=CREATED if created is None else created,
    )


def sections_for(
    actions: list[ActionFacts],
    today: date = TODAY,
    events: list[EventFacts] | None = None,
    platform: str = "slack",
) -> dict[str, list[str]]:
    found = plan_sections(
        "FIN",
        "Financial recovery",
        actions,
        EVENTS if events is None else events,
        now=datetime(today.year, today.month, today.day, 8, 0, tzinfo=UTC),
        today=today,
        cal=CAL,
        created=CREATED,
        platform=platform,
    )
    titles = [s.title for s in found]
    assert len(titles) == len(set(titles))
    return {s.title: s.lines for s in found}


def refs(lines: list[str]) -> list[str]:
    return [m for line in lines for m in re.findall(r"\*[A-Z]+:([A-Z]+\d+)\*", line)]


# --- sections and their items -----------------------------------------------------------------


def test_a_first_revision_shows_the_due_date_it_moved_from() -> None:
    # The first revision has no old *revised* date; the due date it replaced is in the
    # due_date event written in the same change.
    moved = [
        event(6, "revised_target_date", "2018-05-14", t(4, 26), note="Supplier late"),
        event(6, "due_date", "2018-05-14", t(4, 26), old="2018-03-31"),
    ]
    got = sections_for(FIN, events=moved)
    assert got["Dates moved this week (1)"] == [
        "• *FIN:F6* Title F6: Sat 31 Mar → Mon 14 May, because Supplier late (moved 1 time)"
    ]


def test_every_section_with_the_right_items() -> None:
    got = sections_for(FIN)
    # What needs a decision comes first; the full overdue list is a count and a pointer.
    assert list(got) == [
        "FIN: Financial recovery",
        "Newly overdue this week (2)",
        "Dates moved this week (2)",
        "At risk or off track (3)",
        "Escalated: 20+ working days overdue, no update (1)",
        "Done this week (1)",
        "Due in the next 14 days (4)",
        "No update in 30 days (3)",
        "Overdue in all (7)",
    ]
    assert got["FIN: Financial recovery"] == [
        "16 actions: 1 not started, 11 in progress, 1 blocked, 2 done, 1 cancelled"
        "\nOpen by RAG: 🟢 1 🟠 2 🔴 1 ⚪ 9"
    ]
    assert got["Done this week (1)"] == ["✅ *FIN:F1* Title F1: Finance"]
    assert got["Newly overdue this week (2)"] == [
        "• *FIN:F13* Title F13: Finance, due Mon 23 Apr (7 days ago)",
        "• *FIN:F3* Title F3: Finance, Procurement, due Thu 26 Apr (4 days ago)",
    ]
    assert got["Overdue in all (7)"] == [
        "7 actions are past their due date, the oldest due Thu 29 Mar (32 days ago). The full "
        "list: `/action overdue` or actionbot's Home tab, or `actionbot show --plan FIN`."
    ]
    assert got["Due in the next 14 days (4)"] == [
        "• *FIN:F15* Title F15: Finance, due Mon 30 Apr",
        "• *FIN:F5* Title F5: Legal, due Tue 8 May",
        "• *FIN:F9* Title F9: Finance, due Thu 10 May",
        "• *FIN:F6* Title F6: Finance, due Mon 14 May",
    ]
    assert got["Dates moved this week (2)"] == [
        "• *FIN:F9* Title F9: Fri 20 Apr → Thu 10 May, because Budget moved (moved 2 times)",
        "• *FIN:F6* Title F6: no date → Mon 14 May, no reason given (moved 1 time)",
    ]
    assert got["At risk or off track (3)"] == [
        "🔴 *FIN:F5* Title F5: Legal. Latest: (no note)",
        "🟠 *FIN:F3* Title F3: Finance, Procurement. Latest: Waiting on supplier",
        "🟠 *FIN:F9* Title F9: Finance. Latest: Budget",
    ]
    assert got["No update in 30 days (3)"] == [
        "• *FIN:F4* Title F4: no owner",
        "• *FIN:F11* Title F11: Finance",
        "• *FIN:F12* Title F12: Finance",
    ]
    assert got["Escalated: 20+ working days overdue, no update (1)"] == [
        "🚨 *FIN:F4* Title F4: no owner, 20 working days overdue"
    ]


@pytest.mark.parametrize(
    ("today", "escalated"),
    [
        # Due Thu 29 Mar: 20 working days later (Good Friday and Easter Monday off) is Mon 30 Apr.
        (d(4, 27), []),
        (d(4, 30), ["F4"]),
        # Due Tue 3 Apr: the 20th working day after is Tue 1 May.
        (d(5, 1), ["F4", "F17"]),
    ],
)
def test_escalations_section_from_20_working_days(today: date, escalated: list[str]) -> None:
    got = sections_for(FIN, today)
    lines = [lines for title, lines in got.items() if title.startswith("Escalated")]
    assert [refs(x) for x in lines] == ([escalated] if escalated else [])


def test_sections_with_nothing_in_them_are_left_out() -> None:
    quiet = [act(50, "Q1", d(6, 29), rag="green")]
    got = sections_for(quiet)
    assert list(got) == ["FIN: Financial recovery"]
    assert got["FIN: Financial recovery"] == ["1 action: 1 in progress\nOpen by RAG: 🟢 1 ⚪ 0"]


def test_a_plan_with_nothing_open_has_no_rag_line() -> None:
    got = sections_for([act(50, "Q1", d(4, 1), status="done")])
    assert got["FIN: Financial recovery"] == ["1 action: 1 done"]


def test_build_digest_one_block_of_sections_per_plan_in_code_order() -> None:
    sections = build_digest(
        facts(HR + FIN, FIN="Financial recovery", HR="People plan"),
        EVENTS,
        now=NOW,
        today=TODAY,
        cal=CAL,
    )
    titles = [s.title for s in sections]
    assert titles[0] == "FIN: Financial recovery"
    hr = titles.index("HR: People plan")
    assert titles[hr:] == ["HR: People plan", "Done this week (1)", "Due in the next 14 days (1)"]
    assert sections[hr + 1].lines == ["✅ *HR:H1* Title H1: People"]
    assert refs(sections[hr + 2].lines) == ["H2"]
    # Each plan's sections mention only its own actions.
    assert all(not any("*HR:" in line for line in s.lines) for s in sections[:hr]) and all(
        not any("*FIN:" in line for line in s.lines) for s in sections[hr:]
    )


def test_build_digest_names_a_plan_by_its_code_when_it_has_no_name() -> None:
    """Regression: a plan imported without a name was headed "AFEP: AFEP"."""
    sections = build_digest(facts(HR), [], now=NOW, today=TODAY, cal=CAL)
    assert sections[0].title == "HR"  # not "HR: HR"


def test_build_digest_reports_delivery_problems_and_unmapped_owners_apart() -> None:
    # Owners nobody is mapped to were never messaged: they are not "could not be delivered".
    sections = build_digest(
        facts(HR, HR="People plan"),
        [],
        now=NOW,
        today=TODAY,
        cal=CAL,
        failures=["nudge to person:3: channel_not_found"],
        unreachable={"Zed": ["FIN:F1", "FIN:F2"], "Amy": ["HR:H2"]},
    )
    assert sections[-2:] == [
        Section(
            "For admins: messages that could not be delivered",
            ["• nudge to person:3: channel_not_found"],
        ),
        Section(
            "For admins: owners nobody is mapped to (they get no reminders)",
            ["• Amy: HR:H2", "• Zed: FIN:F1, FIN:F2"],
        ),
    ]


def test_build_digest_with_no_plans_says_how_to_import_one() -> None:
    sections = build_digest(facts([]), [], now=NOW, today=TODAY, cal=CAL)
    assert [s.title for s in sections] == ["No plans yet"]


def test_long_titles_are_shortened_in_labels() -> None:
    long = act(1, "L1", d(4, 26), title="x" * 120)
    lines = sections_for([long])["Newly overdue this week (1)"]
    assert lines == [f"• *FIN:L1* {'x' * 89}…: Finance, due Thu 26 Apr (4 days ago)"]


def test_a_date_in_another_year_keeps_its_year() -> None:
    old = act(1, "O1", date(2017, 12, 29), title="Old")
    [line] = sections_for([old])["Overdue in all (1)"]
    assert "the oldest due Fri 29 Dec 2017 (122 days ago)" in line


# --- themes -----------------------------------------------------------------------------------


def test_theme_headings_when_the_plan_has_more_than_one_theme() -> None:
    actions = [
        act(1, "T1", d(4, 24), theme="Governance"),
        act(2, "T2", d(4, 25), theme="Finance"),
        act(3, "T3", d(4, 26), theme="Governance"),
        act(4, "T4", d(4, 27)),
        act(5, "T5", d(5, 2), theme="Finance", rag="red"),
    ]
    got = sections_for(actions)
    assert got["Newly overdue this week (4)"] == [
        "_Finance_",
        "• *FIN:T2* Title T2: Finance, due Wed 25 Apr (5 days ago)",
        "_Governance_",
        "• *FIN:T1* Title T1: Finance, due Tue 24 Apr (6 days ago)",
        "• *FIN:T3* Title T3: Finance, due Thu 26 Apr (4 days ago)",
        "_No theme_",
        "• *FIN:T4* Title T4: Finance, due Fri 27 Apr (3 days ago)",
    ]
    assert got["Due in the next 14 days (1)"] == [
        "_Finance_",
        "• *FIN:T5* Title T5: Finance, due Wed 2 May",
    ]
    assert got["At risk or off track (1)"][0] == "_Finance_"


def test_themes_differing_only_in_case_or_spacing_are_one_group_spelt_as_first_seen() -> None:
    actions = [
        act(1, "T1", d(4, 24), theme="Managing Resources"),
        act(2, "T2", d(4, 25), theme="Governance"),
        act(3, "T3", d(4, 26), theme="managing  resources"),
        act(4, "T4", d(4, 27), theme="Managing resources"),
    ]
    assert sections_for(actions)["Newly overdue this week (4)"] == [
        "_Governance_",
        "• *FIN:T2* Title T2: Finance, due Wed 25 Apr (5 days ago)",
        "_Managing Resources_",
        "• *FIN:T1* Title T1: Finance, due Tue 24 Apr (6 days ago)",
        "• *FIN:T3* Title T3: Finance, due Thu 26 Apr (4 days ago)",
        "• *FIN:T4* Title T4: Finance, due Fri 27 Apr (3 days ago)",
    ]


def test_the_title_leads_with_what_needs_a_decision() -> None:
    week: dict[str, set[int]] = {}
    build_digest(
        facts(FIN, FIN="Financial recovery"), EVENTS, now=NOW, today=TODAY, cal=CAL, week=week
    )
    title = digest_title(week_facts(week), TODAY)
    # F13, F3 newly overdue; F9, F6 moved; F5, F3, F9 at risk; F4 escalated: 6 actions.
    assert title == (
        "6 actions need a decision this week (2 newly overdue, 2 slipped, 3 at risk, "
        "1 escalated): weekly digest, Mon 30 Apr"
    )
    assert digest_title(week_facts({}), TODAY) == (
        "No action needs a decision this week: weekly digest, Mon 30 Apr"
    )


@pytest.mark.parametrize(
    "themes",
    [
        (None, None, None),
        ("Finance", "Finance", "Finance"),
        ("Finance", None, "Finance"),  # one theme and some without: still one theme
    ],
)
def test_no_theme_headings_with_one_theme_or_none(themes: tuple[str | None, ...]) -> None:
    actions = [act(n, f"T{n}", d(4, n + 24), theme=theme) for n, theme in enumerate(themes, 1)]
    lines = sections_for(actions)["Newly overdue this week (3)"]
    assert refs(lines) == ["T1", "T2", "T3"]
    assert len(lines) == 3
    assert not any(line.startswith("_") for line in lines)


# --- Slack's limits ---------------------------------------------------------------------------

OWNERS = (
    "Director of Finance and Corporate Resources",
    "Head of Procurement and Commercial Services",
    "Assistant Director, Strategic Finance",
    "Head of Internal Audit and Risk Management",
    "Chief Executive's Office (Programme Management)",
    "Monitoring Officer",
    "Section 151 Officer",
    "Head of Legal and Democratic Services",
)


def big_plan(count: int) -> list[ActionFacts]:
    first = date(2017, 6, 1)
    return [
        act(
            n,
            f"R{n:03d}",
            first + timedelta(days=n),
            plan="BIG",
            title=f"Recover the position on contract {n:03d}: "
            + "renegotiate, re-tender or exit " * 2,
            owners=OWNERS,
            rag="red" if n % 2 else "amber",
            latest_update=f"Note {n:03d}",
            last_update=None,
        )
        for n in range(count)
    ]


def assert_within_slack_limits(replies: list[Reply]) -> None:
    for reply in replies:
        assert all(len(line) <= MAX_TEXT for line in reply.lines)
        blocks = reply_blocks(reply)
        assert len(blocks) <= MAX_MESSAGE_BLOCKS
        check_message(reply_message(reply))  # what Slack itself would refuse
        for block in blocks:
            block.to_dict()  # slack_sdk validates lengths here
            if isinstance(block, SectionBlock):
                assert block.text is not None
                assert len(block.text.text) <= MAX_TEXT
                assert "(shortened" not in block.text.text  # nothing cut by the renderer


def section_paragraphs(replies: list[Reply], title: str) -> list[str]:
    """Every paragraph, across all messages, that belongs to the section starting `title`."""
    return [
        line
        for reply in replies
        for line in reply.lines
        if line.startswith(f"*{title}*") or line.startswith(f"*{title}* (continued)")
    ]


def test_300_overdue_actions_split_into_messages_that_each_fit_nothing_dropped() -> None:
    actions = big_plan(300)
    created = {a.action_id: t(1, 1) for a in actions}
    sections = build_digest(
        facts(actions, created, BIG="Big plan"), [], now=NOW, today=TODAY, cal=CAL
    )
    replies = digest_replies(sections, title="Weekly digest, 30 April 2018")
    assert len(replies) >= 2
    assert_within_slack_limits(replies)

    expected = [a.ref for a in sorted(actions, key=lambda a: (a.due, a.ref))]
    # The full overdue list is a count and a pointer, not 300 lines.
    [overdue] = section_paragraphs(replies, "Overdue in all (300)")
    assert overdue.startswith("*Overdue in all (300)*\n300 actions are past their due date")
    assert refs([overdue]) == []
    # A section runs over into another message, and says so.
    risky = section_paragraphs(replies, "At risk or off track (300)")
    holding = [i for i, r in enumerate(replies) if set(risky) & set(r.lines)]
    assert len(holding) > 1
    assert all(p.startswith("*At risk or off track (300)* (continued)\n") for p in risky[1:])

    # The other full-length sections are complete too.
    escalated = section_paragraphs(replies, "Escalated: 20+ working days overdue, no update (300)")
    assert sorted(refs(escalated)) == sorted(expected)
    [stale] = section_paragraphs(replies, "No update in 30 days (300)")
    assert "300 open actions have had no update in 30 days" in stale
    assert len(refs(risky)) == 300 and set(refs(risky)) == set(expected)

    # Every ref appears somewhere, in total once per section it belongs to.
    text = "\n".join(line for r in replies for line in r.lines)
    for ref in expected:
        assert text.count(f"*BIG:{ref}*") == 2, ref


def test_part_n_of_m_markers() -> None:
    sections = build_digest(facts(big_plan(300), BIG="Big plan"), [], now=NOW, today=TODAY, cal=CAL)
    replies = digest_replies(sections, title="Weekly digest, 30 April 2018")
    total = len(replies)
    assert replies[0].title == "Weekly digest, 30 April 2018"
    assert replies[0].lines[-1] == f"_Part 1 of {total}: continued in the thread_"
    for number, reply in enumerate(replies[1:], start=2):
        assert reply.title is None
        assert reply.lines[-1] == f"_Part {number} of {total}_"
    assert all(r.public for r in replies)
    assert all(len(r.lines) <= LINES_PER_MESSAGE + 1 for r in replies)


def paragraph_sections(count: int, width: int = 2000) -> list[Section]:
    """One section whose `count` lines are each too long to share a paragraph."""
    return [Section("Long", [f"{n:02d} " + "y" * width for n in range(count)])]


def short_sections(count: int) -> list[Section]:
    """`count` one-line sections: as many paragraphs, small enough to share a message."""
    return [Section(f"S{n:02d}", [f"line {n:02d}"]) for n in range(count)]


def test_45_paragraphs_fit_one_message_without_a_marker() -> None:
    replies = digest_replies(short_sections(LINES_PER_MESSAGE), title="Digest")
    assert len(replies) == 1
    assert len(replies[0].lines) == LINES_PER_MESSAGE
    assert not any("Part" in line for line in replies[0].lines)
    assert len(reply_blocks(replies[0])) == LINES_PER_MESSAGE + 1  # + the header
    assert_within_slack_limits(replies)


def test_46_paragraphs_make_two_messages() -> None:
    replies = digest_replies(short_sections(LINES_PER_MESSAGE + 1), title="Digest")
    assert [len(r.lines) for r in replies] == [LINES_PER_MESSAGE + 1, 2]
    assert replies[0].lines[-1] == "_Part 1 of 2: continued in the thread_"
    assert replies[1].lines == [
        f"*S{LINES_PER_MESSAGE:02d}*\nline {LINES_PER_MESSAGE:02d}",
        "_Part 2 of 2_",
    ]
    blocks = reply_blocks(replies[0])
    assert isinstance(blocks[0], HeaderBlock)
    assert len(blocks) == LINES_PER_MESSAGE + 2
    assert_within_slack_limits(replies)


def test_one_enormous_note_is_split_not_cut() -> None:
    note = "".join(f"[{n:04d}]" for n in range(1200))  # 7,200 characters, no "…" in it
    sections = [Section("At risk or off track (1)", [f"🔴 *FIN:X1* Title: Owner. Latest: {note}"])]
    replies = digest_replies(sections, title="Digest")
    assert_within_slack_limits(replies)
    paragraphs = replies[0].lines
    assert len(paragraphs) >= 3
    joined = "".join(
        p.removeprefix("*At risk or off track (1)*")
        .removeprefix(" (continued)")
        .removeprefix("\n")
        .removeprefix("…")
        .removesuffix("…")
        for p in paragraphs
    )
    assert joined == f"🔴 *FIN:X1* Title: Owner. Latest: {note}"


def test_a_part_holds_no_more_characters_than_slack_takes_in_one_message() -> None:
    """msg_blocks_too_long: 45 paragraphs of 2,000 characters are 90,000 characters, far
    over the ~12,000 Slack accepts in one message's blocks, though only 46 blocks."""
    replies = digest_replies(paragraph_sections(LINES_PER_MESSAGE), title="Digest")
    assert len(replies) > 1
    assert_within_slack_limits(replies)
    text = "\n".join(line for r in replies for line in r.lines)
    for n in range(LINES_PER_MESSAGE):
        assert f"\n{n:02d} " + "y" * 2000 in text, n  # nothing lost


def test_escaping_is_counted_when_paragraphs_are_sized() -> None:
    """`<` becomes `&lt;` in Slack: 2,900 of them are 11,600 characters, not 2,900."""
    sections = [Section("Hostile", ["<" * 2900, "&" * 2900])]
    replies = digest_replies(sections, title="Digest")
    assert_within_slack_limits(replies)
    joined = "".join(line for r in replies for line in r.lines)
    assert joined.count("<") == 2900 and joined.count("&") == 2900


def test_the_teams_digest_does_not_send_people_to_slacks_home_tab() -> None:
    """Regression: the Teams digest pointed at "actionbot's Home tab", which Teams lacks."""
    (line,) = sections_for(FIN, platform="teams")["Overdue in all (7)"]
    assert "Home tab" not in line
    assert line.endswith(
        "`/action overdue` in a chat with actionbot, or `actionbot show --plan FIN`."
    )
