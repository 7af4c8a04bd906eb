"""Line-break opportunities around curly quotes, as clreq allows them.

Pango follows UAX #14, where “ ” ‘ ’ are class QU: no break on either side.
In Chinese that glues a quote to its neighbours (``道——“也``, ``。”随``) into
chunks that cannot be split, and lines before them come out loose. clreq
allows a break before an opening quote and after a closing one (kinsoku
aside), so this pre-pass marks those places with U+200B ZERO WIDTH SPACE in
the print HTML's paragraphs.

U+200B is a break hint, not text: Pango shapes it as an empty glyph, which
WeasyPrint does not write to the PDF, so the text layer is unchanged (the
tests check it); ``book.typeset.plan`` skips it when it plans a line.
"""
from __future__ import annotations

import re

from book.text.chars import NO_LINE_END, NO_LINE_START, ZWSP
from book.text.markup import map_text

OPEN_QUOTES = "“‘"
CLOSE_QUOTES = "”’"
# Elements whose text lines break (not headings: their text also feeds
# bookmarks and running heads).
PROSE = ("p", "li")

_NOT_BEFORE = re.escape("".join(sorted(NO_LINE_END)) + ZWSP)
_NOT_AFTER = re.escape("".join(sorted(NO_LINE_START | set(CLOSE_QUOTES))) + ZWSP)
_HINT = re.compile(f"(?<=[^\\s{_NOT_BEFORE}])(?=[{OPEN_QUOTES}])"
                   f"|(?<=[{CLOSE_QUOTES}])(?=[^\\s{_NOT_AFTER}])")


def hint_text(text: str) -> str:
    """``text`` with a ZWSP before each opening quote and after each closing
    one, where a line may break there (not at a kinsoku position, not next
    to a space, which is a break already)."""
    if not any(quote in text for quote in OPEN_QUOTES + CLOSE_QUOTES):
        return text
    return _HINT.sub(ZWSP, text)


def add_break_hints(html: str) -> str:
    """Apply ``hint_text`` to the prose of ``html`` (``PROSE`` elements,
    code left alone)."""
    return str(map_text(html, hint_text, only_inside=PROSE))
