"""Plan tables inside a PDF, read into the rows the CSV path reads (as `word` does for .docx).

A table drawn with ruling lines is found from its lines: pdfplumber's table finder
(`merge_edges` … `cells_to_tables`) turns the page's rules into cells. A table without
rules is found from its header row: the row whose words name plan columns ('Action Ref.',
'Action', 'Owner'...), wrapped over up to three lines; its columns start where the
header's words do, and a row starts where the reference column has a reference.

Either way a table is a plan table by its header (`columns.has_plan_header`); a table
without a header right after one with the same columns, and no heading between, is its
continuation on the next page, and a row the page break cut in two is joined again. Each
cell's paragraphs and bullets become the `<p>`/`<li>` the HTML cleaner already reads, so
they turn into tasks and owners exactly as in a CSV exported from the web. The nearest
heading above a table is the section of its rows.
"""

from __future__ import annotations

import html
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from bot.importer.columns import field_for, find_header_row, has_plan_header
from bot.importer.html_text import cell_html
from bot.importer.pdf_lines import Layout, Line, join_runs, layout_of, lines_of, would_fit
from bot.importer.pdf_text import Edge, PdfPage, Run
from bot.importer.prose import label_kind, split_label
from bot.importer.reader import RawTable

__all__ = ["read_pdf_tables"]

WIDE = 3
# Points: how near two rules or a word and a column start must be to count as one.
_SNAP = 3.0
_ALIGN = 4.0
_REFLIKE = re.compile(r"^(?=.*\d)[\w.()/\-]{1,12}$")
# The most letters of a word broken at a cell's edge that are taken to be its end.
_WORD_TAIL = 3


@dataclass
class _Grid:
    """One table on one page: its cells' text by row, and where its columns start."""

    page: int
    top: float
    bottom: float
    starts: list[float]
    rows: list[list[str]]
    wide: set[int] = field(default_factory=set)
    heading: str | None = None
    # Per cell, its first and last line and where its text must end: a row cut by the page
    # break is joined by what the lines show (was the last line above full?).
    ends: dict[tuple[int, int], tuple[Line, Line, float]] = field(default_factory=dict)


def read_pdf_tables(
    pages: Sequence[PdfPage],
    *,
    overrides: Mapping[str, str] | None = None,
    layout: Layout | None = None,
) -> list[RawTable]:
    """Every plan table of the PDF, in order; [] when it has none."""
    layout = layout or layout_of(pages)
    body = layout.body
    heading: str | None = None
    pieces: list[_Grid] = []
    open_unruled: _Grid | None = None
    for page in pages:
        lines = layout.content(page.number)
        grids = _ruled_grids(page, lines)
        covered = [(g.top, g.bottom) for g in grids]
        free = [ln for ln in lines if not any(t - 1 <= ln.middle <= b + 1 for t, b in covered)]
        unruled, open_unruled = _unruled_grids(page, free, overrides, open_unruled)
        events: list[tuple[float, str | _Grid]] = [(g.top, g) for g in [*grids, *unruled]]
        taken = [(g.top, g.bottom) for g in unruled]
        for line in free:
            inside = any(t - 1 <= line.middle <= b + 1 for t, b in taken)
            if not inside and _is_heading(line, body):
                events.append((line.top, line.text))
        for _, event in sorted(events, key=lambda e: e[0]):
            if isinstance(event, str):
                heading = event
                pieces.append(_Grid(page.number, 0, 0, [], [], heading="\0" + event))
            else:
                event.heading = heading
                pieces.append(event)
    return _tables(pieces, overrides)


def _is_heading(line: Line, body: float) -> bool:
    words = len(line.text.split())
    return (
        0 < words <= 20
        and (line.size >= body + 1.5 or line.bold)
        and not line.text.rstrip().endswith((".", ";", ","))
    )


# --- ruled tables ----------------------------------------------------------------------


