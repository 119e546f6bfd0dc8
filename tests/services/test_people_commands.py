"""Roles, deputies, handover, assignment and leave from chat, through the console door (the
Slack and Teams doors pass the same text to the same service)."""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from bot.core.schedule import DEFAULT_DAYS
from bot.jobs.facts import load_facts
from bot.services.people.owners import owner_detail
from bot.services.people.roster import responsible_on
from store.models import Absence, Action, ActionOwner, Delivery, Event, Owner, Responsibility
from tests.handlers.test_console import seeded

FINANCE = "finance@northants.example"
CEO = "ceo@northants.example"


def counts(sessions: sessionmaker[Session]) -> tuple[int, int, int, int]:
    with sessions() as session:
        return tuple(  # type: ignore[return-value]
            session.scalar(select(func.count()).select_from(t)) or 0
            for t in (Event, Absence, Responsibility, Delivery)
        )


def test_leave_in_every_form_and_its_refusals(db_url: str, sessions: sessionmaker[Session]) -> None:
    console = seeded(db_url, sessions)  # today is Fri 16 Mar 2018
    finance = console.user("Finance")
    before = counts(sessions)
    for text, why in (
        ("away 2018-03-01 2018-03-10", "in the past"),
        ("away 2018-03-20 2018-03-18", "after the last"),
        ("away 2018-03-20 2019-06-01", "at most a year"),
        ("away until", "Until which day"),
    ):
        refused = console.say(finance, text)
        assert not refused.reply.ok and why in refused.reply.text, (text, refused.reply.text)
    assert counts(sessions) == before, "a refusal left a trace"

    ok = console.say(finance, "away 2018-03-12 2018-03-23 sick, recorded late")
    assert ok.reply.ok and "away" in ok.reply.text
    assert console.say(finance, "away until 30 Mar").reply.ok
    back = console.say(finance, "back")
    assert back.reply.ok and "Welcome back" in back.reply.text
    assert not console.say(finance, "back").reply.ok  # no longer away today
    with sessions() as session:
        spans = [(a.first_day, a.last_day) for a in session.scalars(select(Absence))]
        events = [e.field for e in session.scalars(select(Event).where(Event.field.like("away:%")))]
    assert spans == [(date(2018, 3, 12), date(2018, 3, 15))]  # ended yesterday; 16th withdrawn
    assert len(events) == 4  # two absences recorded, two ended by `back`


def test_admin_commands_refuse_non_admins_and_unknown_people(
    db_url: str, sessions: sessionmaker[Session]
) -> None:
    console = seeded(db_url, sessions)
    finance, admin = console.user("Finance"), console.user("admin")
    before = counts(sessions)
    for text in (
        'admin owner "Finance" @Procurement',
        'admin deputy "Finance" raj@northants.example',
        f"admin handover {FINANCE} raj@northants.example",
        f"admin away {CEO} until 30/03/2018",
    ):
        refused = console.say(finance, text)
        assert not refused.reply.ok and "Only actionbot admins" in refused.reply.text
    for text, why in (
        ("admin away @nobody until 30/03/2018", "don't know anyone called nobody"),
        ('admin owner "No such role" @CEO', "No owner called"),
        (f"admin handover {FINANCE} {CEO} --from 1 Jan 2018", "in the past"),
        ("2.4 assign nobody@northants.example", "Nobody with the email"),
    ):
        refused = console.say(admin, text)
        assert not refused.reply.ok and why in refused.reply.text, (text, refused.reply.text)
    assert counts(sessions) == before, "a refusal left a trace"


def test_roles_deputies_assignment_and_handover_are_recorded(
    db_url: str, sessions: sessionmaker[Session]
) -> None:
    console = seeded(db_url, sessions)
    admin = console.user("admin")
    said = console.say(admin, 'admin owner "Finance" @Finance raj@northants.example')
    assert said.reply.ok and "raj@northants.example" in said.reply.text
    assert console.say(admin, 'admin deputy "Finance" @CEO').reply.ok
    # An owner may assign their own action; Raj now holds Finance, so he may too.
    finance = console.user(FINANCE)
    assert console.say(finance, f"2.4 assign {CEO}").reply.ok
    refused = console.say(console.user("Procurement"), f"2.7 assign {CEO}")
    assert not refused.reply.ok and "belongs to" in refused.reply.text

    handed = console.say(admin, f"admin handover {FINANCE} sam@northants.example --from 20/03/2018")
    assert handed.reply.ok, handed.reply.text
    assert "Finance" in handed.reply.text and "Both have been sent" in handed.reply.text

    with sessions() as session:
        action = session.scalars(select(Action).where(Action.ref == "2.7")).one()
        on_19 = sorted(p.email or "" for _, p in responsible_on(session, action, date(2018, 3, 19)))
        on_20 = sorted(p.email or "" for _, p in responsible_on(session, action, date(2018, 3, 20)))
        assert on_19 == [FINANCE, "raj@northants.example"]
        assert on_20 == ["raj@northants.example", "sam@northants.example"]
        assigned = session.scalars(select(Action).where(Action.ref == "2.4")).one()
        assert [p.email for _, p in responsible_on(session, assigned, date(2018, 3, 19))] == [CEO]
        dms = sorted(d.recipient for d in session.scalars(select(Delivery)))
        assert len(dms) == 2 and all(r.startswith("person:") for r in dms)
        handovers = session.scalars(select(Event).where(Event.field == "handover")).all()
        assert len(handovers) == 1 and "Finance" in (handovers[0].note or "")
        detail = owner_detail(session, name="finance", today=date(2018, 3, 16))
        assert detail is not None
        assert detail.deputies == [CEO]
        assert any("until Tue 20 Mar" in h and FINANCE in h for h in detail.history)
        roster = load_facts(session, default_days=DEFAULT_DAYS).roster
        assert {t.person for t in roster.deputies["Finance"]} == {roster.emails[CEO]}


