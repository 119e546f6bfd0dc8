"""The daily admin summary: owners nobody can reach and messages that could not be delivered.

One message a day to each admin, naming each problem once (owner names as the plan writes
them, their plans and email), what is wrong and the exact fix. A problem already reported
is not repeated until it changes; one that goes away is forgotten, so if it comes back it is
reported again. Which problems were told is kept in `admin_notice`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from hashlib import sha256

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from bot.core.messages import Reply, reply_payload, theirs
from bot.core.when import plural
from bot.jobs.delivery import FailedDelivery
from bot.jobs.facts import RegisterFacts
from store.models import Action, ActionOwner, AdminNotice, Owner, Person, Plan
from store.notices import add_new_notices
from store.outbox import enqueue, existing_keys
from store.queries import holders_by_owner

ADMIN_SUMMARY = "admin_summary"
OWNERS_FIX = "add their email to the owners file and run `actionbot owners import OWNERS.csv`"
MAP_FIX = '`/action admin owner "{name}" @person`'
CHANNEL_ERRORS = frozenset({"channel_not_found", "not_in_channel", "is_archived"})
GONE_ERRORS = frozenset({"account_inactive", "user_disabled"})
KIND_WORDS = {"nudge": "reminder", "escalation": "escalation notice"}
SHOWN = 40  # problems named in one summary; the rest wait for tomorrow's


@dataclass(frozen=True)
class Problem:
    key: str  # what it is about: "owner:NAME", "recipient:person:4"
    text: str  # one line: who, what is wrong, the fix
    cause: str  # what defines it: it is told again only when this changes

    @property
    def fingerprint(self) -> str:
        return sha256(self.cause.encode()).hexdigest()


@dataclass(frozen=True)
class Who:
    names: tuple[str, ...]
    plans: tuple[str, ...]
    email: str | None

    def describe(self, fallback: str) -> str:
        names = ", ".join(f"*{theirs(n)}*" for n in self.names) or theirs(fallback)
        plans = f" (plan {theirs(', '.join(self.plans))})" if self.plans else ""
        email = f", {theirs(self.email)}" if self.email else ", no email"
        return f"{names}{plans}{email}"

    def map_fix(self) -> str:
        return MAP_FIX.format(name=theirs(self.names[0]) if self.names else "OWNER NAME")


def unreachable_problems(facts: RegisterFacts) -> list[Problem]:
    """Owners with open actions and no person behind them: nobody gets their reminders."""
    problems = []
    for owner, actions in sorted(facts.unreachable.items()):
        plans = sorted({facts.plans.get(a.plan_code, a.plan_code) for a in actions})
        who = Who((owner,), tuple(plans), None)
        count = plural(len(actions), "open action")
        problems.append(
            Problem(
                key=f"owner:{owner}",
                text=(
                    f"• {who.describe(owner)}: nobody is mapped to this owner, so nobody gets "
                    f"the reminders for their {count}. Fix: {OWNERS_FIX}, or {who.map_fix()}."
                ),
                cause="unmapped",
            )
        )
    return problems


def _owners_of(session: Session, owners: Sequence[Owner]) -> tuple[str, ...]:
    ids = [o.id for o in owners]
    if not ids:
        return ()
    rows = session.execute(
        select(Plan.name)
        .join(Action, Action.plan_id == Plan.id)
        .join(ActionOwner, ActionOwner.action_id == Action.id)
        .where(ActionOwner.owner_id.in_(ids))
        .distinct()
        .order_by(Plan.name)
    )
    return tuple(name for (name,) in rows)


def _held_by(session: Session, person_id: int, *, today: date) -> list[Owner]:
    """The roles the person holds today, as the dated terms say: after a handover takes
    effect they are the new holder's, though `Owner.person_id` may still name the old one."""
    ids = [o for o, people in holders_by_owner(session, day=today).items() if person_id in people]
    if not ids:
        return []
    return list(session.scalars(select(Owner).where(Owner.id.in_(ids)).order_by(Owner.name)))