def _ruled_grids(page: PdfPage, lines: list[Line]) -> list[_Grid]:
    if len(page.edges) < 4:
        return []
    from pdfplumber.table import (
        cells_to_tables,
        edges_to_intersections,
        intersections_to_cells,
        merge_edges,
    )

    edges = merge_edges([_edge_object(e) for e in page.edges], _SNAP, _SNAP, _SNAP, _SNAP)
    cells = intersections_to_cells(edges_to_intersections(edges, 1, 1))
    grids = []
    for table in cells_to_tables(cells):
        grid = _grid_of(page.number, [tuple(map(float, c)) for c in table], lines)
        if grid is not None:
            grids.append(grid)
    return grids


def _edge_object(edge: Edge) -> dict[str, object]:
    return {
        "x0": edge.x0,
        "x1": edge.x1,
        "top": edge.top,
        "bottom": edge.bottom,
        "width": edge.x1 - edge.x0,
        "height": edge.bottom - edge.top,
        "orientation": edge.orientation,
        "object_type": "line",
    }


def _grid_of(page: int, cells: list[tuple[float, ...]], lines: list[Line]) -> _Grid | None:
    starts = _clustered(sorted(c[0] for c in cells))
    tops = _clustered(sorted(c[1] for c in cells))
    if len(starts) < 2 or len(tops) < 2:
        return None
    runs = [run for line in lines for run in line.runs]
    rows: list[list[str]] = [[""] * len(starts) for _ in tops]
    wide: set[int] = set()
    ends: dict[tuple[int, int], tuple[Line, Line, float]] = {}
    for x0, top, x1, bottom in cells:
        row = _index(tops, top)
        column = _index(starts, x0)
        spans = sum(1 for s in starts if x0 - _SNAP <= s < x1 - _SNAP)
        inside = [
            r
            for r in runs
            if x0 - 1 <= (r.x0 + r.x1) / 2 <= x1 + 1 and top - 1 <= r.middle <= bottom + 1
        ]
        # The text keeps as far from the right rule as from the left one.
        padding = min((r.x0 for r in inside), default=x0 + 2.0) - x0
        right = x1 - max(padding, 1.0)
        rows[row][column] = _cell_text(inside, page, right, ruled=True)
        if inside:
            cell_lines = lines_of(inside, page)
            ends[(row, column)] = (cell_lines[0], cell_lines[-1], right)
        if spans >= min(WIDE, len(starts)) and spans > 1:
            wide.add(row)
    top, bottom = min(c[1] for c in cells), max(c[3] for c in cells)
    return _Grid(page, top, bottom, starts, rows, wide, ends=ends)


def _clustered(values: list[float]) -> list[float]:
    found: list[float] = []
    for value in values:
        if not found or value - found[-1] > _SNAP:
            found.append(value)
    return found


def _index(starts: list[float], value: float) -> int:
    return min(range(len(starts)), key=lambda i: abs(starts[i] - value))


# --- tables without rules ------------------------------------------------------------


def _unruled_grids(
    page: PdfPage,
    lines: list[Line],
    overrides: Mapping[str, str] | None,
    carried: _Grid | None,
) -> tuple[list[_Grid], _Grid | None]:
    """Tables found by their header row among `lines`; the last, if it ran to the foot of
    the page, is returned to carry on at the top of the next."""
    grids: list[_Grid] = []
    index = 0
    if (
        carried is not None
        and lines
        and _aligned(lines[0], carried.starts)
        and _header_at(lines, 0, overrides) is None
    ):
        grid = _Grid(page.number, lines[0].top, 0, carried.starts, [])
        index = _fill(grid, lines, 0)
        grids.append(grid)
    while index < len(lines):
        found = _header_at(lines, index, overrides)
        if found is None:
            index += 1
            continue
        header, starts, after = found
        grid = _Grid(page.number, lines[index].top, 0, starts, [header])
        index = _fill(grid, lines, after)
        grids.append(grid)
    last = grids[-1] if grids else None
    running_on = last is not None and index >= len(lines)
    return grids, (last if running_on else None)


