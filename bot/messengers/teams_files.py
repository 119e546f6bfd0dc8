"""Sending a file to a person in Teams, the Teams way (bots may do it only in a personal chat).

1. The bot sends a file consent card (`application/vnd.microsoft.teams.card.file.consent`)
   saying what the file is and how big.
2. The person clicks Allow or Decline; Teams sends a `fileConsent/invoke` with the card's
   context and, on Allow, `uploadInfo`: an upload session in the person's OneDrive.
3. The bot PUTs the bytes to `uploadUrl` in fragments with `Content-Range` (OneDrive's
   upload session protocol: no Authorization header, fragments a multiple of 320 KiB).
4. The bot sends a file info card (`application/vnd.microsoft.teams.card.file.info`) that
   opens the file.
The models are the Teams SDK's (`microsoft_teams.api.models.file`); only the HTTP upload is
ours, because the SDK has none.
"""

from __future__ import annotations

from typing import Any

import httpx
from microsoft_teams.api.activities import MessageActivityInput
from microsoft_teams.api.models import Attachment
from microsoft_teams.api.models.file import FileConsentCard, FileInfoCard, FileUploadInfo

CONSENT_CARD = "application/vnd.microsoft.teams.card.file.consent"
INFO_CARD = "application/vnd.microsoft.teams.card.file.info"
FRAGMENT = 10 * 320 * 1024  # OneDrive: every fragment but the last a multiple of 320 KiB
UPLOAD_TIMEOUT = 30.0


class UploadFailed(Exception):
    """OneDrive did not take the file; the message says what it answered."""


def consent_activity(
    *, filename: str, size: int, description: str, context: dict[str, Any]
) -> MessageActivityInput:
    """The message asking the person to accept a file into their OneDrive."""
    card = FileConsentCard(
        description=description,
        size_in_bytes=size,
        accept_context=context,
        decline_context=context,
    )
    attachment = Attachment(content_type=CONSENT_CARD, name=filename, content=card)
    return MessageActivityInput(summary=description[:1000]).add_attachments(attachment)


def file_info_activity(info: FileUploadInfo, text: str) -> MessageActivityInput:
    """The message that shows the uploaded file, for the person to open."""
    card = FileInfoCard(unique_id=info.unique_id, file_type=info.file_type)
    attachment = Attachment(
        content_type=INFO_CARD, name=info.name, content_url=info.content_url, content=card
    )
    return MessageActivityInput(text=text, summary=text).add_attachments(attachment)


async def upload(upload_url: str, content: bytes, *, fragment: int = FRAGMENT) -> dict[str, Any]:
    """PUT `content` into an upload session; the driveItem OneDrive answers at the end."""
    total = len(content)
    if total == 0:
        raise UploadFailed("an empty file cannot be uploaded")
    async with httpx.AsyncClient(timeout=UPLOAD_TIMEOUT) as client:
        start = 0
        while start < total:
            chunk = content[start : start + fragment]
            end = start + len(chunk) - 1
            try:
                response = await client.put(
                    upload_url,
                    content=chunk,
                    headers={
                        "Content-Length": str(len(chunk)),
                        "Content-Range": f"bytes {start}-{end}/{total}",
                    },
                )
            except httpx.HTTPError as exc:
                raise UploadFailed(f"{type(exc).__name__}: {exc}") from exc
            if response.status_code not in (200, 201, 202):
                raise UploadFailed(f"HTTP {response.status_code}")
            start = end + 1
            if response.status_code in (200, 201):
                if start < total:
                    raise UploadFailed("OneDrive ended the upload before the last fragment")
                item: dict[str, Any] = response.json()
                return item
    raise UploadFailed("OneDrive never confirmed the last fragment")
