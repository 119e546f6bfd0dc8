"""Files handed out by an unguessable token (see `HostedFile`).

The token is the only key: 32 random bytes from `secrets`, so a URL cannot be guessed from
another one. Expired rows are refused at once and deleted whenever a new file is stored.
"""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from store.models import HostedFile

CHART = "chart"  # a digest chart, served at /charts/<token>.png
REPORT = "report"  # a committee pack held until its admin accepts it in Teams


def host_file(
    session: Session,
    *,
    kind: str,
    filename: str,
    media_type: str,
    content: bytes,
    now: datetime,
    keep_for: timedelta,
    for_user: str | None = None,
) -> HostedFile:
    """Store a file under a new token (expired files are cleared out first)."""
    delete_expired(session, now=now)
    row = HostedFile(
        token=secrets.token_urlsafe(32),
        kind=kind,
        filename=filename,
        media_type=media_type,
        content=content,
        for_user=for_user,
        created_at=now,
        expires_at=now + keep_for,
    )
    session.add(row)
    session.flush()
    return row


def hosted_file(session: Session, *, token: str, kind: str, now: datetime) -> HostedFile | None:
    """The live file of this kind with this token, or None (unknown, other kind, expired)."""
    row = session.scalar(
        select(HostedFile).where(HostedFile.token == token, HostedFile.kind == kind)
    )
    if row is None or row.expires_at <= now:
        return None
    return row


def forget_file(session: Session, *, token: str) -> None:
    session.execute(delete(HostedFile).where(HostedFile.token == token))


def delete_expired(session: Session, *, now: datetime) -> int:
    result = session.execute(delete(HostedFile).where(HostedFile.expires_at <= now))
    return int(getattr(result, "rowcount", 0) or 0)