def _phrases(line: Line) -> list[list[Run]]:
    """The runs of a line grouped where they sit apart by more than a word space."""
    groups: list[list[Run]] = []
    for run in line.runs:
        if groups and run.x0 - groups[-1][-1].x1 <= 0.6 * run.size:
            groups[-1].append(run)
        else:
            groups.append([run])
    return groups


def _header_at(
    lines: list[Line], index: int, overrides: Mapping[str, str] | None
) -> tuple[list[str], list[float], int] | None:
    """(header cells, column starts, index after the header) when a header starts here.
    A header naming a reference column is looked for first: the first of its lines alone
    ('Action' above 'Ref.') may name an action column and an owner already."""
    if len(_phrases(lines[index])) < 2:
        return None  # a line of prose: a header names its columns apart
    blocks = [_header_cells(lines, index, count) for count in (1, 2, 3)]
    for ref_optional in (False, True):
        for count, texts in enumerate(blocks, start=1):
            if texts is None:
                break
            if len(texts[0]) >= 3 and has_plan_header(
                [texts[0]], overrides, ref_optional=ref_optional
            ):
                names = [field_for(t) for t in texts[0]]
                if sum(1 for n in names if n) >= 2:
                    return texts[0], texts[1], index + count
    return None


def _header_cells(
    lines: list[Line], index: int, count: int
) -> tuple[list[str], list[float]] | None:
    """The cells `count` lines from `index` make as a header wrapped over them (their
    texts and where they start), or None when the lines do not sit together."""
    block = lines[index : index + count]
    if len(block) < count:
        return None
    if count > 1 and block[-1].top - block[-2].bottom > block[-2].size:
        return None
    cells: list[tuple[float, float, list[str]]] = []
    for line in block:
        for phrase in _phrases(line):
            x0, x1, text = phrase[0].x0, phrase[-1].x1, join_runs(phrase)
            for cell in cells:
                if x0 < cell[1] + _ALIGN and x1 > cell[0] - _ALIGN:
                    cell[2].append(text)
                    break
            else:
                cells.append((x0, x1, [text]))
    cells.sort(key=lambda c: c[0])
    return [" ".join(c[2]) for c in cells], [c[0] for c in cells]


def _aligned(line: Line, starts: list[float]) -> bool:
    hits = sum(1 for p in _phrases(line) if any(abs(p[0].x0 - s) <= _ALIGN for s in starts))
    return hits >= 2


def _fill(grid: _Grid, lines: list[Line], index: int) -> int:
    """Body rows of an unruled table from `index` on; the index after its last line."""
    starts = grid.starts
    pitch = 0.0
    rows: list[list[list[Run]]] = []
    previous: Line | None = None
    while index < len(lines):
        line = lines[index]
        if previous is not None:
            gap = line.top - previous.bottom
            pitch = pitch or max(line.bottom - line.top, 1.0)
            if gap > 3 * pitch or line.x0 < starts[0] - 3 * _ALIGN:
                break
        cells: list[list[Run]] = [[] for _ in starts]
        for run in line.runs:
            column = max((i for i, s in enumerate(starts) if s - _ALIGN <= run.x0), default=0)
            cells[column].append(run)
        ref = join_runs(cells[0]).strip()
        lone = sum(1 for c in cells if c) == 1 and cells[0] and line.x1 > starts[1]
        if lone and not _REFLIKE.match(ref):
            grid.wide.add(len(grid.rows) + len(rows))
            rows.append([[r for c in cells for r in c]] + [[] for _ in starts[1:]])
        elif (
            not rows
            or (ref and _REFLIKE.match(ref))
            or (len(grid.wide) and (len(grid.rows) + len(rows) - 1) in grid.wide)
        ):
            rows.append(cells)
        else:
            for column, found in enumerate(cells):
                rows[-1][column].extend(found)
        previous = line
        index += 1
    # Without rules, where a column's text must end is shown by its longest line.
    rights = [
        max((r.x1 for row in rows for r in row[column]), default=0.0) + 1.0
        for column in range(len(starts))
    ]
    for row in rows:
        number = len(grid.rows)
        grid.rows.append([_cell_text(c, grid.page, rights[i]) for i, c in enumerate(row)])
        for column, runs in enumerate(row):
            if runs:
                cell_lines = lines_of(runs, grid.page)
                grid.ends[(number, column)] = (cell_lines[0], cell_lines[-1], rights[column])
    grid.bottom = previous.bottom if previous is not None else grid.top
    return index


