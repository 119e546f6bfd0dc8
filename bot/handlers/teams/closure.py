"""Teams' closure buttons: Accept and Approve run at once; Reject… and Decline… show a card
asking why, whose Save runs the same command as `2.4 reject REASON` typed. On a plan whose
closure is verified, Done shows the Done… card (links and a note; a file comes in the chat),
whose Save runs `2.4 done evidence LINK… NOTE`."""

from __future__ import annotations

from typing import Any

from microsoft_teams.api.models import FileDownloadInfo
from microsoft_teams.cards import AdaptiveCard

from bot.commands import buttons
from bot.commands.types import Command
from bot.commands.verbs import SAVE_DONE, SAVE_REASON
from bot.core.messages import Reply, error
from bot.handlers.file_fetch import FetchFailed, FileHosts, fetch_pre_authorised
from bot.render import cards as render
from bot.render.closure_cards import done_form, reason_form
from bot.services.closure.evidence import (
    MAX_EVIDENCE_BYTES,
    Attachment,
    EvidenceRefused,
    check_file,
)
from bot.services.conversation import ActionRef

VERBS = frozenset({"accept", "reject", "approve", "decline", *SAVE_REASON.values(), SAVE_DONE})


def review_step(
    kind: str,
    ref: ActionRef,
    data: dict[str, Any],
    *,
    action_id: int,
    ids: str,
    head: str,
) -> Command | AdaptiveCard:
    """The command a closure click stands for, or the form to show first."""
    target, label = ref.target, ref.label
    if kind in (buttons.DONE, SAVE_DONE):
        return _done_step(kind, ref, data, action_id=action_id, ids=ids, head=head)
    if kind in ("reject", "decline"):
        return reason_form(action_id=action_id, label=label, kind=kind, ids=ids, head=head)
    if kind in ("accept", "approve"):
        return buttons.review_command(kind, target)
    asked = "reject" if kind == SAVE_REASON["reject"] else "decline"
    command = buttons.review_reason(asked, target, str(data.get("reason") or ""))
    if isinstance(command, buttons.FormProblems):
        return reason_form(
            action_id=action_id,
            label=label,
            kind=asked,
            ids=ids,
            head=head,
            problem=command.text,
        )
    return command


def _done_step(
    kind: str, ref: ActionRef, data: dict[str, Any], *, action_id: int, ids: str, head: str
) -> Command | AdaptiveCard:
    def form(**kept: str) -> AdaptiveCard:
        return done_form(
            action_id=action_id,
            label=ref.label,
            ref=str(ref.target),
            types=ref.evidence_types,
            ids=ids,
            head=head,
            **kept,
        )

    if kind == buttons.DONE:
        return form()
    links, note = str(data.get("links") or ""), str(data.get("note") or "")
    command = buttons.done_form(ref.target, links, note)
    if isinstance(command, buttons.FormProblems):
        return form(problem=command.text, links=links, note=note)
    return command


def review_answer(reply: Reply) -> AdaptiveCard:
    """After a decision: what happened, not the owners' buttons (they are not the clicker's)."""
    return render.refreshed_card(reply, [])


async def fetch_evidence(
    sent: list[tuple[str, FileDownloadInfo]], *, allowed: FileHosts
) -> list[Attachment] | Reply:
    """Files sent with `2.4 done …`: each checked by name before it is fetched, from Teams'
    file hosts only (the download URL carries its own credential); or why not."""
    found = []
    for name, info in sent:
        try:
            check_file(name, 0)
            data = await fetch_pre_authorised(
                info.download_url or "", limit=MAX_EVIDENCE_BYTES, allowed=allowed
            )
        except EvidenceRefused as exc:
            return error(f"{exc} Nothing was changed.")
        except FetchFailed as exc:
            return error(f"I could not fetch {name} from Teams: {exc}. Nothing was changed.")
        found.append(Attachment(name, data))
    return found
