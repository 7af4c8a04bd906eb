"""Character classes of Chinese text (clreq, GB/T 15834), defined once for
every stage: the lint and the clean-up (what is Han, what is CJK
punctuation), the typesetting (what to compress, space and stretch, which
marks may not start or end a line) and the preflight (which checks the PDF
against the same classes).

Each class is given once, as a set of characters or code-point ranges, with
the function and the regular-expression class derived from it. Everything
here is a pure function of text: no WeasyPrint, no PDF.
"""
from __future__ import annotations

import functools
import re
import unicodedata

# Han ideographs: the unified ideographs (CJK Unified Ideographs, Extension A
# and the supplementary-plane extensions B–G), which NFKC leaves as they are,
# and the compatibility ideographs, which NFKC maps to unified ones.
UNIFIED_HAN_RANGES = ((0x3400, 0x4DBF), (0x4E00, 0x9FFF), (0x20000, 0x3134F))
HAN_RANGES = UNIFIED_HAN_RANGES + ((0xF900, 0xFAFF),)


def _ranges(ranges: tuple[tuple[int, int], ...]) -> str:
    return "".join(f"{chr(low)}-{chr(high)}" for low, high in ranges)


# The same, for regular-expression classes: f"[{HAN}]".
HAN = _ranges(HAN_RANGES)
UNIFIED_HAN = _ranges(UNIFIED_HAN_RANGES)
HAN_RE = re.compile(f"[{HAN}]")
# Full-width CJK punctuation that sits between Han characters like a Han
# character (a line break between two of these is no word space).
CJK_PUNCTUATION = ("\u3000-\u303f\uff01-\uff0f\uff1a-\uff20\uff3b-\uff40\uff5b-\uff65"
                   "\u2018\u2019\u201c\u201d\u2014\u2026\u00b7")
# Han and that punctuation, for a regular-expression class.
CJK = HAN + CJK_PUNCTUATION
_CJK_PUNCTUATION_RE = re.compile(f"[{CJK_PUNCTUATION}]")

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
# A line-break opportunity that is not text (``book.typeset.breaks`` inserts it).
ZWSP = "\u200b"

# The punctuation styles an edition may choose (``halted`` says what each does).
PUNCTUATION_STYLES = ("quanjiao", "kaiming", "banjiao", "taiwan")


@functools.lru_cache(maxsize=8192)
def is_han(char: str) -> bool:
    """A Han ideograph (``HAN_RANGES``)."""
    if len(char) != 1:
        return False
    code = ord(char)
    return any(low <= code <= high for low, high in HAN_RANGES)


def has_han(text: str) -> bool:
    """True when the text contains at least one Han character."""
    return HAN_RE.search(text) is not None


def is_cjk_punct(char: str) -> bool:
    """True for one full-width CJK punctuation mark (。，“” …)."""
    return bool(char) and _CJK_PUNCTUATION_RE.fullmatch(char) is not None


@functools.lru_cache(maxsize=8192)
def is_latin(char: str) -> bool:
    """An ASCII letter or digit, or a Latin letter beyond ASCII (é): what
    gets the Han–Latin space."""
    if len(char) != 1:
        return False
    return char.isascii() and char.isalnum() or (
        char.isalpha() and unicodedata.name(char, "").startswith("LATIN"))


@functools.lru_cache(maxsize=8192)
def is_fullwidth_mark(char: str) -> bool:
    """One of the full-width marks with a blank half (``CLOSING``, ``OPENING``)."""
    return char in CLOSING or char in OPENING


@functools.lru_cache(maxsize=8192)
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
    if style == "taiwan":
        return set()
    if style == "banjiao":
        return {m.start() for m in _MARK.finditer(text)}
    if style == "kaiming":
        # Everything but the stops is half already; the stops stay full.
        return {m.start() for m in _MARK.finditer(text) if text[m.start()] not in STOPS}
    # Called on every text Pango lays out: regular expressions, not a loop;
    # most texts hold no two marks in a row: one search.
    if _ANY_PAIR.search(text) is None:
        return set()
    out = {m.start() for m in _CLOSING_PAIR.finditer(text)}
    out.update(m.end() - 1 for m in _OPENING_PAIR.finditer(text))
    return out


def marks(text: str) -> list[int]:
    """Indices of the full-width marks in ``text``."""
    return [m.start() for m in _MARK.finditer(text)]


def _class(chars: set[str]) -> str:
    return "[" + re.escape("".join(sorted(chars))) + "]"


_MARK = re.compile(_class(CLOSING | OPENING))
# A closing mark before another mark (a break hint may sit between them).
_CLOSING_PAIR = re.compile(_class(CLOSING) + "(?=" + ZWSP + "?" + _class(CLOSING | OPENING) + ")")
# Two marks in a row: the only place quanjiao halves one.
_ANY_PAIR = re.compile(_class(CLOSING | OPENING) + ZWSP + "?" + _class(CLOSING | OPENING))
# An opening mark after another opening mark.
_OPENING_PAIR = re.compile("(?<=" + _class(OPENING) + ")" + ZWSP + "?" + _class(OPENING))
