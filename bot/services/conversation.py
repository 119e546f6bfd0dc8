"""One entry for every door: a platform user said something; answer it.

Slack, Teams and the console all call `converse`, so they share identity, grammar,
permissions and the one-transaction-per-command rule.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session, sessionmaker

from bot.commands.grammar import parse
from bot.commands.types import Command, ParseError, RefSpec
from bot.core.messages import ActionCard, Reply, error
from bot.services.actions import UNKNOWN_CALLER, FollowUp, card, follow_up_of, handle
from bot.services.closure.evidence import Attachment, types_in_words
from bot.services.closure.review import reviewer
from bot.services.people.commands import PeopleCommand
from bot.services.people.commands import refusal as people_refusal
from bot.services.people.identity import Caller, Mentioned, identify
from store.models import Action
from store.queries import open_actions_of_owners, person_by_platform_id


@dataclass(frozen=True)
class Who:
    """A platform user as the door knows them."""

    platform: str
    user_id: str
    email: str | None = None
    tz: str | None = None  # the platform's time zone for the user, e.g. Slack's users.info
    alias: str | None = None  # another id of the same user (Teams: the 29: chat id)
    name: str | None = None  # as the platform shows them, for a person who has no name yet


@dataclass(frozen=True)
class Outcome:
    reply: Reply
    caller: Caller
    command: Command | None
    # What runs after the answer (a job, a pack): the door runs it, and decides nothing.
    follow_up: FollowUp | None = None


def local_today(now: datetime, tz: str) -> date:
    return now.astimezone(ZoneInfo(tz)).date()


def _tz_of(caller: Caller, default: str) -> str:
    # From the Caller: the Person it was read from may be gone from the session's identity
    # map (it holds objects weakly), and reading it again is a round trip per command.
    return caller.tz or default


def _caller(
    session: Session,
    who: Who,
    *,
    admins: frozenset[str],
    now: datetime,
    mention_emails: Mapping[str, str] | None = None,
    mentioned: Mapping[str, Mentioned] | None = None,
    default_tz: str | None = None,
) -> Caller:
    # The roles a caller answers for are those of their local today (the council's zone
    # until the person's own is known): a handover dated ahead starts at their midnight.
    return identify(
        session,
        platform=who.platform,
        user_id=who.user_id,
        email=who.email,
        tz=who.tz,
        alias=who.alias,
        admins=admins,
        now=now,
        mention_emails=mention_emails,
        mentioned=mentioned,
        name=who.name,
        today=local_today(now, default_tz) if default_tz else None,
    )


def converse(
    sessions: sessionmaker[Session],
    who: Who,
    *,
    text: str | None = None,
    command: Command | None = None,
    admins: frozenset[str],
    default_tz: str,
    now: datetime,
    pinned_action_id: int | None = None,
    mention_emails: Mapping[str, str] | None = None,
    mentioned: Mapping[str, Mentioned] | None = None,
    attachments: Sequence[Attachment] = (),
) -> Outcome:
    """Parse `text` (or run `command`) for `who` in one transaction, recorded as events.

    A refused or unparseable command rolls back, so it leaves no trace at all.
    `mention_emails` (platform user id → email) names people the text or form mentions whom
    the register may know only by email, so a mention finds them rather than a new person;
    `mentioned` says the same with names and other ids (Teams).
    """
    with sessions() as session:
        try:
            caller = _caller(
                session,
                who,
                admins=admins,
                now=now,
                mention_emails=mention_emails,
                mentioned=mentioned,
                default_tz=default_tz,
            )
            if caller.unlinked:
                session.commit()  # the admins' notice; nothing else was changed
                return Outcome(error(caller.unlinked), caller, None)
            today = local_today(now, _tz_of(caller, default_tz))
            if command is None:
                parsed = parse(text or "", today=today)
                if isinstance(parsed, ParseError):
                    session.rollback()
                    return Outcome(error(parsed.message, *parsed.suggestions), caller, None)
                command = parsed
            reply = handle(
                session,
                command,
                caller=caller,
                now=now,
                today=today,
                raw=text or "",
                pinned_action_id=pinned_action_id,
                attachments=attachments,
            )
        except BaseException:
            session.rollback()
            raise
        if reply.ok:
            session.commit()
        else:
            session.rollback()
        return Outcome(reply, caller, command, follow_up_of(command) if reply.ok else None)


def form_refusal(
    sessions: sessionmaker[Session],
    who: Who,
    command: PeopleCommand,
    *,
    admins: frozenset[str],
    default_tz: str,
    now: datetime,
) -> Reply | None:
    """Why `who` may not run `command`, asked when they click the button that opens its
    form (Map… on `admin owners`): a door shows this instead of the form. None: open it."""
    with sessions() as session:
        caller = _caller(session, who, admins=admins, now=now, default_tz=default_tz)
        session.commit()  # keeps a first-time email → platform id link, as `converse` does
        if caller.unlinked:
            return error(caller.unlinked)
        return people_refusal(command, caller)


def unknown_ids(sessions: sessionmaker[Session], platform: str, user_ids: list[str]) -> list[str]:
    """The platform user ids the register has no person for (a door looks up their email)."""
    with sessions() as session:
        return [
            u
            for u in dict.fromkeys(user_ids)
            if person_by_platform_id(session, platform=platform, user_id=u) is None
        ]


def needs_email(sessions: sessionmaker[Session], who: Who) -> bool:
    """True when the door should look up the user's email before `converse`: nobody has
    their id yet, or the person who has it has no email (known only from a mention or a
    pick, who may be the owners file's person by that email)."""
    with sessions() as session:
        for user_id in (who.user_id, who.alias):
            if user_id:
                person = person_by_platform_id(session, platform=who.platform, user_id=user_id)
                if person is not None:
                    # Slack mentions always come with an email (the door asks users.info).
                    return who.platform == "teams" and person.email is None
        return True


def home_cards(
    sessions: sessionmaker[Session],
    who: Who,
    *,
    admins: frozenset[str],
    default_tz: str,
    now: datetime,
) -> tuple[list[ActionCard], date, str | None]:
    """The user's open actions for a home screen, and the sentence above them (`home_intro`)."""
    with sessions() as session:
        caller = _caller(session, who, admins=admins, now=now, default_tz=default_tz)
        today = local_today(now, _tz_of(caller, default_tz))
        actions = open_actions_of_owners(
            session, owner_ids=caller.owner_ids, action_ids=caller.assigned_ids
        )
        cards = [card(a, today) for a in actions]
        session.commit()  # keeps a first-time email → platform id link
        if caller.unlinked:
            return [], today, caller.unlinked
        return cards, today, home_intro(known=caller.person_id is not None, cards=len(cards))


def home_intro(*, known: bool, cards: int) -> str | None:
    """The one sentence above a home screen's cards, or None when the cards say it all.

    An unknown user is told how to get mapped and nothing else: "no open actions" would
    contradict "I don't know which actions are yours".
    """
    if not known and not cards:
        return UNKNOWN_CALLER
    if not cards:
        return "You have no open actions. 🎉"
    return None


@dataclass(frozen=True)
class ActionRef:
    """Enough about one action for a door to build a command or a modal from a button."""

    target: RefSpec
    label: str
    due: date | None
    # The plan verifies closure: Done opens the Done… form (evidence asked for).
    verified: bool = False
    # The file types kept as evidence on the plan, in words ("pdf, docx, …").
    evidence_types: str = ""


def action_ref(sessions: sessionmaker[Session], action_id: int) -> ActionRef | None:
    with sessions() as session:
        action = session.get(Action, action_id)
        if action is None:
            return None
        return ActionRef(
            target=RefSpec(ref=action.ref, plan=action.plan.code),
            label=f"{action.plan.code}:{action.ref} {action.title}"[:150],
            due=action.due_date,
            verified=reviewer(action.plan, "verify_by") is not None,
            evidence_types=types_in_words(action.plan),
        )


def current_cards(
    sessions: sessionmaker[Session], action_ids: list[int], *, today: date
) -> list[ActionCard]:
    """Actions as they are now, in the order given (a card being redrawn after a click)."""
    with sessions() as session:
        found = [session.get(Action, i) for i in action_ids]
        return [card(a, today) for a in found if a is not None]
