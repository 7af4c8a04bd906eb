"""Plan one laid-out line: where its extra width goes.

Input: the text boxes of a line (their texts, left to right) and the line's
slack; output: for each box, the width to add after some of its characters
(``{char index: px}``). Han–Latin boundaries get the fixed autospace, and the
justification slack is spread evenly over every stretchable gap, so no gap
between two Han glyphs grows more than it must. Pure arithmetic: no Pango.
"""
from __future__ import annotations

import functools
from typing import NamedTuple

from book.typeset.chars import (CLOSING, INSEPARABLE, OPENING, is_cjk, is_fullwidth_mark,
                                is_han, is_latin)

SPACES = (" ", "\u00a0")
ZWSP = "\u200b"


class Slot(NamedTuple):
    """One character of the line, addressed as (box number, index in box)."""

    box: int
    index: int
    char: str


def flatten(texts: list[str | None]) -> list[list[Slot]]:
    """The line's characters as runs; ``None`` (an image, an inline block,
    a footnote mark) breaks a run, since no gap across it is ours to adjust."""
    runs: list[list[Slot]] = [[]]
    for number, text in enumerate(texts):
        if text is None:
            runs.append([])
            continue
        # Break hints (U+200B) are not characters of the line.
        runs[-1].extend(Slot(number, i, c) for i, c in enumerate(text) if c != ZWSP)
    return [run for run in runs if run]


@functools.lru_cache(maxsize=65536)
def is_autospace(a: str, b: str) -> bool:
    return (is_han(a) and is_latin(b)) or (is_latin(a) and is_han(b))


@functools.lru_cache(maxsize=65536)
def is_stretchable(a: str, b: str) -> bool:
    """May justification widen the gap between ``a`` and ``b``?"""
    if a in SPACES:
        return b not in SPACES
    if b in SPACES or not (is_cjk(a) or is_cjk(b)):
        return False
    if a in INSEPARABLE and b == a:
        return False  # —— and …… stay one mark
    if is_fullwidth_mark(a) and is_fullwidth_mark(b):
        return False  # a compressed pair stays compressed
    if a in OPENING or b in CLOSING:
        return False  # a mark hugs the text it belongs to
    return not is_autospace(a, b)


def autospace_gaps(runs: list[list[Slot]]) -> list[Slot]:
    """The slots after which a Han–Latin space goes."""
    return [a for run in runs for a, b in zip(run, run[1:]) if is_autospace(a.char, b.char)]


def stretch_gaps(runs: list[list[Slot]]) -> list[Slot]:
    """The slots after which justification may add width (never the last)."""
    out = []
    for run in runs:
        # Trailing spaces were collapsed: a gap before them is not in the line.
        end = len(run)
        while end and run[end - 1].char in SPACES:
            end -= 1
        out.extend(a for a, b in zip(run[:end], run[1:end]) if is_stretchable(a.char, b.char))
    return out


def split_slack(slots: list[Slot], wide: list[Slot], amount: float,
                cap: float) -> list[tuple[list[Slot], float]]:
    """Share ``amount`` between the inter-character gaps ``slots`` and the
    gaps extraction already reads as spaces (``wide``: word spaces, Han–Latin
    boundaries). The gaps share it evenly unless that would open a gap
    between characters wider than ``cap`` (extraction would see a space):
    then they get ``cap`` and the spaces take the rest. A line with no gaps
    at all gives its slack to the spaces it has."""
    tight = [slot for slot in slots if slot.char not in SPACES]
    if amount <= cap * len(tight) or not tight or not wide and len(tight) == len(slots):
        # The common case (and any tightening): every gap alike, the Han–Latin
        # spaces keep their ¼ em.
        return [(slots, amount)] if slots else [(wide, amount)]
    spaces = [slot for slot in slots if slot.char in SPACES]
    return [(tight, cap * len(tight)), (spaces + wide, amount - cap * len(tight))]


def spread(slots: list[Slot], amount: float, quantum: float) -> dict[tuple[int, int], float]:
    """Share ``amount`` over ``slots`` in multiples of ``quantum`` (what the PDF
    can position exactly), the rounding remainder carried along, so the total
    is exact to one quantum and no two gaps differ by more than one."""
    if not slots:
        return {}
    share = amount / len(slots)
    out: dict[tuple[int, int], float] = {}
    done = 0.0
    for n, slot in enumerate(slots, 1):
        target = round(share * n / quantum) * quantum
        out[(slot.box, slot.index)] = target - done
        done = target
    return out
