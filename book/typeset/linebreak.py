"""Second thoughts on Pango's line breaks, for justified Chinese text.

In: the box's text, its font size (``em``), the line's width, Pango's first
line (``split_first_line``'s result), a function that re-breaks it at
another width, and the Han–Latin space. Out: the result to keep. Two
cases are reconsidered (clreq §3.8, "reduce before you stretch", and the
孤字 rule):

- a line so loose that its gaps would pass ``GAP_CAP`` (extraction would read
  spaces) is re-broken with the next word pulled up, kept when tightening it
  (trim the line-end mark, close each gap by up to ``SHRINK``) costs less;
- a break that leaves one character alone on the paragraph's last line is
  moved one opportunity earlier, when the line stays tight enough.
"""
from __future__ import annotations

from typing import Callable

from book.text.chars import CLOSING, ZWSP, is_han, is_latin
from book.typeset import plan

# Widest justification gap between two characters, in em: poppler reads a gap
# over about 0.1 em as a space. Past it, word spaces take the slack.
GAP_CAP = 0.08
# How far a line may be tightened per gap, in em, to pull the next word up.
SHRINK = 0.04

Split = Callable[[float], tuple]


def reconsider(text: str, em: float, max_width: float, result: tuple, split: Split,
               autospace: float) -> tuple:
    """The break to keep (``result`` is ``(layout, length, resume, width, …)``)."""
    if _lone_last(text, result[2]):
        return _avoid_lone_last(text, em, max_width, result, split)
    slack = max_width - result[3]
    # Most lines end within a character of the edge: no need to count their
    # gaps (this runs for every line laid out, so it must be cheap).
    if slack <= GAP_CAP * em * min(10, result[1] // 4):
        return result
    line = _analyse(text, result[1])
    if slack <= GAP_CAP * em * len(line.stretch):
        return result
    return _pull_up(text, em, max_width, result, split, autospace, line)


def _analyse(text: str, length: int) -> plan.Line:
    """The first ``length`` bytes of ``text``, analysed as a line."""
    return plan.analyse([text.encode()[:length].decode(errors="ignore")])


def _pull_up(text: str, em: float, max_width: float, result: tuple, split: Split,
             autospace: float, line: plan.Line) -> tuple:
    slack = max_width - result[3]
    # What tightening can absorb, less the Han–Latin spaces Pango does not see.
    budget = em * (SHRINK * len(line.stretch) - autospace * len(line.autospace))
    if budget <= 0:
        return result
    retry = split(max_width + budget)
    # The pulled-up line must not be the paragraph's last (last lines are
    # not justified, so not tightened either).
    if retry[2] is None or retry[1] <= result[1]:
        return result
    line = _analyse(text, retry[1])
    over = retry[3] - max_width + autospace * em * len(line.autospace)
    if over <= 0 or over >= slack:
        return result
    last = text.encode()[:retry[1]].decode(errors="ignore").rstrip(" " + ZWSP)
    trim = em / 2 if last and last[-1] in CLOSING else 0.0
    if over > SHRINK * em * len(line.stretch) + trim:
        return result
    return retry


def _lone_last(text: str, resume: int | None) -> bool:
    """Would the text after ``resume`` be one character (and its marks)?"""
    # Four characters at most, of up to 4 bytes each (no decoding of the
    # whole rest of a long paragraph for every line).
    if resume is None or len(text) > resume and len(text.encode()) - resume > 16:
        return False
    rest = text.encode()[resume:].decode(errors="ignore")
    return sum(1 for c in rest if is_han(c) or is_latin(c)) == 1 and len(rest.strip()) <= 4


def _avoid_lone_last(text: str, em: float, max_width: float, result: tuple,
                     split: Split) -> tuple:
    """Break one opportunity earlier, so the last line holds two characters
    or more, unless that leaves this line looser than ``GAP_CAP``."""
    retry = split(result[3] - em / 2)
    if retry[2] is None or retry[1] >= result[1] or _lone_last(text, retry[2]):
        return result
    gaps = len(_analyse(text, retry[1]).stretch)
    if max_width - retry[3] > GAP_CAP * em * gaps:
        return result
    return retry