# --- cells -----------------------------------------------------------------------------


def _cell_text(runs: list[Run], page: int, right: float, *, ruled: bool = False) -> str:
    """A cell's text: its paragraphs one a line, or `<p>`/`<li>` HTML when it has bullets,
    as `word._cell_text` writes a Word cell. A paragraph starts at a bullet, after more
    space than between lines, or where the line above stopped short of `right` (where the
    cell's text must end) by more than the next word: that line was not wrapped. Where
    rules show the cell's edge (`ruled`), a word broken at it is joined again."""
    if not runs:
        return ""
    lines = lines_of(runs, page)
    paragraphs: list[tuple[str, bool]] = []
    previous: Line | None = None
    hanging: float | None = None  # where the text of the bullet above starts
    for line in lines:
        text = line.text.strip()
        label, body = split_label(text)
        bullet = label is not None and label_kind(label) == "bullet"
        pitch = (line.baseline - previous.baseline) / max(line.size, 1.0) if previous else 0.0
        under_bullet = hanging is not None and abs(line.x0 - hanging) <= 2.0
        if (
            bullet
            or previous is None
            or pitch > 1.4
            or (not under_bullet and would_fit(line, previous, right))
        ):
            paragraphs.append((body if bullet else text, bullet))
            hanging = (line.runs[1].x0 if len(line.runs) > 1 else None) if bullet else None
        else:
            joined, listed = paragraphs[-1]
            glue = "" if joined.endswith(("-", "/")) and not joined.endswith((" -", " /")) else " "
            if ruled and _broken_word(previous, line, lines[0].x0, right):
                glue = ""
            paragraphs[-1] = (joined + glue + text, listed)
        previous = line
    return cell_html(paragraphs)


def _broken_word(above: Line, line: Line, left: float, right: float) -> bool:
    """Whether `line` is the end of a word too long for its column, broken where the
    column ended ("Priorit" above "y", "Mediu" above "m" in a narrow Priority column):
    a single word from the cell's left edge so near its right one that not even the
    next letter would have fitted, then a few letters alone. Only so sure a case is
    joined: "Original" above "date" is two words, and a wrong join mangles the text."""
    text, tail = above.text.strip(), line.text.strip()
    if " " in text or not text[-1:].isalpha() or abs(above.x0 - left) > _ALIGN:
        return False
    if not (tail.isalpha() and tail.islower() and len(tail) <= _WORD_TAIL):
        return False
    letter = (line.x1 - line.x0) / len(tail)
    return above.x1 + letter >= right - 0.15 * above.size


_TAGGED = re.compile(r"<(li|p)>(.*?)</\1>", re.DOTALL)


def _paragraphs_of(text: str) -> list[tuple[str, bool]]:
    """`_render`'s output read back: (text, is a bullet) per paragraph."""
    if not text.startswith("<"):
        return [(part, False) for part in text.split("\n") if part]
    return [(html.unescape(m.group(2)), m.group(1) == "li") for m in _TAGGED.finditer(text)]


# --- pieces into tables --------------------------------------------------------------


