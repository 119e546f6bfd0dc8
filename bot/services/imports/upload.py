"""A plan file sent in chat, received: who may send one, which plan it goes to, whether it
is small enough to open, and how to ask (`admin import`). The preview:
bot/services/imports/preview.py; Import / Cancel / Preview again: decision.py.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy.orm import Session, sessionmaker

from bot.core.messages import Reply, error
from bot.core.when import plural
from bot.importer.columns import FIELDS
from bot.importer.reader import MAX_BYTES
from bot.services.imports.message import MessageError, ReadOptions, read_message
from bot.services.people.identity import Caller, identify
from store.models import Plan
from store.queries import action_counts, all_plans, plan_by_code

PREVIEW_LIFETIME = timedelta(hours=24)


MAX_UPLOAD_BYTES = MAX_BYTES


ADMINS_ONLY = (
    "Only actionbot admins can import plans (ACTIONBOT_ADMINS). I did not open the file, "
    "and nothing was changed."
)


@dataclass(frozen=True)
class Upload:
    """A file an admin sent to the bot, as the door fetched it."""

    filename: str
    data: bytes
    # The message sent with the file: the plan code and how to read the file, if any.
    comment: str = ""


def caller_of(
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
        caller = caller_of(
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
    files: int = 1,
) -> Reply | None:
    """Why a file sent to the bot must not even be downloaded, or None to go ahead.

    Asked before the door fetches anything: a non-admin's file is never opened. `files`:
    how many were sent together (one plan at a time).
    """
    with sessions() as session:
        caller = caller_of(
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
        if isinstance(wanted, Reply):
            return wanted
        if files > 1:
            return error("Send me one plan file at a time. Nothing was changed.")
        return None


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
