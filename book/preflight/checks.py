"""The checks of the preflight: reconstructed lines (``lines``) → a
``Report`` of diagnostics with page numbers — ragged justified lines (P301),
kinsoku breaches (P302), lines past the type area (P303), headings stranded
at a page foot (P304), one-character last lines (P305) — and the measured
figures: widths of adjacent full-width mark pairs, Han–Latin gaps and the
gaps between Han glyphs. Character classes are ``book.text.chars``'.
"""
from __future__ import annotations

import collections
import dataclasses
import statistics

from book.errors import Diagnostic, Location
from book.preflight.lines import Line, commonest
from book.preflight.pdfglyphs import Glyph
from book.text.chars import (CLOSING, INSEPARABLE, NO_LINE_END, NO_LINE_START,
                             is_fullwidth_mark, is_han, is_latin)

FLUSH_TOLERANCE = 0.5  # pt: a justified line ends within this of the edge


@dataclasses.dataclass
class Report:
    """What the preflight found and measured."""

    diagnostics: list[Diagnostic]
    lines: list[Line]
    justified: int = 0
    ragged: int = 0
    pair_widths: list[float] = dataclasses.field(default_factory=list)
    hanlatin_gaps: list[float] = dataclasses.field(default_factory=list)
    han_gaps: list[float] = dataclasses.field(default_factory=list)

    def summary(self) -> str:
        """The figures in one line (as ``book check --pdf`` and ``-v`` builds print)."""
        pct = 100 * self.ragged / self.justified if self.justified else 0.0
        kinsoku = sum(1 for d in self.diagnostics if d.code == "P302")
        text = (f"{self.justified} justified line(s), {self.ragged} ragged ({pct:.1f}%), "
                f"{kinsoku} kinsoku breach(es)")
        if self.pair_widths:
            text += (f"; mark pairs: {len(self.pair_widths)}, mean "
                     f"{statistics.mean(self.pair_widths):.2f} em, max "
                     f"{max(self.pair_widths):.2f} em")
        if self.hanlatin_gaps:
            text += (f"; Han–Latin gaps: {len(self.hanlatin_gaps)}, mean "
                     f"{statistics.mean(self.hanlatin_gaps):.3f} em, range "
                     f"{min(self.hanlatin_gaps):.3f}–{max(self.hanlatin_gaps):.3f} em")
        if self.han_gaps:
            text += f"; widest gap between Han glyphs {max(self.han_gaps):.3f} em"
        return text


def _is_flush(line: Line) -> bool:
    last = line.chars[-1]
    if abs(line.x1 - line.right) <= FLUSH_TOLERANCE:
        return True
    # A closing mark trimmed to half width at the line end: its box is 1 em
    # wide but its advance (and the ink) ends ½ em earlier.
    return (last.text in CLOSING
            and abs(line.x1 - last.size / 2 - line.right) <= FLUSH_TOLERANCE)


def _overflows(line: Line) -> bool:
    last = line.chars[-1]
    end = line.x1 - (last.size / 2 if last.text in CLOSING else 0)
    return line.right > 0 and end > line.right + FLUSH_TOLERANCE


def check_lines(lines: list[Line], name: str) -> Report:
    """Measure and diagnose reconstructed lines (see the module docstring)."""
    report = Report([], lines)
    where = lambda line: Location(f"{name}:{line.page}")  # noqa: E731
    diags = report.diagnostics
    for line, nxt in zip(lines, lines[1:] + [None]):
        text = line.text
        if line.body:
            if not line.last:
                report.justified += 1
                if not _is_flush(line):
                    report.ragged += 1
                    diags.append(Diagnostic(
                        "P301", f"ragged justified line ends {line.x1 - line.right:+.1f} pt "
                        f"from the edge: '{text[-12:]}'", where(line),
                        hint="is the paragraph text-align: justify?"))
            if _overflows(line):
                diags.append(Diagnostic("P303", f"line overflows the type area by "
                                        f"{line.x1 - line.right:.1f} pt: '{text[-12:]}'",
                                        where(line), hint="a word or code span wider "
                                        "than the line? allow it to break"))
            if line.last and sum(1 for c in text if is_han(c) or is_latin(c)) == 1:
                diags.append(Diagnostic("P305", f"one-character last line '{text}'",
                                        where(line), hint="tighten the paragraph"))
            pairs, hanlatin, han = measure(line)
            report.pair_widths += pairs
            report.hanlatin_gaps += hanlatin
            report.han_gaps += han
        if line.body or (nxt is not None and nxt.body):
            _kinsoku(line, nxt, diags, where)
    _stranded_headings(lines, diags, where)
    return report


