"""The committee pack's closure sections, for a plan with a verifier or a date approver:
actions awaiting verification, verified since the last pack, rejected, and new dates asked
for (waiting, approved or declined). Made from the history as at the pack's instant, like
every other section, so a pack made again later says the same.

A plan that never used closure gets none of these sections: its pack reads as before.
"""

from __future__ import annotations

from collections.abc import Sequence

from bot.reports.committee import (
    ACTION,
    OWNER,
    REF,
    Facts,
    day_cell,
    text,
)
from bot.reports.content import Cell, Column, Section, Table
from bot.reports.register_at import ActionAt
from store.models import Event, Plan

CLOSURE_FIELDS = ("verification", "extension")


def _latest(action: ActionAt, field: str) -> Event | None:
    found = [e for e in action.events if e.field == field]
    return found[-1] if found else None


def _row(facts: Facts, action: ActionAt, event: Event, *extra: Cell) -> tuple[Cell, ...]:
    return (
        text(action.ref),
        text(action.title),
        text(action.owners),
        *extra,
        text(facts.name_of(event.actor)),
        day_cell(facts.local(event.at).date()),
    )


Row = tuple[Cell, ...]


def _section(
    key: str, name: str, heading: str, intro: str, columns: Sequence[Column], rows: list[Row]
) -> Section:
    return Section(
        key=key,
        heading=f"{heading} ({len(rows)})",
        intro=intro,
        tables=(Table(name, (REF[0], ACTION[0], OWNER[0], *columns), tuple(rows)),),
        part="detail",  # after the register, as full lists
    )


def plan_closure_sections(facts: Facts, plan: Plan) -> tuple[Section, ...]:
    """The closure sections of `plan`'s pack (`build_paper`'s `more`)."""
    options = plan.options or {}
    in_use = bool(options.get("verify_by") or options.get("approve_dates_by"))
    return closure_sections(facts, in_use=in_use)


def closure_sections(facts: Facts, *, in_use: bool) -> tuple[Section, ...]:
    """The four sections, when the plan has a verifier or approver (`in_use`) or any closure
    step in its history; none otherwise."""
    actions = facts.now.actions
    used = in_use or any(e.field in CLOSURE_FIELDS for a in actions for e in a.events)
    if not used:
        return ()
    waiting: list[Row] = []
    verified: list[Row] = []
    rejected: list[Row] = []
    dates: list[Row] = []
    for action in actions:
        last = _latest(action, "verification")
        if last is not None and last.new_value == "requested":
            waiting.append(_row(facts, action, last, text(last.note)))
        for event in facts.changes(action):
            if event.field == "verification" and event.new_value == "accepted":
                verified.append(_row(facts, action, event))
            elif event.field == "verification" and event.new_value == "rejected":
                rejected.append(_row(facts, action, event, text(event.note)))
        asked = _latest(action, "extension")
        for event in facts.changes(action):
            if event.field != "extension" or event.old_value != "requested":
                continue
            decided = "Approved" if event.new_value == "approved" else "Declined"
            dates.append(_row(facts, action, event, text(decided), text(event.note)))
        if asked is not None and asked.old_value != "requested":
            dates.append(
                _row(facts, action, asked, text(f"Waiting: {asked.new_value}"), text(asked.note))
            )
    by, on = Column("By"), Column("On", "date")
    return (
        _section(
            "awaiting_verification",
            "Awaiting verification",
            "Awaiting verification",
            "Actions their owners say are implemented, waiting for the plan's verifier.",
            (Column("Owner's note", weight=1.5), Column("Said by"), on),
            waiting,
        ),
        _section(
            "verified",
            "Verified",
            f"Verified {facts.baseline.since}",
            "Actions the verifier accepted as done.",
            (by, on),
            verified,
        ),
        _section(
            "rejected",
            "Rejected",
            f"Rejected {facts.baseline.since}",
            "Actions the verifier sent back to their owners, with the reason.",
            (Column("Reason", weight=1.5), by, on),
            rejected,
        ),
        _section(
            "extension_requests",
            "New dates asked for",
            f"New dates asked for {facts.baseline.since}",
            "Each new due date an owner asked for and the approver's answer; waiting ones "
            "show the date asked for.",
            (Column("Answer"), Column("Reason", weight=1.5), by, on),
            dates,
        ),
    )
