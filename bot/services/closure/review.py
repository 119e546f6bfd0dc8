"""Audit-grade closure: an owner's "done" verified by somebody else, a new date approved.

Both are optional, per plan (`actionbot plans set CODE --verify-by … --approve-dates-by …`):
a plan without a verifier or an approver behaves exactly as before, and this module answers
None so the ordinary rules in `bot.services.actions` run. Every step is a `Review` row and
an Event (who, when, via what, the reason), and every door reaches it through `handle`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Literal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.commands.rules import revision_problem
from bot.commands.types import Approve, Command, Revise, SetStatus, Verify
from bot.core.messages import Detail, Reply, error, theirs
from bot.core.when import day, plural
from bot.services.audit import Actor, record, set_field
from bot.services.closure.evidence import (
    Attachment,
    EvidenceRefused,
    evidence_of,
    keep_file,
    keep_links,
)
from bot.services.history import actor_name
from bot.services.people.identity import Caller
from bot.services.people.roster import notify, person_label, responsible_on
from store.models import Action, Owner, Person, Plan, Review
from store.queries import owners_by_name, person_by_email

Duty = Literal["verify_by", "approve_dates_by"]
DUTY_NAME = {"verify_by": "verifier", "approve_dates_by": "date approver"}


class ReviewerError(ValueError):
    """The verifier or approver named is nobody the register knows; nothing was changed."""


@dataclass(frozen=True)
class Reviewer:
    """Who verifies closure, or approves new dates, for a plan: an owner role (whoever holds
    or deputises for it on the day) or one person."""

    kind: Literal["role", "person"]
    id: int
    name: str

    def as_option(self) -> dict[str, Any]:
        return {"kind": self.kind, "id": self.id, "name": self.name}

    def includes(self, caller: Caller) -> bool:
        if self.kind == "role":
            return self.id in caller.owner_ids
        return caller.person_id == self.id


def reviewer(plan: Plan, duty: Duty) -> Reviewer | None:
    """The plan's verifier (`verify_by`) or date approver (`approve_dates_by`), if it has one."""
    found = (plan.options or {}).get(duty)
    if not isinstance(found, dict):
        return None
    return Reviewer(found["kind"], int(found["id"]), str(found["name"]))


def find_reviewer(session: Session, spec: str, *, now: datetime) -> Reviewer:
    """An owner role by its name, or a person by email (added to the register if new).

    Raises:
        ReviewerError: the words name no role and are no email.
    """
    spec = " ".join(spec.split())
    owner = owners_by_name(session, names=[spec]).get(spec.lower())
    if owner is not None:
        return Reviewer("role", owner.id, owner.name)
    if "@" in spec and " " not in spec:
        person = person_by_email(session, email=spec)
        if person is None:
            person = Person(email=spec.lower(), created_at=now, updated_at=now)
            session.add(person)
            session.flush()
        return Reviewer("person", person.id, person_label(person))
    known = sorted(o.name for o in owners_by_name(session).values())
    hint = ", ".join(known[:8]) + ("…" if len(known) > 8 else "")
    raise ReviewerError(
        f"{spec!r} is no owner role and no email; roles include: {hint or 'none yet'}"
    )


def set_reviewer(
    session: Session, plan: Plan, duty: Duty, who: Reviewer | None, *, actor: Actor, now: datetime
) -> bool:
    """Give `plan` its verifier or date approver (None: none, as before); recorded.

    Returns:
        True when it changed.
    """
    options = dict(plan.options or {})
    old = reviewer(plan, duty)
    if old == who:
        return False
    if who is None:
        options.pop(duty, None)
    else:
        options[duty] = who.as_option()
    plan.options = options
    plan.updated_at = now
    record(
        session,
        None,
        f"plan.{duty}",
        old=old.name if old else None,
        new=who.name if who else None,
        actor=actor,
        at=now,
        plan_id=plan.id,
    )
    return True


def closure_in_use(session: Session) -> bool:
    """True when any live plan has a verifier or a date approver."""
    options = session.scalars(select(Plan.options).where(Plan.archived_at.is_(None)))
    return any(o and (o.get("verify_by") or o.get("approve_dates_by")) for o in options)


