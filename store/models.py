"""The action register: SQLAlchemy 2.0 typed models.

Dates that are due dates are `date`s; instants are UTC datetimes (see `UTCDateTime`).
Every original text an admin imported is kept beside the value parsed from it.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal, get_args

from sqlalchemy import (
    JSON,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from store.types import UTCDateTime, utcnow

Status = Literal["not_started", "in_progress", "done", "blocked", "cancelled"]
Rag = Literal["green", "amber", "red"]
Source = Literal["cli", "import", "slack", "teams", "system", "console"]
DeliveryState = Literal["pending", "sent", "failed"]
Duty = Literal["holder", "deputy", "assignee"]
ImportState = Literal["pending", "applied", "cancelled", "expired", "stale"]

STATUSES: tuple[str, ...] = get_args(Status)
RAGS: tuple[str, ...] = get_args(Rag)
SOURCES: tuple[str, ...] = get_args(Source)
DUTIES: tuple[str, ...] = get_args(Duty)
IMPORT_STATES: tuple[str, ...] = get_args(ImportState)
OPEN_STATUSES: tuple[str, ...] = ("not_started", "in_progress", "blocked")
OPEN_CONDITION = "status IN ('not_started', 'in_progress', 'blocked')"

# Named constraints so Alembic migrations are reproducible on every backend.
NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def _in(column: str, values: tuple[str, ...]) -> str:
    quoted = ", ".join(f"'{v}'" for v in values)
    return f"{column} IN ({quoted})"


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map = {datetime: UTCDateTime(), dict[str, Any]: JSON, list[str]: JSON}


class Plan(Base):
    __tablename__ = "plan"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(300))
    source_file: Mapped[str | None] = mapped_column(String(500))
    default_due: Mapped[date | None] = mapped_column(Date)
    # Per-plan overrides (e.g. nudge schedule); None means "use the settings".
    options: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    # The file types kept as evidence on this plan (".pdf", …); None: the global list.
    evidence_types: Mapped[list[str] | None] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Archived: kept for audit, but no reminders, digests, reports or open-action lists.
    archived_at: Mapped[datetime | None]

    actions: Mapped[list[Action]] = relationship(
        back_populates="plan", order_by="Action.position", cascade="all, delete-orphan"
    )


class Person(Base):
    """Somebody the bot can reach. Owners (names in plans) point at people."""

    __tablename__ = "person"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str | None] = mapped_column(String(320), unique=True)
    display_name: Mapped[str | None] = mapped_column(String(200))
    slack_user_id: Mapped[str | None] = mapped_column(String(40), unique=True)
    teams_user_id: Mapped[str | None] = mapped_column(String(200), unique=True)
    # The proactive-message reference Teams gave us: the 1:1 chat, the regional service
    # URL, the tenant and the chat user id (29:…); refreshed on every message.
    teams_conversation_id: Mapped[str | None] = mapped_column(String(300))
    teams_service_url: Mapped[str | None] = mapped_column(String(300))
    teams_tenant_id: Mapped[str | None] = mapped_column(String(64))
    teams_chat_id: Mapped[str | None] = mapped_column(String(200))
    # When they removed actionbot in Teams (or Teams refused a message with 403): nothing
    # more is sent there until they write to it or add it again.
    teams_removed_at: Mapped[datetime | None]
    # Where a person on both platforms gets their messages: the owners file's choice, else
    # the platform they last used.
    preferred_platform: Mapped[str | None] = mapped_column(String(20))
    last_platform: Mapped[str | None] = mapped_column(String(20))
    tz: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class Owner(Base):
    """An owner as plans write it: a role ("Head of Finance"), a team or a person."""

    __tablename__ = "owner"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(300), unique=True)
    # Indexed (0010): `/action mine` finds a person's owner names by it on every request.
    person_id: Mapped[int | None] = mapped_column(
        ForeignKey("person.id", ondelete="SET NULL"), index=True
    )
    escalate_to: Mapped[str | None] = mapped_column(String(320))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    person: Mapped[Person | None] = relationship()


class ActionOwner(Base):
    __tablename__ = "action_owner"

    action_id: Mapped[int] = mapped_column(
        ForeignKey("action.id", ondelete="CASCADE"), primary_key=True
    )
    owner_id: Mapped[int] = mapped_column(
        ForeignKey("owner.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    position: Mapped[int] = mapped_column(Integer)

    owner: Mapped[Owner] = relationship(lazy="joined")


class Action(Base):
    __tablename__ = "action"
    __table_args__ = (
        UniqueConstraint("plan_id", "ref", name="uq_action_plan_ref"),
        CheckConstraint(_in("status", STATUSES), name="status"),
        CheckConstraint("rag IS NULL OR " + _in("rag", RAGS), name="rag"),
        Index("ix_action_due_open", "status", "due_date"),
        # The reminder sweep's index (0010): open actions only, by due date, so the sweep's
        # searches walk the open work and never the register's closed history.
        Index(
            "ix_action_open_due",
            "due_date",
            "status",
            sqlite_where=text(OPEN_CONDITION),
            postgresql_where=text(OPEN_CONDITION),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plan.id", ondelete="CASCADE"), index=True)
    ref: Mapped[str] = mapped_column(String(60))
    position: Mapped[int] = mapped_column(Integer, default=0)
    title: Mapped[str] = mapped_column(Text, default="")
    tasks: Mapped[list[str]] = mapped_column(JSON, default=list)
    theme: Mapped[str | None] = mapped_column(String(300))
    section: Mapped[str | None] = mapped_column(String(300))
    outcome: Mapped[str | None] = mapped_column(Text)
    latest_update: Mapped[str | None] = mapped_column(Text)
    owners_text: Mapped[str | None] = mapped_column(Text)

    target_date: Mapped[date | None] = mapped_column(Date)
    target_text: Mapped[str | None] = mapped_column(Text)
    revised_target_date: Mapped[date | None] = mapped_column(Date)
    revised_text: Mapped[str | None] = mapped_column(Text)
    milestones: Mapped[list[str]] = mapped_column(JSON, default=list)
    recurrence: Mapped[str | None] = mapped_column(String(40))
    due_date: Mapped[date | None] = mapped_column(Date)
    slip_count: Mapped[int] = mapped_column(Integer, default=0)

    status: Mapped[str] = mapped_column(String(20), default="not_started")
    status_text: Mapped[str | None] = mapped_column(String(200))
    rag: Mapped[str | None] = mapped_column(String(10))
    snoozed_until: Mapped[date | None] = mapped_column(Date)
    # When the owner's escalation contact was last told this action is overdue.
    escalated_on: Mapped[date | None] = mapped_column(Date)
    # Import warnings about this action (unreadable dates, doubtful owners), for admins.
    flags: Mapped[list[str]] = mapped_column(JSON, default=list)
    # Columns of the plan file that actionbot has no field for, kept verbatim.
    extra: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)

    last_update_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    plan: Mapped[Plan] = relationship(back_populates="actions")
    owner_links: Mapped[list[ActionOwner]] = relationship(
        order_by="ActionOwner.position", cascade="all, delete-orphan", lazy="selectin"
    )
    events: Mapped[list[Event]] = relationship(
        back_populates="action", order_by="Event.id", cascade="all, delete-orphan"
    )

    @property
    def owners(self) -> list[Owner]:
        return [link.owner for link in self.owner_links]

    @property
    def owner_names(self) -> list[str]:
        return [link.owner.name for link in self.owner_links]

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES


class Event(Base):
    """The audit trail: one row per changed field (or per note), never updated."""

    __tablename__ = "event"
    __table_args__ = (CheckConstraint(_in("source", SOURCES), name="source"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    action_id: Mapped[int | None] = mapped_column(
        ForeignKey("action.id", ondelete="CASCADE"), index=True
    )
    plan_id: Mapped[int | None] = mapped_column(ForeignKey("plan.id", ondelete="CASCADE"))
    actor: Mapped[str] = mapped_column(String(320))
    source: Mapped[str] = mapped_column(String(20))
    field: Mapped[str] = mapped_column(String(60))
    old_value: Mapped[str | None] = mapped_column(Text)
    new_value: Mapped[str | None] = mapped_column(Text)
    note: Mapped[str | None] = mapped_column(Text)
    at: Mapped[datetime] = mapped_column(index=True)

    action: Mapped[Action | None] = relationship(back_populates="events")


class Delivery(Base):
    """The outbox. A row is written in the transaction that decides to send; the unique
    key makes a second decision for the same (recipient, kind, day) impossible."""

    __tablename__ = "delivery"
    __table_args__ = (
        CheckConstraint(_in("state", ("pending", "sent", "failed")), name="state"),
        Index("ix_delivery_due", "state", "not_before"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(300), unique=True)
    platform: Mapped[str] = mapped_column(String(20))
    recipient: Mapped[str] = mapped_column(String(320))
    kind: Mapped[str] = mapped_column(String(40))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    state: Mapped[str] = mapped_column(String(20), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    not_before: Mapped[datetime]
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[datetime | None]


class InboundEvent(Base):
    """Platform event ids already handled; Slack retries deliveries and Bolt does not
    de-duplicate them, so the unique key is what makes a retry a no-op."""

    __tablename__ = "inbound_event"
    __table_args__ = (UniqueConstraint("platform", "event_id", name="uq_inbound_event_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    platform: Mapped[str] = mapped_column(String(20))
    event_id: Mapped[str] = mapped_column(String(200))
    received_at: Mapped[datetime] = mapped_column(default=utcnow)


class AdminNotice(Base):
    """A problem admins were told about (an owner nobody can reach, a message that could not
    be delivered). The daily admin summary names a problem again only when its `fingerprint`
    (what is wrong, and for whom) changes; a problem that goes away loses its row."""

    __tablename__ = "admin_notice"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(300), unique=True)  # "owner:NAME", "recipient:…"
    fingerprint: Mapped[str] = mapped_column(String(64))
    text: Mapped[str] = mapped_column(Text)  # the summary line: who, what is wrong, the fix
    first_seen: Mapped[datetime]
    told_at: Mapped[datetime | None]


class Responsibility(Base):
    """Who answered for what, from when until when: a holder or deputy of an owner role, or
    the one person an action was assigned to. Rows are closed (`until`), never deleted, so
    the register can say who was responsible for an action on any day."""

    __tablename__ = "responsibility"
    __table_args__ = (
        CheckConstraint(_in("duty", DUTIES), name="duty"),
        CheckConstraint("(owner_id IS NULL) <> (action_id IS NULL)", name="owner_or_action"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    duty: Mapped[str] = mapped_column(String(20))
    owner_id: Mapped[int | None] = mapped_column(
        ForeignKey("owner.id", ondelete="CASCADE"), index=True
    )
    action_id: Mapped[int | None] = mapped_column(
        ForeignKey("action.id", ondelete="CASCADE"), index=True
    )
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"), index=True)
    since: Mapped[date | None] = mapped_column(Date)  # None: from the start of the register
    until: Mapped[date | None] = mapped_column(Date)  # exclusive; None: still holds it
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    person: Mapped[Person] = relationship(lazy="joined")

    def on(self, day: date) -> bool:
        return (self.since is None or self.since <= day) and (
            self.until is None or day < self.until
        )


class Absence(Base):
    """A person away (leave, sickness), first and last day inclusive, as they said it."""

    __tablename__ = "absence"
    __table_args__ = (CheckConstraint("first_day <= last_day", name="order"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"), index=True)
    first_day: Mapped[date] = mapped_column(Date)
    last_day: Mapped[date] = mapped_column(Date)
    note: Mapped[str | None] = mapped_column(Text)
    # The day it was recorded: reminders before it were already sent, so none are held.
    recorded_on: Mapped[date] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    person: Mapped[Person] = relationship(lazy="joined")


class HostedFile(Base):
    """A file actionbot hands out by an unguessable token: a digest chart that Teams fetches
    from `GET /charts/<token>.png`, or a committee pack waiting for the admin to accept it in
    Teams. Kept in the register, so any instance can serve it; gone after `expires_at`."""

    __tablename__ = "hosted_file"

    id: Mapped[int] = mapped_column(primary_key=True)
    token: Mapped[str] = mapped_column(String(64), unique=True)
    kind: Mapped[str] = mapped_column(String(20))  # "chart" | "report"
    filename: Mapped[str] = mapped_column(String(200))
    media_type: Mapped[str] = mapped_column(String(100))
    content: Mapped[bytes] = mapped_column(LargeBinary)
    # The platform user it is for (a report); None for a chart anyone in the channel sees.
    for_user: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(index=True)


class PendingImport(Base):
    """A plan file an admin sent to the bot in chat, previewed as a dry run and waiting for
    **Import** or **Cancel**. The file and what the preview promised are kept here, not in
    the process, so whichever instance receives the click can answer it; the button carries
    only `id`. The file's bytes are dropped once it is decided."""

    __tablename__ = "pending_import"
    __table_args__ = (CheckConstraint(_in("state", IMPORT_STATES), name="state"),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True)  # random, hex
    plan_code: Mapped[str] = mapped_column(String(40))
    filename: Mapped[str] = mapped_column(String(300))
    data: Mapped[bytes | None] = mapped_column(LargeBinary)
    platform: Mapped[str] = mapped_column(String(20))
    requested_by: Mapped[str] = mapped_column(String(200))  # the platform user id
    # The plan's events when previewed ("count/last id"): any change since shows in it.
    register_mark: Mapped[str] = mapped_column(String(60))
    # sha256 of the previewed change (every ref's outcome and field old → new).
    digest: Mapped[str] = mapped_column(String(64))
    summary: Mapped[str] = mapped_column(Text)
    # How to read the file, as the message sent with it said (sheet, column mappings,
    # default due date), as JSON; Preview again and Import read it exactly so.
    options: Mapped[str | None] = mapped_column(Text)
    state: Mapped[str] = mapped_column(String(20), default="pending")
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime] = mapped_column(index=True)
    decided_at: Mapped[datetime | None]
    decided_by: Mapped[str | None] = mapped_column(String(200))