def test_the_digest_names_who_is_away_and_what_nobody_can_take(
    db_url: str, sessions: sessionmaker[Session]
) -> None:
    from datetime import UTC, datetime

    from bot.core.calendar import WorkingCalendar
    from bot.jobs.digest import build_digest

    console = seeded(db_url, sessions)
    admin = console.user("admin")
    assert console.say(admin, 'admin deputy "Finance" @CEO').reply.ok
    assert console.say(admin, f"admin away {FINANCE} 2018-03-14 2018-03-20 conference").reply.ok
    assert console.say(admin, "admin away @Procurement until 2018-03-19").reply.ok
    with sessions() as session:
        facts = load_facts(session, default_days=DEFAULT_DAYS, open_only=False)
    sections = build_digest(
        facts,
        [],
        now=datetime(2018, 3, 16, 10, tzinfo=UTC),
        today=date(2018, 3, 16),
        cal=WorkingCalendar("GB-ENG"),
    )
    text = {s.title: "\n".join(s.lines) for s in sections}
    away = text["Away this week (2)"]
    assert FINANCE in away and "conference" in away and "procurement@" in away
    stranded = text[next(t for t in text if t.startswith("Nobody available today"))]
    # Finance's actions are covered by the CEO as deputy; Procurement's are not.
    assert "procurement@northants.example away, no deputy" in stranded
    assert FINANCE not in stranded


def test_admin_owners_and_plans_from_chat(db_url: str, sessions: sessionmaker[Session]) -> None:
    console = seeded(db_url, sessions)
    admin = console.user("admin")
    owners = console.say(admin, "admin owners")
    assert owners.reply.ok and owners.reply.title is not None
    assert '/action admin owner "Finance with Northants Finance Officers" @person' in (
        owners.reply.text
    )
    assert "CEO (" not in owners.reply.text  # mapped by the owners file
    plans = console.say(admin, "admin plans")
    assert plans.reply.ok and "NCC:" in plans.reply.text and "open" in plans.reply.text
    assert "ACTIONBOT_NUDGE_DAYS" in plans.reply.text
    refused = console.say(console.user("Finance"), "admin plans")
    assert not refused.reply.ok and "Only actionbot admins" in refused.reply.text


def test_owners_file_deputies_and_a_changed_email_keep_history(
    tmp_path: object, sessions: sessionmaker[Session]
) -> None:
    from datetime import UTC, datetime
    from pathlib import Path

    from bot.importer.errors import ImportFileError
    from bot.services.people.owners import import_owners, read_owners_file

    assert isinstance(tmp_path, Path)
    first = tmp_path / "owners.csv"
    first.write_text(
        "owner,email,deputy\nHead of Finance,jane@c.example,raj@c.example; ann@c.example\n",
        encoding="utf-8",
    )
    with sessions.begin() as session:
        import_owners(
            session, rows=read_owners_file(first), now=datetime(2026, 3, 1, 9, tzinfo=UTC)
        )
    later = tmp_path / "later.csv"
    later.write_text("owner,email,deputy\nHead of Finance,sam@c.example,\n", encoding="utf-8")
    with sessions.begin() as session:
        report = import_owners(
            session, rows=read_owners_file(later), now=datetime(2026, 6, 1, 9, tzinfo=UTC)
        )
    assert report.updated == 1
    with sessions() as session:
        detail = owner_detail(session, name="Head of Finance", today=date(2026, 6, 1))
    assert detail is not None
    assert detail.holders == ["sam@c.example"] and detail.deputies == []
    assert "holder jane@c.example: from the start until Mon 1 Jun" in detail.history
    assert "holder sam@c.example: from Mon 1 Jun (now)" in detail.history
    assert "deputy raj@c.example: from Sun 1 Mar until Mon 1 Jun" in detail.history
    bad = tmp_path / "bad.csv"
    bad.write_text("owner,email,deputy\nFinance,f@c.example,raj\n", encoding="utf-8")
    try:
        read_owners_file(bad)
    except ImportFileError as exc:
        assert "deputy 'raj' is not an email address" in str(exc)
    else:
        raise AssertionError("a deputy that is no email was accepted")


