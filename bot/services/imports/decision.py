"""Import, Cancel or Preview again under a chat preview.

**Import** re-runs the same import in one transaction and commits it only if the plan has no
new events and the change comes out identical to the preview; otherwise it changes nothing
and offers a fresh preview. A preview is claimed by a conditional UPDATE in that same
transaction, so a second click, on any instance, finds it decided and applies nothing.

Doors only fetch the bytes and route the buttons; every rule is here.
"""

from __future__ import annotations

import re
from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session, sessionmaker

from bot.core.messages import Button, Reply, error
from bot.core.when import plural
from bot.importer.errors import ImportFileError
from bot.services.audit import Actor
from bot.services.imports.message import ReadOptions
from bot.services.imports.preview import (
    AGAIN,
    CANCEL,
    ChatImportAnswer,
    Decision,
    change_digest,
    register_mark,
    run_import,
    show_preview,
)
from bot.services.imports.upload import ADMINS_ONLY, PREVIEW_LIFETIME, caller_of
from bot.services.people.identity import Caller
from store.models import Event, PendingImport
from store.queries import plan_by_code

_ID = re.compile(r"^[0-9a-f]{32}$")


def is_pending_id(value: str) -> bool:
    """What a button's value must look like: doors check it before calling in."""
    return bool(_ID.match(value))


def decide(
    sessions: sessionmaker[Session],
    pending_id: str,
    decision: Decision,
    *,
    platform: str,
    user_id: str,
    email: str | None,
    admins: frozenset[str],
    now: datetime,
    attach: bool,
) -> ChatImportAnswer:
    """What a click on **Import**, **Cancel** or **Preview again** does, for whoever clicked."""
    with sessions() as session:
        caller = caller_of(
            session, platform=platform, user_id=user_id, email=email, admins=admins, now=now
        )
        session.commit()
        pending = session.get(PendingImport, pending_id) if is_pending_id(pending_id) else None
        if pending is None:
            return ChatImportAnswer(
                error(
                    "I have no such import preview (it may be over 30 days old). "
                    "Send the file again to see a new one. Nothing was changed."
                )
            )
        if (pending.platform, pending.requested_by) != (platform, user_id):
            return ChatImportAnswer(
                error(
                    "Only the admin who sent this file can import or cancel it; send the file "
                    "to me yourself to import it. Nothing was changed."
                )
            )
        if not caller.is_admin:
            return ChatImportAnswer(error(ADMINS_ONLY))
        if decision == CANCEL:
            return ChatImportAnswer(_cancel(session, pending, caller=caller, now=now))
        if decision == AGAIN:
            return _again(session, pending, caller=caller, now=now, attach=attach)
        return ChatImportAnswer(_apply(session, pending, caller=caller, now=now))


def _decided(pending: PendingImport, now: datetime) -> Reply | None:
    """Why this preview can no longer be imported, or None while it can (read afresh:
    another click, on any instance, may have just decided it)."""
    when = pending.decided_at.strftime("%d %b %Y %H:%M UTC") if pending.decided_at else ""
    if pending.state == "applied":
        return error(
            f"{pending.filename} was already imported into {pending.plan_code} ({when}); "
            "nothing was imported twice. To undo it, import the earlier file."
        )
    if pending.state == "cancelled":
        return error(
            f"This preview of {pending.filename} was cancelled ({when}); nothing was "
            "imported. Send the file again to import it."
        )
    if pending.state == "expired" or pending.expires_at <= now:
        return error(
            f"This preview of {pending.filename} has expired (previews last "
            f"{int(PREVIEW_LIFETIME.total_seconds() // 3600)} hours); nothing was imported. "
            "Send the file again for a fresh preview."
        )
    return None


def _claim(session: Session, pending: PendingImport, state: str, by: str, now: datetime) -> bool:
    """Move a pending (or stale) preview to `state`, if nobody else did it first."""
    result = session.execute(
        update(PendingImport)
        .where(
            PendingImport.id == pending.id,
            PendingImport.state.in_(("pending", "stale")),
            PendingImport.expires_at > now,
        )
        .values(state=state, decided_at=now, decided_by=by, data=None)
        .execution_options(synchronize_session=False)
    )
    return bool(getattr(result, "rowcount", 0))


def _cancel(session: Session, pending: PendingImport, *, caller: Caller, now: datetime) -> Reply:
    filename = pending.filename
    if not _claim(session, pending, "cancelled", caller.actor, now):
        session.rollback()
        return _decided(pending, now) or error("That preview was already replaced.")
    session.commit()
    return Reply(lines=[f"Cancelled: {filename} was not imported. Nothing was changed."])


