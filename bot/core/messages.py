"""The neutral reply model. Services answer with these; each platform renders its own way.

Text in a Reply (its title, lines, rows, footer, notice, a card's history) is written in a
small markup of actionbot's own: `*bold*`, `_emphasis_` and `` `code` ``, for actionbot's
sentences. Text from plans and people goes into those sentences through `theirs()`, which
escapes every markup character in it with a backslash, so it is shown exactly as written on
every platform: a plan title `*urgent*` is not bold in Slack, Teams or the terminal. Each
renderer reads the markup with `spans()`, the one parser of it, and never guesses. A card's
own fields (title, owners, theme, details) are plain text and need no escaping.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any, Literal

Style = Literal["", "bold", "em", "code"]
MARKS: dict[str, Style] = {"*": "bold", "_": "em", "`": "code"}
# What theirs() escapes: the marks, the escape itself, and Slack's ~strike~ and > quote.
ESCAPED = "\\*_`~>"
_ESCAPE = re.compile(f"([{re.escape(ESCAPED)}])")
_WORD = re.compile(r"\w")


@dataclass(frozen=True)
class Span:
    """A run of text in one style; `text` is exactly what is shown."""

    text: str
    style: Style = ""


def theirs(text: object) -> str:
    """Text from a plan or a person, for a Reply sentence: shown as written, never styled."""
    return _ESCAPE.sub(r"\\\1", str(text))


def spans(line: str) -> list[Span]:
    """A line of the markup as styled runs: `*bold*`, `_emphasis_`, `` `code` `` (each
    opening after a space or punctuation and closing before one, on one line, so snake_case
    and a*b stay as they are), and any character after a backslash as itself."""
    chars: list[tuple[str, bool]] = []  # (character, may it be a mark?)
    index = 0
    while index < len(line):
        char = line[index]
        if char == "\\" and index + 1 < len(line) and line[index + 1] in ESCAPED:
            chars.append((line[index + 1], False))
            index += 2
        else:
            chars.append((char, char in MARKS))
            index += 1
    found: list[Span] = []
    plain: list[str] = []
    index = 0
    while index < len(chars):
        char, mark = chars[index]
        end = _closing(chars, index) if mark and _opens(chars, index) else None
        if end is None:
            plain.append(char)
            index += 1
            continue
        if plain:
            found.append(Span("".join(plain)))
            plain = []
        found.append(Span("".join(c for c, _ in chars[index + 1 : end]), MARKS[char]))
        index = end + 1
    if plain:
        found.append(Span("".join(plain)))
    return found


def _is_word_or_mark(item: tuple[str, bool] | None) -> bool:
    return item is not None and (_WORD.match(item[0]) is not None or item[1])


def _opens(chars: list[tuple[str, bool]], index: int) -> bool:
    before = chars[index - 1] if index else None
    after = chars[index + 1] if index + 1 < len(chars) else None
    return not _is_word_or_mark(before) and after is not None and after[0] not in " \n"


def _closing(chars: list[tuple[str, bool]], index: int) -> int | None:
    mark = chars[index][0]
    for end in range(index + 1, len(chars)):
        char, is_mark = chars[end]
        if char == "\n":
            return None
        if is_mark and char == mark:
            after = chars[end + 1] if end + 1 < len(chars) else None
            inside = chars[end - 1][0]
            if end > index + 1 and inside != " " and not _is_word_or_mark(after):
                return end
            return None
    return None


_ESCAPES = re.compile(f"\\\\([{re.escape(ESCAPED)}])")


def unescaped(line: str) -> str:
    """A line of the markup with the escapes taken out and the marks left in."""
    return _ESCAPES.sub(r"\1", line)


def plain(line: str) -> str:
    """A line of the markup as the words it shows, with no marks (notifications, logs)."""
    return "".join(span.text for span in spans(line))


# Button intents shared by every platform; each maps to a service call.
ButtonKind = Literal[
    "done",
    "on_track",
    "at_risk",
    "new_date",
    "add_update",
    "choose",
    # A plan file sent in chat: import the previewed change, drop it, or preview it again.
    "import_apply",
    "import_cancel",
    "import_again",
    # An owner name nobody can be reached for: map it (a form, or the command to type).
    "map_owner",
    # Closure: the plan's verifier accepts or rejects (a reason: a form) an implemented
    # action; its approver approves or declines (a reason: a form) a requested new date.
    "accept",
    "reject",
    "approve",
    "decline",
]
RAG_WORDS = {"green": "on track", "amber": "at risk", "red": "off track"}
ACTION_BUTTONS: tuple[tuple[ButtonKind, str], ...] = (
    ("done", "Done"),
    ("on_track", "On track"),
    ("at_risk", "At risk"),
    ("new_date", "New date…"),
    ("add_update", "Add update…"),
)

REVIEW_BUTTONS: dict[str, tuple[tuple[ButtonKind, str], ...]] = {
    "verify": (("accept", "Accept"), ("reject", "Reject…")),
    "extend": (("approve", "Approve"), ("decline", "Decline…")),
}


@dataclass(frozen=True)
class Button:
    kind: ButtonKind
    label: str
    value: str  # what the click carries back: an action id, or a choice


@dataclass(frozen=True)
class Row:
    """A line with a button of its own: an owner name nobody can be reached for, and "Map…"
    (its value is the owner name). Renderers page or cap long lists; the text says what to
    type where no form exists."""

    text: str
    button: Button


@dataclass(frozen=True)
class Detail:
    """A labelled paragraph of an action's detail view: its tasks, its outcome, the date as
    the plan wrote it. Plain text; a renderer may show the label in bold."""

    label: str
    text: str


@dataclass(frozen=True)
class ActionCard:
    """One action as a person sees it.

    A list shows a card in two lines (the action, then due date · status · owners); the
    detail view (`detail=True`, the answer to `/action REF`) adds `details` and the history
    in `updates`, and never shortens the title.
    """

    action_id: int
    plan_code: str
    ref: str
    title: str
    owners: list[str]
    due: date | None
    due_label: str  # bot.core.when.due_phrase: "due in 5 days (Sat 31 Mar)", "overdue by 3 days …"
    status: str
    rag: str | None
    theme: str | None = None
    updates: list[str] = field(default_factory=list)  # history sentences, newest first
    buttons: bool = True
    details: list[Detail] = field(default_factory=list)
    detail: bool = False
    # Shown to the plan's verifier ("verify") or date approver ("extend"): the buttons are
    # theirs to decide with, not the owner's.
    review: str | None = None

    @property
    def label(self) -> str:
        return f"{self.plan_code}:{self.ref}"

    @property
    def headline(self) -> str:
        """The first thing anyone reads about the action: its ref and title."""
        return f"{self.label} {self.title or '(no title)'}"

    @property
    def status_label(self) -> str:
        status = self.status.replace("_", " ")
        rag = RAG_WORDS.get(self.rag or "")
        return f"{status}, {rag}" if rag else status

    @property
    def facts(self) -> list[str]:
        """Due date, status and RAG, owners: the line under the headline."""
        owners = ", ".join(self.owners) or "no owner"
        return [self.due_label, self.status_label, f"owners: {owners}"]

    def text_lines(self) -> list[str]:
        """The card as plain text (notifications, screen readers, the terminal)."""
        if not self.detail:
            return [f"{self.headline}: {self.due_label}, {self.status_label}"]
        lines = [self.headline, " · ".join(self.facts)]
        lines += [f"{d.label}: {d.text}" for d in self.details]
        if self.updates:
            lines.append("History:")
            lines += self.updates
        return lines

    def button_list(self) -> list[Button]:
        if self.review in REVIEW_BUTTONS and self.buttons:
            return [
                Button(kind, label, str(self.action_id))
                for kind, label in REVIEW_BUTTONS[self.review]
            ]
        if not self.buttons or self.status in ("done", "cancelled"):
            return []
        return [Button(kind, label, str(self.action_id)) for kind, label in ACTION_BUTTONS]


@dataclass(frozen=True)
class Picture:
    """An image shown after paragraph `after` of a reply's `lines` (the Teams digest's
    chart). `url` is where the platform fetches it; `alt_text` says the same in words."""

    url: str
    alt_text: str
    after: int


@dataclass
class Reply:
    """An answer. `lines` are short paragraphs before the cards, `footer` paragraphs after
    them (markdown-ish: *bold*, _emphasis_, `code`: one command per code span).

    The first line of `text` is what a phone notification shows, so a reply leads with the
    action or the count it is about, never with a label.
    """

    title: str | None = None
    lines: list[str] = field(default_factory=list)
    cards: list[ActionCard] = field(default_factory=list)
    choices: list[Button] = field(default_factory=list)
    ok: bool = True
    # Channel-wide answers (the digest). Answers to a person always go to that person only.
    public: bool = False
    footer: list[str] = field(default_factory=list)
    # One line for the others who share the action, posted where the command was typed;
    # never the whole card.
    notice: str | None = None
    pictures: list[Picture] = field(default_factory=list)
    rows: list[Row] = field(default_factory=list)  # after the lines, before the cards
    # The footer as one platform words it (where things are there: Slack's Home tab), for a
    # message whose platform is known only when it is sent; see `for_platform`.
    footer_on: dict[str, list[str]] = field(default_factory=dict)

    @property
    def text(self) -> str:
        """A text fallback (notifications, screen readers): the lines as written, actionbot's
        marks kept, the escapes of text from plans and people taken out."""
        parts = [unescaped(self.title)] if self.title else []
        parts += [unescaped(line) for line in self.lines]
        parts += [unescaped(r.text) for r in self.rows]
        for card in self.cards:
            parts += card.text_lines()
        parts += [unescaped(line) for line in self.footer]
        return "\n".join(p for p in parts if p)


def plan_label(code: str, name: str | None) -> str:
    """`NCC: Financial improvement plan`, or just `PC25` for a plan named by its code (an
    import without --name), never `PC25: PC25`."""
    shown = (name or "").strip()
    if not shown or shown.casefold() == code.strip().casefold():
        return code
    return f"{code}: {shown}"


def suggest(*commands: str) -> str:
    """ "Try `/action 2.4 done`", or several commands, each in its own code span."""
    if len(commands) == 1:
        return f"Try `{commands[0]}`"
    return "Try one of: " + ", ".join(f"`{c}`" for c in commands)


def error(message: str, *suggestions: str) -> Reply:
    lines = [message]
    if suggestions:
        lines.append(suggest(*suggestions))
    return Reply(lines=lines, ok=False)


def for_platform(reply: Reply, platform: str) -> Reply:
    """The reply as it goes out on `platform`: its footer in that platform's words."""
    if not reply.footer_on:
        return reply
    return replace(reply, footer=list(reply.footer_on.get(platform, reply.footer)), footer_on={})