def test_an_assignee_sees_and_may_change_their_assigned_action(
    db_url: str, sessions: sessionmaker[Session]
) -> None:
    console = seeded(db_url, sessions)
    raj = "raj@northants.example"
    assert console.say(console.user("admin"), f'admin deputy "Procurement" {raj}').reply.ok
    assert console.say(console.user("Finance"), f"2.4 assign {raj}").reply.ok
    mine = console.say(console.user(raj), "mine")
    assert mine.reply.ok and [c.ref for c in mine.reply.cards if c.ref == "2.4"] == ["2.4"]
    done = console.say(console.user(raj), "2.4 done handled it")
    assert done.reply.ok, done.reply.text


def test_owners_show_on_the_command_line(db_url: str, tmp_path: object) -> None:
    from pathlib import Path

    from tests.cli.test_cli import run

    assert isinstance(tmp_path, Path)
    owners = tmp_path / "owners.csv"
    owners.write_text(
        "owner,email,deputy\nFinance,finance@c.example,raj@c.example;ann@c.example\n",
        encoding="utf-8",
    )
    assert run(db_url, "owners", "import", str(owners))[0] == 0
    code, out, _ = run(db_url, "owners", "show", "finance")
    assert code == 0
    holders = out[out.index("Holders:") : out.index("Deputies:")]
    deputies = out[out.index("Deputies:") : out.index("Away:")]
    assert "finance@c.example" in holders
    assert "raj@c.example" in deputies and "ann@c.example" in deputies
    assert "deputies: nobody → raj@c.example; ann@c.example by owners file via cli" in out
    code, _, err = run(db_url, "owners", "show", "Nobody")
    assert code == 1 and "no owner called 'Nobody'" in err


def test_admin_owner_with_deputies_is_one_change_with_both_events(
    db_url: str, sessions: sessionmaker[Session]
) -> None:
    """The text the Map… form stands for: holders and deputies in one command (one
    transaction), recorded as the form records them; `deputies none` clears them."""
    console = seeded(db_url, sessions)
    admin = console.user("admin")
    said = console.say(
        admin, f'admin owner "Finance" @Finance deputies {CEO} raj@northants.example'
    )
    assert said.reply.ok and "deputies are now" in said.reply.text, said.reply.text
    with sessions() as session:
        detail = owner_detail(session, name="finance", today=date(2018, 3, 16))
        assert detail is not None and detail.deputies == [CEO, "raj@northants.example"]
    cleared = console.say(admin, 'admin owner "Finance" @Finance deputies none')
    assert cleared.reply.ok, cleared.reply.text
    with sessions() as session:
        events = session.scalars(
            select(Event).where(Event.field.like("%:Finance")).order_by(Event.id)
        ).all()
        detail = owner_detail(session, name="finance", today=date(2018, 3, 16))
    assert detail is not None and detail.deputies == []
    # Each command records holders then deputies, as the form's command always has.
    assert [(e.field, e.source) for e in events] == [
        ("holders:Finance", "console"),
        ("deputies:Finance", "console"),
    ] * 2
    assert events[1].old_value == "nobody" and CEO in (events[1].new_value or "")
    assert CEO in (events[3].old_value or "") and events[3].new_value == "nobody"


def test_admin_owners_lists_only_names_with_open_actions(
    db_url: str, sessions: sessionmaker[Session]
) -> None:
    """A role whose actions are all done or cancelled has nothing to be reminded of: it is not
    offered for mapping, and the count beside a name is of open actions."""
    console = seeded(db_url, sessions)
    admin = console.user("admin")
    name = "Finance with Northants Finance Officers"
    with sessions.begin() as session:
        owner = session.scalars(select(Owner).where(Owner.name == name)).one()
        actions = session.scalars(
            select(Action).join(ActionOwner).where(ActionOwner.owner_id == owner.id)
        ).all()
        assert actions and all(a.is_open for a in actions)
        for action in actions[1:]:
            action.status = "done"
    listed = console.say(admin, "admin owners").reply.text
    assert f"{name} (1 open action)" in listed, listed
    with sessions.begin() as session:
        session.get(Action, actions[0].id).status = "cancelled"  # type: ignore[union-attr]
    assert name not in console.say(admin, "admin owners").reply.text