def pending(session: Session, action_id: int, kind: str) -> Review | None:
    return session.scalar(
        select(Review)
        .where(Review.action_id == action_id, Review.kind == kind, Review.state == "pending")
        .order_by(Review.id.desc())
        .limit(1)
    )


def awaiting_verification_ids(session: Session) -> set[int]:
    """Actions implemented and awaiting verification: their owners' reminders stop."""
    rows = session.scalars(
        select(Review.action_id).where(Review.state == "pending", Review.kind == "verify")
    )
    return set(rows)


def route(
    session: Session,
    action: Action,
    command: Command,
    *,
    caller: Caller,
    now: datetime,
    today: date,
    attachments: Sequence[Attachment] = (),
) -> Reply | None:
    """Run `command` here when closure rules apply to it; None: the ordinary rules run.

    Evidence given with `done` is kept on every plan; on a plan without a verifier the
    ordinary `done` then runs as before.
    """
    actor = Actor(name=caller.actor, source=caller.platform)
    if isinstance(command, SetStatus) and command.status == "done":
        verifier = reviewer(action.plan, "verify_by")
        if verifier is None:
            refused = _keep(session, action, command, attachments, actor=actor, now=now)
            return refused  # None: the ordinary `done` runs, the evidence kept
        return _request_verification(
            session, action, command, verifier, attachments, actor=actor, now=now
        )
    if attachments:
        return error("Files are kept as evidence with `done` only. Nothing was changed.")
    if isinstance(command, Revise):
        approver = reviewer(action.plan, "approve_dates_by")
        if approver is None:
            return None
        return _request_extension(
            session, action, command, caller=caller, actor=actor, now=now, today=today
        )
    return None


def _day(value: date | None, today: date) -> str:
    return day(value, today) if value else "no date"


def _label(action: Action) -> str:
    return theirs(f"{action.plan.code}:{action.ref}")


def _keep(
    session: Session,
    action: Action,
    command: SetStatus,
    attachments: Sequence[Attachment],
    *,
    actor: Actor,
    now: datetime,
    review: Review | None = None,
) -> Reply | None:
    """Keep the links and files given with `done`; a refusal (too big, a type not kept)
    answers instead, and the caller's transaction is rolled back: nothing is kept."""
    keep_links(session, action, command.evidence, actor=actor, now=now, review=review)
    try:
        for attached in attachments:
            keep_file(
                session,
                action,
                filename=attached.filename,
                data=attached.data,
                actor=actor,
                now=now,
                review=review,
            )
    except EvidenceRefused as exc:
        return error(f"{exc} Nothing was changed.")
    return None


def _request_verification(
    session: Session,
    action: Action,
    command: SetStatus,
    verifier: Reviewer,
    attachments: Sequence[Attachment],
    *,
    actor: Actor,
    now: datetime,
) -> Reply:
    label = _label(action)
    if action.status == "done":
        return error(f"{label} is already done and verified; nothing changed.")
    review = pending(session, action.id, "verify")
    again = review is not None
    if review is None:
        review = Review(
            action=action,
            kind="verify",
            state="pending",
            requested_by=actor.name,
            requested_via=actor.source,
            requested_at=now,
            note=command.note,
        )
        session.add(review)
        session.flush()
        record(
            session,
            action,
            "verification",
            old=None,
            new="requested",
            actor=actor,
            at=now,
            note=command.note,
        )
    elif command.note:
        record(session, action, "note", actor=actor, at=now, note=command.note)
    refused = _keep(session, action, command, attachments, actor=actor, now=now, review=review)
    if refused is not None:
        return refused
    kept = len(command.evidence) + len(attachments)
    set_field(session, action, "snoozed_until", None, actor=actor, at=now)
    if command.note:
        action.latest_update = command.note
    action.last_update_at = now
    action.updated_at = now
    shown = f" with {plural(kept, 'piece')} of evidence" if kept else ""
    if again:
        said = f"{label} is already awaiting verification by {theirs(verifier.name)}"
        said += f"; {plural(kept, 'piece')} of evidence added." if kept else "."
    else:
        said = (
            f"{label} is implemented{shown} and awaits verification by "
            f"{theirs(verifier.name)}; your reminders for it stop meanwhile."
        )
    return Reply(lines=[said])


