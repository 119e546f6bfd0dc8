"""Importing a plan from chat: an admin sends the file to the bot, sees a dry run, and
presses **Import** (or **Cancel**).

The preview is the command line's importer run as a dry run (`import_plan`, rolled back),
so chat and `actionbot import` can never disagree about what a file does. What the preview
promised is kept in the register (`PendingImport`): the file's bytes, the plan's events at
that moment (`register_mark`) and a digest of every previewed change. **Import** re-runs the
same import in one transaction and commits it only if the plan has no new events and the
change comes out identical to the preview; otherwise it changes nothing and offers a fresh
preview. A preview is claimed by a conditional UPDATE in that same transaction, so a second
click, on any instance, finds it decided and applies nothing.

Doors only fetch the bytes and route the buttons; every rule is here.
"""

from __future__ import annotations

import hashlib
import json
import re
import secrets
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Literal

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session, sessionmaker

from bot.core.messages import Button, Reply, error, theirs
from bot.core.when import day, plural
from bot.importer.bounded import parse_plan_file_bounded
from bot.importer.columns import FIELDS
from bot.importer.errors import ImportFileError
from bot.importer.hints import Phrasing, phrased
from bot.importer.reader import MAX_BYTES
from bot.services.audit import Actor
from bot.services.imports.apply import ImportOptions, ImportReport, import_plan, known_owners
from bot.services.imports.message import (
    MessageError,
    ReadOptions,
    chat_phrasing,
    read_message,
)
from bot.services.people.identity import Caller, identify
from store.models import Event, PendingImport, Plan
from store.queries import action_counts, all_plans, plan_by_code

PREVIEW_LIFETIME = timedelta(hours=24)
# Decided and expired previews are kept (without their file) this long, to answer a late
# click clearly; then they go.
KEEP_DECIDED = timedelta(days=30)
MAX_UPLOAD_BYTES = MAX_BYTES
# A preview longer than this goes as a file, with a short summary in the message.
MESSAGE_LINES = 25
MESSAGE_CHARS = 2500
SHOWN_VALUE = 100  # characters of one old/new value or title in a message

APPLY: Literal["import_apply"] = "import_apply"
CANCEL: Literal["import_cancel"] = "import_cancel"
AGAIN: Literal["import_again"] = "import_again"
Decision = Literal["import_apply", "import_cancel", "import_again"]

ADMINS_ONLY = (
    "Only actionbot admins can import plans (ACTIONBOT_ADMINS). I did not open the file, "
    "and nothing was changed."
)
_ID = re.compile(r"^[0-9a-f]{32}$")


@dataclass(frozen=True)
class Upload:
    """A file an admin sent to the bot, as the door fetched it."""

    filename: str
    data: bytes
    # The message sent with the file: the plan code and how to read the file, if any.
    comment: str = ""


@dataclass(frozen=True)
class PreviewFile:
    """A long preview as a plain-text file (never CSV: a spreadsheet would run formulas)."""

    filename: str
    text: str


@dataclass(frozen=True)
class ChatImportAnswer:
    reply: Reply
    file: PreviewFile | None = None


def is_pending_id(value: str) -> bool:
    """What a button's value must look like: doors check it before calling in."""
    return bool(_ID.match(value))


# -- who may ------------------------------------------------------------------------------


def _caller(
    session: Session,
    *,
    platform: str,
    user_id: str,
    email: str | None,
    admins: frozenset[str],
    now: datetime,
) -> Caller:
    return identify(
        session, platform=platform, user_id=user_id, email=email, admins=admins, now=now
    )


def admin_refusal(
    sessions: sessionmaker[Session],
    *,
    platform: str,
    user_id: str,
    email: str | None,
    admins: frozenset[str],
    now: datetime,
) -> Reply | None:
    """The refusal for someone who may not import plans, or None for an admin."""
    with sessions() as session:
        caller = _caller(
            session, platform=platform, user_id=user_id, email=email, admins=admins, now=now
        )
        session.commit()  # keeps a first-time email → platform id link
        return None if caller.is_admin else error(caller.unlinked or ADMINS_ONLY)


