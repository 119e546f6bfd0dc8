"""Turn the HTML fragments that plan exports leave in CSV cells into plain text.

Word and Excel action plans exported to CSV often carry cells such as
``<p>Finance &amp; Comms</p> <p>Finance</p>`` or ``<ul><li>...</li></ul>``.
These helpers give back readable text, the cell's separate block parts, or its
list items. They never raise on any ``str`` input.

Only markup that looks like a real HTML element (a known tag name such as ``p``,
``li``, ``b`` or ``span``) is treated as a tag, so prose such as
``spend < £5k`` or ``if x<y and y>z`` keeps all its text. The standard
``html.parser`` was not used because it reads ``<y and y>`` as a tag and drops it.
"""

from __future__ import annotations

import html
import re
from functools import lru_cache

__all__ = ["cell_html", "clean_html", "html_parts", "list_items", "looks_like_html"]

_TAG_NAMES = (
    "a|abbr|address|article|aside|b|big|blockquote|body|br|caption|center|cite|code|col|"
    "colgroup|dd|del|div|dl|dt|em|font|footer|h[1-6]|head|header|hr|html|i|img|ins|"
    "kbd|label|li|main|mark|o:p|ol|p|pre|q|s|section|small|span|strike|strong|sub|sup|"
    "table|tbody|td|tfoot|th|thead|tr|tt|u|ul|var"
)
# Only a known element name straight after "<" makes a tag, so a "<" followed by a space
# or another word ("spend < £5k", "x<y and y>z", "a < b > c") stays as text.
_TAG = re.compile(
    rf"<(?P<close>/?)(?P<name>{_TAG_NAMES})(?![\w:-])(?:\s[^<>]*)?/?>|<!--.*?-->",
    re.IGNORECASE | re.DOTALL,
)
_ENTITY = re.compile(r"&(?:[A-Za-z][A-Za-z0-9]{1,31}|#[0-9]{1,7}|#[xX][0-9A-Fa-f]{1,6});")
_BLOCK_TAGS = frozenset(
    {
        "address", "article", "aside", "blockquote", "body", "br", "caption", "dd", "div",
        "dl", "dt", "footer", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hr", "li",
        "main", "ol", "p", "pre", "section", "table", "tbody", "td", "tfoot", "th", "thead",
        "tr", "ul",
    }
)  # fmt: skip
_LIST_TAGS = frozenset({"ul", "ol"})
_INLINE_SPACE = re.compile(r"[^\S\n]+")
_LINE_BREAKS = re.compile(r"\r\n?|[\v\f\x1c-\x1e\x85\u2028\u2029]")
# Word pastes a bullet glyph into each list item; a hyphen or asterisk only counts as a
# bullet when a space follows, so "-5k" or "*note" survive.
_BULLET = re.compile(
    r"^(?:[\u2022\u00b7\u25aa\u25e6\u2023\u25cf\u25cb\u25a0\u25a1\u27a2\u25ba]\s*|[-\u2013*]\s+)"
)


# Words separated by single spaces, with no "<", "&" or other whitespace: text that
# clean_html would hand back unchanged (most cells of a plan), answered without the tidying.
_PLAIN = re.compile(r"(?:[^<&\s]+(?: [^<&\s]+)*)?")


def looks_like_html(text: str) -> bool:
    """Return True when ``text`` holds a recognisable HTML tag, comment or entity."""
    return _TAG.search(text) is not None or _ENTITY.search(text) is not None


# Plans repeat cells (owners, statuses, outcomes) on row after row; cleaning is pure.
@lru_cache(maxsize=8192)
def clean_html(text: str) -> str:
    """Return ``text`` as tidy plain text.

    Tags are removed and entities unescaped (``&amp;`` becomes ``&``). Block tags
    (``<p>``, ``<br>``, ``<li>``, ``<div>``, list and table tags) and newlines become
    line breaks; inline tags (``<b>``, ``<sup>``, ``<span>`` ...) vanish without adding
    a space, so ``1<sup>st</sup>`` reads ``1st``. Runs of spaces collapse to one, every
    line is stripped and blank lines are dropped; lines are joined with ``"\\n"``.

    Text that does not look like HTML is only tidied this way: its characters,
    including any ``&`` or ``<``, are left as they are.
    """
    if _PLAIN.fullmatch(text):
        return text
    return _clean_html(text)


