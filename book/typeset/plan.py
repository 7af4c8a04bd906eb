"""Plan one laid-out line: where its extra width goes.

Input: the texts of a line's boxes, left to right (``None`` for a box whose
text is not ours: an image, preformatted, raised, letter-spaced or
right-to-left text), the line's slack, the gap caps and the PDF's quantum.
Output: the width to add after some characters, as ``{(box, index): px}``.
Han–Latin boundaries are found here (their width is the caller's); the
justification slack is spread evenly over every stretchable gap, so no gap
between two Han glyphs grows more than it must. Pure arithmetic, no Pango.

This runs for every line of a book, so characters are mapped to one-letter
classes and the gaps are found by regular expressions over the class string.
"""
from __future__ import annotations

import dataclasses
import itertools
import re

from book.text.chars import CLOSING, OPENING, ZWSP, is_cjk, is_han, is_latin

# Classes: H Han, K other CJK (kana, symbols), L Latin letter or digit,
# O opening mark, C closing mark, D dash, E ellipsis, S space, X other,
# B a box that is not ours (no gap across it).
_CJK = "HKOCDE"


def _class_of(char: str) -> str:
    if char in (" ", "\u00a0"):
        return "S"
    if char in OPENING:
        return "O"
    if char in CLOSING:
        return "C"
    if char == "—":
        return "D"
    if char == "…":
        return "E"
    if is_han(char):
        return "H"
    if is_latin(char) or char == "%":
        return "L"  # 100% is spaced from Han like the number it ends
    return "K" if is_cjk(char) else "X"


class _Classes(dict):
    """A ``str.translate`` table that classifies each new character once."""

    def __missing__(self, code: int) -> str:
        self[code] = _class_of(chr(code))
        return self[code]


_TABLE = _Classes()


def _stretchable(a: str, b: str) -> bool:
    """May justification widen the gap between classes ``a`` and ``b``?"""
    if "B" in (a, b):
        return False
    if a == "S":
        return b != "S"
    if b == "S" or not (a in _CJK or b in _CJK):
        return False
    if a == b and a in "DE":
        return False  # —— and …… stay one mark
    if a in "OC" and b in "OC":
        return False  # a compressed pair stays compressed
    if a == "O" or b == "C":
        return False  # a mark hugs the text it belongs to
    return (a, b) not in (("H", "L"), ("L", "H"))  # the autospace is fixed


_LETTERS = "HKLOCDESXB"
_STRETCH = re.compile("(?=" + "|".join(
    a + b for a in _LETTERS for b in _LETTERS if _stretchable(a, b)) + ")")
_AUTOSPACE = re.compile("(?=HL|LH)")


@dataclasses.dataclass
class Line:
    """A line's characters, classified; gaps are named by the position of
    the character they follow."""

    owners: list[tuple[int, int] | None]  # (box, index in its text) per position
    classes: str
    stretch: list[int]  # gaps justification may widen
    autospace: list[int]  # Han–Latin boundaries


def analyse(texts: list[str | None]) -> Line:
    """Classify the line's characters (break hints U+200B are not characters
    of the line) and find its gaps."""
    owners: list[tuple[int, int] | None] = []
    classes = []
    for number, text in enumerate(texts):
        if text is None:
            owners.append(None)
            classes.append("B")
            continue
        if ZWSP in text:
            kept = [i for i, c in enumerate(text) if c != ZWSP]
            owners.extend(zip(itertools.repeat(number), kept))
            text = text.replace(ZWSP, "")
        else:
            owners.extend(zip(itertools.repeat(number), range(len(text))))
        classes.append(text.translate(_TABLE))
    joined = "".join(classes)
    return Line(owners, joined, [m.start() for m in _STRETCH.finditer(joined)],
                [m.start() for m in _AUTOSPACE.finditer(joined)])


def split_slack(line: Line, wide: list[int], amount: float, cap: float,
                wide_cap: float) -> list[tuple[list[int], float]]:
    """Share ``amount`` between the inter-character gaps and the gaps
    extraction already reads as spaces (word spaces, and ``wide``: the
    Han–Latin boundaries). The gaps share it evenly unless that would open a
    gap between characters wider than ``cap`` (extraction would see a space):
    then they get ``cap`` and the spaces take the rest, up to ``wide_cap``
    each (a hole in the line is worse than a space in extracted text); what
    is left after that goes to the gaps again."""
    gaps = line.stretch
    tight = [p for p in gaps if line.classes[p] != "S"]
    if amount <= cap * len(tight) or not tight or not wide and len(tight) == len(gaps):
        # The common case (and any tightening): every gap alike, the Han–Latin
        # spaces keep their ¼ em.
        return [(gaps, amount)] if gaps else [(wide, amount)]
    spaces = [p for p in gaps if line.classes[p] == "S"] + wide
    rest = amount - cap * len(tight)
    if rest <= wide_cap * len(spaces):
        return [(tight, cap * len(tight)), (spaces, rest)]
    rest -= wide_cap * len(spaces)
    return [(tight, cap * len(tight) + rest), (spaces, wide_cap * len(spaces))]


def spread(line: Line, positions: list[int], amount: float,
           quantum: float) -> dict[tuple[int, int], float]:
    """Share ``amount`` over the gaps at ``positions`` in multiples of
    ``quantum`` (what the PDF can position exactly), the rounding remainder
    carried along, so the total is exact to one quantum and no two gaps
    differ by more than one."""
    if not positions:
        return {}
    steps = amount / len(positions) / quantum
    targets = [round(steps * n) for n in range(len(positions) + 1)]
    owners = line.owners
    return {owners[p]: (targets[n + 1] - targets[n]) * quantum
            for n, p in enumerate(positions)}