def check_upload(
    sessions: sessionmaker[Session],
    *,
    platform: str,
    user_id: str,
    email: str | None,
    filename: str,
    comment: str,
    size: int | None,
    admins: frozenset[str],
    now: datetime,
) -> Reply | None:
    """Why a file sent to the bot must not even be downloaded, or None to go ahead.

    Asked before the door fetches anything: a non-admin's file is never opened.
    """
    with sessions() as session:
        caller = _caller(
            session, platform=platform, user_id=user_id, email=email, admins=admins, now=now
        )
        session.commit()  # keeps a first-time email → platform id link
        if not caller.is_admin:
            return error(caller.unlinked or ADMINS_ONLY)
        if size is not None and size > MAX_UPLOAD_BYTES:
            return error(
                f"{filename} is {size / 1024 / 1024:.1f} MB; plans larger than "
                f"{MAX_UPLOAD_BYTES // 1024 // 1024} MB are refused. Nothing was changed."
            )
        wanted = request_for(session, filename=filename, comment=comment, platform=platform)
        return wanted if isinstance(wanted, Reply) else None


def plan_code_for(session: Session, *, filename: str, comment: str, platform: str) -> str | Reply:
    """The plan a file goes into (see `request_for`)."""
    wanted = request_for(session, filename=filename, comment=comment, platform=platform)
    return wanted if isinstance(wanted, Reply) else wanted[0]


def request_for(
    session: Session, *, filename: str, comment: str, platform: str
) -> tuple[str, ReadOptions] | Reply:
    """The plan a file goes into and how to read it, from the message sent with it
    (`NCC`, `import NCC`, `NCC sheet 2 map ref="Action Ref."`: `import_message`).

    Without a code in the message, the file goes to an existing plan it is named after
    (`NCC.csv`, `ncc-2018.xlsx`). A code no plan has yet makes a new plan on Import, as
    `actionbot import --plan` does; only a code the admin typed can do that, never a guess
    from a file name.
    """
    try:
        request = read_message(comment)
    except MessageError as exc:
        return error(
            f"I could not read the message sent with {filename}: {exc}. Nothing was changed.",
            *_send_again(platform, "NCC", 'NCC sheet 2 map ref="Action Ref."'),
        )
    if request.code is not None:
        plan = plan_by_code(session, code=request.code)
        return (plan.code if plan is not None else request.code.upper(), request.options)
    stem = Path(filename).stem
    guesses = [stem, *re.split(r"[^A-Za-z0-9_]+", stem)[:1]]
    for guess in guesses:
        plan = plan_by_code(session, code=guess) if guess else None
        if plan is not None:
            return (plan.code, request.options)
    codes = [p.code for p in all_plans(session)]
    known = f" (plans now: {', '.join(codes[:12])})" if codes else ""
    return error(
        f"Which plan is {filename} for? Send it again with the plan's code as the message"
        f"{known}; a new code starts a new plan. Nothing was changed.",
        *_send_again(platform, codes[0] if codes else "NCC"),
    )


def _send_again(platform: str, code: str, *more: str) -> tuple[str, ...]:
    return (f"the file, with the message {code}" if platform else code, *more)


# -- the preview ------------------------------------------------------------------------------


def _mark(session: Session, code: str) -> str:
    """The plan's events as a short string: any change recorded since makes it differ."""
    plan = plan_by_code(session, code=code)
    if plan is None:
        return "none"
    count, last = session.execute(
        select(func.count(Event.id), func.max(Event.id)).where(Event.plan_id == plan.id)
    ).one()
    return f"{int(count or 0)}/{int(last or 0)}"


def _digest(report: ImportReport, options: ReadOptions) -> str:
    """What the import would do, read how, as a hash: equal digests, identical changes."""
    doc = {
        "plan": report.plan_code,
        "created": report.plan_created,
        "results": [
            [r.ref, r.outcome, [[c.field, c.old, c.new] for c in r.changes]] for r in report.results
        ],
        "missing": report.missing,
    }
    if options != ReadOptions():
        # Only when there are options: a preview stored before they existed still matches.
        doc["options"] = options.to_json()
    return hashlib.sha256(json.dumps(doc, sort_keys=True).encode()).hexdigest()


