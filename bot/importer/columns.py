"""Recognising the columns of a plan by the many words councils use for them."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from bot.importer.errors import ImportFileError
from bot.importer.hints import Option

# Field → header spellings (compared after `normalise_header`). Order of fields matters:
# a header is claimed by the first field that lists it.
SYNONYMS: dict[str, tuple[str, ...]] = {
    "ref": (
        "action ref",
        "ref",
        "reference",
        "ref no",
        "no",
        "number",
        "id",
        "minute",
        "action no",
        "action number",
        "action id",
        "rec no",
        "recommendation no",
        "item",
    ),
    "title": (
        "improvement action",
        "actions required",
        "action required",
        "action",
        "target",
        "action agreed",
        "agreed action",
        "recommendation",
        "title",
        "description",
        "management action",
        "action description",
    ),
    "tasks": ("action tasks", "action task", "tasks", "task", "key tasks", "milestones"),
    "owners": (
        "action task owner",
        "lead",
        "owner",
        "owners",
        "responsible officer",
        "lead officer",
        "responsible",
        "action owner",
        "accountable officer",
        "responsibility",
        "lead officers",
    ),
    "revised": (
        "revised target date",
        "revised date",
        "revised due date",
        "new target date",
        "revised target",
        "revised deadline",
        "revised implementation date",
        "revised completion date",
    ),
    "target": (
        "target date",
        "due",
        "due by",
        "due date",
        "deadline",
        "timescale",
        "timescales",
        "completion date",
        "date",
        "target completion date",
        "by when",
        # Audit trackers: the date agreed when the recommendation was made.
        "original date",
        "original target date",
        "original due date",
        "agreed date",
        "implementation date",
        "agreed implementation date",
    ),
    "theme": ("improvement theme", "programme", "workstream", "theme", "work stream"),
    "section": ("section", "area", "chapter"),
    "outcome": ("intended outcome", "outcome", "expected outcome", "outcomes", "success measure"),
    "update": (
        "current position",
        "latest update",
        "progress",
        "update",
        "comments",
        "progress update",
        "position",
        "commentary",
    ),
    "status": ("status", "rag status", "progress status", "rag and status", "status rag"),
    "rag": ("rag", "rag rating", "rating", "red amber green"),
}

FIELDS: tuple[str, ...] = tuple(SYNONYMS)
REQUIRED = ("ref",)


def normalise_header(text: str) -> str:
    text = text.replace("\ufeff", "").replace("&", " and ").lower()
    text = re.sub(r"\(s\)", "s", text)
    return " ".join(re.findall(r"[a-z0-9]+", text))


_LOOKUP: dict[str, str] = {}
for _field, _words in SYNONYMS.items():
    for _word in _words:
        _LOOKUP.setdefault(normalise_header(_word).replace(" ", ""), _field)


def field_for(header: str) -> str | None:
    return _LOOKUP.get(normalise_header(header).replace(" ", ""))


@dataclass
class ColumnMap:
    """Which column index holds which field; every other column is kept as `extra`."""

    headers: list[str]
    fields: dict[str, int] = field(default_factory=dict)
    extra: dict[int, str] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)

    def describe(self) -> list[tuple[str, str]]:
        """(field, header) pairs, then ('kept as extra', header) for unknown columns."""
        pairs = [(name, self.headers[i]) for name, i in self.fields.items()]
        pairs += [("kept as extra", h) for h in self.extra.values()]
        return pairs


def map_columns(headers: Sequence[str], overrides: Mapping[str, str] | None = None) -> ColumnMap:
    """Match headers to fields; `overrides` maps field → header text as written in the file.

    Raises:
        ImportFileError: an override names an unknown field or a header the file lacks,
            or no column holds the action reference.
    """
    cleaned, warnings = _unique([h.replace("\ufeff", "").strip() for h in headers])
    mapping = ColumnMap(headers=cleaned, warnings=warnings)
    claimed: set[int] = set()
    for name, header in (overrides or {}).items():
        check_field(name)
        wanted = normalise_header(header)
        matches = [i for i, h in enumerate(cleaned) if normalise_header(h) == wanted]
        if not matches:
            raise ImportFileError(
                [
                    Option("map", header, field=name),
                    ": no such column; the file has: " + ", ".join(repr(h) for h in cleaned if h),
                ]
            )
        mapping.fields[name] = matches[0]
        claimed.add(matches[0])
    for index, header in enumerate(cleaned):
        if index in claimed:
            continue
        found = field_for(header)
        if found is not None and found not in mapping.fields:
            mapping.fields[found] = index
        elif header:
            mapping.extra[index] = header
    if "ref" not in mapping.fields:
        raise ImportFileError(
            [
                "no reference column found (looked for headers such as 'Action Ref.', 'Ref', "
                "'No.', 'ID', 'Minute'); name it with ",
                Option("map", "<header>", field="ref", advice=True),
                ". Headers seen: " + ", ".join(repr(h) for h in cleaned if h),
            ],
            row=1,
        )
    return mapping


def check_field(name: str) -> None:
    """Refuse a mapping to a field actionbot does not have.

    Raises:
        ImportFileError: `name` is not one of `FIELDS`.
    """
    if name not in SYNONYMS:
        raise ImportFileError(
            [Option("map"), f" names an unknown field {name!r}; fields are: {', '.join(FIELDS)}"]
        )


def _unique(headers: list[str]) -> tuple[list[str], list[str]]:
    """Headers made unique: a second "Notes" becomes "Notes (2)", so neither column's
    values overwrite the other's in `extra`."""
    first: dict[str, int] = {}
    taken = set(headers)
    unique: list[str] = []
    warnings: list[str] = []
    for index, header in enumerate(headers):
        if not header or header not in first:
            first.setdefault(header, index)
            unique.append(header)
            continue
        number = 2
        while f"{header} ({number})" in taken:
            number += 1
        renamed = f"{header} ({number})"
        taken.add(renamed)
        unique.append(renamed)
        warnings.append(
            f"{header!r} heads columns {first[header] + 1} and {index + 1}: "
            f"the second is kept as {renamed!r}"
        )
    return unique, warnings


def has_plan_header(
    rows: Sequence[Sequence[str]],
    overrides: Mapping[str, str] | None = None,
    *,
    ref_optional: bool = False,
) -> bool:
    """True when a row near the top names a reference column and at least one other field
    (a header given with --map counts as its field). With `ref_optional`, an action
    column beside an owner or date column is enough: reports set out their next steps
    as 'Action | Lead | Target date', and their refs are made from the words."""
    if not rows:
        return False
    mapped = {normalise_header(h): name for name, h in (overrides or {}).items()}

    def named(cell: str) -> str | None:
        return mapped.get(normalise_header(cell)) or field_for(cell)

    for row in rows[:20]:
        names = {named(cell) for cell in row if cell.strip()} - {None}
        if "ref" in names and len(names) >= 2:
            return True
        if ref_optional and "title" in names and names & {"owners", "target", "revised"}:
            return True
    return False


def find_header_row(rows: Sequence[Sequence[str]], *, scan: int = 20) -> int:
    """Index of the header row: plans often start with a title line or two.

    The header is the first row, within `scan`, that names a reference column; failing
    that the row naming most known fields.
    """
    best_index, best_score = 0, -1
    for index, row in enumerate(rows[:scan]):
        names = [field_for(cell) for cell in row if cell.strip()]
        score = len({n for n in names if n})
        if "ref" in names and score >= 2:
            return index
        if score > best_score:
            best_index, best_score = index, score
    return best_index