def _clean_html(text: str) -> str:
    if not looks_like_html(text):
        return _tidy(text)
    # split() gives [text, close, name, text, close, name, ..., text]: the text between tags
    # and each tag's name (None for a comment), without a Python call per match.
    parts = _TAG.split(text)
    pieces = [html.unescape(parts[0])]
    for name, between in zip(parts[2::3], parts[3::3], strict=True):
        if name is not None and name.lower() in _BLOCK_TAGS:
            pieces.append("\n")
        pieces.append(html.unescape(between) if "&" in between else between)
    return _tidy("".join(pieces))


def html_parts(text: str) -> list[str]:
    """Return the cell's block parts in order, each cleaned as by :func:`clean_html`.

    A part is whatever sits between block boundaries (``<p>``, ``<li>``, ``<br>``,
    ``<div>`` and the like, or a newline). A leading bullet glyph (``•``, or ``-``/``*``
    followed by a space) is removed from each part. Empty parts are dropped.
    """
    parts: list[str] = []
    for line in clean_html(text).split("\n"):
        part = _strip_bullet(line)
        if part:
            parts.append(part)
    return parts


def list_items(text: str) -> list[str]:
    """Return the text of each ``<li>`` element, cleaned; ``[]`` when there is none.

    Items are cleaned as by :func:`clean_html` (an item holding ``<br>`` keeps a
    ``"\\n"``) and lose a leading bullet glyph. Text outside ``<li>`` elements is
    ignored. For nested lists each inner item is returned separately, after the text
    of its parent item that precedes it. Empty items are dropped.
    """
    items: list[str] = []
    current: list[str] | None = None
    position = 0
    for match in _TAG.finditer(text):
        if current is not None:
            current.append(html.unescape(text[position : match.start()]))
        position = match.end()
        name = (match.group("name") or "").lower()
        if name == "li" or name in _LIST_TAGS:
            _flush_item(current, items)
            # A closing tag or a nested list ends the item; only an opening <li> starts one.
            current = [] if name == "li" and not match.group("close") else None
        elif current is not None and name in _BLOCK_TAGS:
            current.append("\n")
    if current is not None:
        current.append(html.unescape(text[position:]))
        _flush_item(current, items)
    return items


def _flush_item(buffer: list[str] | None, items: list[str]) -> None:
    if buffer is None:
        return
    lines = [_strip_bullet(line) for line in _tidy("".join(buffer)).split("\n")]
    item = "\n".join(line for line in lines if line)
    if item:
        items.append(item)


def _strip_bullet(line: str) -> str:
    return _BULLET.sub("", line, count=1).strip()


def _tidy(text: str) -> str:
    # _INLINE_SPACE never matches a newline, so one pass over the text tidies every line.
    text = _INLINE_SPACE.sub(" ", _LINE_BREAKS.sub("\n", text))
    lines = (line.strip() for line in text.split("\n"))
    return "\n".join(line for line in lines if line)


def cell_html(paragraphs: list[tuple[str, bool]]) -> str:
    """A table cell's paragraphs, (text, is a bullet) each, as the text `html_parts` and
    `list_items` read back: one paragraph a line, or, when some are bullets (structure
    plain text cannot hold), `<p>` and `<ul><li>` HTML, as a CSV exported from the web has."""
    if not any(listed for _, listed in paragraphs):
        return "\n".join(text for text, _ in paragraphs)
    parts: list[str] = []
    in_list = False
    for text, listed in paragraphs:
        if listed and not in_list:
            parts.append("<ul>")
        elif not listed and in_list:
            parts.append("</ul>")
        in_list = listed
        tag = "li" if listed else "p"
        parts.append(f"<{tag}>{html.escape(text, quote=False)}</{tag}>")
    if in_list:
        parts.append("</ul>")
    return "".join(parts)