def _safe_name(filename: str) -> str:
    """The file's own name, reduced to one harmless path component (its suffix kept)."""
    name = Path(filename.replace("\\", "/")).name
    name = re.sub(r"[^A-Za-z0-9._ -]+", "_", name).strip(" .") or "plan"
    return name[-120:]


def _run(
    session: Session,
    *,
    code: str,
    filename: str,
    data: bytes,
    read: ReadOptions,
    actor: Actor,
    platform: str,
    now: datetime,
    dry_run: bool,
) -> ImportReport:
    """The CLI's import of `data` into plan `code`, read as `read` says (its --sheet,
    --map and --default-due), inside the caller's transaction.

    Raises:
        ImportFileError: the file cannot be read; the caller rolls back.
    """
    options = ImportOptions(
        plan_code=code,
        source_file=_safe_name(filename),
        default_due=read.default_due,
        dry_run=dry_run,
        sheet=read.sheet,
        source=platform,
    )
    with tempfile.TemporaryDirectory(prefix="actionbot-chat-import-") as tmp:
        path = Path(tmp) / _safe_name(filename)
        path.write_bytes(data)
        # Inside the server: read in a child process with a memory and time budget.
        parsed = parse_plan_file_bounded(
            path,
            today=now.date(),
            known_owners=known_owners(session),
            overrides=read.overrides,
            sheet=read.sheet,
        )
    return import_plan(session, parsed=parsed, options=options, actor=actor, now=now)


def preview_upload(
    sessions: sessionmaker[Session],
    upload: Upload,
    *,
    platform: str,
    user_id: str,
    email: str | None,
    admins: frozenset[str],
    now: datetime,
    attach: bool,
) -> ChatImportAnswer:
    """Dry-run `upload` and keep it for Import; the preview and its buttons.

    `attach`: the door can send a long preview as a file (Slack); otherwise (Teams) the
    whole preview goes in the reply, which the renderer splits without cutting.
    """
    refused = check_upload(
        sessions,
        platform=platform,
        user_id=user_id,
        email=email,
        filename=upload.filename,
        comment=upload.comment,
        size=len(upload.data),
        admins=admins,
        now=now,
    )
    if refused is not None:
        return ChatImportAnswer(refused)
    with sessions() as session:
        caller = _caller(
            session, platform=platform, user_id=user_id, email=email, admins=admins, now=now
        )
        wanted = request_for(
            session, filename=upload.filename, comment=upload.comment, platform=platform
        )
        assert not isinstance(wanted, Reply)  # check_upload said so
        code, read = wanted
        return _preview(
            session,
            code=code,
            filename=upload.filename,
            data=upload.data,
            read=read,
            caller=caller,
            now=now,
            attach=attach,
        )


def _preview(
    session: Session,
    *,
    code: str,
    filename: str,
    data: bytes,
    read: ReadOptions,
    caller: Caller,
    now: datetime,
    attach: bool,
) -> ChatImportAnswer:
    actor = Actor(name=caller.actor, source=caller.platform)
    session.commit()  # the caller's identity; the dry run starts a transaction of its own
    try:
        mark = _mark(session, code)
        report = _run(
            session,
            code=code,
            filename=filename,
            data=data,
            read=read,
            actor=actor,
            platform=caller.platform,
            now=now,
            dry_run=True,
        )
    except ImportFileError as exc:
        session.rollback()
        return ChatImportAnswer(_unreadable(exc, filename=filename, code=code, read=read))
    finally:
        # A dry run: everything the import did is undone, whatever happened.
        session.rollback()
    pending_id = secrets.token_hex(16)
    phrase = chat_phrasing(report.plan_code, read)
    lines = preview_lines(report, filename=filename, phrase=phrase)
    _tidy(session, now)
    session.add(
        PendingImport(
            id=pending_id,
            plan_code=report.plan_code,
            filename=filename[:300],
            data=data,
            platform=caller.platform,
            requested_by=caller.user_id,
            register_mark=mark,
            digest=_digest(report, read),
            options=read.to_json(),
            summary=_counts(report),
            state="pending",
            created_at=now,
            expires_at=now + PREVIEW_LIFETIME,
        )
    )
    session.commit()
    return _preview_answer(
        report, lines, filename=filename, read=read, pending_id=pending_id, attach=attach
    )