def _who(session: Session, recipient: str, *, today: date) -> Who | None:
    kind, _, target = recipient.partition(":")
    if kind == "person" and target.isdigit():
        person = session.get(Person, int(target))
        owners = _held_by(session, int(target), today=today)
        email = person.email if person else None
    elif kind == "email":
        owners = list(
            session.scalars(select(Owner).where(func.lower(Owner.escalate_to) == target.lower()))
        )
        email = target
        return Who(tuple(f"escalation contact of {o.name}" for o in owners), (), email)
    else:
        return None
    return Who(tuple(o.name for o in owners), _owners_of(session, owners), email)


def _error_code(error: str) -> str:
    """ "users.lookupByEmail: users_not_found" → "users_not_found"."""
    return error.rsplit(":", 1)[-1].strip().split(" ", 1)[0]


def delivery_problem(session: Session, failure: FailedDelivery, *, today: date) -> Problem:
    """The admins' line for a message that could not be delivered; roles are named as the
    person holds them on `today`."""
    if failure.platform == "teams" or failure.error.startswith("Teams "):
        return _teams_problem(session, failure, today=today)
    code = _error_code(failure.error)
    kind, _, target = failure.recipient.partition(":")
    if kind == "channel":
        return Problem(
            key=f"recipient:{failure.recipient}",
            text=(
                f"• The {KIND_WORDS.get(failure.kind, failure.kind)} could not be posted to "
                f"channel {theirs(target)}: Slack said `{theirs(code)}`. "
                "Fix: invite actionbot to the channel (`/invite @actionbot`), "
                "or set DIGEST_CHANNEL to a channel it is in."
            ),
            cause=code,
        )
    who = _who(session, failure.recipient, today=today)
    named = who.describe(failure.recipient) if who else f"`{theirs(failure.recipient)}`"
    fix_map = who.map_fix() if who else MAP_FIX.format(name="OWNER NAME")
    if code == "users_not_found" and who and who.email:
        wrong = f"Slack has no user with the email {theirs(who.email)}"
        fix = (
            "correct the email in the owners file and run "
            f"`actionbot owners import OWNERS.csv`, or {fix_map}"
        )
    elif code in GONE_ERRORS:
        wrong = "their Slack account is deactivated"
        fix = f"map the owner to whoever took over: {fix_map}"
    elif "a bug in actionbot" in failure.error:
        # Slack refused what actionbot rendered (bot/messengers/slack.py): nothing to fix in
        # the owners file, and a retry would be refused the same way.
        wrong = (
            f"Slack refused the message as actionbot built it (`{theirs(code)}`), "
            "a bug in actionbot"
        )
        fix = "report it with the log line that starts with BUG; the message was not sent"
    elif "no Slack id and no email" in failure.error:
        wrong = "there is no email or Slack user for them"
        fix = f"{OWNERS_FIX}, or {fix_map}"
    else:
        wrong = f"Slack said `{theirs(code)}`"
        fix = f"check `actionbot owners list`, or {fix_map}"
    return Problem(
        key=f"recipient:{failure.recipient}",
        text=(
            f"• {named}: their {KIND_WORDS.get(failure.kind, failure.kind)} was not delivered: "
            f"{wrong}. Fix: {fix}."
        ),
        cause=f"{code}|{who.email if who else ''}",
    )


def note_problems(
    session: Session, problems: Iterable[Problem], *, now: datetime, forget_others: str = ""
) -> None:
    """Record problems as they stand: new or changed ones are to be told, known ones are not.

    With `forget_others` (a key prefix such as "owner:"), problems of that kind that are not
    in `problems` any more are forgotten: they were fixed.
    """
    current = {p.key: p for p in problems}
    known = {n.key: n for n in session.scalars(select(AdminNotice))}
    new: list[tuple[str, str, str]] = []
    for key, problem in current.items():
        notice = known.get(key)
        if notice is None:
            new.append((key, problem.fingerprint, problem.text))
        elif notice.fingerprint != problem.fingerprint:
            notice.fingerprint, notice.text, notice.told_at = (
                problem.fingerprint,
                problem.text,
                None,
            )
    add_new_notices(session, new, now=now)
    if forget_others:
        gone = [k for k in known if k.startswith(forget_others) and k not in current]
        if gone:
            session.execute(delete(AdminNotice).where(AdminNotice.key.in_(gone)))