def _kinsoku(line: Line, nxt: Line | None, diags: list, where) -> None:
    text = line.text
    if line.body and text[0] in NO_LINE_START:
        diags.append(Diagnostic("P302", f"line starts with '{text[0]}': '{text[:12]}'",
                                where(line), hint="clreq: this mark never starts a line"))
    if line.body and text[-1] in NO_LINE_END and not line.last:
        diags.append(Diagnostic("P302", f"line ends with '{text[-1]}': '{text[-12:]}'",
                                where(line), hint="clreq: this mark never ends a line"))
    if (nxt is not None and line.body and nxt.body and text[-1] in INSEPARABLE
            and nxt.text[0] == text[-1]):
        diags.append(Diagnostic("P302", f"'{text[-1] * 2}' split over two lines",
                                where(line)))


def measure(line: Line) -> tuple[list[float], list[float], list[float]]:
    """Pair widths, Han–Latin gaps and gaps between Han (in em), on the
    line's own baseline (a footnote mark's gap to its word is not a
    Han–Latin space)."""
    pairs: list[float] = []
    hanlatin: list[float] = []
    han: list[float] = []
    heights = {c.y for c in line.chars}
    if len(heights) == 1:  # the usual line: one baseline, every glyph on it
        chars = line.chars
    else:
        level = commonest((c.y for c in line.chars), round)
        chars = [c for c in line.chars if abs(c.y - level) < 1.5]
    kinds = [_kind(c.text) for c in chars]
    for n, pair in enumerate(zip(kinds, kinds[1:])):
        if pair == ("M", "M"):
            pairs.append(pair_width(chars, n))
        elif pair in (("H", "L"), ("L", "H")):
            a, b = chars[n], chars[n + 1]
            hanlatin.append((b.x0 - a.x1) / a.size)
        elif pair == ("H", "H"):
            a, b = chars[n], chars[n + 1]
            han.append((b.x0 - a.x1) / a.size)
    return pairs, hanlatin, han


def _kind(text: str) -> str:
    """M a full-width mark, H Han, L Latin, "" other (the pairs ``measure``
    looks at), cached: looked up for every glyph of the book."""
    kind = _KINDS.get(text)
    if kind is None:
        kind = _KINDS[text] = ("M" if is_fullwidth_mark(text) else "H" if is_han(text)
                               else "L" if is_latin(text) else "")
    return kind


_KINDS: dict[str, str] = {}


def pair_width(chars: list[Glyph], n: int) -> float:
    """Width in em of the marks ``chars[n]``, ``chars[n+1]``: from the first
    box's start to the end of the second's advance. A half-width closing
    mark's box is still 1 em (the font's width), so when the next glyph starts
    within ¾ em of it, its advance was ½ em."""
    a, b = chars[n], chars[n + 1]
    em = a.size
    end = b.x1
    if n + 2 < len(chars) and chars[n + 2].x0 - b.x0 < 0.75 * em:
        end = b.x0 + 0.5 * em
    return (end - a.x0) / em


def _stranded_headings(lines: list[Line], diags: list, where) -> None:
    """A heading (bigger than body text, not body font) that is the last text
    line on its page, running heads and folios aside."""
    body_size = max((l.size for l in lines if l.body), default=0)
    by_page: dict[int, list[Line]] = collections.defaultdict(list)
    for line in lines:
        if line.size >= body_size * 0.85:
            by_page[line.page].append(line)
    for page_lines in by_page.values():
        last = max(page_lines, key=lambda l: l.baseline)
        # Title and part pages hold headings alone: only text above counts.
        if (not last.body and last.size > body_size * 1.05
                and any(l.body for l in page_lines)):
            diags.append(Diagnostic("P304", f"heading '{last.text[:20]}' is the last line "
                                    "of the page", where(last),
                                    hint="keep headings with the text that follows"))