def _unreadable(exc: ImportFileError, *, filename: str, code: str, read: ReadOptions) -> Reply:
    """Why the file cannot be imported, naming the options as the chat message writes them."""
    lines = [f"I could not read {filename}: {exc.phrased(chat_phrasing(code, read))}."]
    if exc.options:
        given = f"`{code} {read.words()}`" if read.words() else f"`{code}`"
        lines.append(
            f"Send the file again with the message that says how to read it (this one was "
            f"{given}; `/action admin import` shows every form). Nothing was changed."
        )
    else:
        lines[0] += " Nothing was changed."
    return Reply(lines=lines, ok=False)


def _tidy(session: Session, now: datetime) -> None:
    """Previews past their time lose their file; long-decided ones go."""
    session.execute(
        update(PendingImport)
        .where(PendingImport.state == "pending", PendingImport.expires_at <= now)
        .values(state="expired", data=None)
    )
    session.execute(
        update(PendingImport)
        .where(PendingImport.state == "stale", PendingImport.expires_at <= now)
        .values(data=None)
    )
    session.execute(delete(PendingImport).where(PendingImport.expires_at <= now - KEEP_DECIDED))


def _counts(report: ImportReport) -> str:
    parts = [
        f"{report.count('added')} to add",
        f"{report.count('changed')} to change",
        f"{report.count('unchanged')} unchanged",
    ]
    if report.missing:
        parts.append(f"{len(report.missing)} in the register but not in the file (kept)")
    parts.append(plural(len(report.warnings), "warning"))
    return ", ".join(parts)


def _short(text: str | None, limit: int = SHOWN_VALUE) -> str:
    if text is None or text == "":
        return "(blank)"
    one_line = " ".join(text.split())
    return one_line if len(one_line) <= limit else one_line[: limit - 1].rstrip() + "…"


@dataclass(frozen=True)
class PreviewLines:
    """The preview's detail, as short lines (for a message) and in full (for a file)."""

    short: list[str]
    full: list[str]
    cut: bool  # a value was shortened in `short`


def preview_lines(report: ImportReport, *, filename: str, phrase: Phrasing) -> PreviewLines:
    """`phrase`: how an option the importer's warnings name is written in this chat."""
    short: list[str] = []
    full: list[str] = []
    cut = False

    def add(short_line: str, full_line: str) -> None:
        short.append(short_line)
        full.append(full_line)

    def shown(text: str | None, limit: int = SHOWN_VALUE) -> str:
        """A value from the file, shortened, for the chat message (the file shows it whole)."""
        nonlocal cut
        value = _short(text, limit)
        cut = cut or len(" ".join((text or "").split())) > limit
        return theirs(value)

    added = [r for r in report.results if r.outcome == "added"]
    changed = [r for r in report.results if r.outcome == "changed"]
    if report.from_prose:
        _prose_preview(report, add, shown)
        added = []
    if added:
        add(f"*To add ({len(added)}):*", f"To add ({len(added)}):")
        for result in added:
            add(f"• {shown(result.ref, 60)}", f"  {result.ref}")
    if changed:
        add(f"*To change ({len(changed)}), old → new:*", f"To change ({len(changed)}), old → new:")
        for result in changed:
            for change in result.changes:
                label = change.field.replace("_", " ")
                add(
                    f"• {shown(result.ref, 60)} {label}: {shown(change.old)} → {shown(change.new)}",
                    f"  {result.ref} {label}: {change.old or '(blank)'} → "
                    f"{change.new or '(blank)'}",
                )
    if report.missing:
        head = (
            f"In the register but not in the file ({len(report.missing)}), kept as they are "
            "(only `actionbot import --archive-missing` cancels them):"
        )
        add(f"*{head}*", head)
        refs = ", ".join(report.missing)
        add(shown(refs, 400), f"  {refs}")
    warnings = report.plan_warnings
    if warnings:
        add(f"*Warnings ({len(warnings)}):*", f"Warnings ({len(warnings)}):")
        for warning in warnings:
            text = phrased(warning, phrase)
            add(f"• {shown(text, 200)}", f"  {text}")
    if report.undated:
        undated = (
            f"{plural(report.undated, 'open action')} in {report.plan_code} would have no due "
            "date, so no reminder would go out for them: give the plan one with "
            f"`actionbot plans default-due {report.plan_code} YYYY-MM-DD`."
        )
        add(undated, undated)
    return PreviewLines(short, full, cut)