def reply_to_dict(reply: Reply) -> dict[str, object]:
    """A JSON-safe form of a Reply, for the outbox (rendered only when it is sent)."""
    return {
        "title": reply.title,
        "lines": list(reply.lines),
        "public": reply.public,
        "footer": list(reply.footer),
        **(
            {"footer_on": {k: list(v) for k, v in reply.footer_on.items()}}
            if reply.footer_on
            else {}
        ),
        "pictures": [[p.url, p.alt_text, p.after] for p in reply.pictures],
        "cards": [
            {
                "action_id": c.action_id,
                "plan_code": c.plan_code,
                "ref": c.ref,
                "title": c.title,
                "owners": list(c.owners),
                "due": c.due.isoformat() if c.due else None,
                "due_label": c.due_label,
                "status": c.status,
                "rag": c.rag,
                "theme": c.theme,
                "updates": list(c.updates),
                "buttons": c.buttons,
                "details": [[d.label, d.text] for d in c.details],
                "detail": c.detail,
                **({"review": c.review} if c.review else {}),
            }
            for c in reply.cards
        ],
    }


def reply_payload(replies: list[Reply]) -> dict[str, object]:
    """What the outbox keeps for a message: its replies, each as `reply_to_dict` writes it."""
    return {"replies": [reply_to_dict(r) for r in replies]}


def reply_from_dict(data: dict[str, Any]) -> Reply:
    return Reply(
        title=data.get("title"),
        lines=list(data.get("lines", [])),
        public=bool(data.get("public", False)),
        footer=list(data.get("footer", [])),
        footer_on={k: list(v) for k, v in (data.get("footer_on") or {}).items()},
        pictures=[Picture(url, alt, int(after)) for url, alt, after in data.get("pictures", [])],
        cards=[
            ActionCard(
                action_id=int(c["action_id"]),
                plan_code=c["plan_code"],
                ref=c["ref"],
                title=c["title"],
                owners=list(c["owners"]),
                due=date.fromisoformat(c["due"]) if c.get("due") else None,
                due_label=c["due_label"],
                status=c["status"],
                rag=c.get("rag"),
                theme=c.get("theme"),
                updates=list(c.get("updates", [])),
                buttons=bool(c.get("buttons", True)),
                details=[Detail(label, text) for label, text in c.get("details", [])],
                detail=bool(c.get("detail", False)),
                review=c.get("review"),
            )
            for c in data.get("cards", [])
        ],
    )
