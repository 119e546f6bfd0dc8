"""Committee packs on request: build one plan's pack in a format and record that it was made.

The record (an event on the plan, field "report") is what the next pack's "change since the
last report" starts from.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bot.messages import Reply, error
from bot.reports.committee import REPORT_FIELD, build_pack
from bot.reports.formats import FORMATS, MEDIA_TYPES, render_pack
from bot.services.audit import Actor, record
from bot.services.conversation import Who
from bot.services.people import identify
from bot.services.plans import archived_note
from store.hosted import REPORT, host_file, hosted_file
from store.models import HostedFile
from store.queries import all_plans, plan_by_code

# A pack waiting for the admin to accept it in Teams (the file consent card): kept in the
# register, so whichever instance receives the answer can send it.
HELD_FOR = timedelta(days=1)


class ReportError(ValueError):
    """The report cannot be made (unknown plan or format); nothing was recorded."""


@dataclass(frozen=True)
class ReportFile:
    filename: str
    content: bytes
    title: str
    media_type: str
    token: str | None = None  # where a held pack is kept (see `admin_report(hold=True)`)


def produce_report(
    session: Session,
    *,
    plan_code: str,
    fmt: str,
    now: datetime,
    tz: str,
    actor: Actor,
    since: datetime | None = None,
) -> ReportFile:
    """The committee pack for `plan_code` as a file; the caller commits the record of it."""
    if fmt not in FORMATS:
        raise ReportError(f"unknown format {fmt!r}; use one of {', '.join(FORMATS)}")
    plan = plan_by_code(session, code=plan_code)
    if plan is None:
        codes = ", ".join(p.code for p in all_plans(session)) or "none yet"
        raise ReportError(f"no plan {plan_code!r} (plans: {codes})")
    if plan.archived_at is not None:
        raise ReportError(archived_note(plan.code))
    pack = build_pack(session, plan, now=now, tz=tz, since=since)
    content = render_pack(pack, fmt)
    record(
        session,
        None,
        REPORT_FIELD,
        new=fmt,
        actor=actor,
        at=now,
        plan_id=plan.id,
        note=f"committee pack, changes {pack.since_label}",
    )
    return ReportFile(
        filename=f"{plan.code}-committee-report-{pack.today.isoformat()}.{fmt}",
        content=content,
        title=f"{plan.code} committee report, {pack.today.day} {pack.today:%B %Y}",
        media_type=MEDIA_TYPES[fmt],
    )


def admin_report(
    sessions: sessionmaker[Session],
    who: Who,
    *,
    plan_code: str,
    admins: frozenset[str],
    tz: str,
    now: datetime,
    fmt: str = "xlsx",
    hold: bool = False,
) -> ReportFile | Reply:
    """`/action admin report CODE`: the pack for an admin, or why not.

    `hold=True` (Teams, where the admin must first accept the file) also keeps the pack for
    them, in the same transaction as the record that it was made; its `token` says where.
    """
    with sessions() as session, session.begin():
        caller = identify(
            session,
            platform=who.platform,
            user_id=who.user_id,
            email=who.email,
            tz=who.tz,
            admins=admins,
            now=now,
        )
        if not caller.is_admin:
            return error("Only actionbot admins can do that (ACTIONBOT_ADMINS).")
        try:
            made = produce_report(
                session,
                plan_code=plan_code,
                fmt=fmt,
                now=now,
                tz=tz,
                actor=Actor(name=caller.actor, source=who.platform),
            )
        except ReportError as exc:
            return error(f"No report: {exc}.", "/action admin report PLAN")
        if not hold:
            return made
        row = host_file(
            session,
            kind=REPORT,
            filename=made.filename,
            media_type=made.media_type,
            content=made.content,
            now=now,
            keep_for=HELD_FOR,
            for_user=who.user_id,
        )
        return replace(made, token=row.token)


def held_report(
    sessions: sessionmaker[Session], *, token: str, for_user: str, now: datetime
) -> ReportFile | None:
    """The pack held under `token` for this user, or None (expired, sent, someone else's)."""
    with sessions() as session:
        row = hosted_file(session, token=token, kind=REPORT, now=now)
        if row is None or row.for_user != for_user:
            return None
        return ReportFile(
            filename=row.filename,
            content=row.content,
            title=row.filename.rsplit(".", 1)[0],
            media_type=row.media_type,
        )


def drop_report(sessions: sessionmaker[Session], *, token: str, for_user: str) -> None:
    """Forget a held pack once it is sent or declined (only its own user's answer counts)."""
    with sessions() as session, session.begin():
        row = session.scalar(
            select(HostedFile).where(
                HostedFile.token == token,
                HostedFile.kind == REPORT,
                HostedFile.for_user == for_user,
            )
        )
        if row is not None:
            session.delete(row)