def summary_reply(untold: Sequence[str], *, still_open: int) -> Reply:
    shown = list(untold[:SHOWN])
    footer = []
    if len(untold) > SHOWN:
        footer.append(f"…and {len(untold) - SHOWN} more tomorrow.")
    if still_open:
        footer.append(
            f"{plural(still_open, 'problem')} reported before {'is' if still_open == 1 else 'are'}"
            " still open; `actionbot owners list` shows who can be reached."
        )
    return Reply(
        title=f"{plural(len(untold), 'new problem')} for actionbot admins",
        lines=["Owners actionbot cannot reach, or could not deliver to, and how to fix each:"]
        + shown,
        footer=footer,
    )


def queue_summary(
    session: Session, *, admins: Sequence[str], today: date, now: datetime, platform: str = "slack"
) -> bool:
    """Enqueue today's summary to each admin if any problem is untold and none went today.

    Returns:
        True when a summary was queued (its problems are then marked told).
    """
    untold = list(
        session.scalars(
            select(AdminNotice)
            .where(AdminNotice.told_at.is_(None))
            .order_by(AdminNotice.first_seen, AdminNotice.key)
        )
    )
    if not untold or not admins:
        return False
    keys = [f"{admin}:{ADMIN_SUMMARY}:{today.isoformat()}" for admin in admins]
    if existing_keys(session, keys=keys):
        return False  # one a day: what is new since waits for tomorrow's
    told = untold[:SHOWN]
    open_count = session.scalar(
        select(func.count()).select_from(AdminNotice).where(AdminNotice.told_at.is_not(None))
    )
    reply = summary_reply([n.text for n in untold], still_open=open_count or 0)
    for admin, key in zip(admins, keys, strict=True):
        enqueue(
            session,
            key=key,
            platform=platform,
            recipient=admin,
            kind=ADMIN_SUMMARY,
            payload=reply_payload([reply]),
            not_before=now,
            now=now,
        )
    for notice in told:
        notice.told_at = now
    return True


def _teams_problem(session: Session, failure: FailedDelivery, *, today: date) -> Problem:
    """A message Teams refused (TeamsMessenger errors read "Teams send: HTTP 403 …")."""
    said = failure.error.removeprefix("Teams ").removeprefix(": ")
    removed = "removed actionbot" in said
    status = "403" if "HTTP 403" in said or removed else "404" if "HTTP 404" in said else said
    what = KIND_WORDS.get(failure.kind, failure.kind)
    kind, _, target = failure.recipient.partition(":")
    if kind == "channel":
        return Problem(
            key=f"recipient:{failure.recipient}",
            text=(
                f"• The {what} could not be posted to Teams channel {theirs(target)}: Teams "
                f"said `{theirs(said)}`. Fix: add actionbot to that team, or correct "
                "TEAMS_DIGEST_CONVERSATION."
            ),
            cause=status,
        )
    who = _who(session, failure.recipient, today=today)
    named = who.describe(failure.recipient) if who else f"`{theirs(failure.recipient)}`"
    if status == "403":
        wrong = (
            "they removed or blocked actionbot in Teams (or it is not installed for them), so "
            "nothing more is sent to them there"
        )
        fix = (
            "ask them to add actionbot from Apps in Teams (or install it for them); their "
            "reminders start again when they do"
        )
    elif "no Teams id" in said:
        wrong = "actionbot has no Teams id for them"
        fix = (
            "ask them to message actionbot in Teams once, or put their Entra object id in "
            "the owners file's teams_id column and run `actionbot owners import OWNERS.csv`"
            + ("" if "TEAMS_GRAPH" not in said else " (or let actionbot use Graph: TEAMS_GRAPH)")
        )
    else:
        wrong = f"Teams said `{theirs(said)}`"
        fix = "check `actionbot owners list` and their Teams id"
    return Problem(
        key=f"recipient:{failure.recipient}",
        text=f"• {named}: their {what} was not delivered: {wrong}. Fix: {fix}.",
        cause=f"{status}|{who.email if who else ''}",
    )
