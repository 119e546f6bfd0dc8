"""What the chat import tests share: a seeded register, a preview, a click."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from bot.core.messages import Reply
from bot.services.audit import Actor
from bot.services.imports.apply import ImportOptions, import_file
from bot.services.imports.decision import decide
from bot.services.imports.preview import ChatImportAnswer, Decision, preview_upload
from bot.services.imports.upload import Upload
from store.models import Action, PendingImport, Plan
from tests.conftest import SAMPLES

NOW = datetime(2018, 1, 15, 9, 0, tzinfo=UTC)
TODAY = date(2018, 1, 15)
ADMINS = frozenset({"uadmin"})


def seed(sessions: sessionmaker[Session]) -> None:
    import_file(
        sessions,
        path=SAMPLES / "ncc-financial-management-2017.csv",
        options=ImportOptions(
            plan_code="NCC", source_file="ncc.csv", default_due=date(2018, 3, 31)
        ),
        actor=Actor("test", "cli"),
        now=NOW,
    )


def preview_of(sessions: sessionmaker[Session], upload: Upload) -> ChatImportAnswer:
    return preview_upload(
        sessions,
        upload,
        platform="slack",
        user_id="UADMIN",
        email=None,
        admins=ADMINS,
        now=NOW,
        attach=True,
    )


def click(sessions: sessionmaker[Session], answer: ChatImportAnswer, kind: Decision) -> Reply:
    [button] = [b for b in answer.reply.choices if b.kind == kind]
    return decide_on(sessions, button.value, kind).reply


def decide_on(sessions: sessionmaker[Session], pending_id: str, kind: Decision) -> ChatImportAnswer:
    return decide(
        sessions,
        pending_id,
        kind,
        platform="slack",
        user_id="UADMIN",
        email=None,
        admins=ADMINS,
        now=NOW,
        attach=True,
    )


def refs_of(sessions: sessionmaker[Session], code: str) -> list[str]:
    with sessions() as session:
        plan = session.scalars(select(Plan).where(Plan.code == code)).one_or_none()
        if plan is None:
            return []
        return sorted(session.scalars(select(Action.ref).where(Action.plan_id == plan.id)))


def pending_count(sessions: sessionmaker[Session]) -> int:
    with sessions() as session:
        return int(session.scalar(select(func.count(PendingImport.id))) or 0)
