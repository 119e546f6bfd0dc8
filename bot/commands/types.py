"""What a person can ask of actionbot, as typed values: one dataclass per command, whatever
door or form it came through. `grammar.parse` makes them from text, `buttons` from clicks."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

MAX_INPUT = 2000


MAX_NOTE = 1500


@dataclass(frozen=True)
class RefSpec:
    ref: str
    plan: str | None = None

    def __str__(self) -> str:
        return f"{self.plan}:{self.ref}" if self.plan else self.ref


@dataclass(frozen=True)
class Help:
    pass


@dataclass(frozen=True)
class Mine:
    pass


@dataclass(frozen=True)
class Overdue:
    pass


@dataclass(frozen=True)
class DueWithin:
    days: int


@dataclass(frozen=True)
class Show:
    target: RefSpec


@dataclass(frozen=True)
class SetStatus:
    """done / progress / blocked: a status, with an optional (or required) note."""

    target: RefSpec
    status: str
    note: str | None


@dataclass(frozen=True)
class SetRag:
    target: RefSpec
    rag: str
    note: str | None


@dataclass(frozen=True)
class AddNote:
    target: RefSpec
    note: str


@dataclass(frozen=True)
class Revise:
    target: RefSpec
    new_date: date
    date_text: str
    reason: str


@dataclass(frozen=True)
class Snooze:
    target: RefSpec
    days: int
    reason: str | None


@dataclass(frozen=True)
class AdminOwner:
    """Set the people who hold an owner role (they get its reminders)."""

    owner: str
    people: tuple[str, ...]  # person references, see `person_ref`
    # Set by a form that asks for both (Slack's modal, the Teams card): None leaves them.
    deputies: tuple[str, ...] | None = None


@dataclass(frozen=True)
class AdminDeputy:
    """Set the deputies of an owner role (they get its reminders while every holder is
    away); no people clears them."""

    owner: str
    people: tuple[str, ...]


@dataclass(frozen=True)
class AdminHandover:
    """Every role `old` holds or deputises, and the actions assigned to them, go to `new`."""

    old: str
    new: str
    start: date | None = None  # None: today


@dataclass(frozen=True)
class Away:
    """Leave: from `first` (None: today) to `last`, both inclusive. `person` is set when an
    admin records it for someone else."""

    last: date
    first: date | None = None
    note: str | None = None
    person: str | None = None


@dataclass(frozen=True)
class Back:
    """Back early, or leave withdrawn: the absence covering today ends yesterday; with none,
    the one absence ahead is cancelled. `day` names an absence (its first day, or any day of
    it) when there are several: `away cancel DATE`."""

    person: str | None = None
    day: date | None = None


@dataclass(frozen=True)
class Assign:
    """Give one action to one named person for itself."""

    target: RefSpec
    person: str


@dataclass(frozen=True)
class AdminOwners:
    """Owner names nobody can be reached for."""


@dataclass(frozen=True)
class AdminPlans:
    """Plans with their counts and reminder schedules."""


@dataclass(frozen=True)
class AdminNudge:
    pass


@dataclass(frozen=True)
class AdminDigest:
    pass


@dataclass(frozen=True)
class AdminReport:
    """The committee pack of one plan, as a spreadsheet in the admin's DM: a draft, or with
    `meeting` the pack issued (and recorded) for that meeting."""

    plan: str
    meeting: str | None = None


@dataclass(frozen=True)
class AdminImport:
    """How to import a plan from chat (the file itself is sent to the bot in a DM)."""

    plan: str | None = None


Command = (
    Help
    | Mine
    | Overdue
    | DueWithin
    | Show
    | SetStatus
    | SetRag
    | AddNote
    | Revise
    | Snooze
    | AdminOwner
    | AdminDeputy
    | AdminHandover
    | Away
    | Back
    | Assign
    | AdminOwners
    | AdminPlans
    | AdminNudge
    | AdminDigest
    | AdminReport
    | AdminImport
)


@dataclass(frozen=True)
class ParseError:
    """Why the text was not understood, and the closest valid forms (each one command),
    built from what the user typed."""

    message: str
    suggestions: tuple[str, ...] = ()
