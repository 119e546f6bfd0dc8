"""The migration scripts' head revision, read without Alembic or SQLAlchemy (cheap enough for
every CLI command to ask whether the register's schema is current)."""

from __future__ import annotations

import re
from pathlib import Path

MIGRATIONS_DIR = Path(__file__).parent / "migrations"

_REVISION = re.compile(r"^(down_)?revision\b[^=\n]*=\s*(.+?)\s*$", re.MULTILINE)


def script_head() -> str | None:
    """The head revision of our migration scripts, read from their text without Alembic.

    None when the scripts do not read as one simple chain (a merge, a branch, an odd line):
    then the caller asks Alembic itself.
    """
    revisions: set[str] = set()
    downs: set[str] = set()
    for script in sorted((MIGRATIONS_DIR / "versions").glob("*.py")):
        found = {bool(down): value for down, value in _REVISION.findall(script.read_text())}
        rev, down = found.get(False), found.get(True)
        if rev is None or down is None or not re.fullmatch(r"[\"'][\w-]+[\"']", rev):
            return None
        revisions.add(rev[1:-1])
        if down != "None":
            if not re.fullmatch(r"[\"'][\w-]+[\"']", down):
                return None
            downs.add(down[1:-1])
    heads = revisions - downs
    return heads.pop() if len(heads) == 1 and downs <= revisions else None