def _tables(pieces: list[_Grid], overrides: Mapping[str, str] | None) -> list[RawTable]:
    """The pieces of plan tables, page by page, as tables the plan reader reads as one
    plan: a piece with a header row starts a table (rows above a header repeated part
    way down a page carry on the table above); a piece without one carries on the table
    above if nothing but a page break lies between. The section of each table is the
    heading above it or, within a table, its last full-width section row."""
    tables: list[RawTable] = []
    header: list[str] | None = None
    section: str | None = None
    heading_changed = False
    last: tuple[_Grid, int] | None = None  # the piece and row the last table ends with
    for piece in pieces:
        if piece.heading is not None and piece.heading.startswith("\0"):
            heading_changed = True
            continue
        if heading_changed or section is None:
            section = piece.heading
        place = f"page {piece.page} "
        rows = piece.rows
        plan = has_plan_header(rows, overrides, ref_optional=True)
        at = find_header_row(rows) if plan else None
        count = len(rows) if at is None else at
        carries_on = header is not None and not heading_changed and len(rows[0]) == len(header)
        if count and carries_on and header is not None:
            first = 0
            if last is not None and tables and not rows[0][0].strip():
                # The page break cut the last row of the table above in two.
                _join_row(tables[-1].rows[-1], last, piece)
                first = 1
            if first < count:
                wide = {w - first + 1 for w in piece.wide if first <= w < count}
                tables.append(_raw([header, *rows[first:count]], wide, place, section, first=0))
                section = _last_section(rows, piece.wide, first, count, section)
                last = (piece, count - 1)
        if at is not None:
            body = at + 1
            cut = body < len(rows) and not rows[body][0].strip() and body not in piece.wide
            if at == 0 and carries_on and cut and last is not None and tables:
                # The header repeated above the rest of a row the page break cut.
                _join_row(tables[-1].rows[-1], last, piece, body)
                rows = [rows[0], *rows[body + 1 :]]
                shifted = {w - 1 for w in piece.wide if w > body}
            else:
                shifted = set(piece.wide)
            header = rows[at]
            wide = {w - at for w in shifted if w > at}
            tables.append(_raw(rows[at:], wide, place, section, first=at + 1))
            section = _last_section(rows, shifted, at + 1, len(rows), section)
            last = (piece, len(piece.rows) - 1)
        heading_changed = False
        # Other tables (figures, budgets) are not the plan's.
    return tables


def _last_section(
    rows: list[list[str]], wide: set[int], start: int, end: int, section: str | None
) -> str | None:
    """The section the rows after rows[start:end] are in: the last full-width row's text."""
    for index in sorted(wide, reverse=True):
        if start <= index < end and rows[index][0].strip():
            return rows[index][0].strip()
    return section


def _join_row(row: list[str], above: tuple[_Grid, int], below: _Grid, at: int = 0) -> None:
    """Join the part of a row carried over the page (row `at` of `below`) to the part
    above (row `above[1]` of `above[0]`). A cell's first paragraph below carries on the
    last one above when that was cut: the last line above was full (the next word did
    not fit) and did not end a sentence; otherwise it starts a paragraph of its own."""
    grid, index = above
    for column, text in enumerate(below.rows[at]):
        if not text.strip():
            continue
        cells, more = _paragraphs_of(row[column]), _paragraphs_of(text)
        tail = grid.ends.get((index, column))
        head = below.ends.get((at, column))
        if cells and more and not more[0][1] and tail is not None and head is not None:
            _, last_line, right = tail
            first_line = head[0]
            cut = not would_fit(first_line, last_line, right) and not re.search(
                r"[.;:!?]$", last_line.text.rstrip()
            )
            if cut:
                joined, listed = cells[-1]
                cells[-1] = (f"{joined} {more[0][0]}", listed)
                more = more[1:]
        row[column] = cell_html(cells + more)


def _raw(
    rows: list[list[str]], wide: set[int], place: str, heading: str | None, first: int
) -> RawTable:
    return RawTable(
        rows=rows,
        encoding="pdf",
        delimiter="",
        place=place,
        first_row_number=first,
        section=heading,
        wide_rows=frozenset(wide),
        read_as="a PDF",
        skip_rows_without_action=True,
    )