def _apply(session: Session, pending: PendingImport, *, caller: Caller, now: datetime) -> Reply:
    problem = _decided(pending, now)
    if problem is not None:
        return problem
    if pending.state == "stale" or pending.data is None:
        return _moved(pending, "the register changed since this preview")
    data, filename, code = pending.data, pending.filename, pending.plan_code
    read = ReadOptions.from_json(pending.options)
    # One transaction: the claim, the check that nothing moved, and the import itself.
    try:
        if not _claim(session, pending, "applied", caller.actor, now):
            session.rollback()
            return _decided(pending, now) or _moved(pending, "it was already decided")
        if register_mark(session, code) != pending.register_mark:
            session.rollback()
            return _stale(session, pending, _changes_since(session, code, pending))
        report = run_import(
            session,
            code=code,
            filename=filename,
            data=data,
            read=read,
            actor=Actor(name=caller.actor, source=caller.platform),
            platform=caller.platform,
            now=now,
            dry_run=False,
        )
        if change_digest(report, read) != pending.digest:
            session.rollback()
            return _stale(
                session,
                pending,
                "the file would now change something other than the preview showed",
            )
    except ImportFileError:
        session.rollback()
        return _stale(session, pending, "the file no longer reads as it did")
    except BaseException:
        session.rollback()
        raise
    session.commit()
    counts = (
        f"{report.count('added')} added, {report.count('changed')} changed, "
        f"{report.count('unchanged')} unchanged"
    )
    lines = [
        f"Imported {filename} into plan {report.plan_code}: {counts}.",
        "Every change is recorded as yours "
        f"({caller.platform.capitalize()}), with old → new; `/action REF` shows an action's "
        "history.",
    ]
    if report.plan_created:
        lines.insert(1, f"Plan {report.plan_code} was created.")
    if report.missing:
        lines.append(
            f"{plural(len(report.missing), 'action')} in the register but not in the file "
            "were kept as they are."
        )
    return Reply(lines=lines)


def _changes_since(session: Session, code: str, pending: PendingImport) -> str:
    plan = plan_by_code(session, code=code)
    if plan is None:
        return f"plan {code} was removed since this preview"
    before = int(pending.register_mark.split("/")[0]) if "/" in pending.register_mark else 0
    count = session.scalar(select(func.count(Event.id)).where(Event.plan_id == plan.id)) or 0
    last = session.scalars(
        select(Event).where(Event.plan_id == plan.id).order_by(Event.id.desc()).limit(1)
    ).first()
    made = plural(max(int(count) - before, 1), "change")
    if last is None:
        return f"plan {code} changed since this preview"
    return (
        f"{made} to plan {code} since this preview, the latest by {last.actor} "
        f"at {last.at:%H:%M UTC on %d %b}"
    )


def _stale(session: Session, pending: PendingImport, why: str) -> Reply:
    """Mark the preview stale (it can never be applied now) and offer a fresh one."""
    session.execute(
        update(PendingImport)
        .where(PendingImport.id == pending.id, PendingImport.state == "pending")
        .values(state="stale")
        .execution_options(synchronize_session=False)
    )
    session.commit()
    return _moved(pending, why)


def _moved(pending: PendingImport, why: str) -> Reply:
    return Reply(
        lines=[
            f"I did not import {pending.filename}: {why}, so it would no longer do exactly "
            "what the preview showed. Nothing was changed.",
            "Press *Preview again* to see what it would do now.",
        ],
        choices=[
            Button(AGAIN, "Preview again", pending.id),
            Button(CANCEL, "Cancel", pending.id),
        ],
        ok=False,
    )


def _again(
    session: Session, pending: PendingImport, *, caller: Caller, now: datetime, attach: bool
) -> ChatImportAnswer:
    problem = _decided(pending, now)
    if problem is not None:
        return ChatImportAnswer(problem)
    data = pending.data
    if data is None:
        return ChatImportAnswer(error("I no longer have that file; send it again."))
    filename, code = pending.filename, pending.plan_code
    read = ReadOptions.from_json(pending.options)
    if not _claim(session, pending, "stale", caller.actor, now):
        session.rollback()
        return ChatImportAnswer(_decided(pending, now) or error("That preview was replaced."))
    session.commit()
    return show_preview(
        session,
        code=code,
        filename=filename,
        data=data,
        read=read,
        caller=caller,
        now=now,
        attach=attach,
    )