class IssuedPack(Base):
    """A committee pack issued for a meeting: the record of what the committee was given.

    `as_at` is the instant the pack describes and `baseline_at` the one it compared with
    (the previous issued pack's `as_at`, a date given instead, or None for a plan's first
    pack). `content` is the paper itself as JSON (bot/reports/content.py), so the pack can be
    made again word for word in any format, even where the register's history cannot give
    back a past value (an owner's latest note replaced since). The next pack's changes are
    counted from this one's `as_at`."""

    __tablename__ = "issued_pack"
    __table_args__ = (UniqueConstraint("plan_id", "meeting", name="uq_issued_pack_meeting"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plan.id", ondelete="CASCADE"), index=True)
    meeting: Mapped[str] = mapped_column(String(200))
    as_at: Mapped[datetime]
    baseline_at: Mapped[datetime | None]
    baseline_pack_id: Mapped[int | None] = mapped_column(
        ForeignKey("issued_pack.id", ondelete="SET NULL")
    )
    tz: Mapped[str] = mapped_column(String(64))
    issued_by: Mapped[str] = mapped_column(String(320))  # the name printed on the pack
    actor: Mapped[str] = mapped_column(String(320))  # as events record who did something
    source: Mapped[str] = mapped_column(String(20))
    issued_at: Mapped[datetime]
    content: Mapped[str] = mapped_column(Text)


ReviewKind = Literal["verify", "extend"]
ReviewState = Literal["pending", "accepted", "rejected", "approved", "declined"]
EvidenceKind = Literal["link", "file"]
REVIEW_KINDS: tuple[str, ...] = get_args(ReviewKind)
REVIEW_STATES: tuple[str, ...] = get_args(ReviewState)
EVIDENCE_KINDS: tuple[str, ...] = get_args(EvidenceKind)


class Review(Base):
    """A step of audit-grade closure waiting for, or given, somebody else's word: an owner's
    "done" for the plan's verifier to accept or reject (`verify`), or an owner's new date for
    the plan's approver to approve or decline (`extend`). Rows are decided, never deleted, so
    the committee can see every request and its answer."""

    __tablename__ = "review"
    __table_args__ = (
        CheckConstraint(_in("kind", REVIEW_KINDS), name="kind"),
        CheckConstraint(_in("state", REVIEW_STATES), name="state"),
        Index("ix_review_state_kind", "state", "kind"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    action_id: Mapped[int] = mapped_column(ForeignKey("action.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(10))
    state: Mapped[str] = mapped_column(String(12), default="pending")
    requested_by: Mapped[str] = mapped_column(String(320))  # as events name an actor
    requested_via: Mapped[str] = mapped_column(String(20))
    requested_at: Mapped[datetime]
    # The owner's note with "done", or the reason for a new date (required, as today).
    note: Mapped[str | None] = mapped_column(Text)
    new_date: Mapped[date | None] = mapped_column(Date)
    date_text: Mapped[str | None] = mapped_column(Text)
    decided_by: Mapped[str | None] = mapped_column(String(320))
    decided_via: Mapped[str | None] = mapped_column(String(20))
    decided_at: Mapped[datetime | None]
    # Why it was rejected or declined (required then); None for an acceptance.
    decision_note: Mapped[str | None] = mapped_column(Text)
    # The day a request left waiting was escalated to its reviewer's escalation contact:
    # escalated once, like an overdue action (bot.jobs.reviews).
    escalated_on: Mapped[date | None] = mapped_column(Date)

    action: Mapped[Action] = relationship()


class Evidence(Base):
    """What an owner showed to back "done": a link as given, or a file fetched from the
    platform's own file host (kept here with its name, size, type and SHA-256)."""

    __tablename__ = "evidence"
    __table_args__ = (CheckConstraint(_in("kind", EVIDENCE_KINDS), name="kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    action_id: Mapped[int] = mapped_column(ForeignKey("action.id", ondelete="CASCADE"), index=True)
    review_id: Mapped[int | None] = mapped_column(ForeignKey("review.id", ondelete="SET NULL"))
    kind: Mapped[str] = mapped_column(String(10))
    url: Mapped[str | None] = mapped_column(Text)  # a link, exactly as given
    filename: Mapped[str | None] = mapped_column(String(300))
    size: Mapped[int | None] = mapped_column(Integer)
    media_type: Mapped[str | None] = mapped_column(String(100))
    sha256: Mapped[str | None] = mapped_column(String(64))
    content: Mapped[bytes | None] = mapped_column(LargeBinary)
    # The file in EVIDENCE_DIR, named by its SHA-256, when it is kept there (content is NULL).
    location: Mapped[str | None] = mapped_column(Text)
    added_by: Mapped[str] = mapped_column(String(320))
    source: Mapped[str] = mapped_column(String(20))
    added_at: Mapped[datetime]
