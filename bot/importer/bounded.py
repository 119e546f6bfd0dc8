"""Reading a plan file in a child process with a memory and time budget.

`actionbot serve` previews a plan an admin sends in chat with the same importer as the
command line. The limits (`bot.importer.limits`) refuse what is plainly too big, but a file
is whatever its sender made it, and a parser's worst case is not always its size: so inside
the server the reading runs in a child process whose address space and CPU time are capped
(`resource.setrlimit`, set by the child before it reads a byte) and which is killed when it
runs past its time. Whatever the file does, the server keeps its memory and its threads; the
admin is told the file could not be read within the limits.

The child is a fresh interpreter (`python -m bot.importer.bounded`), not a fork of the
server's threads; the request and the answer travel pickled over its stdin and stdout.
"""

from __future__ import annotations

import pickle  # noqa: S403 - our own child's answer, over its own pipe
import resource
import subprocess
import sys
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from bot.importer.errors import ImportFileError
from bot.importer.limits import READ_MEMORY_BYTES, READ_SECONDS
from bot.importer.parsed import ParsedPlan
from bot.importer.plan_file import parse_plan_file


@dataclass(frozen=True)
class Budget:
    memory_bytes: int = READ_MEMORY_BYTES
    seconds: float = READ_SECONDS


@dataclass(frozen=True)
class _Request:
    path: str
    today: date
    known_owners: list[str]
    overrides: dict[str, str] | None
    sheet: str | None
    budget: Budget = field(default_factory=Budget)


def parse_plan_file_bounded(
    path: Path,
    *,
    today: date,
    known_owners: Collection[str] = (),
    overrides: Mapping[str, str] | None = None,
    sheet: str | None = None,
    budget: Budget | None = None,
) -> ParsedPlan:
    """`parse_plan_file` in a child process within `budget`.

    Raises:
        ImportFileError: as `parse_plan_file`, or the file could not be read within the
            budget (too much memory, too long).
    """
    spent = budget or Budget()
    request = _Request(
        str(path), today, list(known_owners), dict(overrides) if overrides else None, sheet, spent
    )
    try:
        finished = subprocess.run(  # noqa: S603 - this interpreter, our own module
            [sys.executable, "-m", "bot.importer.bounded"],
            input=pickle.dumps(request),
            capture_output=True,
            timeout=spent.seconds + 5,
            check=False,
        )
    except subprocess.TimeoutExpired:
        raise _over_budget(path.name, f"took longer than {spent.seconds:.0f} s") from None
    try:
        kind, *answer = pickle.loads(finished.stdout)  # noqa: S301 - our child's answer
    except Exception:  # noqa: BLE001 - no answer at all: the child was stopped
        raise _over_budget(path.name, _why_stopped(finished.returncode, spent)) from None
    if kind == "plan":
        plan: ParsedPlan = answer[0]
        return plan
    if kind == "refused":
        parts, row, column, place = answer
        error = ImportFileError(list(parts))
        error.row, error.column, error.place = row, column, place
        raise error
    raise _over_budget(path.name, str(answer[0]))


def _why_stopped(returncode: int, budget: Budget) -> str:
    if returncode in (-9, -24, 137, 152):  # SIGKILL, SIGXCPU: the CPU budget
        return f"took longer than {budget.seconds:.0f} s"
    return f"needed more than {budget.memory_bytes // 1024 // 1024} MB of memory"


def _over_budget(name: str, what: str) -> ImportFileError:
    return ImportFileError(
        f"reading {name} {what}, more than any action plan needs; it was stopped "
        "(is this really an action plan?)"
    )


def _child() -> None:
    request: _Request = pickle.loads(sys.stdin.buffer.read())  # noqa: S301 - from our parent
    memory, seconds = request.budget.memory_bytes, int(request.budget.seconds)
    resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    resource.setrlimit(resource.RLIMIT_CPU, (max(seconds, 1), max(seconds, 1) + 2))
    answer: tuple[Any, ...]
    try:
        parsed = parse_plan_file(
            Path(request.path),
            today=request.today,
            known_owners=request.known_owners,
            overrides=request.overrides,
            sheet=request.sheet,
        )
        answer = ("plan", parsed)
    except ImportFileError as exc:
        answer = ("refused", exc.parts, exc.row, exc.column, exc.place)
    except MemoryError:
        answer = ("over", f"needed more than {memory // 1024 // 1024} MB of memory")
    sys.stdout.buffer.write(pickle.dumps(answer))
    sys.stdout.buffer.flush()


if __name__ == "__main__":
    _child()
