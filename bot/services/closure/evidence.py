"""Evidence kept with an action: links exactly as given, files with their name, size, type
and SHA-256 (the bytes in the register, or in EVIDENCE_DIR named by their SHA-256; under a
size cap). Every piece is an Event too.

A door fetches a file only from its platform's own file hosts (bot/handlers/file_fetch.py)
and hands the bytes here; this module never fetches anything.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, object_session

from bot.services.audit import Actor, record
from store.evidence_files import EvidenceUnreadable, evidence_folder, read_kept
from store.models import Action, Evidence, Plan, Review

MAX_EVIDENCE_BYTES = 10 * 1024 * 1024
MAX_FILENAME = 300  # the register's column; a longer name could not be kept as given
# What an auditor can open without special software: documents, sheets, images, text.
EVIDENCE_TYPES: dict[str, str] = {
    ".pdf": "application/pdf",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    ".csv": "text/csv",
    ".txt": "text/plain",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".msg": "application/vnd.ms-outlook",
    ".eml": "message/rfc822",
}


@dataclass(frozen=True)
class Attachment:
    """A file sent with a command (fetched by the door from its platform's file host, or read
    from a path at the console)."""

    filename: str
    data: bytes


class EvidenceRefused(ValueError):
    """A file that is too big or of a type evidence may not be; nothing was kept."""


class EvidenceTypesError(ValueError):
    """A list of evidence types naming a type that is not kept; nothing was changed."""


def read_types(spec: str) -> list[str] | None:
    """`pdf,docx,.xlsx` as the suffixes a plan accepts (in the global list's order);
    `default` → None (the global list).

    Raises:
        EvidenceTypesError: empty, or a type that is not in the global list.
    """
    if spec.strip().lower() == "default":
        return None
    asked = {"." + w.strip().lower().lstrip(".") for w in spec.split(",") if w.strip()}
    unknown = sorted(asked - set(EVIDENCE_TYPES))
    if unknown or not asked:
        said = ", ".join(unknown) if unknown else "no type at all"
        raise EvidenceTypesError(
            f"{said}: evidence may be {', '.join(t[1:] for t in EVIDENCE_TYPES)} "
            "(or 'default' for all of them)"
        )
    return [t for t in EVIDENCE_TYPES if t in asked]


def accepted_types(plan: Plan | None) -> list[str]:
    """The suffixes `plan` keeps as evidence: its own list, or the global one."""
    own = plan.evidence_types if plan is not None else None
    return [t for t in EVIDENCE_TYPES if own is None or t in own]


def types_in_words(plan: Plan | None) -> str:
    return ", ".join(t[1:] for t in accepted_types(plan))


def set_evidence_types(
    session: Session, plan: Plan, types: list[str] | None, *, actor: Actor, now: datetime
) -> bool:
    """Give `plan` its own accepted evidence types (None: the global list); recorded.

    Returns:
        True when it changed.
    """
    if plan.evidence_types == types:
        return False
    record(
        session,
        None,
        "plan.evidence_types",
        old=",".join(plan.evidence_types) if plan.evidence_types else None,
        new=",".join(types) if types else None,
        actor=actor,
        at=now,
        plan_id=plan.id,
    )
    plan.evidence_types = types
    plan.updated_at = now
    return True


def media_type(filename: str, plan: Plan | None = None) -> str:
    """The type evidence is kept as, from its name; EvidenceRefused for a kind `plan` (or,
    without one, the global list) does not keep."""
    suffix = "." + filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    if suffix not in accepted_types(plan):
        where = f" on {plan.code}" if plan is not None and plan.evidence_types else ""
        raise EvidenceRefused(
            f"{filename!r} is not a kind of file kept as evidence{where}; accepted: "
            f"{types_in_words(plan)}."
        )
    return EVIDENCE_TYPES[suffix]


def check_file(filename: str, size: int, plan: Plan | None = None) -> str:
    """The media type of an acceptable file, before its bytes are fetched.

    Raises:
        EvidenceRefused: over the cap, or of a type not kept.
    """
    if len(filename) > MAX_FILENAME or "\x00" in filename:
        raise EvidenceRefused(
            f"A file name must be at most {MAX_FILENAME} characters, with no NUL character; "
            "rename the file and send it again."
        )
    kind = media_type(filename, plan)
    if size > MAX_EVIDENCE_BYTES:
        raise EvidenceRefused(
            f"{filename!r} is {size / 1024 / 1024:.1f} MB; evidence files may be up to "
            f"{MAX_EVIDENCE_BYTES // 1024 // 1024} MB. Share a link to it instead."
        )
    return kind


def keep_links(
    session: Session,
    action: Action,
    links: Sequence[str],
    *,
    actor: Actor,
    now: datetime,
    review: Review | None,
) -> int:
    """Keep each link (as given) with the action; recorded. Returns how many were kept."""
    for link in links:
        session.add(
            Evidence(
                action_id=action.id,
                review_id=review.id if review else None,
                kind="link",
                url=link,
                added_by=actor.name,
                source=actor.source,
                added_at=now,
            )
        )
        record(session, action, "evidence", new=link, actor=actor, at=now)
    return len(links)


def keep_file(
    session: Session,
    action: Action,
    *,
    filename: str,
    data: bytes,
    actor: Actor,
    now: datetime,
    review: Review | None,
) -> Evidence:
    """Keep a file with the action: its bytes, name, size, type and SHA-256; recorded.

    Raises:
        EvidenceRefused: over the cap, or of a type not kept.
    """
    kind = check_file(filename, len(data), action.plan)
    digest = hashlib.sha256(data).hexdigest()
    content: bytes | None = data
    location = None
    folder = evidence_folder(session)
    if folder is not None:
        try:
            digest, location = folder.keep(data)
        except OSError as exc:
            raise EvidenceRefused(
                f"{filename!r} could not be written to the evidence folder "
                f"({exc.strerror or type(exc).__name__}); an admin should check EVIDENCE_DIR."
            ) from exc
        content = None
    item = Evidence(
        action_id=action.id,
        review_id=review.id if review else None,
        kind="file",
        filename=filename,
        size=len(data),
        media_type=kind,
        sha256=digest,
        content=content,
        location=location,
        added_by=actor.name,
        source=actor.source,
        added_at=now,
    )
    session.add(item)
    record(session, action, "evidence", new=describe(item), actor=actor, at=now)
    return item


def describe(item: Evidence) -> str:
    """One piece of evidence in words: the link, or the file with its size and SHA-256."""
    if item.kind == "link":
        return item.url or ""
    size = item.size or 0
    shown = f"{size:,} bytes" if size < 1024 else f"{size / 1024:,.0f} KB"
    return f"{item.filename} ({shown}, SHA-256 {item.sha256})"


def file_bytes(item: Evidence) -> bytes:
    """A file's bytes, from the register or the evidence folder, checked against its SHA-256.

    Raises:
        EvidenceUnreadable: missing from the folder, unreadable, or changed since kept.
    """
    if item.location is None:
        data = item.content or b""
        if hashlib.sha256(data).hexdigest() != item.sha256:
            raise EvidenceUnreadable("changed since it was kept (its SHA-256 no longer matches)")
        return data
    session = object_session(item)
    return read_kept(evidence_folder(session) if session else None, item.sha256 or "")


def file_problem(item: Evidence) -> str | None:
    """Why a kept file cannot be read back as it was kept; None: it can (or it is a link)."""
    if item.kind != "file":
        return None
    try:
        file_bytes(item)
    except EvidenceUnreadable as exc:
        return str(exc)
    return None


def checked(item: Evidence) -> str:
    """`describe`, saying so when the file is missing or changed."""
    problem = file_problem(item)
    return describe(item) + (f" ⚠ {problem}" if problem else "")


def evidence_items(session: Session, action_id: int) -> list[Evidence]:
    return list(
        session.scalars(
            select(Evidence).where(Evidence.action_id == action_id).order_by(Evidence.id)
        )
    )


def evidence_of(session: Session, action_id: int) -> list[str]:
    """Every piece of evidence of an action, oldest first, in words."""
    return [checked(e) for e in evidence_items(session, action_id)]


def evidence_record(item: Evidence) -> dict[str, Any]:
    """A piece of evidence for the JSON export (the file's bytes stay in the register or the
    evidence folder; `stored` says which, `problem` whether they still read back)."""
    found: dict[str, Any] = {
        "kind": item.kind,
        "url": item.url,
        "filename": item.filename,
        "size": item.size,
        "media_type": item.media_type,
        "sha256": item.sha256,
        "added_by": item.added_by,
        "source": item.source,
        "added_at": item.added_at.isoformat(),
    }
    if item.kind == "file":
        found["stored"] = "folder" if item.location else "register"
        found["location"] = item.location
        found["problem"] = file_problem(item)
    return found


def closure_record(action: Action) -> dict[str, Any]:
    """The action's evidence and reviews for the JSON export; nothing for an action that has
    none, so an export of a plan without closure steps reads exactly as before."""
    session = object_session(action)
    if session is None:
        return {}
    found: dict[str, Any] = {}
    items = evidence_items(session, action.id)
    if items:
        found["evidence"] = [evidence_record(e) for e in items]
    reviews = session.scalars(
        select(Review).where(Review.action_id == action.id).order_by(Review.id)
    ).all()
    if reviews:
        found["reviews"] = [
            {
                "kind": r.kind,
                "state": r.state,
                "requested_by": r.requested_by,
                "requested_via": r.requested_via,
                "requested_at": r.requested_at.isoformat(),
                "note": r.note,
                "new_date": r.new_date.isoformat() if r.new_date else None,
                "decided_by": r.decided_by,
                "decided_via": r.decided_via,
                "decided_at": r.decided_at.isoformat() if r.decided_at else None,
                "decision_note": r.decision_note,
            }
            for r in reviews
        ]
    return found
