"""Golden transcripts: a fixed week with the bundled plan, rendered as people read it.

The scenario (the sample plan and owners file, a week of scripted `/action` updates, the
reminder sweep, the admins' summary and the digest, all on an injected clock) is rendered to
the terminal renderer and to Block Kit, and compared with the files committed beside this
test. A change to any message shows up as a readable diff in review.

After an intended change, rewrite the files and review the diff:

    UPDATE_GOLDEN=1 .venv/bin/pytest -q tests/golden
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from bot.core.clock import FixedClock
from bot.core.config import Settings
from bot.core.messages import Reply
from bot.core.runtime import Runtime, open_runtime
from bot.core.when import day as day_label
from bot.jobs.runner import run_delivery, run_digest, run_sweep
from bot.messengers.base import Address, Progress
from bot.render.blocks import reply_message
from bot.render.terminal import plain_text, reply_view
from bot.services.conversation import Who, converse
from store.models import Person
from tests.harness import seed_sample

GOLDEN = Path(__file__).parent
UPDATE = os.environ.get("UPDATE_GOLDEN") == "1"
LONDON = ZoneInfo("Europe/London")
ADMINS = frozenset({"uadmin"})

FINANCE = ("UFIN", "finance@northants.example")
CEO = ("UCEO", "ceo@northants.example")
PROCUREMENT = ("UPROC", "procurement@northants.example")
STRANGER = ("USTRANGER", None)

# (day in April 2018, hh:mm, who, what they type). Plan actions are all due Sat 31 Mar 2018.
WEEK: list[tuple[int, str, tuple[str, str | None], str]] = [
    (3, "09:40", FINANCE, "2.4"),
    (3, "09:42", FINANCE, "2.4 progress draft sent to CLT"),
    (3, "09:45", FINANCE, "2.7 date 30/07/2018"),
    (3, "09:46", FINANCE, "2.7 date 30/06/2017 awaiting audit sign-off"),
    (3, "09:47", FINANCE, "2.7 date 30/07/2018 awaiting audit sign-off"),
    (4, "11:05", CEO, "1.1 at risk cabinet date moved"),
    (4, "11:10", CEO, "1.1 finish"),
    (4, "11:12", CEO, "help"),
    (5, "14:00", PROCUREMENT, "4.5 done savings tracker live"),
    (5, "14:03", PROCUREMENT, "mine"),
    (5, "14:05", STRANGER, "mine"),
    (6, "10:20", FINANCE, "2.4 done budget monitoring in place"),
    (6, "10:21", FINANCE, "2.4"),
    (6, "10:25", FINANCE, "overdue"),
]


@dataclass
class Recording:
    """A Messenger that keeps what it was asked to send, as neutral replies."""

    platform: str = "slack"
    sent: list[tuple[str, list[Reply]]] = field(default_factory=list)

    def send_direct(self, address: Address, replies: list[Reply], progress: Progress) -> Address:
        to = address.email or address.slack_user_id or f"person {address.person_id}"
        self.sent.append((to, replies))
        progress.sent = len(replies)
        return address

    def post_channel(self, channel: str, replies: list[Reply], progress: Progress) -> None:
        self.sent.append((f"#{channel}", replies))
        progress.sent = len(replies)


@dataclass
class Week:
    conversation: str
    reminders: str
    escalations: str
    digest: str
    replies: dict[str, Reply]  # one of each message kind, for the first-line checks


def _at(day: int, hhmm: str) -> datetime:
    hour, minute = (int(p) for p in hhmm.split(":"))
    return datetime(2018, 4, day, hour, minute, tzinfo=LONDON)


def _delivered(runtime: Runtime, messenger: Recording, heading: str) -> str:
    out = []
    for to, replies in messenger.sent:
        for number, reply in enumerate(replies, start=1):
            part = f" (part {number} of {len(replies)})" if len(replies) > 1 else ""
            out.append(plain_text(reply_view(reply, heading=f"{heading} → {to}{part}")))
    messenger.sent.clear()
    return "\n".join(out)


def play_week(db_url: str) -> Week:
    clock = FixedClock(datetime(2018, 3, 1, 9, 0, tzinfo=LONDON))
    settings = Settings(  # type: ignore[call-arg]
        _env_file=None,
        DATABASE_URL=db_url,
        ACTIONBOT_ADMINS="UADMIN",
        DIGEST_CHANNEL="CDIGEST",
    )
    runtime = open_runtime(settings, clock=clock)
    try:
        seed_sample(runtime, clock.now())
        with runtime.sessions.begin() as session:
            # The owners file gave emails; chat gave these people their Slack ids.
            for user_id, email in (FINANCE, CEO, PROCUREMENT):
                person = session.scalars(select(Person).where(Person.email == email)).one()
                person.slack_user_id = user_id
        replies: dict[str, Reply] = {}
        chat = []
        for day, hhmm, (user_id, email), text in WEEK:
            clock.set(_at(day, hhmm))
            outcome = converse(
                runtime.sessions,
                Who("slack", user_id, email),
                text=text,
                admins=ADMINS,
                default_tz=settings.tz,
                now=clock.now(),
            )
            local = clock.now().astimezone(LONDON)
            when = f"{day_label(local)} {local:%H:%M}"
            heading = f"{when} {email or user_id} › /action {text}"
            chat.append(plain_text(reply_view(outcome.reply, heading=heading)))
            if outcome.reply.notice:
                chat.append(f"  (to the channel) {outcome.reply.notice}\n")
            replies.setdefault(_kind(text, outcome.reply), outcome.reply)

        messenger = Recording()
        clock.set(_at(6, "09:30"))
        swept = run_sweep(runtime, now=clock.now())
        for message, reply in swept.messages:
            # The fullest reminder of the day stands for its kind.
            if len(reply.cards) > len(replies.get(message.kind, Reply()).cards):
                replies[message.kind] = reply
        run_delivery(runtime, {"slack": messenger}, sleep=lambda _: None)
        for to, sent in messenger.sent:
            if to == "UADMIN":
                replies.setdefault("admin_summary", sent[0])
        reminders = _delivered(runtime, messenger, "Fri 6 Apr 2018 09:30")

        clock.set(_at(16, "09:30"))
        escalated = run_sweep(runtime, now=clock.now())
        for message, reply in escalated.messages:
            replies.setdefault(message.kind, reply)
        run_delivery(runtime, {"slack": messenger}, sleep=lambda _: None)
        messenger.sent = [(to, r) for to, r in messenger.sent if to == "ceo@northants.example"]
        escalations = _delivered(runtime, messenger, "Mon 16 Apr 2018 09:30")

        clock.set(_at(9, "08:30"))
        digest = run_digest(runtime, now=clock.now(), channel="CDIGEST", dry_run=True)
        replies["digest"] = digest.replies[0]
        digest_text = "\n".join(
            plain_text(reply_view(r, heading=f"--- message {n} of {len(digest.replies)}"))
            for n, r in enumerate(digest.replies, start=1)
        )
        return Week("\n".join(chat), reminders, escalations, digest_text, replies)
    finally:
        runtime.engine.dispose()


def _kind(text: str, reply: Reply) -> str:
    if not reply.ok:
        return f"error:{text}"
    word = text.split(" ")[1] if " " in text else text
    if re.fullmatch(r"\d+\.\d+", text):
        return "show"
    if text in ("mine", "overdue", "help"):
        return text
    return f"change:{word}"


@pytest.fixture(scope="module")
def week(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Week]:
    # One SQLite register for the module: the transcript is about wording, and the store
    # tests already run every query on PostgreSQL too.
    path = tmp_path_factory.mktemp("golden") / "register.db"
    yield play_week(f"sqlite:///{path}")


def check(name: str, actual: str) -> None:
    path = GOLDEN / name
    if UPDATE or not path.exists():
        if not UPDATE:
            pytest.fail(f"{name} is missing: run with UPDATE_GOLDEN=1 and commit it")
        path.write_text(actual, encoding="utf-8")
        return
    expected = path.read_text(encoding="utf-8")
    assert actual == expected, (
        f"{name} changed; if that is intended, run UPDATE_GOLDEN=1 and review the diff"
    )


@pytest.mark.parametrize("name", ["conversation", "reminders", "escalations", "digest"])
def test_terminal_transcripts_match_the_golden_files(week: Week, name: str) -> None:
    check(f"{name}.txt", getattr(week, name))


@pytest.mark.parametrize(
    "kind", ["show", "nudge", "escalation", "admin_summary", "digest", "change:done"]
)
def test_block_kit_of_key_messages_matches_the_golden_files(week: Week, kind: str) -> None:
    message = reply_message(week.replies[kind])
    name = kind.replace(":", "_")
    check(f"blocks/{name}.json", json.dumps(message, indent=2, ensure_ascii=False) + "\n")


# --- the first line: what a phone notification shows -----------------------------------------

LEADS_WITH_ACTION = re.compile(r"^[A-Z][A-Z0-9_-]*:\S+ ")  # "NCC:2.4 …"
LEADS_WITH_COUNT = re.compile(r"^(\d[\d,]* |No )")  # "12 actions …", "No action …"
LABEL = re.compile(r"^[A-Za-z][A-Za-z ]*:")  # "Tasks:", "Try:", "Target as written:"


def test_every_message_kind_was_played(week: Week) -> None:
    kinds = set(week.replies)
    assert {"show", "mine", "overdue", "help", "nudge", "escalation", "admin_summary"} <= kinds
    assert {"digest", "change:done", "change:progress", "change:date", "change:at"} <= kinds
    assert any(k.startswith("error:") for k in kinds)


def test_first_line_leads_with_the_action_or_the_count(week: Week) -> None:
    for kind, reply in week.replies.items():
        first = reply.text.splitlines()[0]
        assert not LABEL.match(first) or LEADS_WITH_ACTION.match(first), (kind, first)
        if kind == "help" or kind.startswith("error:"):
            continue  # help is a title; an error leads with what went wrong
        assert LEADS_WITH_ACTION.match(first) or LEADS_WITH_COUNT.match(first), (kind, first)


def test_the_detail_reply_leads_with_the_action_and_never_says_shortened(week: Week) -> None:
    show = week.replies["show"]
    assert show.text.splitlines()[0].startswith("NCC:2.4 Ensuring there are adequate processes")
    assert not show.text.startswith("Tasks")
    assert "shortened" not in json.dumps(reply_message(show))
    assert "REF" not in json.dumps(reply_message(show))


def test_no_hint_suggests_a_past_date(week: Week) -> None:
    hints = [line for line in week.conversation.splitlines() if "Try" in line or "e.g." in line]
    assert hints
    for line in hints:
        for day, month, year in re.findall(r"\b(\d\d)/(\d\d)/(\d{4})\b", line):
            assert date(int(year), int(month), int(day)) >= date(2018, 4, 6), line


def test_a_missing_reason_keeps_the_date_the_user_typed(week: Week) -> None:
    refused = week.replies["error:2.7 date 30/07/2018"]
    assert refused.lines[-1] == "Try `/action 2.7 date 30/07/2018 <reason>`"


def test_no_raw_markup_reaches_the_terminal(week: Week) -> None:
    for name in ("conversation", "reminders", "escalations", "digest"):
        text = getattr(week, name)
        assert not re.search(r"(^|\s)_[A-Z]", text, re.M), name  # _Financial Governance_
        assert not re.search(r"(^|\s)\*[A-Za-z]", text, re.M), name  # *NCC:2.4*
        assert "`" not in text, name
