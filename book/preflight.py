"""Preflight: read a finished PDF back and check it against the Chinese
typesetting rules (clreq / GB/T 15834), from glyph positions alone.

PDF file → pages of glyph boxes (pdfplumber) → reconstructed lines → a
``Report``: diagnostics with page numbers (ragged justified lines, kinsoku
breaches, lines past the type area, stranded headings, one-character last
lines) and the measured figures (pair widths of adjacent full-width marks,
Han–Latin gaps). Codes P301–P306; location ``file.pdf:page``.
"""
from __future__ import annotations

import collections
import dataclasses
import statistics
from pathlib import Path

from book.errors import BuildError, Diagnostic, Location
from book.typeset.chars import (CLOSING, INSEPARABLE, NO_LINE_END, NO_LINE_START,
                                OPENING, is_fullwidth_mark, is_han, is_latin)

FLUSH_TOLERANCE = 0.5  # pt: a justified line ends within this of the edge


@dataclasses.dataclass
class Line:
    """One reconstructed line: its glyphs left to right and where it sits."""

    page: int
    chars: list[dict]
    baseline: float
    size: float
    font: str
    body: bool = False
    last: bool = False  # the last line of its paragraph (may be short)
    right: float = 0.0  # the edge a justified line must reach

    @property
    def text(self) -> str:
        return "".join(c["text"] for c in self.chars)

    @property
    def x0(self) -> float:
        return self.chars[0]["x0"]

    @property
    def x1(self) -> float:
        """The visible end: a trimmed (half-width) line-end mark ends ½ em early."""
        last = self.chars[-1]
        return last["x1"]


@dataclasses.dataclass
class Report:
    """What the preflight found and measured."""

    diagnostics: list[Diagnostic]
    lines: list[Line]
    justified: int = 0
    ragged: int = 0
    pair_widths: list[float] = dataclasses.field(default_factory=list)
    hanlatin_gaps: list[float] = dataclasses.field(default_factory=list)

    def summary(self) -> str:
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
        return text


def _fontkey(char: dict) -> str:
    # Subset fonts are named "ABCDEF+Family": the prefix differs per subset.
    return char["fontname"].split("+", 1)[-1]


def _page_lines(page, number: int) -> list[Line]:
    """Group a page's glyphs into lines by baseline (superscripts join the
    line they sit on, so a footnote mark does not look like a short line)."""
    rows: dict[float, list[dict]] = collections.defaultdict(list)
    for char in page.chars:
        if char["text"].isspace() and char["x1"] - char["x0"] <= 0:
            continue
        rows[round(char["matrix"][5] * 2) / 2].append(char)
    lines = []
    for baseline in sorted(rows, reverse=True):
        chars = sorted(rows[baseline], key=lambda c: c["x0"])
        sizes = collections.Counter(round(c["size"], 1) for c in chars)
        fonts = collections.Counter(_fontkey(c) for c in chars)
        lines.append(Line(number, chars, page.height - baseline,
                          sizes.most_common(1)[0][0], fonts.most_common(1)[0][0]))
    merged: list[Line] = []
    for line in lines:
        host = next((m for m in merged if m.size > line.size
                     and abs(m.baseline - line.baseline) < 0.6 * m.size), None)
        if host is None:
            merged.append(line)
        else:
            host.chars = sorted(host.chars + line.chars, key=lambda c: c["x0"])
    return merged


def _mode(values: list[float], default: float) -> float:
    if not values:
        return default
    return collections.Counter(round(v * 2) / 2 for v in values).most_common(1)[0][0]


def read_lines(pdf) -> list[Line]:
    """All lines of the document, body lines marked, with paragraph ends and
    the right edge each justified line must reach."""
    lines = [line for i, page in enumerate(pdf.pages, 1) for line in _page_lines(page, i)]
    weights = collections.Counter()
    for line in lines:
        weights[(line.font, line.size)] += len(line.chars)
    if not weights:
        return lines
    body_font, body_size = weights.most_common(1)[0][0]
    for line in lines:
        line.body = ((line.font, line.size) == (body_font, body_size)
                     and len(line.chars) > 1 and "....." not in line.text)
    body = [line for line in lines if line.body]
    edges = {parity: _mode([l.x1 for l in body if l.page % 2 == parity], 0.0)
             for parity in (0, 1)}
    lefts = {parity: _mode([l.x0 for l in body if l.page % 2 == parity], 0.0)
             for parity in (0, 1)}
    for line in body:
        line.right = edges[line.page % 2]
    _mark_paragraph_ends(lines, lefts, body_size)
    _indented_blocks(body, lefts, body_size)
    return lines


