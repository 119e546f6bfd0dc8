"""Evidence files kept in a folder (EVIDENCE_DIR) rather than in the register.

A file is named by its SHA-256 alone, never by the name a person gave it: a name such as
`../../etc/passwd` or one with control characters never becomes part of a path. The same
bytes sent twice are one file. The register keeps the name, size, type, SHA-256 and where
the file is; reading it back checks the SHA-256, so a file removed or changed in the folder
is reported, not served.

The folder reaches the services through the session (`make_session_factory(…,
evidence_dir=…)`), set once where settings are read, so no door or service reads the
environment itself.
"""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.orm import Session

SESSION_KEY = "evidence_dir"
_SHA256 = re.compile(r"^[0-9a-f]{64}$")


class EvidenceUnreadable(Exception):
    """The file the register points at is missing, unreadable or not the bytes kept."""


@dataclass(frozen=True)
class EvidenceFolder:
    root: Path

    def path_for(self, sha256: str) -> Path:
        if not _SHA256.match(sha256):  # only ever our own hex digest; never a person's text
            raise ValueError("not a SHA-256 hex digest")
        return self.root / sha256[:2] / sha256

    def keep(self, data: bytes) -> tuple[str, str]:
        """Write `data` (unless the same bytes are there already); its SHA-256 and its place
        inside the folder (`ab/ab12…`): relative, so the folder can be moved or mounted
        elsewhere and EVIDENCE_DIR pointed at it.

        Raises:
            OSError: the folder cannot be written.
        """
        digest = hashlib.sha256(data).hexdigest()
        path = self.path_for(digest)
        if path.is_file() and _sha256_of(path) == digest:
            return digest, self.place(digest)
        path.parent.mkdir(parents=True, exist_ok=True)
        # Written beside its final name, then renamed: a reader never sees half a file.
        handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".part-")
        try:
            with os.fdopen(handle, "wb") as out:
                out.write(data)
                out.flush()
                os.fsync(out.fileno())
            os.replace(temporary, path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
        return digest, self.place(digest)

    def place(self, sha256: str) -> str:
        return self.path_for(sha256).relative_to(self.root).as_posix()


def read_kept(folder: EvidenceFolder | None, sha256: str) -> bytes:
    """The bytes kept in `folder` under `sha256`, when they still have that SHA-256.

    Raises:
        EvidenceUnreadable: no folder set, missing, unreadable, or changed since it was kept.
    """
    if folder is None:
        raise EvidenceUnreadable("kept in the evidence folder, and EVIDENCE_DIR is not set")
    try:
        data = folder.path_for(sha256).read_bytes()
    except ValueError:
        raise EvidenceUnreadable("its SHA-256 in the register is not one") from None
    except FileNotFoundError:
        raise EvidenceUnreadable("missing from the evidence folder") from None
    except OSError as exc:
        raise EvidenceUnreadable(f"unreadable ({exc.strerror or type(exc).__name__})") from None
    if hashlib.sha256(data).hexdigest() != sha256:
        raise EvidenceUnreadable("changed since it was kept (its SHA-256 no longer matches)")
    return data


def _sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for piece in iter(lambda: handle.read(1024 * 1024), b""):
            digest.update(piece)
    return digest.hexdigest()


def evidence_folder(session: Session) -> EvidenceFolder | None:
    """The folder evidence files go to for this session's register; None: the register."""
    root = session.info.get(SESSION_KEY)
    return EvidenceFolder(Path(root)) if root else None
