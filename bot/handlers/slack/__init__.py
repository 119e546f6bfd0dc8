"""The Slack door: Bolt listeners, one module per kind, each with its `register`.

`door.py` holds what every listener shares (the register, the clock, who is asking);
`commands.py` the `/action` slash command, `actions.py` the buttons, `views.py` the forms,
`events.py` messages, files and App Home, `closure.py` the closure buttons and their reason
form, `errors.py` the one error path. `register` below only wires them.
"""

from __future__ import annotations

from slack_bolt.async_app import AsyncApp

from bot.handlers.slack import actions, closure, commands, errors, events, views
from bot.handlers.slack.answer import AnswerAtAck
from bot.handlers.slack.dedupe import Deduplication
from bot.handlers.slack.door import SlackDoor


def register(app: AsyncApp, door: SlackDoor, *, inline: bool = False) -> None:
    """Wire every Slack listener to the door. Bolt must run with process_before_response
    (bot/app/asgi.py): `AnswerAtAck` answers at each listener's ack, or at its end `inline`."""
    answer = AnswerAtAck(inline=inline, on_error=errors.on_error)
    # First: nothing from another workspace reaches the register, not even the repeat check.
    app.use(door.workspace)
    app.use(Deduplication(door.seen))
    commands.register(app, door, answer)
    actions.register(app, door, answer)
    views.register(app, door, answer)
    closure.register(app, door, answer)
    events.register(app, door, answer)
    errors.register(app)
