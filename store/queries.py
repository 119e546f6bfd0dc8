"""Read queries shared by services. Keyword-only, session first; callers own the commit."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date

from sqlalchemy import (
    ColumnElement,
    Integer,
    Result,
    and_,
    cast,
    func,
    null,
    or_,
    select,
    union_all,
)
from sqlalchemy.orm import Session, joinedload, selectinload

from store.models import (
    OPEN_STATUSES,
    Action,
    ActionOwner,
    Event,
    Owner,
    Person,
    Plan,
    Responsibility,
)


def plan_by_code(session: Session, *, code: str) -> Plan | None:
    return session.scalar(select(Plan).where(func.upper(Plan.code) == code.upper()))


def all_plans(session: Session) -> Sequence[Plan]:
    return session.scalars(select(Plan).order_by(Plan.code)).all()


def actions_of_plan(session: Session, *, plan_id: int) -> Sequence[Action]:
    return session.scalars(
        select(Action).where(Action.plan_id == plan_id).order_by(Action.position, Action.id)
    ).all()


def actions_with_events(session: Session, *, plan_id: int) -> Sequence[Action]:
    return session.scalars(
        select(Action)
        .where(Action.plan_id == plan_id)
        .options(selectinload(Action.events))
        .order_by(Action.position, Action.id)
    ).all()


def owners_by_name(session: Session, *, names: Iterable[str] | None = None) -> dict[str, Owner]:
    """Owners keyed by lower-cased name (plans are not consistent about case)."""
    query = select(Owner)
    if names is not None:
        wanted = {n.lower() for n in names}
        if not wanted:
            return {}
        query = query.where(func.lower(Owner.name).in_(wanted))
    return {o.name.lower(): o for o in session.scalars(query)}


def owner_action_counts(session: Session, *, open_only: bool = False) -> dict[int, int]:
    """Owner id → how many actions name it (only open ones with `open_only`)."""
    query = select(ActionOwner.owner_id, func.count()).group_by(ActionOwner.owner_id)
    if open_only:
        query = query.join(Action, Action.id == ActionOwner.action_id).where(
            Action.status.in_(OPEN_STATUSES)
        )
    rows = session.execute(query).all()
    return {int(owner_id): int(count) for owner_id, count in rows}


def person_by_email(session: Session, *, email: str) -> Person | None:
    return session.scalar(select(Person).where(func.lower(Person.email) == email.lower()))


def events_of_action(session: Session, *, action_id: int) -> Sequence[Event]:
    return session.scalars(
        select(Event).where(Event.action_id == action_id).order_by(Event.id)
    ).all()


def actions_by_ref(session: Session, *, ref: str, plan_code: str | None = None) -> Sequence[Action]:
    """Actions whose ref matches (case- and space-insensitively), across plans unless named."""
    query = (
        select(Action)
        .join(Plan)
        .where(func.lower(func.replace(Action.ref, " ", "")) == ref.replace(" ", "").lower())
        .order_by(Plan.code)
    )
    if plan_code is not None:
        query = query.where(func.upper(Plan.code) == plan_code.upper())
    return session.scalars(query).all()


def action_for_update(session: Session, *, action_id: int) -> Action | None:
    """Load and lock one action (row lock on PostgreSQL; SQLite serialises writers)."""
    # populate_existing: the action is usually in the identity map already (found by ref),
    # and without it the ORM would keep the values read before the lock was granted.
    return session.scalar(
        select(Action)
        .where(Action.id == action_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )


def person_by_platform_id(session: Session, *, platform: str, user_id: str) -> Person | None:
    if platform == "teams":
        # The AAD object id, or the chat id (29:…) an owners file or a message gave.
        return session.scalar(
            select(Person).where(
                (func.lower(Person.teams_user_id) == user_id.lower())
                | (Person.teams_chat_id == user_id)
            )
        )
    return session.scalar(select(Person).where(Person.slack_user_id == user_id))


def _on(day: date) -> ColumnElement[bool]:
    return and_(
        or_(Responsibility.since.is_(None), Responsibility.since <= day),
        or_(Responsibility.until.is_(None), Responsibility.until > day),
    )


def owner_ids_of_person(session: Session, *, person_id: int, day: date) -> list[int]:
    """The owner roles a person holds or deputises for on `day`, or is the mapping of (an
    owner with no recorded holders, from before roles had history)."""
    return responsibilities_of_person(session, person_id=person_id, day=day)[0]


def responsibilities_of_person(
    session: Session, *, person_id: int, day: date
) -> tuple[list[int], list[int]]:
    """(`owner_ids_of_person`, the actions given to the person for themselves) on `day`, in
    one query: every command asks for both, and on PostgreSQL each query is a round trip
    (bench/slack_latency.py)."""
    has_holders = (
        select(Responsibility.id)
        .where(Responsibility.owner_id == Owner.id, Responsibility.duty == "holder")
        .exists()
    )
    mapped = select(Owner.id, cast(null(), Integer).label("action_id")).where(
        Owner.person_id == person_id, ~has_holders
    )
    held = select(Responsibility.owner_id, Responsibility.action_id).where(
        Responsibility.person_id == person_id,
        or_(Responsibility.owner_id.is_not(None), Responsibility.action_id.is_not(None)),
        _on(day),
    )
    owners: set[int] = set()
    actions: set[int] = set()
    result: Result[int | None, int | None] = session.execute(union_all(mapped, held))
    for owner_id, action_id in result:
        if owner_id is not None:
            owners.add(owner_id)
        if action_id is not None:
            actions.add(action_id)
    return sorted(owners), sorted(actions)


def holders_by_owner(session: Session, *, day: date) -> dict[int, list[int]]:
    """Owner id → the people holding it on `day` (in the order recorded); an owner with no
    recorded holders keeps its one mapped person."""
    found: dict[int, list[int]] = {}
    recorded: set[int] = set()
    rows = session.execute(
        select(Responsibility.owner_id, Responsibility.person_id, _on(day))
        .where(Responsibility.owner_id.is_not(None), Responsibility.duty == "holder")
        .order_by(Responsibility.id)
    )
    for owner_id, person_id, on in rows:
        if owner_id is None:
            continue
        recorded.add(owner_id)
        if on:
            found.setdefault(owner_id, []).append(person_id)
    for mapped_id, mapped_person in session.execute(
        select(Owner.id, Owner.person_id).where(Owner.person_id.is_not(None))
    ):
        if mapped_id not in recorded and mapped_person is not None:
            found[mapped_id] = [mapped_person]
    return found


def open_actions_of_owners(
    session: Session,
    *,
    owner_ids: Iterable[int],
    due_before: date | None = None,
    action_ids: Iterable[int] = (),
) -> Sequence[Action]:
    """Open actions of the owner roles, and those assigned by id (`action_ids`)."""
    ids = list(owner_ids)
    assigned = list(action_ids)
    if not ids and not assigned:
        return []
    # DISTINCT ids in a subquery, not DISTINCT actions: PostgreSQL cannot compare the JSON
    # columns that would need. Joined rather than `Action.id IN (…)`: with IN, SQLite walks
    # every open action through ix_action_due_open; joined, it starts from the owners' links.
    links = select(ActionOwner.action_id).where(ActionOwner.owner_id.in_(ids))
    if assigned:
        links = links.union(select(Action.id).where(Action.id.in_(assigned)))  # type: ignore[assignment]
    owned = links.distinct().subquery() if not assigned else links.subquery()
    query = (
        select(Action)
        .join(owned, Action.id == owned.c[0])
        .where(Action.status.in_(OPEN_STATUSES), _not_archived())
        # Joined, not a second query: one plan per action, and a round trip saved.
        .options(joinedload(Action.plan))
    )
    if due_before is not None:
        query = query.where(Action.due_date < due_before)
    return _soonest_first(session.scalars(query).all())


def open_actions(session: Session, *, due_before: date | None = None) -> Sequence[Action]:
    query = (
        select(Action)
        .where(Action.status.in_(OPEN_STATUSES), _not_archived())
        .options(selectinload(Action.plan))
    )
    if due_before is not None:
        query = query.where(Action.due_date < due_before)
    return _soonest_first(session.scalars(query).all())


def _not_archived() -> ColumnElement[bool]:
    """Actions of plans that are not archived (an archived plan's actions are out of every
    list of open work)."""
    return Action.plan_id.not_in(select(Plan.id).where(Plan.archived_at.is_not(None)))


def _soonest_first(actions: Sequence[Action]) -> list[Action]:
    return sorted(
        actions, key=lambda a: (a.due_date is None, a.due_date or date.max, a.plan_id, a.position)
    )


def recent_events(session: Session, *, action_id: int, limit: int = 5) -> Sequence[Event]:
    return session.scalars(
        select(Event).where(Event.action_id == action_id).order_by(Event.id.desc()).limit(limit)
    ).all()


def action_counts(session: Session) -> dict[int, int]:
    """Actions per plan id, counted by the database (a plan list must not load the register)."""
    rows = session.execute(select(Action.plan_id, func.count()).group_by(Action.plan_id)).all()
    return {int(plan_id): int(count) for plan_id, count in rows}