def _prose_preview(
    report: ImportReport,
    add: Callable[[str, str], None],
    shown: Callable[..., str],
) -> None:
    """Every action read from minutes or a report, with where it is and the words it came
    from, then what was read but is no action and why: checked against the paper first."""
    what = "the minutes" if report.kind == "minutes" else "the report"
    outcome = {r.ref: r.outcome for r in report.results}
    head = f"Read from {what} ({len(report.read)}), each with where it is and its words:"
    add(f"*{head}*", head)
    for item in report.read:
        owner = ", ".join(item.owners) if item.owners else "no owner named"
        due = day(item.due) if item.due is not None else "no date"
        if item.due_text:
            due += f" ({item.due_text})"
        state = "" if outcome.get(item.ref) == "added" else f" [{outcome.get(item.ref)}]"
        add(
            f"• *{shown(item.ref, 60)}* ({item.where}){state}: {owner}; {due}",
            f"  {item.ref} ({item.where}){state}: {owner}; {due}",
        )
        add(f"   “{shown(item.source, 200)}”", f"    “{item.source}”")
        for flag in item.flags:
            add(f"   check: {shown(flag, 160)}", f"    check: {flag}")
    if report.not_actions:
        head = f"Not actions, not imported ({len(report.not_actions)}):"
        add(f"*{head}*", head)
        for not_action in report.not_actions:
            ref = f"{not_action.ref} " if not_action.ref else ""
            add(
                f"• {shown(ref + '(' + not_action.where + ')', 60)}: {not_action.why}: "
                f"“{shown(not_action.text, 120)}”",
                f"  {ref}({not_action.where}): {not_action.why}: “{not_action.text}”",
            )


def _heading(report: ImportReport, filename: str, read: ReadOptions) -> list[str]:
    lines = [
        f"{theirs(filename)} into plan {theirs(report.plan_code)}: {_counts(report)}.",
        "Nothing is written until you press *Import*; it applies exactly this change.",
    ]
    if report.plan_created:
        lines.insert(
            1,
            f"There is no plan {theirs(report.plan_code)} yet: Import creates it, as `actionbot "
            f"import --plan {theirs(report.plan_code)}` would.",
        )
    if report.read_as:
        lines.append(f"_Read as {report.read_as}._")
    if read.words():
        lines.append(f"Read as your message said: `{theirs(read.words())}`.")
    return lines