def decide(
    session: Session,
    action: Action,
    command: Verify | Approve,
    *,
    caller: Caller,
    now: datetime,
    today: date,
) -> Reply:
    """Accept or reject an implemented action, approve or decline a new date: the plan's
    verifier or approver only, and never on an action the caller owns."""
    verify = isinstance(command, Verify)
    duty: Duty = "verify_by" if verify else "approve_dates_by"
    who = reviewer(action.plan, duty)
    label = _label(action)
    if who is None:
        what = "verifier" if verify else "date approver"
        return error(f"{theirs(action.plan.code)} has no {what}; nothing to decide.")
    if caller.owns(action):
        what = "verify your own action" if verify else "approve your own new date"
        return error(f"You can't {what}: {label} is yours. Nothing was changed.")
    if not who.includes(caller):
        what = "verifier" if verify else "date approver"
        return error(
            f"Only {theirs(action.plan.code)}'s {what}, {theirs(who.name)}, can do that. "
            "Nothing was changed."
        )
    review = pending(session, action.id, "verify" if verify else "extend")
    if review is None:
        what = "awaiting verification" if verify else "waiting for a new date to be approved"
        return error(f"{label} is not {what}.")
    actor = Actor(name=caller.actor, source=caller.platform)
    yes = command.accept if isinstance(command, Verify) else command.approve
    state = ("accepted" if yes else "rejected") if verify else ("approved" if yes else "declined")
    review.state = state
    review.decided_by = actor.name
    review.decided_via = actor.source
    review.decided_at = now
    review.decision_note = command.reason
    field = "verification" if verify else "extension"
    record(
        session, action, field, old="requested", new=state, actor=actor, at=now, note=command.reason
    )
    action.last_update_at = now
    action.updated_at = now
    if verify and yes:
        set_field(session, action, "status", "done", actor=actor, at=now, note="verified")
        said = f"{label} is verified and done."
    elif verify:
        set_field(session, action, "status", "in_progress", actor=actor, at=now)
        said = f"{label} goes back to its owners as in progress: {theirs(command.reason or '')}"
    elif yes:
        assert review.new_date is not None
        said = _apply_date(session, action, review, actor=actor, now=now, today=today)
    else:
        said = f"The new date for {label} is declined: {theirs(command.reason or '')}"
    _tell_owners(session, action, review, caller=caller, now=now, today=today)
    return Reply(lines=[said if said.endswith(".") else said + "."])


def _tell_owners(
    session: Session, action: Action, review: Review, *, caller: Caller, now: datetime, today: date
) -> None:
    """The owners hear the answer in a direct message, sent by the next delivery round."""
    label = _label(action)
    said = {
        "accepted": f"{label} is verified as done.",
        "rejected": f"{label} was not accepted as done, and is in progress again.",
        "approved": f"The new date for {label} is approved: due {_day(review.new_date, today)}.",
        "declined": f"The new date for {label} was declined; it stays due "
        f"{_day(action.due_date, today)}.",
    }[review.state]
    lines = [said]
    if review.decision_note:
        lines.append(f"Why: {theirs(review.decision_note)}")
    platform = "teams" if caller.platform == "teams" else "slack"
    for _, person in responsible_on(session, action, today):
        notify(
            session,
            person,
            Reply(
                title=theirs(f"{action.plan.code}:{action.ref} {action.title}"[:150]), lines=lines
            ),
            key=f"review:{review.id}:{review.state}:{person.id}",
            platform=platform,
            now=now,
        )


