"""An action's audit trail as sentences people read: "Sat 31 Mar: Jane Smith marked it done
(Slack)", not raw event records."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date

from sqlalchemy.orm import Session

from bot.core.messages import theirs
from bot.core.when import day, stored_day
from store.models import Event, Owner
from store.queries import owner_ids_of_person, person_by_platform_id

SOURCE_LABEL = {
    "slack": "Slack",
    "teams": "Teams",
    "console": "console",
    "cli": "command line",
    "import": "plan import",
    "system": "automatic",
}
STATUS_SAID = {
    "done": "marked it done",
    "in_progress": "marked it in progress",
    "blocked": "marked it blocked",
    "not_started": "reopened it",
    "cancelled": "cancelled it",
}
RAG_SAID = {"green": "on track", "amber": "at risk", "red": "off track"}
# Bookkeeping written beside a change a person made; the sentence for that change says it.
QUIET_FIELDS = frozenset({"revised_target_date", "revised_text", "slip_count"})
_ACTOR = re.compile(r"^(slack|teams|console):([^ ]+)(?: \((.+)\))?$")


def actor_name(
    session: Session, actor: str, cache: dict[str, str] | None = None, *, today: date
) -> str:
    """The name a person knows: their display name, the owner role they are mapped to, or
    their email; "actionbot" for the bot itself."""
    if cache is not None and actor in cache:
        return cache[actor]
    name = actor
    match = _ACTOR.match(actor)
    if actor in ("actionbot", "system"):
        name = "actionbot"
    elif actor == "cli":
        name = "an admin"
    elif match:
        platform, user_id, email = match.groups()
        person = person_by_platform_id(session, platform=platform, user_id=user_id)
        owners: list[str] = []
        if person is not None:
            owners = sorted(
                o.name
                for o in (
                    session.get(Owner, i)
                    for i in owner_ids_of_person(session, person_id=person.id, day=today)
                )
                if o is not None
            )
        if person is not None and person.display_name:
            name = person.display_name
        elif owners:
            name = ", ".join(owners)
        else:
            known = person.email if person and person.email else None
            name = email or known or f"{SOURCE_LABEL.get(platform, platform)} user {user_id}"
    if cache is not None:
        cache[actor] = name
    return name


def _quoted(note: str | None) -> str:
    return f": “{theirs(note)}”" if note else ""


def sentence(event: Event, events: Sequence[Event], who: str, today: date) -> str | None:
    """One event as "<who> <did what>" in the reply markup (bot.core.messages: `who` is already
    escaped, the notes and values are escaped here), or None when it is bookkeeping."""
    field, old, new, note = event.field, event.old_value, event.new_value, event.note
    if field in QUIET_FIELDS:
        return None
    if field == "status":
        said = STATUS_SAID.get(new or "", f"set the status to {theirs(new)}")
        return f"{who} {said}{_quoted(note)}"
    if field == "rag":
        said = RAG_SAID.get(new or "", "cleared the RAG")
        return f"{who} said it is {said}{_quoted(note)}" if new else f"{who} cleared the RAG"
    if field == "note":
        return f"{who} noted{_quoted(note)}"
    if field == "due_date":
        # A revision writes its reason on the revised_target_date event of the same moment.
        reason = next(
            (
                e.note
                for e in events
                if e.field == "revised_target_date" and e.at == event.at and e.note
            ),
            note,
        )
        moved = f"moved the due date from {stored_day(old, today)} to {stored_day(new, today)}"
        if not old:
            moved = f"set the due date to {stored_day(new, today)}"
        return f"{who} {moved}{_quoted(reason)}"
    if field == "snoozed_until":
        if not new:
            return None
        return f"{who} paused reminders until {stored_day(new, today)}{_quoted(note)}"
    if field == "escalated_on":
        told = f" ({theirs(note)})" if note else ""
        return f"{who} escalated it as overdue with no update{told}"
    if field == "created":
        where = f", {theirs(note)}" if note else ""
        return f"{who} imported it from the plan file{where}"
    if field == "owners":
        return f"{who} changed the owners to {theirs(new) if new else 'nobody'}"
    label = field.replace("_", " ")
    return f"{who} changed the {label}"


def history_lines(session: Session, events: Sequence[Event], *, today: date) -> list[str]:
    """Newest first, one sentence per change: "Sat 31 Mar: Jane Smith marked it done (Slack)"."""
    names: dict[str, str] = {}
    lines = []
    for event in events:
        who = theirs(actor_name(session, event.actor, names, today=today))
        said = sentence(event, events, who, today)
        if said is None:
            continue
        source = SOURCE_LABEL.get(event.source, event.source)
        lines.append(f"{day(event.at, today)}: {said} ({source})")
    return lines
