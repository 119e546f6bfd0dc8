"""Teams' form for a closure reason: the same question as Slack's modal, as a card."""

from __future__ import annotations

from microsoft_teams.cards import AdaptiveCard, CardElement, TextInput

from bot.commands.types import MAX_NOTE
from bot.commands.verbs import SAVE_REASON
from bot.render.cards import _form_card, _text, escape
from bot.render.reasons import QUESTION


def reason_form(
    *, action_id: int, label: str, kind: str, ids: str, head: str = "", problem: str = ""
) -> AdaptiveCard:
    """Teams: the same question as a card; Save sends `save_reject` / `save_decline`."""
    title, question = QUESTION[kind]
    body: list[CardElement] = [_text(f"**{escape(title)}: {escape(label)}**")]
    if problem:
        body.append(_text(escape(problem), color="Attention"))
    body.append(
        TextInput(
            id="reason",
            label=question,
            is_multiline=True,
            is_required=True,
            max_length=MAX_NOTE,
            error_message="Say why: the owners are told.",
        )
    )
    return _form_card(body, save=SAVE_REASON[kind], action_id=action_id, ids=ids, head=head)
