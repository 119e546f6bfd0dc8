"""The text a spreadsheet cell shows, from its stored value and its number format.

openpyxl gives the stored value (``2.1``, a ``datetime``) and the format code
(``0.00``, ``dd/mm/yyyy``) but does not render one with the other. A plan's ref ``2.10``
is stored as the number 2.1 formatted ``0.00``, and a due date as a serial number
formatted ``mmm-yy``: the importer needs what the admin sees (``2.10``, ``Mar-18``).
Only the parts of Excel's format language that plans use are rendered: dates and times,
fixed and optional decimals, thousands separators, percentages and literal text.
"""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta
from functools import lru_cache

__all__ = ["displayed"]

_LITERAL = re.compile(r'"([^"]*)"|\\(.)')
_BRACKETS = re.compile(r"\[[^\]]*\]")
_DATE_TOKEN = re.compile(r"yyyy|yy|mmmmm|mmmm|mmm|mm|m|dddd|ddd|dd|d|hh|h|ss|s|am/pm|a/p", re.I)
_NUMBER = re.compile(r"[#0,]*(?:\.([0#]*))?")


def displayed(value: object, number_format: str | None) -> str:
    """The text Excel shows for `value` under `number_format` (General when None)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, datetime | date | time):
        return _date_text(value, number_format or "")
    if isinstance(value, timedelta):
        return str(value)
    if isinstance(value, int | float):
        return _number_text(float(value), number_format or "General")
    return str(value)


def _section(number_format: str, value: float | None = None) -> str:
    sections = number_format.split(";")
    if value is not None and value < 0 and len(sections) > 1:
        return sections[1]
    if value == 0 and len(sections) > 2:
        return sections[2]
    return sections[0]


def _date_text(value: datetime | date | time, number_format: str) -> str:
    literals, tokens = _date_format(number_format)
    if not tokens:
        if isinstance(value, datetime) and value.time() == time(0):
            return value.date().isoformat()
        return value.isoformat()
    pieces = [literals[0]]
    for index, token in enumerate(tokens):
        pieces.append(_date_piece(value, token, tokens, index))
        pieces.append(literals[index + 1])
    return "".join(pieces).strip()


@lru_cache(maxsize=256)
def _date_format(number_format: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(literal text around the tokens, the tokens): a sheet has few formats, many dates."""
    code = _BRACKETS.sub("", _section(number_format))
    if not _DATE_TOKEN.search(code.replace("General", "")):
        return ("",), ()
    literals: list[str] = []
    tokens: list[str] = []
    position = 0
    for match in _DATE_TOKEN.finditer(code):
        literals.append(_literal(code[position : match.start()]))
        tokens.append(match.group())
        position = match.end()
    literals.append(_literal(code[position:]))
    return tuple(literals), tuple(tokens)


def _date_piece(
    value: datetime | date | time, token: str, tokens: tuple[str, ...], index: int
) -> str:
    lower = token.lower()
    moment = value if isinstance(value, datetime | time) else None
    day = value if isinstance(value, date) else None
    if lower.startswith("m") and lower in ("m", "mm") and _is_minutes(tokens, index):
        return f"{moment.minute:02d}" if moment else "00"
    if day is not None:
        if lower == "yyyy":
            return f"{day.year:04d}"
        if lower == "yy":
            return f"{day.year % 100:02d}"
        if lower in ("mmmmm", "mmmm", "mmm", "mm", "m"):
            return {
                "mmmmm": day.strftime("%B")[:1],
                "mmmm": day.strftime("%B"),
                "mmm": day.strftime("%b"),
                "mm": f"{day.month:02d}",
                "m": str(day.month),
            }[lower]
        if lower in ("dddd", "ddd", "dd", "d"):
            return {
                "dddd": day.strftime("%A"),
                "ddd": day.strftime("%a"),
                "dd": f"{day.day:02d}",
                "d": str(day.day),
            }[lower]
    if moment is None:
        return ""
    if lower in ("hh", "h"):
        twelve = any(t.lower() in ("am/pm", "a/p") for t in tokens)
        hour = (moment.hour % 12 or 12) if twelve else moment.hour
        return f"{hour:02d}" if lower == "hh" else str(hour)
    if lower in ("ss", "s"):
        return f"{moment.second:02d}" if lower == "ss" else str(moment.second)
    if lower == "am/pm":
        return "AM" if moment.hour < 12 else "PM"
    if lower == "a/p":
        return "A" if moment.hour < 12 else "P"
    return ""


def _is_minutes(tokens: tuple[str, ...], index: int) -> bool:
    """Excel reads "m" as minutes right after an hour or right before seconds."""
    before = tokens[index - 1].lower() if index else ""
    after = tokens[index + 1].lower() if index + 1 < len(tokens) else ""
    return before in ("h", "hh") or after in ("s", "ss")


def _number_text(value: float, number_format: str) -> str:
    code = _BRACKETS.sub("", _section(number_format, value))
    if code.strip().lower() in ("general", "", "@"):
        return _general(value)
    if value < 0 and len(number_format.split(";")) > 1:
        value = -value  # the negative section writes its own sign or brackets
    if "%" in code:
        value *= 100
    match = next((m for m in _NUMBER.finditer(code) if m.group().strip(",")), None)
    if match is None:
        return _general(value)
    decimals = match.group(1) or ""
    required, allowed = decimals.count("0"), len(decimals)
    text = f"{value:,.{allowed}f}" if "," in match.group() else f"{value:.{allowed}f}"
    if allowed > required:
        whole, _, fraction = text.partition(".")
        fraction = fraction[:required] + fraction[required:].rstrip("0")
        text = f"{whole}.{fraction}" if fraction else whole
    return _literal(code[: match.start()]) + text + _literal(code[match.end() :])


def _general(value: float) -> str:
    if value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    return f"{value:.15g}"


def _literal(text: str) -> str:
    text = _LITERAL.sub(lambda m: m.group(1) if m.group(1) is not None else m.group(2), text)
    # "_)" pads with the width of ")" and "*x" repeats x to fill the cell: no text.
    return re.sub(r"_.|\*.", "", text)
