"""Importing a plan: one transaction, one Event per change, never a delete.

The CLI and (later) chat call `import_plan`; both show the same `ImportReport`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import String, func, select
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.sql.schema import ScalarElementColumnDefault

from bot.core.collector import collector_paused
from bot.core.themes import same_spelling
from bot.core.when import plural
from bot.importer.dates import due_from
from bot.importer.errors import ImportFileError
from bot.importer.hints import Option, Part
from bot.importer.parsed import ParsedAction, ParsedPlan
from bot.importer.plan_file import parse_plan_file
from bot.importer.prose import NotAction
from bot.services.audit import Actor, as_text, event_values, record, set_field
from store.bulk import insert_rows, insert_rows_with_ids
from store.models import OPEN_STATUSES, Action, ActionOwner, Base, Owner, Plan
from store.queries import actions_of_plan, owners_by_name, plan_by_code

# Fields the plan file always owns: the file's value wins, blank included.
FILE_FIELDS = (
    "title",
    "tasks",
    "theme",
    "section",
    "outcome",
    "owners_text",
    "target_text",
    "target_date",
    "milestones",
    "recurrence",
    "flags",
    "extra",
    "position",
)
# Fields owners also change from chat: a blank cell keeps what they said.
CHAT_FIELDS = (
    "revised_text",
    "revised_target_date",
    "status",
    "status_text",
    "rag",
    "latest_update",
)


@dataclass
class Change:
    field: str
    old: str | None
    new: str | None


@dataclass
class ActionResult:
    ref: str
    outcome: str  # added | changed | unchanged
    changes: list[Change] = field(default_factory=list)


@dataclass(frozen=True)
class ReadAction:
    """An action read from prose, as a preview shows it: where it was and what it says."""

    ref: str
    title: str
    where: str  # "page 2", "paragraph 41"
    source: str  # the sentence it came from, as written
    theme: str | None
    owners: list[str]
    due: date | None
    due_text: str | None
    flags: list[str]


@dataclass
class ImportReport:
    plan_code: str
    plan_created: bool
    results: list[ActionResult]
    missing: list[str]
    archived: list[str]
    warnings: list[str]
    columns: list[tuple[str, str]]
    encoding: str
    delimiter: str
    dry_run: bool
    # Open actions left with no due date at all: nothing can remind anyone about them.
    undated: int = 0
    # How the file was read: "utf-8, delimiter ','", "an Excel workbook, sheet 'Plan'".
    read_as: str = ""
    # "table", or "minutes"/"report" when the actions were read from prose: then `read`
    # lists each with its source, and `not_actions` what was read but is no action.
    kind: str = "table"
    read: list[ReadAction] = field(default_factory=list)
    not_actions: list[NotAction] = field(default_factory=list)
    # The admin was asked to confirm what was read from prose, and said no.
    declined: bool = False

    @property
    def from_prose(self) -> bool:
        return self.kind != "table"

    @property
    def plan_warnings(self) -> list[str]:
        """The warnings, less those a preview shows beside the action read from prose they
        are about (its flags)."""
        shown = tuple(f"{item.ref} ({item.where}): " for item in self.read)
        return [w for w in self.warnings if not (shown and w.startswith(shown))]

    def count(self, outcome: str) -> int:
        return sum(1 for r in self.results if r.outcome == outcome)

    @property
    def summary(self) -> str:
        verb = "would be" if self.dry_run else "were"
        parts = [
            f"{self.count('added')} added",
            f"{self.count('changed')} changed",
            f"{self.count('unchanged')} unchanged",
            plural(len(self.warnings), "warning"),
        ]
        if self.missing:
            parts.append(f"{len(self.missing)} in the register but not in the file")
        if self.archived:
            parts.append(f"{len(self.archived)} {verb} archived (cancelled)")
        return f"Plan {self.plan_code}: " + ", ".join(parts)


@dataclass(frozen=True)
class ImportOptions:
    plan_code: str
    source_file: str
    name: str | None = None
    default_due: date | None = None
    archive_missing: bool = False
    dry_run: bool = False
    # Which sheet of a workbook: a name, a 1-based number or "all"; None finds it.
    sheet: str | None = None
    # The door the change arrived by, as events record it: "import" (the command line), or
    # "slack"/"teams" when an admin imported a file sent to the bot in chat.
    source: str = "import"


def import_file(
    sessions: sessionmaker[Session],
    *,
    path: Path,
    options: ImportOptions,
    actor: Actor,
    now: datetime,
    overrides: Mapping[str, str] | None = None,
    confirm: Callable[[ImportReport], bool] | None = None,
) -> ImportReport:
    """Read `path` and import it as one transaction; a dry run rolls it all back.

    `confirm`, when given, is shown the preview of actions read from prose (minutes, a
    report) before anything is written, outside any transaction; the import goes ahead only
    if it answers True (else the report comes back `declined`). A plan table is imported
    without asking: its rows are what the admin wrote.

    Raises:
        ImportFileError: the file cannot be read; nothing was written.
    """
    with sessions() as session, collector_paused():
        with session.begin():
            parsed = parse_plan_file(
                path,
                today=now.date(),
                known_owners=known_owners(session),
                overrides=overrides,
                sheet=options.sheet,
            )
        if parsed.from_prose and confirm is not None and not options.dry_run:
            preview = _applied(session, parsed, replace(options, dry_run=True), actor, now)
            # Asked with no transaction open: an admin thinking holds no lock.
            if not confirm(preview):
                return replace(preview, declined=True)
        return _applied(session, parsed, options, actor, now)


def _applied(
    session: Session, parsed: ParsedPlan, options: ImportOptions, actor: Actor, now: datetime
) -> ImportReport:
    """`parsed` imported in one transaction, committed unless a dry run."""
    transaction = session.begin()
    try:
        report = import_plan(session, parsed=parsed, options=options, actor=actor, now=now)
    except BaseException:
        transaction.rollback()
        raise
    if options.dry_run:
        transaction.rollback()
    else:
        transaction.commit()
    return report


def known_owners(session: Session) -> list[str]:
    """Owner names that guide how a plan's owner cells are split.

    Only names someone vouched for (owners file, admin mapping) count; names a previous
    import merely kept whole must not confirm themselves.
    """
    return [
        o.name for o in owners_by_name(session).values() if o.person_id is not None or o.escalate_to
    ]


def import_plan(
    session: Session, *, parsed: ParsedPlan, options: ImportOptions, actor: Actor, now: datetime
) -> ImportReport:
    """Apply a parsed plan to the register inside the caller's transaction.

    With `options.dry_run` the caller must roll back; the report is what would happen.
    """
    today = now.date()
    check_fits(parsed)
    # "Managing Resources" and "Managing resources" are one theme, spelt as first written.
    for item, theme in zip(
        parsed.actions, same_spelling([i.theme for i in parsed.actions]), strict=True
    ):
        item.theme = theme
    # Whoever runs it, the change arrived by import, or by the chat the file was sent in.
    actor = Actor(name=actor.name, source=options.source)
    plan = plan_by_code(session, code=options.plan_code)
    if plan is not None and plan.archived_at is not None:
        raise ImportFileError(
            f"plan {plan.code} is archived; bring it back first with "
            f"`actionbot plans unarchive {plan.code}`"
        )
    created = plan is None
    if plan is None:
        plan = Plan(
            code=options.plan_code,
            name=options.name or options.plan_code,
            source_file=options.source_file,
            default_due=options.default_due,
            created_at=now,
            updated_at=now,
        )
        session.add(plan)
        session.flush()
        record(
            session,
            None,
            "plan",
            new=plan.code,
            actor=actor,
            at=now,
            plan_id=plan.id,
            note=f"created from {options.source_file}",
        )
    else:
        _update_plan(session, plan, options, actor=actor, now=now)

    existing = {a.ref: a for a in actions_of_plan(session, plan_id=plan.id)}
    owners = _ensure_owners(session, parsed, now=now)
    results: list[ActionResult] = []
    added: list[tuple[ParsedAction, dict[str, Any], list[str]]] = []
    for position, item in enumerate(parsed.actions):
        wanted = _wanted_values(item, position, plan, today)
        names = [owners[n.lower()].name for n in item.owners]
        action = existing.get(item.ref)
        if action is None:
            added.append((item, wanted, names))
            results.append(ActionResult(item.ref, "added"))
            continue
        changes = _apply(session, action, wanted, names, owners, actor=actor, now=now)
        results.append(ActionResult(item.ref, "changed" if changes else "unchanged", changes))
    session.flush()
    _insert_new(session, plan, added, owners, actor=actor, now=now)

    in_file = {a.ref for a in parsed.actions}
    missing = [ref for ref in existing if ref not in in_file]
    archived: list[str] = []
    if options.archive_missing:
        for ref in missing:
            action = existing[ref]
            if action.status != "cancelled":
                _set(
                    session,
                    action,
                    "status",
                    "cancelled",
                    actor=actor,
                    now=now,
                    note="not in the re-imported file (--archive-missing)",
                )
                archived.append(ref)
    warnings = parsed.warnings + [w for a in parsed.actions for w in a.warnings]
    session.flush()
    undated = session.scalar(
        select(func.count(Action.id)).where(
            Action.plan_id == plan.id, Action.due_date.is_(None), Action.status.in_(OPEN_STATUSES)
        )
    )
    return ImportReport(
        plan_code=plan.code,
        plan_created=created,
        results=results,
        missing=missing,
        archived=archived,
        warnings=warnings,
        columns=parsed.columns.describe(),
        encoding=parsed.encoding,
        delimiter=parsed.delimiter,
        dry_run=options.dry_run,
        undated=int(undated or 0),
        read_as=parsed.read_as,
        kind=parsed.kind,
        read=[_read_action(item, today) for item in parsed.actions] if parsed.from_prose else [],
        not_actions=list(parsed.not_actions),
    )


def _read_action(item: ParsedAction, today: date) -> ReadAction:
    from bot.importer.prose_actions import SOURCE_TEXT

    return ReadAction(
        ref=item.ref,
        title=item.title,
        where=item.label,
        source=item.extra.get(SOURCE_TEXT, item.title),
        theme=item.theme,
        owners=list(item.owners),
        due=due_from(item.target, as_of=today),
        due_text=item.target.original or None,
        flags=[w.split(": ", 1)[-1] for w in item.warnings],
    )


def _max_length(model: type[Action | Owner], column: str) -> int:
    column_type = model.__table__.c[column].type
    assert isinstance(column_type, String) and column_type.length is not None
    return column_type.length


def check_fits(parsed: ParsedPlan) -> None:
    """Refuse, naming row and column, a value longer than its register column holds.

    PostgreSQL would fail part-way with a DataError (SQLite would keep the value), so
    this runs before anything is written.

    Raises:
        ImportFileError: a ref, theme, section, owner name or unread status is too long.
    """
    headers = {name: parsed.columns.headers[i] for name, i in parsed.columns.fields.items()}
    section_header = headers.get("section")
    limits = {
        "reference": (_max_length(Action, "ref"), headers.get("ref")),
        "theme": (_max_length(Action, "theme"), headers.get("theme") or section_header),
        "section": (_max_length(Action, "section"), section_header),
        "status text": (_max_length(Action, "status_text"), headers.get("status")),
        "owner name": (_max_length(Owner, "name"), headers.get("owners")),
    }
    for item in parsed.actions:
        status = item.status
        values = [
            ("reference", item.ref),
            ("theme", item.theme),
            ("section", item.section),
            ("status text", status.original if status and not status.recognised else None),
            *[("owner name", name) for name in item.owners],
        ]
        for what, value in values:
            limit, column = limits[what]
            if value is None or len(value) <= limit:
                continue
            hint: list[Part] = [] if column else [" (from the section heading above it)"]
            if what == "status text":
                advice = Option("map", column, field="update", advice=True)
                hint = ["; if the column holds updates, read it with ", advice]
            raise ImportFileError(
                [
                    f"{what} is {len(value)} characters, longer than the {limit} the register "
                    "keeps",
                    *hint,
                    f": {value[:60]!r}...",
                ],
                row=item.row,
                place=item.place.strip() or None,
                column=column,
            )


def _update_plan(
    session: Session, plan: Plan, options: ImportOptions, *, actor: Actor, now: datetime
) -> None:
    updates: dict[str, Any] = {"source_file": options.source_file}
    if options.name:
        updates["name"] = options.name
    if options.default_due:
        updates["default_due"] = options.default_due
    for name, value in updates.items():
        old = getattr(plan, name)
        if old != value:
            setattr(plan, name, value)
            plan.updated_at = now
            record(
                session,
                None,
                f"plan.{name}",
                old=old,
                new=value,
                actor=actor,
                at=now,
                plan_id=plan.id,
            )


def _insert_new(
    session: Session,
    plan: Plan,
    added: list[tuple[ParsedAction, dict[str, Any], list[str]]],
    owners: dict[str, Owner],
    *,
    actor: Actor,
    now: datetime,
) -> None:
    """Insert new actions, their owner links and "created" events in bulk.

    A first import of a large plan is mostly new rows; going through the ORM unit of work
    one object at a time made a 10,000-row plan take ~9 s, multi-row INSERTs ~1 s (on
    PostgreSQL 1.3 s of a 2.4 s command, which COPY brought to 0.4 s).
    """
    if not added:
        return
    # Every row gets the same keys: rows with differing keys go out in separate small
    # batches, and stitching thousands of RETURNING batches together is quadratic.
    keys = set().union(*(wanted for _, wanted, _ in added))
    defaults = {key: _column_default(key) for key in keys}
    rows = [
        {
            **defaults,
            **wanted,
            "plan_id": plan.id,
            "ref": item.ref,
            "slip_count": 1 if wanted.get("revised_target_date") else 0,
            "created_at": now,
            "updated_at": now,
        }
        for item, wanted, _ in added
    ]
    # Core-level bulk writes on the tables (not the ORM's bulk path, which re-collects every
    # row through the mapper: a third of a 10,000-row import), inside this transaction:
    # multi-row INSERTs on SQLite, COPY on PostgreSQL (store/bulk.py).
    ids = insert_rows_with_ids(session, Base.metadata.tables["action"], rows, key="ref")
    links = [
        {"action_id": ids[item.ref], "owner_id": owners[name.lower()].id, "position": position}
        for item, _, names in added
        for position, name in enumerate(names)
    ]
    insert_rows(session, Base.metadata.tables["action_owner"], links)
    events = [
        {
            "action_id": ids[item.ref],
            **event_values(
                "created",
                plan_id=plan.id,
                new=item.ref,
                actor=actor,
                at=now,
                note=item.label,
            ),
        }
        for item, _, _ in added
    ]
    insert_rows(session, Base.metadata.tables["event"], events)


def _column_default(name: str) -> Any:
    # Only the optional scalar fields (status, rag, revised_*) can be missing from a row.
    default = Action.__table__.c[name].default
    return default.arg if isinstance(default, ScalarElementColumnDefault) else None


def _ensure_owners(session: Session, parsed: ParsedPlan, *, now: datetime) -> dict[str, Owner]:
    names = {n for a in parsed.actions for n in a.owners}
    found = owners_by_name(session, names=names)
    for name in sorted(names):
        if name.lower() not in found:
            owner = Owner(name=name, created_at=now)
            session.add(owner)
            found[name.lower()] = owner
    return found


def _wanted_values(item: ParsedAction, position: int, plan: Plan, today: date) -> dict[str, Any]:
    target_date = due_from(item.target, as_of=today)
    values: dict[str, Any] = {
        "title": item.title,
        "tasks": item.tasks,
        "theme": item.theme,
        "section": item.section,
        "outcome": item.outcome,
        "owners_text": item.owners_text,
        "target_text": item.target.original or None,
        "target_date": target_date,
        "milestones": [d.isoformat() for d in item.target.milestones],
        "recurrence": item.target.recurrence,
        "flags": [w.split(": ", 1)[-1] for w in item.warnings],
        "extra": item.extra,
        "position": position,
    }
    if item.revised.original:
        values["revised_text"] = item.revised.original
        values["revised_target_date"] = due_from(item.revised, as_of=today)
    if item.status is not None:
        if item.status.status is not None:
            values["status"] = item.status.status
            values["status_text"] = None
        elif not item.status.recognised:
            values["status_text"] = item.status.original
        if item.status.rag is not None:
            values["rag"] = item.status.rag
    if item.rag is not None:
        values["rag"] = item.rag
    if item.update:
        values["latest_update"] = item.update
    values["due_date"] = _due(values.get("revised_target_date"), target_date, plan.default_due)
    return values


def _due(revised: date | None, target: date | None, default: date | None) -> date | None:
    return revised or target or default


def _apply(
    session: Session,
    action: Action,
    wanted: dict[str, Any],
    names: list[str],
    owners: dict[str, Owner],
    *,
    actor: Actor,
    now: datetime,
) -> list[Change]:
    changes: list[Change] = []
    for name in FILE_FIELDS + CHAT_FIELDS:
        if name not in wanted:
            continue
        old = getattr(action, name)
        if old != wanted[name] and _set(session, action, name, wanted[name], actor=actor, now=now):
            changes.append(Change(name, as_text(old), as_text(wanted[name])))
            if name == "revised_target_date" and wanted[name] is not None:
                action.slip_count += 1
    due = _due(action.revised_target_date, action.target_date, action.plan.default_due)
    old_due = action.due_date
    if _set(session, action, "due_date", due, actor=actor, now=now):
        changes.append(Change("due_date", as_text(old_due), as_text(due)))
    if action.owner_names != names:
        old_names = action.owner_names
        action.owner_links = [
            ActionOwner(owner=owners[n.lower()], position=i) for i, n in enumerate(names)
        ]
        action.updated_at = now
        record(session, action, "owners", old=old_names, new=names, actor=actor, at=now)
        changes.append(Change("owners", as_text(old_names), as_text(names)))
    return changes


def _set(
    session: Session,
    action: Action,
    name: str,
    value: Any,
    *,
    actor: Actor,
    now: datetime,
    note: str | None = None,
) -> bool:
    return set_field(session, action, name, value, actor=actor, at=now, note=note)
