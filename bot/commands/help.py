"""The grammar's forms as people read them: `/action help` (Slack) or `help` (Teams), each
form with an example that works today."""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, timedelta


@dataclass(frozen=True)
class Form:
    usage: str
    summary: str
    example: str  # may hold {date}: a valid future date, so the example always works
    admin: bool = False

    def example_for(self, today: date) -> str:
        first = example_date(today)
        later = date(*(int(p) for p in reversed(first.split("/")))) + timedelta(days=7)
        return self.example.replace("{date}", first).replace("{date2}", f"{later:%d/%m/%Y}")


def example_date(today: date) -> str:
    """A date that is always accepted as a new target: the end of next month, DD/MM/YYYY."""
    year, month = (today.year + 1, 1) if today.month == 12 else (today.year, today.month + 1)
    last = date(year, month, calendar.monthrange(year, month)[1])
    return f"{last:%d/%m/%Y}"


GRAMMAR: tuple[Form, ...] = (
    Form("help", "this help", "help"),
    Form("mine", "your open actions, soonest due first", "mine"),
    Form("overdue", "open actions past their due date", "overdue"),
    Form("due [N]d", "open actions due in the next N days (default 14)", "due 7d"),
    Form("REF", "details of one action: owners, due date, status, last updates", "2.4"),
    Form("REF done [note]", "mark an action done", "2.4 done budget signed off"),
    Form("REF progress NOTE", "record progress (also: update NOTE)", "2.4 progress draft sent"),
    Form("REF on track [note]", "RAG green", "4.4 on track"),
    Form("REF at risk [note]", "RAG amber", "4.4 at risk supplier late"),
    Form("REF off track [note]", "RAG red", "4.4 off track no budget"),
    Form("REF blocked REASON", "mark blocked, with the reason", "3.1 blocked awaiting cabinet"),
    Form("REF note TEXT", "add a note without changing anything else", "1.2 note met comms"),
    Form(
        "REF date DATE REASON",
        "revise the target date; the reason is required and the slip is counted",
        "2.7 date {date} awaiting audit",
    ),
    Form("REF snooze Nd [reason]", "pause reminders for one action", "2.7 snooze 3d on leave"),
    Form(
        "REF assign @person",
        "give one action to one person (its owners or an admin)",
        "2.4 assign @raj",
    ),
    Form('"REF WITH SPACES" …, PLAN:REF …', "quote a ref, or name its plan", '"10/16 (c)" done'),
    Form(
        "away FIRST LAST [note]",
        "you are away (both days included): no reminders; your deputies get them, or they wait",
        "away {date} {date2} annual leave",
    ),
    Form("away until LAST [note]", "you are away from today", "away until {date}"),
    Form(
        "back",
        "you are back early (reminders start again today), or your leave ahead is off",
        "back",
    ),
    Form(
        "away cancel [DATE]",
        "cancel your leave that starts on (or covers) DATE; over already, it ends yesterday",
        "away cancel {date}",
    ),
    Form(
        'admin owner "NAME" @person [@person…] [deputies @person… | none]',
        "set who holds an owner role and gets its reminders (and, with deputies, its deputies)",
        'admin owner "Head of Finance" @jane @sam',
        True,
    ),
    Form(
        'admin deputy "NAME" @person [@person…]',
        "set a role's deputies, who get its reminders while every holder is away (none: clear)",
        'admin deputy "Head of Finance" @raj',
        True,
    ),
    Form(
        "admin handover @old @new [--from DATE]",
        "move every role of @old, and actions assigned to them, to @new",
        "admin handover @jane @sam --from {date}",
        True,
    ),
    Form(
        "admin away @person FIRST LAST [note]",
        "record leave for someone (also: admin away @person until LAST, admin back @person,"
        " admin away @person cancel DATE)",
        "admin away @jane {date} {date2} sick leave",
        True,
    ),
    Form(
        "admin owners",
        "owner names nobody can be reached for, and how to map each",
        "admin owners",
        True,
    ),
    Form(
        "admin plans", "plans with their action counts and reminder schedule", "admin plans", True
    ),
    Form(
        "admin import [PLAN]",
        "how to import a plan: send me the file in a DM; you see a preview, then Import",
        "admin import NCC",
        True,
    ),
    Form("admin nudge", "send today's reminders now", "admin nudge", True),
    Form("admin digest", "post the digest now", "admin digest", True),
    Form(
        "admin report PLAN [issue MEETING]",
        "the plan's draft committee pack (Excel) in your DM; with issue, the pack issued"
        " for that meeting, recorded as the next pack's starting point",
        "admin report NCC issue Audit Committee 12 March 2027",
        True,
    ),
)


def help_text(*, today: date, admin: bool = False, platform: str = "slack") -> str:
    """Every form of the grammar with a working example; dates in examples lie ahead of
    `today`, so an example copied as it stands is accepted. Written for `platform`: Slack
    types `/action …`; Teams the same words without the slash (in a channel after
    @actionbot)."""
    if platform == "teams":
        prefix = ""
        lines = [
            "*actionbot* keeps your actions current. Type these in your chat with actionbot; "
            "in a channel or group chat, @mention actionbot first. Forms:"
        ]
    else:
        prefix = "/action "
        lines = ["*/action* keeps your actions current. Forms:"]
    for form in GRAMMAR:
        if form.admin and not admin:
            continue
        example = form.example_for(today)
        same = example == form.usage
        lines.append(
            f"• `{prefix}{form.usage}`: {form.summary}"
            + ("" if same else f"; e.g. `{prefix}{example}`")
        )
    ahead = date(*(int(p) for p in reversed(example_date(today).split("/"))))
    lines.append(
        f"Dates: {ahead:%d/%m/%Y}, {ahead.day} {ahead:%B}, {ahead.isoformat()}, end of {ahead:%B}."
    )
    return "\n".join(lines)