def _mark_paragraph_ends(lines: list[Line], lefts: dict, em: float) -> None:
    """A body line ends its paragraph when the next line is not body text, or
    is indented (a new paragraph), or sits further down than one line pitch,
    or starts left of it by something other than the first-line indent."""
    body = [line for line in lines if line.body]
    pitches = [b.baseline - a.baseline for a, b in zip(body, body[1:]) if a.page == b.page]
    pitch = _mode(pitches, em * 1.75)
    following = {id(a): b for a, b in zip(lines, lines[1:])}
    for line, nxt in zip(body, body[1:] + [None]):
        between = following.get(id(line))
        if nxt is None or (between is not None and between is not nxt
                           and between.page == line.page):
            line.last = True
            continue
        if nxt.page != line.page:
            # Continued overleaf only if the next page's line starts at the
            # margin and this one is (nearly) full.
            line.last = (nxt.x0 > lefts[nxt.page % 2] + 0.5 * em
                         or line.x1 < line.right - 3 * em)
            continue
        shift = nxt.x0 - line.x0
        line.last = (nxt.baseline - line.baseline > pitch * 1.3 or shift > 0.5 * em
                     or (shift < -0.5 * em and abs(shift + 2 * em) > 0.3 * em))


def _indented_blocks(body: list[Line], lefts: dict, em: float) -> None:
    """Blockquotes and the like are narrower on both sides: a paragraph whose
    lines all start indented is held to its own widest line, not the page edge."""
    para: list[Line] = []
    for line in body:
        para.append(line)
        if line.last:
            left = lefts[line.page % 2]
            if len(para) > 1 and all(l.x0 > left + 1.5 * em for l in para[1:]):
                edge = max(l.x1 for l in para)
                for l in para:
                    l.right = min(l.right, edge)
            para = []


def _is_flush(line: Line) -> bool:
    last = line.chars[-1]
    if abs(line.x1 - line.right) <= FLUSH_TOLERANCE:
        return True
    # A closing mark trimmed to half width at the line end: its box is 1 em
    # wide but its advance (and the ink) ends ½ em earlier.
    return (last["text"] in CLOSING
            and abs(line.x1 - last["size"] / 2 - line.right) <= FLUSH_TOLERANCE)


def _overflows(line: Line) -> bool:
    last = line.chars[-1]
    end = line.x1 - (last["size"] / 2 if last["text"] in CLOSING else 0)
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
                        f"from the edge: '{text[-12:]}'", where(line)))
            if _overflows(line):
                diags.append(Diagnostic("P303", f"line overflows the type area by "
                                        f"{line.x1 - line.right:.1f} pt: '{text[-12:]}'",
                                        where(line)))
            if line.last and sum(1 for c in text if is_han(c) or is_latin(c)) == 1:
                diags.append(Diagnostic("P305", f"one-character last line '{text}'",
                                        where(line), hint="tighten the paragraph"))
            _measure(line, report)
        if line.body or (nxt is not None and nxt.body):
            _kinsoku(line, nxt, diags, where)
    _stranded_headings(lines, diags, where)
    return report


def _kinsoku(line: Line, nxt: Line | None, diags: list, where) -> None:
    text = line.text
    if line.body and text[0] in NO_LINE_START:
        diags.append(Diagnostic("P302", f"line starts with '{text[0]}': '{text[:12]}'",
                                where(line)))
    if line.body and text[-1] in NO_LINE_END and not line.last:
        diags.append(Diagnostic("P302", f"line ends with '{text[-1]}': '{text[-12:]}'",
                                where(line)))
    if (nxt is not None and line.body and nxt.body and text[-1] in INSEPARABLE
            and nxt.text[0] == text[-1]):
        diags.append(Diagnostic("P302", f"'{text[-1] * 2}' split over two lines",
                                where(line)))


def _measure(line: Line, report: Report) -> None:
    chars = line.chars
    for a, b in zip(chars, chars[1:]):
        em = a["size"]
        if is_fullwidth_mark(a["text"]) and is_fullwidth_mark(b["text"]):
            report.pair_widths.append((b["x1"] - a["x0"]) / em)
        if (is_han(a["text"]) and is_latin(b["text"])) or (
                is_latin(a["text"]) and is_han(b["text"])):
            report.hanlatin_gaps.append((b["x0"] - a["x1"]) / em)


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
        if not last.body and last.size > body_size * 1.05:
            diags.append(Diagnostic("P304", f"heading '{last.text[:20]}' is the last line "
                                    "of the page", where(last),
                                    hint="keep headings with the text that follows"))


def preflight(path: Path, name: str | None = None) -> Report:
    """Read ``path`` and check it; ``name`` is the file name shown in locations."""
    import pdfplumber

    try:
        with pdfplumber.open(str(path)) as pdf:
            lines = read_lines(pdf)
    except Exception as exc:  # pdfminer raises many kinds on a broken file
        raise BuildError(f"{path}: cannot read the PDF: {type(exc).__name__}: {exc}",
                         hint="is it a PDF file?") from exc
    return check_lines(lines, name or Path(path).name)
