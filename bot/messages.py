"""The neutral reply model. Services answer with these; each platform renders its own way."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any, Literal

# Button intents shared by every platform; each maps to a service call.
ButtonKind = Literal["done", "on_track", "at_risk", "new_date", "add_update", "choose"]
ACTION_BUTTONS: tuple[tuple[ButtonKind, str], ...] = (
    ("done", "Done"),
    ("on_track", "On track"),
    ("at_risk", "At risk"),
    ("new_date", "New date…"),
    ("add_update", "Add update…"),
)


@dataclass(frozen=True)
class Button:
    kind: ButtonKind
    label: str
    value: str  # what the click carries back: an action id, or a choice


@dataclass(frozen=True)
class ActionCard:
    """One action as a person sees it."""

    action_id: int
    plan_code: str
    ref: str
    title: str
    owners: list[str]
    due: date | None
    due_label: str  # e.g. "due 31 Mar 2018 (in 5 days)", "overdue by 3 days"
    status: str
    rag: str | None
    theme: str | None = None
    updates: list[str] = field(default_factory=list)
    buttons: bool = True

    @property
    def label(self) -> str:
        return f"{self.plan_code}:{self.ref}"

    def button_list(self) -> list[Button]:
        if not self.buttons or self.status in ("done", "cancelled"):
            return []
        return [Button(kind, label, str(self.action_id)) for kind, label in ACTION_BUTTONS]


@dataclass
class Reply:
    """An answer. `lines` are short paragraphs (markdown-ish: *bold*, `code`)."""

    title: str | None = None
    lines: list[str] = field(default_factory=list)
    cards: list[ActionCard] = field(default_factory=list)
    choices: list[Button] = field(default_factory=list)
    ok: bool = True
    # Answers go only to the asker unless they concern others (an update to a shared action).
    public: bool = False

    @property
    def text(self) -> str:
        """A plain-text fallback (notifications, screen readers, the terminal)."""
        parts = [self.title] if self.title else []
        parts += self.lines
        parts += [
            f"{c.label} {c.title} ({c.due_label}, {c.status.replace('_', ' ')})" for c in self.cards
        ]
        return "\n".join(p for p in parts if p)


def error(message: str, suggestion: str | None = None) -> Reply:
    lines = [message]
    if suggestion:
        lines.append(f"Try: `{suggestion}`")
    return Reply(lines=lines, ok=False)


def reply_to_dict(reply: Reply) -> dict[str, object]:
    """A JSON-safe form of a Reply, for the outbox (rendered only when it is sent)."""
    return {
        "title": reply.title,
        "lines": list(reply.lines),
        "public": reply.public,
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
            }
            for c in reply.cards
        ],
    }


def reply_from_dict(data: dict[str, Any]) -> Reply:
    return Reply(
        title=data.get("title"),
        lines=list(data.get("lines", [])),
        public=bool(data.get("public", False)),
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
            )
            for c in data.get("cards", [])
        ],
    )
