"""Character classes of Chinese typesetting (clreq, GB/T 15834), shared by the
engine (which decides what to compress, space and stretch) and the preflight
(which checks the PDF against the same classes).

Everything here is a pure function of text: no WeasyPrint, no PDF.
"""
from __future__ import annotations

import unicodedata

# Marks whose glyph sits at the start of the em box, blank half after it.
CLOSING = set("，。、；：？！）］】》」』〉”’〕〗｝")
# Marks whose glyph sits at the end of the em box, blank half before it.
OPENING = set("（［【《「『〈“‘〔〖｛")
# Marks kept full in the 开明 style (sentence ends).
STOPS = set("。！？")
# clreq basic kinsoku: never at a line start / never at a line end.
NO_LINE_START = set("，。、；：？！）］】》」』〉”’·〕〗｝")
NO_LINE_END = set("（［【《「『〈“‘〔〖｛")
# Marks made of two glyphs that must never be split over two lines.
INSEPARABLE = set("—…")

PUNCTUATION_STYLES = ("quanjiao", "kaiming", "banjiao", "taiwan")


def is_han(char: str) -> bool:
    """A CJK ideograph (the 'Han' of clreq), including extension blocks."""
    if len(char) != 1:
        return False
    code = ord(char)
    return (0x4E00 <= code <= 0x9FFF or 0x3400 <= code <= 0x4DBF
            or 0xF900 <= code <= 0xFAFF or 0x20000 <= code <= 0x3134F)


def is_latin(char: str) -> bool:
    """A Latin letter or an ASCII/full-width-free digit (what gets ¼ em from Han)."""
    if len(char) != 1:
        return False
    return char.isascii() and char.isalnum() or (
        char.isalpha() and unicodedata.name(char, "").startswith("LATIN"))


def is_fullwidth_mark(char: str) -> bool:
    return char in CLOSING or char in OPENING


def is_cjk(char: str) -> bool:
    """Han, kana, full-width marks and CJK symbols: chars with an em box."""
    if len(char) != 1:
        return char in ("——", "……")
    code = ord(char)
    return (is_han(char) or is_fullwidth_mark(char) or char in INSEPARABLE
            or 0x3000 <= code <= 0x30FF or 0xFF00 <= code <= 0xFFEF or char == "·")


def halted(text: str, style: str) -> set[int]:
    """Indices of marks in ``text`` to set half width (OpenType ``halt``).

    quanjiao: of two adjacent marks whose blank halves face each other, the
    closing one (or else the opening one) loses its blank: pairs take 1.5 em.
    kaiming: every mark but 。！？ is half width. banjiao: every mark is half.
    taiwan: none (centred marks, no compression). Break hints (U+200B)
    between two marks do not part them.
    """
    if "\u200b" in text:
        where = [i for i, c in enumerate(text) if c != "\u200b"]
        inner = halted("".join(text[i] for i in where), style)
        return {where[i] for i in inner}
    if style == "taiwan":
        return set()
    if style == "banjiao":
        return {i for i, c in enumerate(text) if is_fullwidth_mark(c)}
    if style == "kaiming":
        # Everything but the stops is half already; the stops stay full.
        return {i for i, c in enumerate(text) if is_fullwidth_mark(c) and c not in STOPS}
    out = set()
    for i in range(len(text) - 1):
        a, b = text[i], text[i + 1]
        if a in CLOSING and (b in CLOSING or b in OPENING):
            out.add(i)
        elif b in OPENING and a in OPENING:
            out.add(i + 1)
    return out


def autospaced(text: str) -> list[int]:
    """Indices ``i`` where a Han char and a Latin letter/digit meet between
    ``text[i]`` and ``text[i+1]`` (no space in the source there)."""
    out = []
    for i in range(len(text) - 1):
        a, b = text[i], text[i + 1]
        if (is_han(a) and is_latin(b)) or (is_latin(a) and is_han(b)):
            out.append(i)
    return out


def stretchable(text: str) -> list[int]:
    """Indices ``i`` of the gaps after ``text[i]`` that justification may widen.

    A gap next to a CJK char is one, except inside ——/……, inside a compressed
    pair of marks, at a Han–Latin boundary (it has its fixed ¼ em) and after
    an opening / before a closing mark (the mark must hug its text).
    """
    out = []
    for i in range(len(text) - 1):
        a, b = text[i], text[i + 1]
        if not (is_cjk(a) or is_cjk(b)) or a.isspace() or b.isspace():
            continue
        if a in INSEPARABLE and b == a:
            continue
        if is_fullwidth_mark(a) and is_fullwidth_mark(b):
            continue
        if a in OPENING or b in CLOSING:
            continue
        if (is_han(a) and is_latin(b)) or (is_latin(a) and is_han(b)):
            continue
        out.append(i)
    return out
