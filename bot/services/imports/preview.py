"""A plan file sent in chat, read and shown: the command line's importer run as a dry run
(`import_plan`, rolled back), so chat and `actionbot import` can never disagree about what a
file does. What the preview promised is kept in the register (`PendingImport`): the file's
bytes, the plan's events at that moment (`register_mark`) and a digest of every previewed
change, for bot/services/imports/decision.py to hold **Import** to.
"""

from __future__ import annotations

import hashlib
import json
import re
import secrets
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Literal

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session, sessionmaker

from bot.core.messages import Button, Reply, theirs
from bot.core.when import day, plural
from bot.importer.bounded import parse_plan_file_bounded
from bot.importer.errors import ImportFileError
from bot.importer.hints import Phrasing, phrased
from bot.services.audit import Actor
from bot.services.imports.apply import ImportOptions, ImportReport, import_plan, known_owners
from bot.services.imports.message import ReadOptions, chat_phrasing
from bot.services.imports.upload import (
    PREVIEW_LIFETIME,
    Upload,
    caller_of,
    check_upload,
    request_for,
)
from bot.services.people.identity import Caller
from store.models import Event, PendingImport
from store.queries import plan_by_code

# Decided and expired previews are kept (without their file) this long, to answer a late
# click clearly; then they go.
KEEP_DECIDED = timedelta(days=30)


# A preview longer than this goes as a file, with a short summary in the message.
MESSAGE_LINES = 25


MESSAGE_CHARS = 2500


SHOWN_VALUE = 100  # characters of one old/new value or title in a message


APPLY: Literal["import_apply"] = "import_apply"


CANCEL: Literal["import_cancel"] = "import_cancel"


AGAIN: Literal["import_again"] = "import_again"


Decision = Literal["import_apply", "import_cancel", "import_again"]


@dataclass(frozen=True)
class PreviewFile:
    """A long preview as a plain-text file (never CSV: a spreadsheet would run formulas)."""

    filename: str
    text: str


@dataclass(frozen=True)
class ChatImportAnswer:
    reply: Reply
    file: PreviewFile | None = None


def register_mark(session: Session, code: str) -> str:
    """The plan's events as a short string: any change recorded since makes it differ."""
    plan = plan_by_code(session, code=code)
    if plan is None:
        return "none"
    count, last = session.execute(
        select(func.count(Event.id), func.max(Event.id)).where(Event.plan_id == plan.id)
    ).one()
    return f"{int(count or 0)}/{int(last or 0)}"


def change_digest(report: ImportReport, options: ReadOptions) -> str:
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


def run_import(
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
        caller = caller_of(
            session, platform=platform, user_id=user_id, email=email, admins=admins, now=now
        )
        wanted = request_for(
            session, filename=upload.filename, comment=upload.comment, platform=platform
        )
        assert not isinstance(wanted, Reply)  # check_upload said so
        code, read = wanted
        return show_preview(
            session,
            code=code,
            filename=upload.filename,
            data=upload.data,
            read=read,
            caller=caller,
            now=now,
            attach=attach,
        )


def show_preview(
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
        mark = register_mark(session, code)
        report = run_import(
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
            digest=change_digest(report, read),
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
