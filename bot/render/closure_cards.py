"""Teams' form for a closure reason: the same question as Slack's modal, as a card."""

from __future__ import annotations

from microsoft_teams.cards import AdaptiveCard, CardElement, TextInput

from bot.commands.types import MAX_NOTE
from bot.commands.verbs import SAVE_DONE, SAVE_REASON
from bot.render.cards import _form_card, _text, escape
from bot.render.reasons import (
    DONE_INTRO,
    DONE_TITLE,
    LINKS_HINT,
    LINKS_LABEL,
    NOTE_LABEL,
    QUESTION,
    teams_files_hint,
)


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


def done_form(
    *,
    action_id: int,
    label: str,
    ref: str,
    types: str,
    ids: str,
    head: str = "",
    problem: str = "",
    links: str = "",
    note: str = "",
) -> AdaptiveCard:
    """Teams: the Done… form of a plan whose closure is verified. Adaptive Cards have no
    file input, so it says how to send a file (in the chat, with `REF done`); Save sends
    `save_done` with the links and the note (kept after a refusal)."""
    body: list[CardElement] = [_text(f"**{escape(DONE_TITLE)} {escape(label)}**")]
    body.append(_text(DONE_INTRO, is_subtle=True))
    if problem:
        body.append(_text(escape(problem), color="Attention"))
    body += [
        TextInput(id="links", label=LINKS_LABEL, placeholder=LINKS_HINT, value=links or None),
        TextInput(
            id="note", label=NOTE_LABEL, value=note or None, is_multiline=True, max_length=MAX_NOTE
        ),
        _text(escape(teams_files_hint(ref, types)), is_subtle=True),
    ]
    return _form_card(body, save=SAVE_DONE, action_id=action_id, ids=ids, head=head)
