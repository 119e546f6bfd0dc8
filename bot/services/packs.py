"""Committee packs: preview, issue for a meeting, list, and make an issued pack again.

A preview (the default) changes nothing: two previews in a row, in any formats, say the same.
Issuing a pack records it (`IssuedPack`: the meeting, the instant it describes, the baseline
it compared with, who issued it, and the paper itself), and that record is the baseline of
the next pack: "changes since" means since the last issued pack, unless a date is given.
An issued pack is made again from its record, word for word, in any format.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from bot.core.messages import Reply, error
from bot.reports.committee import (
    Baseline,
    baseline_of_day,
    baseline_of_pack,
    build_paper,
    no_baseline,
    uk_date,
    uk_time,
)
from bot.reports.content import Paper
from bot.reports.formats import FORMATS, MEDIA_TYPES, render_pack
from bot.reports.safe_text import printable
from bot.services.audit import Actor
from bot.services.conversation import Who
from bot.services.history import actor_name
from bot.services.people.identity import identify
from bot.services.plans import archived_note
from store.hosted import REPORT, host_file, hosted_file
from store.models import HostedFile, IssuedPack, Plan
from store.queries import all_plans, plan_by_code

# A pack waiting for the admin to accept it in Teams (the file consent card): kept in the
# register, so whichever instance receives the answer can send it.
HELD_FOR = timedelta(days=1)
MEETING_CHARS = 200


class ReportError(ValueError):
    """The pack cannot be made or issued (unknown plan, format or pack); nothing was recorded."""


@dataclass(frozen=True)
class ReportFile:
    filename: str
    content: bytes
    title: str
    media_type: str
    token: str | None = None  # where a held pack is kept (see `admin_report(hold=True)`)
    issued: int | None = None  # the issued pack's number, when this made one
    paper: Paper | None = None  # what the file says


@dataclass(frozen=True)
class IssuedSummary:
    """One line of `report --list`."""

    number: int
    plan_code: str
    meeting: str
    as_at: datetime  # council time
    baseline: str
    issued_by: str
    issued_at: datetime  # council time


def preview_report(
    session: Session,
    *,
    plan_code: str,
    fmt: str,
    now: datetime,
    tz: str,
    since: datetime | None = None,
) -> ReportFile:
    """A draft pack as of `now`, compared with the last issued pack (or `since`); nothing is
    written to the register."""
    plan = _plan(session, plan_code, fmt)
    baseline = _baseline(session, plan, now=now, tz=tz, since=since)
    paper = _paper(session, plan, now=now, tz=tz, baseline=baseline, meeting=None, issued_by=None)
    return _file(paper, fmt, draft=True)


def issue_report(
    session: Session,
    *,
    plan_code: str,
    fmt: str,
    now: datetime,
    tz: str,
    meeting: str,
    actor: Actor,
    issued_by: str,
    issued_at: datetime,
    since: datetime | None = None,
) -> ReportFile:
    """Issue the pack as of `now` for `meeting` and record it; the caller commits."""
    plan = _plan(session, plan_code, fmt)
    meeting = " ".join(printable(meeting).split())
    if not meeting:
        raise ReportError("name the meeting the pack is for, e.g. 'Audit Committee 12 March 2027'")
    if len(meeting) > MEETING_CHARS:
        raise ReportError(f"the meeting's name is longer than {MEETING_CHARS} characters")
    same = session.scalar(
        select(IssuedPack).where(
            IssuedPack.plan_id == plan.id, func.lower(IssuedPack.meeting) == meeting.lower()
        )
    )
    if same is not None:
        raise ReportError(
            f"a pack for {same.meeting} was issued already (number {same.id}, "
            f"{uk_date(same.issued_at.astimezone(ZoneInfo(same.tz)))}); name the meeting "
            f"differently, or make that pack again with `actionbot report --reissue {same.id}`"
        )
    latest = _last_issued(session, plan.id, before=None)
    if latest is not None and latest.as_at >= now:
        shown = uk_time(latest.as_at.astimezone(ZoneInfo(tz)))
        raise ReportError(
            f"the last pack issued for {plan.code} ({latest.meeting}) shows the position at "
            f"{shown}; a new pack must show a later position"
        )
    baseline = _baseline(session, plan, now=now, tz=tz, since=since)
    paper = _paper(
        session, plan, now=now, tz=tz, baseline=baseline, meeting=meeting, issued_by=issued_by
    )
    row = IssuedPack(
        plan_id=plan.id,
        meeting=meeting,
        as_at=now,
        baseline_at=baseline.at,
        baseline_pack_id=baseline.pack_id,
        tz=tz,
        issued_by=printable(issued_by)[:320],
        actor=actor.name,
        source=actor.source,
        issued_at=issued_at,
        content=paper.json(),
    )
    session.add(row)
    session.flush()
    return replace(_file(paper, fmt, draft=False), issued=row.id)


def reissue_report(session: Session, *, number: int, fmt: str) -> ReportFile:
    """Issued pack `number` again, from its record: the same paper in any format."""
    if fmt not in FORMATS:
        raise ReportError(f"unknown format {fmt!r}; use one of {', '.join(FORMATS)}")
    row = session.get(IssuedPack, number)
    if row is None:
        raise ReportError(f"no issued pack number {number} (see report --list)")
    return _file(Paper.from_json(row.content), fmt, draft=False)


def issued_packs(session: Session, *, plan_code: str | None = None) -> list[IssuedSummary]:
    """Issued packs, oldest first (one plan's, or every plan's)."""
    query = select(IssuedPack, Plan.code).join(Plan).order_by(IssuedPack.as_at, IssuedPack.id)
    if plan_code is not None:
        plan = plan_by_code(session, code=plan_code)
        if plan is None:
            raise ReportError(_no_plan(session, plan_code))
        query = query.where(IssuedPack.plan_id == plan.id)
    return [
        IssuedSummary(
            number=row.id,
            plan_code=code,
            meeting=row.meeting,
            as_at=row.as_at.astimezone(ZoneInfo(row.tz)),
            baseline=Paper.from_json(row.content).changes,
            issued_by=row.issued_by,
            issued_at=row.issued_at.astimezone(ZoneInfo(row.tz)),
        )
        for row, code in session.execute(query)
    ]


def _plan(session: Session, plan_code: str, fmt: str) -> Plan:
    if fmt not in FORMATS:
        raise ReportError(f"unknown format {fmt!r}; use one of {', '.join(FORMATS)}")
    plan = plan_by_code(session, code=plan_code)
    if plan is None:
        raise ReportError(_no_plan(session, plan_code))
    if plan.archived_at is not None:
        raise ReportError(archived_note(plan.code))
    return plan


def _no_plan(session: Session, plan_code: str) -> str:
    codes = ", ".join(p.code for p in all_plans(session)) or "none yet"
    return f"no plan {plan_code!r} (plans: {codes})"


def _last_issued(session: Session, plan_id: int, *, before: datetime | None) -> IssuedPack | None:
    query = select(IssuedPack).where(IssuedPack.plan_id == plan_id)
    if before is not None:
        query = query.where(IssuedPack.as_at < before)
    return session.scalar(query.order_by(IssuedPack.as_at.desc(), IssuedPack.id.desc()).limit(1))


def _baseline(
    session: Session, plan: Plan, *, now: datetime, tz: str, since: datetime | None
) -> Baseline:
    if since is not None:
        return baseline_of_day(since, tz)
    last = _last_issued(session, plan.id, before=now)
    if last is not None:
        return baseline_of_pack(last.id, last.meeting, last.as_at, tz)
    return no_baseline(plan.created_at, tz)


def _paper(
    session: Session,
    plan: Plan,
    *,
    now: datetime,
    tz: str,
    baseline: Baseline,
    meeting: str | None,
    issued_by: str | None,
) -> Paper:
    today = now.astimezone(ZoneInfo(tz)).date()
    names: dict[str, str] = {}
    return build_paper(
        session,
        plan,
        at=now,
        tz=tz,
        baseline=baseline,
        meeting=meeting,
        issued_by=issued_by,
        name_of=lambda actor: actor_name(session, actor, names, today=today),
    )


def _file(paper: Paper, fmt: str, *, draft: bool) -> ReportFile:
    day = paper.as_at.date()
    stem = f"{paper.plan_code}-committee-pack-{day.isoformat()}" + ("-draft" if draft else "")
    what = f"{paper.plan_code} committee pack" + (
        f" for {paper.meeting}" if paper.meeting else " (draft, not issued)"
    )
    return ReportFile(
        filename=f"{stem}.{fmt}",
        content=render_pack(paper, fmt),
        title=f"{what}, {day.day} {day:%B %Y}",
        media_type=MEDIA_TYPES[fmt],
        paper=paper,
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
    meeting: str | None = None,
) -> ReportFile | Reply:
    """`/action admin report CODE [issue MEETING]`: a draft pack for an admin, or the pack
    issued for a meeting (recorded, like `actionbot report --issue`); or why not.

    `hold=True` (Teams, where the admin must first accept the file) also keeps the pack for
    them, in the same transaction; its `token` says where.
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
            return error(caller.unlinked or "Only actionbot admins can do that (ACTIONBOT_ADMINS).")
        try:
            if meeting is None:
                made = preview_report(session, plan_code=plan_code, fmt=fmt, now=now, tz=tz)
            else:
                today = now.astimezone(ZoneInfo(tz)).date()
                made = issue_report(
                    session,
                    plan_code=plan_code,
                    fmt=fmt,
                    now=now,
                    tz=tz,
                    meeting=meeting,
                    actor=Actor(name=caller.actor, source=who.platform),
                    issued_by=actor_name(session, caller.actor, today=today),
                    issued_at=now,
                )
        except ReportError as exc:
            return error(f"No pack: {exc}.", "/action admin report PLAN [issue MEETING]")
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