def _request_extension(
    session: Session,
    action: Action,
    command: Revise,
    *,
    caller: Caller,
    actor: Actor,
    now: datetime,
    today: date,
) -> Reply | None:
    label = _label(action)
    if not action.is_open:
        return None  # the ordinary rule answers
    problem = revision_problem(command.new_date, command.reason, today=today)
    if problem:
        return None
    review = Review(
        action=action,
        kind="extend",
        requested_by=actor.name,
        requested_via=actor.source,
        requested_at=now,
        note=command.reason,
        new_date=command.new_date,
        date_text=command.date_text,
    )
    if caller.is_admin:
        # An admin's own change is applied (by `actions`) and recorded as approved by them.
        review.state = "approved"
        review.decided_by, review.decided_via, review.decided_at = actor.name, actor.source, now
        session.add(review)
        record(
            session,
            action,
            "extension",
            old="requested",
            new="approved",
            actor=actor,
            at=now,
            note=command.reason,
        )
        return None
    waiting = pending(session, action.id, "extend")
    if waiting is not None:
        assert waiting.new_date is not None
        return error(
            f"{label} already has a new date waiting for approval ({day(waiting.new_date, today)}"
            "); the approver decides that one first. Nothing was changed."
        )
    review.state = "pending"
    session.add(review)
    record(
        session,
        action,
        "extension",
        old=action.due_date,
        new=command.new_date,
        actor=actor,
        at=now,
        note=command.reason,
    )
    approver = reviewer(action.plan, "approve_dates_by")
    assert approver is not None
    action.last_update_at = now
    action.updated_at = now
    return Reply(
        lines=[
            f"{label}: your new date, {day(command.new_date, today)}, is waiting for approval by "
            f"{theirs(approver.name)}; it stays due {_day(action.due_date, today)} until then."
        ]
    )


def _apply_date(
    session: Session, action: Action, review: Review, *, actor: Actor, now: datetime, today: date
) -> str:
    """The approved date takes effect as an owner's revision did: the slip is counted."""
    assert review.new_date is not None
    old_due = action.due_date
    reason = review.note
    set_field(
        session, action, "revised_target_date", review.new_date, actor=actor, at=now, note=reason
    )
    set_field(session, action, "revised_text", review.date_text, actor=actor, at=now)
    set_field(session, action, "due_date", review.new_date, actor=actor, at=now)
    set_field(
        session, action, "slip_count", action.slip_count + 1, actor=actor, at=now, note=reason
    )
    if reason:
        action.latest_update = reason
    return (
        f"Approved: {_label(action)} moved from {_day(old_due, today)} to "
        f"{_day(review.new_date, today)} (moved {plural(action.slip_count, 'time')})"
    )


def closure_details(session: Session, action: Action, today: date) -> list[Detail]:
    """What `show` adds: who verifies and approves, what is waiting, the evidence."""
    details: list[Detail] = []
    verify = pending(session, action.id, "verify")
    verifier = reviewer(action.plan, "verify_by")
    if verify is not None and verifier is not None:
        details.append(
            Detail(
                "Awaiting verification",
                f"implemented {day(verify.requested_at, today)}; verifier: {verifier.name}",
            )
        )
    elif action.status == "done":
        accepted = session.scalar(
            select(Review)
            .where(
                Review.action_id == action.id, Review.kind == "verify", Review.state == "accepted"
            )
            .order_by(Review.id.desc())
            .limit(1)
        )
        if accepted is not None and accepted.decided_at and accepted.decided_by:
            details.append(
                Detail(
                    "Verified",
                    f"{day(accepted.decided_at, today)} by "
                    f"{actor_name(session, accepted.decided_by, today=today)}",
                )
            )
    extend = pending(session, action.id, "extend")
    if extend is not None and extend.new_date is not None:
        approver = reviewer(action.plan, "approve_dates_by")
        details.append(
            Detail(
                "New date requested",
                f"{day(extend.new_date, today)}: {extend.note or ''}; approver: "
                f"{approver.name if approver else 'none'}",
            )
        )
    items = evidence_of(session, action.id)
    if items:
        details.append(Detail("Evidence", "\n".join(f"• {e}" for e in items)))
    return details


def pending_counts(session: Session) -> dict[str, int]:
    """How many actions await verification, and how many new dates await approval."""
    rows = session.execute(
        select(Review.kind, func.count(Review.id))
        .where(Review.state == "pending")
        .group_by(Review.kind)
    ).all()
    return {str(kind): int(count) for kind, count in rows}


def role_name(session: Session, owner_id: int) -> str | None:
    owner = session.get(Owner, owner_id)
    return owner.name if owner else None
