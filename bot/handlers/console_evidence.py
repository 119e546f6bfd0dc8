"""The console's way of sending a file with `done`: its path, where Slack and Teams attach
one. `2.4 done evidence ./minutes.pdf https://… note` reads the file; the links stay."""

from __future__ import annotations

import re
from pathlib import Path

from bot.services.closure.evidence import (
    MAX_EVIDENCE_BYTES,
    Attachment,
    EvidenceRefused,
    check_file,
)

_DONE_EVIDENCE = re.compile(r"^(?P<head>.*?\bdone)\s+evidence\s+(?P<rest>.+)$", re.IGNORECASE)


def split_paths(text: str) -> tuple[str, list[Path]]:
    """The text without the paths of existing files after `done evidence`, and those paths."""
    match = _DONE_EVIDENCE.match(text.strip())
    if match is None:
        return text, []
    words = match.group("rest").split(" ")
    paths: list[Path] = []
    links: list[str] = []
    taken = 0
    for word in words:
        path = Path(word).expanduser()
        if "://" not in word and path.is_file():
            paths.append(path)
        elif "://" in word:
            links.append(word)
        else:
            break
        taken += 1
    if not paths:
        return text, []
    kept = " ".join(["evidence", *links]) if links else ""
    rest = " ".join(words[taken:])
    return " ".join(p for p in (match.group("head"), kept, rest) if p), paths


def read_attachments(paths: list[Path]) -> list[Attachment]:
    """The files, checked for type and size before they are read.

    Raises:
        EvidenceRefused: too big, or of a type not kept as evidence.
    """
    found = []
    for path in paths:
        check_file(path.name, path.stat().st_size)
        with path.open("rb") as handle:
            data = handle.read(MAX_EVIDENCE_BYTES + 1)
        if len(data) > MAX_EVIDENCE_BYTES:  # it grew since: refused as the service would
            raise EvidenceRefused(f"{path.name!r} is larger than evidence may be.")
        found.append(Attachment(path.name, data))
    return found