def _preview_answer(
    report: ImportReport,
    lines: PreviewLines,
    *,
    filename: str,
    read: ReadOptions,
    pending_id: str,
    attach: bool,
) -> ChatImportAnswer:
    title = f"Import preview: {report.plan_code}"
    buttons = [Button(APPLY, "Import", pending_id), Button(CANCEL, "Cancel", pending_id)]
    heading = _heading(report, filename, read)
    size = sum(len(line) for line in lines.short)
    fits = len(lines.short) <= MESSAGE_LINES and size <= MESSAGE_CHARS and not lines.cut
    if fits or not attach:
        body = lines.short if fits else lines.full
        return ChatImportAnswer(Reply(title=title, lines=heading + body, choices=buttons))
    name = f"import-preview-{report.plan_code}-{pending_id[:6]}.txt"
    text = "\n".join(
        [
            f"actionbot import preview (dry run): {filename} into plan {report.plan_code}",
            _counts(report),
            *([f"Read as {report.read_as}"] if report.read_as else []),
            *([f"Read as the message said: {read.words()}"] if read.words() else []),
            "",
            *lines.full,
            "",
        ]
    )
    teaser = lines.short[: min(10, MESSAGE_LINES)]
    more = f"The whole preview is in the file {name}, above."
    return ChatImportAnswer(
        Reply(title=title, lines=[*heading, *teaser, more], choices=buttons),
        PreviewFile(name, text),
    )


# -- the buttons ------------------------------------------------------------------------------


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
        caller = _caller(
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
        if _mark(session, code) != pending.register_mark:
            session.rollback()
            return _stale(session, pending, _changes_since(session, code, pending))
        report = _run(
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
        if _digest(report, read) != pending.digest:
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
    return _preview(
        session,
        code=code,
        filename=filename,
        data=data,
        read=read,
        caller=caller,
        now=now,
        attach=attach,
    )


# -- `/action admin import` -------------------------------------------------------------------


def import_help(session: Session, *, caller: Caller, plan: str | None) -> Reply:
    """How to import from chat: what to send, where, and which plan it goes into."""
    if not caller.is_admin:
        return error("Only actionbot admins can import plans (ACTIONBOT_ADMINS).")
    if caller.platform == "console":
        return Reply(
            title="Import a plan",
            lines=[
                "In the terminal, import with the command line: "
                f"`actionbot import FILE --plan {plan or 'CODE'} --dry-run` shows what would "
                "change, and the same command without `--dry-run` imports it. In Slack or "
                "Teams, send the file to actionbot in a direct message."
            ],
        )
    where = "our personal chat in Teams" if caller.platform == "teams" else "a direct message to me"
    counts = action_counts(session)
    plans: Sequence[Plan] = all_plans(session)
    listed = ", ".join(f"{p.code} ({plural(counts.get(p.id, 0), 'action')})" for p in plans[:12])
    code = plan or (plans[0].code if plans else "NCC")
    lines = [
        f"Send me the plan file in {where}: an Excel workbook (.xlsx), a Word document (.docx), "
        f"a PDF or a CSV, with the plan's code as the message, e.g. `{code}`. Committee minutes "
        "or a report (.docx, .pdf) work too: I read the actions they set out and show you each "
        "with the page and words it came from.",
        "After the code, the message can say how to read the file, as the options of "
        f"`actionbot import` do: which sheet of a workbook, `{code} sheet 2` (or "
        '`sheet "Action plan"`, or `sheet all` for every plan sheet); which column holds '
        f'which field, `{code} map ref="Action Ref." map owners="Lead Officer"` (fields: '
        f"{', '.join(FIELDS)}); the due date of actions with no date, `{code} due 2027-03-31`. "
        'Put names with spaces in "double quotes".',
        "I read it exactly as `actionbot import` does and show you what would change (to add, "
        "to change old → new, unchanged, in the register but not in the file, warnings). "
        "Nothing is written until you press *Import*; *Cancel* drops it. A preview lasts "
        f"{int(PREVIEW_LIFETIME.total_seconds() // 3600)} hours.",
    ]
    if plan is not None:
        target = plan_by_code(session, code=plan)
        lines.append(
            f"Plan {target.code} exists: the file updates it."
            if target is not None
            else f"There is no plan {plan} yet: Import will create it."
        )
    lines.append(
        f"Plans now: {listed}. A file sent without a message goes to the plan it is named "
        "after (`NCC.csv`, `NCC-2018.xlsx`); a new code starts a new plan."
        if plans
        else "There are no plans yet: the code you send creates the first one."
    )
    return Reply(title="Import a plan from chat", lines=lines)
