"""Line-break opportunities around curly quotes, as clreq allows them.

Pango follows UAX #14, where “ ” ‘ ’ are class QU: no break on either side.
In Chinese that glues a quote to its neighbours (``道——“也``, ``。”随``) into
chunks that cannot be split, and lines before them come out loose. clreq
allows a break before an opening quote and after a closing one (kinsoku
aside), so this pre-pass marks those places with U+200B ZERO WIDTH SPACE in
the print HTML's paragraphs.

U+200B is a break hint, not text: Pango shapes it as an empty glyph, which
WeasyPrint does not write to the PDF, so the text layer is unchanged (the
tests check it); the typesetting engine skips it when it plans a line.
"""
from __future__ import annotations

import re

from book.typeset.chars import NO_LINE_END, NO_LINE_START

ZWSP = "\u200b"
OPEN_QUOTES = "“‘"
CLOSE_QUOTES = "”’"
# Inside these elements text is set as is (code) or is not prose.
_SKIP = {"pre", "code", "kbd", "samp", "script", "style", "title", "head"}
_TAG = re.compile(r"(<[^>]*>)")
_NAME = re.compile(r"</?\s*([a-zA-Z0-9]+)")


_NOT_BEFORE = re.escape("".join(sorted(NO_LINE_END)) + ZWSP)
_NOT_AFTER = re.escape("".join(sorted(NO_LINE_START | set(CLOSE_QUOTES))) + ZWSP)
_HINT = re.compile(f"(?<=[^\\s{_NOT_BEFORE}])(?=[{OPEN_QUOTES}])"
                   f"|(?<=[{CLOSE_QUOTES}])(?=[^\\s{_NOT_AFTER}])")


def hint_text(text: str) -> str:
    """``text`` with a ZWSP before each opening quote and after each closing
    one, where a line may break there (not at a kinsoku position, not next
    to a space, which is a break already)."""
    return _HINT.sub(ZWSP, text)


def add_break_hints(html: str) -> str:
    """Apply ``hint_text`` to the text of ``<p>`` and ``<li>`` elements (not
    headings: their text also feeds bookmarks and running heads)."""
    parts = _TAG.split(html)
    depth, skip = 0, 0
    for n, part in enumerate(parts):
        if n % 2:  # a tag
            match = _NAME.match(part)
            if not match or part.endswith("/>"):
                continue
            name, closing = match.group(1).lower(), part.startswith("</")
            if name in ("p", "li"):
                depth += -1 if closing else 1
            elif name in _SKIP:
                skip += -1 if closing else 1
        elif depth > 0 and skip <= 0 and part and any(q in part for q in "“‘”’"):
            parts[n] = hint_text(part)
    return "".join(parts)
