"""Sending a file from the outbox (the digest's chart): a path beside the message path.

A chart row names the digest it belongs to; it waits (a temporary failure, retried with the
usual backoff) until that digest is posted, then goes into the digest's thread.
"""

from __future__ import annotations

import base64

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.messengers.base import (
    FileMessenger,
    FileUpload,
    Messenger,
    PermanentFailure,
    TemporaryFailure,
)
from store.models import Delivery


def is_file_delivery(payload: dict[str, object]) -> bool:
    return isinstance(payload.get("file"), dict)


def send_file(session: Session, delivery: Delivery, messenger: Messenger) -> None:
    if not isinstance(messenger, FileMessenger):
        raise PermanentFailure(f"the {delivery.platform} messenger cannot send files")
    kind, _, channel = delivery.recipient.partition(":")
    if kind != "channel":
        raise PermanentFailure(f"files go to channels, not to {delivery.recipient}")
    data = delivery.payload["file"]
    upload = FileUpload(
        filename=str(data["filename"]),
        content=base64.b64decode(data["png_base64"]),
        title=str(data.get("title") or data["filename"]),
        alt_text=data.get("alt_text"),
    )
    messenger.upload_file(channel, upload, thread=_thread(session, delivery))


def _thread(session: Session, delivery: Delivery) -> str | None:
    key = delivery.payload.get("thread_of")
    if not key:
        return None
    parent = session.scalar(select(Delivery).where(Delivery.key == key))
    if parent is None or parent.state == "failed":
        return None  # the text never went: the chart is posted on its own
    if parent.state == "pending":
        raise TemporaryFailure("waiting for the digest it belongs to")
    thread = (parent.payload.get("progress") or {}).get("thread")
    return str(thread) if thread else None
