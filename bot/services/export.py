"""Exporting a plan as JSON (with history) or as CSV that re-imports to the same register."""

from __future__ import annotations

import csv
import io
import json
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.importer.formula_guard import neutralise
from bot.services.closure.evidence import closure_record
from store.models import Absence, Action, Event, Owner, Person, Plan, Responsibility
from store.queries import actions_with_events, holders_by_owner

# Headers the importer recognises, so an export is itself an importable plan.
CSV_HEADERS = (
    "Ref",
    "Title",
    "Tasks",
    "Owner",
    "Target date",
    "Revised target date",
    "Theme",
    "Section",
    "Intended outcome",
    "Latest update",
    "Status",
    "RAG",
)


def action_record(action: Action, plan: Plan, *, history: bool = True) -> dict[str, Any]:
    record: dict[str, Any] = {
        "plan": plan.code,
        "ref": action.ref,
        "title": action.title,
        "theme": action.theme,
        "section": action.section,
        "tasks": list(action.tasks),
        "owners": action.owner_names,
        "target_date": _iso(action.target_date),
        "target_text": action.target_text,
        "revised_target_date": _iso(action.revised_target_date),
        "revised_text": action.revised_text,
        "due_date": _iso(action.due_date),
        "milestones": list(action.milestones),
        "recurrence": action.recurrence,
        "slip_count": action.slip_count,
        "status": action.status,
        "status_text": action.status_text,
        "rag": action.rag,
        "outcome": action.outcome,
        "latest_update": action.latest_update,
        "flags": list(action.flags),
        "extra": dict(action.extra),
        "updated_at": action.updated_at.isoformat(),
    }
    if not history:
        return record
    record["history"] = [
        {
            "at": e.at.isoformat(),
            "actor": e.actor,
            "source": e.source,
            "field": e.field,
            "old": e.old_value,
            "new": e.new_value,
            "note": e.note,
        }
        for e in action.events
    ]
    record.update(closure_record(action))
    return record


def plan_record(plan: Plan, actions: int) -> dict[str, Any]:
    return {
        "code": plan.code,
        "name": plan.name,
        "actions": actions,
        "default_due": _iso(plan.default_due),
        "source_file": plan.source_file,
        "nudge_days": (plan.options or {}).get("nudge_days"),
        "verify_by": ((plan.options or {}).get("verify_by") or {}).get("name"),
        "approve_dates_by": ((plan.options or {}).get("approve_dates_by") or {}).get("name"),
        "evidence_types": [t.lstrip(".") for t in plan.evidence_types]
        if plan.evidence_types
        else None,
        "archived_at": _iso(plan.archived_at),
    }


def _iso(value: Any) -> str | None:
    return value.isoformat() if value is not None else None


def export_json(session: Session, *, plan: Plan) -> str:
    records = [action_record(a, plan) for a in actions_with_events(session, plan_id=plan.id)]
    return json.dumps(records, indent=2, ensure_ascii=False) + "\n"


def export_csv(session: Session, *, plan: Plan) -> str:
    out = io.StringIO(newline="")
    extra_headers: list[str] = []
    actions = actions_with_events(session, plan_id=plan.id)
    for action in actions:
        extra_headers += [h for h in action.extra if h not in extra_headers]
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([neutralise(h) for h in (*CSV_HEADERS, *extra_headers)])
    for a in actions:
        cells = [
            a.ref,
            a.title,
            "\n".join(a.tasks),
            # The cell as the plan wrote it, so a re-import splits it exactly as before.
            a.owners_text or "; ".join(a.owner_names),
            a.target_text or "",
            a.revised_text or "",
            a.theme or "",
            a.section or "",
            a.outcome or "",
            a.latest_update or "",
            a.status,
            a.rag or "",
            *[a.extra.get(h, "") for h in extra_headers],
        ]
        # Every cell, not only free text: a ref or an owner name can be "=1+1" too.
        writer.writerow([neutralise(cell) for cell in cells])
    return out.getvalue()


def export_all_json(session: Session, *, now: datetime) -> str:
    """The whole register as one portable JSON document: every plan with its actions and
    their histories, plan-level events, owners and the people they are. A backup that any
    tool can read, whatever database the register is in."""
    plans = []
    for plan in session.scalars(select(Plan).order_by(Plan.code)):
        actions = actions_with_events(session, plan_id=plan.id)
        plans.append(
            {
                **plan_record(plan, len(actions)),
                "options": plan.options,
                "actions": [action_record(a, plan) for a in actions],
                "events": [
                    _event(e)
                    for e in session.scalars(
                        select(Event)
                        .where(Event.plan_id == plan.id, Event.action_id.is_(None))
                        .order_by(Event.id)
                    )
                ],
            }
        )
    people = {p.id: p for p in session.scalars(select(Person).order_by(Person.id))}
    terms = list(session.scalars(select(Responsibility).order_by(Responsibility.id)))
    held = holders_by_owner(session, day=now.date())
    owners = [
        {
            "name": o.name,
            "escalate_to": o.escalate_to,
            # The first holder on the day of the export; `terms` has everyone, dated.
            "email": people[held[o.id][0]].email if held.get(o.id) else None,
            # Who held the role (or deputised) from when until when: "until" is the first
            # day they no longer did; a null "since" means from before history was kept.
            "terms": [_term(t, people) for t in terms if t.owner_id == o.id],
        }
        for o in session.scalars(select(Owner).order_by(Owner.name))
    ]
    assignments = []
    for term in terms:
        action = session.get(Action, term.action_id) if term.action_id is not None else None
        if action is not None:
            assignments.append({"plan": action.plan.code, "ref": action.ref, **_term(term, people)})
    document = {
        "format": "actionbot-register",
        "version": 1,
        "exported_at": now.isoformat(),
        "plans": plans,
        "owners": owners,
        "people": [
            {
                "email": p.email,
                "display_name": p.display_name,
                "slack_user_id": p.slack_user_id,
                "teams_user_id": p.teams_user_id,
                "tz": p.tz,
            }
            for p in people.values()
        ],
        "assignments": assignments,
        "absences": [
            {
                "email": people[a.person_id].email,
                "first_day": a.first_day.isoformat(),
                "last_day": a.last_day.isoformat(),
                "note": a.note,
                "recorded_on": a.recorded_on.isoformat(),
            }
            for a in session.scalars(select(Absence).order_by(Absence.first_day, Absence.id))
        ],
        "register_events": [
            _event(e)
            for e in session.scalars(
                select(Event)
                .where(Event.plan_id.is_(None), Event.action_id.is_(None))
                .order_by(Event.id)
            )
        ],
    }
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def _event(e: Event) -> dict[str, Any]:
    return {
        "at": e.at.isoformat(),
        "actor": e.actor,
        "source": e.source,
        "field": e.field,
        "old": e.old_value,
        "new": e.new_value,
        "note": e.note,
    }


def _term(term: Responsibility, people: dict[int, Person]) -> dict[str, Any]:
    person = people.get(term.person_id)
    return {
        "duty": term.duty,
        "email": person.email if person else None,
        "slack_user_id": person.slack_user_id if person else None,
        "since": _iso(term.since),
        "until": _iso(term.until),
    }
