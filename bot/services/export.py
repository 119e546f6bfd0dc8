"""Exporting a plan as JSON (with history) or as CSV that re-imports to the same register."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

from sqlalchemy.orm import Session

from store.models import Action, Plan
from store.queries import actions_with_events

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


def action_record(action: Action, plan: Plan) -> dict[str, Any]:
    return {
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
        "history": [
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
        ],
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
    writer.writerow([*CSV_HEADERS, *extra_headers])
    for a in actions:
        writer.writerow(
            [
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
        )
    return out.getvalue()
