"""Text from plans and people, made safe to write into a document file.

The register keeps what was imported or typed exactly, control characters included (a cell
pasted from another system may hold `\\x01`, `\\x1b`, `\\x08`, `\\x0c`). No document format
can hold them: XML (xlsx, docx) forbids them outright, and a PDF or a web page would hide them.
Each one is shown as U+FFFD, the replacement character "�", so the reader sees that something
was there and the rest of the text is untouched. U+FFFD rather than the control pictures
(U+2400…): every font the pack uses (DejaVu Sans in the PDF, Word's and Excel's own fonts)
draws it, whereas the control pictures are missing from most of them.

Tabs and line breaks are kept (a carriage return is a line break, as old files write it).
"""

from __future__ import annotations

import re

REPLACEMENT = "\ufffd"

# C0 controls except tab and line feed; DEL and the C1 controls; the two non-characters XML
# forbids; lone surrogates (a str can hold them, no file can).
_UNWRITABLE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ufffe\uffff\ud800-\udfff]")


def printable(text: str) -> str:
    """`text` as every format can write it: unwritable characters become "�"."""
    return _UNWRITABLE.sub(REPLACEMENT, text.replace("\r\n", "\n").replace("\r", "\n"))
