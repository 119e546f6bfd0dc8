"""The Teams door: handlers of the Teams SDK, one module per kind, each with its `register`.

`door.py` holds what every handler shares (the register, the clock, who is asking);
`messages.py` messages and files sent in chat, `cards.py` card buttons (one registration per
verb), `packs.py` the committee pack by file consent, `installs.py` installs and conversation
updates, `closure.py` the closure buttons' steps, `errors.py` the one error path every
handler a person waits on is behind. `register` below only wires them.
"""

from __future__ import annotations

from microsoft_teams.apps import App

from bot.handlers.teams import cards, installs, messages, packs
from bot.handlers.teams.door import TeamsDoor


def register(app: App, door: TeamsDoor) -> None:
    """Wire every Teams handler to the door."""
    messages.register(app, door)
    installs.register(app, door)
    cards.register(app, door)
    packs.register(app, door)
