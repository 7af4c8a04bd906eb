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
import contextlib
import dataclasses
import gc
import io
import statistics
from pathlib import Path
from typing import Iterator

from book.errors import BuildError, Diagnostic, Location
from book.typeset.chars import (CLOSING, INSEPARABLE, NO_LINE_END, NO_LINE_START,
                                is_fullwidth_mark, is_han, is_latin)

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
    # A summary (``summarise``, to send a line to another process) keeps only
    # the glyphs the checks look at; these are then the whole line's.
    summary_text: str | None = None
    count: int = 0
    measured: tuple[list[float], list[float], list[float]] | None = None

    @property
    def text(self) -> str:
        if self.summary_text is not None:
            return self.summary_text
        return "".join(c["text"] for c in self.chars)

    @property
    def length(self) -> int:
        """The number of glyphs."""
        return self.count or len(self.chars)

    def summarise(self) -> Line:
        """The line as the document-wide checks need it, small to pickle: the
        first five glyphs (list items, ``_starts_item``), the last one
        (flushness), the text, the count and the measures (``measure``)."""
        chars = self.chars if len(self.chars) <= 6 else self.chars[:5] + self.chars[-1:]
        return dataclasses.replace(self, chars=chars, summary_text=self.text,
                                   count=len(self.chars), measured=measure(self))

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
    han_gaps: list[float] = dataclasses.field(default_factory=list)

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
        if self.han_gaps:
            text += f"; widest gap between Han glyphs {max(self.han_gaps):.3f} em"
        return text


def _fontkey(fontname: str) -> str:
    # Subset fonts are named "ABCDEF+Family": the prefix differs per subset.
    return fontname.split("+", 1)[-1]


def _commonest(values: Iterator, key) -> object:
    """The commonest ``key(value)`` (the first seen of equals), as
    ``Counter(map(key, values)).most_common(1)``: counted on the values,
    which repeat (one size, one font per line), then on their few keys in
    the order first seen, so ``key`` runs a few times a line, not per glyph."""
    by_key: collections.Counter = collections.Counter()
    for value, count in collections.Counter(values).items():
        by_key[key(value)] += count
    return by_key.most_common(1)[0][0]


def _page_lines(page, number: int) -> list[Line]:
    """Group a page's glyphs into lines by baseline; superscripts (smaller,
    within 0.6 em of a bigger line's baseline) join that line, so a footnote
    mark does not look like a line of its own; blank ends are dropped."""
    rows: dict[float, list[dict]] = collections.defaultdict(list)
    for char in page.chars:
        rows[round(char["matrix"][5] * 2) / 2].append(char)
    lines = []
    for baseline in sorted(rows, reverse=True):
        # Content-stream order is reading order (a half-width opening mark
        # drawn with a negative offset may start a hair left of the mark
        # before it, so sorting by x would swap them).
        chars = rows[baseline]
        while chars and chars[-1]["text"].isspace():
            chars.pop()
        while chars and chars[0]["text"].isspace():
            chars.pop(0)
        if not chars:
            continue
        lines.append(Line(number, chars, page.height - baseline,
                          _commonest((c["size"] for c in chars), lambda size: round(size, 1)),
                          _commonest((c["fontname"] for c in chars), _fontkey)))
    kept = []
    for line in lines:
        hosts = [h for h in lines if h.size > line.size
                 and abs(h.baseline - line.baseline) < 0.6 * h.size]
        if hosts:
            host = min(hosts, key=lambda h: abs(h.baseline - line.baseline))
            at = next((i for i, c in enumerate(host.chars) if c["x0"] > line.chars[0]["x0"]),
                      len(host.chars))
            host.chars[at:at] = line.chars
        else:
            kept.append(line)
    return kept


def _mode(values: list[float], default: float) -> float:
    if not values:
        return default
    return collections.Counter(round(v * 2) / 2 for v in values).most_common(1)[0][0]


def _edge(values: list[float], default: float) -> float:
    """The right edge of the text block: the furthest line end that several
    lines share (justified lines meet there; overfull ones are rare)."""
    need = max(2, len(values) // 5)
    for value in sorted(values, reverse=True):
        if sum(1 for v in values if abs(v - value) <= FLUSH_TOLERANCE) >= need:
            return value
    return _mode(values, default)


@dataclasses.dataclass(frozen=True)
class Frame:
    """The text block's left and right edges on odd and even pages, in points
    from the left of the PDF page (the renderer knows them; else inferred)."""

    odd: tuple[float, float]
    even: tuple[float, float]

    def edges(self, page: int) -> tuple[float, float]:
        return self.odd if page % 2 else self.even


def infer_frame(body: list[Line]) -> Frame:
    """The text block from the body lines: per page parity (margins mirror),
    the commonest (start, end) of a line is a full line's, that is the margin
    and the edge; ties go to the leftmost start (not a first-line indent)."""
    found: dict[int, tuple[float, float]] = {}
    for parity in (0, 1):
        pairs = collections.Counter((round(l.x0 * 2) / 2, round(l.x1 * 2) / 2)
                                    for l in body if l.page % 2 == parity)
        if pairs:
            found[parity] = max(pairs, key=lambda p: (pairs[p], -p[0], p[1]))
    if not found:
        return Frame((0.0, 0.0), (0.0, 0.0))
    width = max(right - left for left, right in found.values())
    odd = found.get(1, found.get(0))
    even = found.get(0, odd)
    return Frame((odd[0], odd[0] + width), (even[0], even[0] + width))


def read_lines(pdf, frame: Frame | None = None) -> list[Line]:
    """All lines of the document, body lines marked, with paragraph ends and
    the right edge each justified line must reach."""
    return mark_lines([line for i, page in enumerate(pdf.pages, 1)
                       for line in _page_lines(page, i)], frame)


def mark_lines(lines: list[Line], frame: Frame | None = None) -> list[Line]:
    """``read_lines``' document-wide part, on the lines of every page."""
    weights = collections.Counter()
    for line in lines:
        weights[(line.font, line.size)] += line.length
    if not weights:
        return lines
    body_font, body_size = weights.most_common(1)[0][0]
    for line in lines:
        line.body = ((line.font, line.size) == (body_font, body_size)
                     and line.length > 1 and "....." not in line.text)
    body = [line for line in lines if line.body]
    if frame is None:
        frame = infer_frame(body)
    for line in body:
        line.right = frame.edges(line.page)[1]
    _mark_paragraph_ends(lines, frame, body_size)
    _indented_blocks(body, frame, body_size)
    return lines


def _mark_paragraph_ends(lines: list[Line], frame: Frame, em: float) -> None:
    """A body line ends its paragraph when the next line is not body text, or
    starts a new paragraph or list item, or sits further down than one line
    pitch, or starts left of it by something other than the first-line indent."""
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
        margin = frame.edges(nxt.page)[0]
        indented = nxt.x0 > margin + 0.5 * em
        short = line.x1 < line.right - 1.5 * em
        if nxt.page != line.page:
            # Continued overleaf only if the next page's line starts at the
            # margin and this one is (nearly) full.
            line.last = indented or short
            continue
        shift = nxt.x0 - line.x0
        line.last = (nxt.baseline - line.baseline > pitch * 1.3 or shift > 0.5 * em
                     or (indented and short) or _starts_item(nxt, em)
                     or (shift < -0.5 * em and abs(shift + 2 * em) > 0.3 * em))


def _starts_item(line: Line, em: float) -> bool:
    """A list item's first line: a marker set apart from the text after it."""
    chars = line.chars
    for i, (a, b) in enumerate(zip(chars[:4], chars[1:5])):
        if b["x0"] - a["x1"] > 0.4 * em:
            marker = "".join(c["text"] for c in chars[:i + 1])
            return marker.rstrip(".)、").isdigit() or marker in "·•◦▪–-*"
    return False


def _indented_blocks(body: list[Line], frame: Frame, em: float) -> None:
    """Blockquotes and the like are narrower on both sides: a paragraph whose
    lines all start indented is held to its own widest line, not the page edge."""
    para: list[Line] = []
    for line in body:
        para.append(line)
        if line.last:
            left = frame.edges(line.page)[0]
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
            pairs, hanlatin, han = line.measured or measure(line)
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
    heights = {c["matrix"][5] for c in line.chars}
    if len(heights) == 1:  # the usual line: one baseline, every glyph on it
        chars = line.chars
    else:
        level = _commonest((c["matrix"][5] for c in line.chars), round)
        chars = [c for c in line.chars if abs(c["matrix"][5] - level) < 1.5]
    kinds = [_kind(c["text"]) for c in chars]
    for n, pair in enumerate(zip(kinds, kinds[1:])):
        if pair == ("M", "M"):
            pairs.append(pair_width(chars, n))
        elif pair in (("H", "L"), ("L", "H")):
            a, b = chars[n], chars[n + 1]
            hanlatin.append((b["x0"] - a["x1"]) / a["size"])
        elif pair == ("H", "H"):
            a, b = chars[n], chars[n + 1]
            han.append((b["x0"] - a["x1"]) / a["size"])
    return pairs, hanlatin, han


def _kind(text: str) -> str:
    """M a full-width mark, H Han, L Latin, "" other (the pairs ``_measure``
    looks at), cached: looked up for every glyph of the book."""
    kind = _KINDS.get(text)
    if kind is None:
        kind = _KINDS[text] = ("M" if is_fullwidth_mark(text) else "H" if is_han(text)
                               else "L" if is_latin(text) else "")
    return kind


_KINDS: dict[str, str] = {}


def pair_width(chars: list[dict], n: int) -> float:
    """Width in em of the marks ``chars[n]``, ``chars[n+1]``: from the first
    box's start to the end of the second's advance. A half-width closing
    mark's box is still 1 em (the font's width), so when the next glyph starts
    within ¾ em of it, its advance was ½ em."""
    a, b = chars[n], chars[n + 1]
    em = a["size"]
    end = b["x1"]
    if n + 2 < len(chars) and chars[n + 2]["x0"] - b["x0"] < 0.75 * em:
        end = b["x0"] + 0.5 * em
    return (end - a["x0"]) / em


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


def preflight(path: Path | io.BytesIO, name: str | None = None,
              frame: Frame | None = None) -> Report:
    """Read the PDF at ``path`` (or in memory) and check it; ``name`` is the
    file name shown in locations; ``frame`` the text block if known."""
    try:
        with _no_garbage_collection(), \
                _open_pdf(path if isinstance(path, io.BytesIO) else str(path)) as pdf:
            lines = read_lines(pdf, frame)
    except Exception as exc:  # pdfminer raises many kinds on a broken file
        raise BuildError(f"{path}: cannot read the PDF: {type(exc).__name__}: {exc}",
                         hint="is it a PDF file?") from exc
    with _no_garbage_collection():
        return check_lines(lines, name or Path(str(path)).name)


@contextlib.contextmanager
def _no_garbage_collection() -> Iterator[None]:
    """The read-back makes a dict per glyph (700 k at 1,000 pages) and no
    reference cycles; the collector only re-scanned them, a quarter of the
    preflight's time in the profile."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _open_pdf(source: str | io.BytesIO):
    """The PDF's pages of glyphs: ``book.pdfglyphs`` for PDFs as WeasyPrint
    writes them (5x faster: pdfplumber took longer to read the 200-page
    benchmark back than WeasyPrint took to write it), else pdfplumber."""
    from book import pdfglyphs

    try:
        return pdfglyphs.open_pdf(source)
    except pdfglyphs.Unsupported:
        import pdfplumber

        if isinstance(source, io.BytesIO):
            source.seek(0)
        return pdfplumber.open(source)


def frame_from_area(area) -> Frame:
    """The text block of a ``book.render.pagegrid.TypeArea``: right-hand
    (odd) pages have the inside margin on the left; bleed shifts everything."""
    from book.render.pagegrid import length_pt

    shift = length_pt(area.bleed, "bleed") if area.bleed else 0.0
    odd = area.inside + shift
    even = area.outside + shift
    return Frame((odd, odd + area.width), (even, even + area.width))


def warn_pdf(data: bytes, name: str, area, reporter, early=None) -> Report:
    """The build's preflight: the findings become warnings of the build.
    Read on two cores when that pays (``book.preflight_split``; ``early``:
    an ``EarlyPreflight`` started while the PDF was written)."""
    from book.preflight_split import preflight_pdf

    frame = frame_from_area(area)
    report = (early.report(data, name, frame) if early is not None
              else preflight_pdf(data, name, frame))
    for diag in report.diagnostics:
        reporter.add(diag)
    reporter.progress(f"preflight {name}: {report.summary()}")
    return report


def project_frame(pdf_path: Path, project_path: str) -> Frame | None:
    """The frame of the edition that wrote ``<slug>-<edition>.pdf`` in the
    project at ``project_path``, or None (then the frame is inferred)."""
    from book.config import load_project, page_size_css
    from book.errors import BookError, Reporter
    from book.render.pagegrid import type_area
    from book.stylesheets import stylesheets

    try:
        project = load_project(project_path, Reporter(quiet=True))
        # <slug>-<edition>.pdf: the longest edition name that ends the stem.
        for edition in sorted(project.editions.values(), key=lambda e: -len(e.name)):
            if pdf_path.stem.endswith(f"-{edition.name}") and "pdf" in edition.formats:
                pdf = edition.for_format("pdf")
                size = page_size_css(pdf.get("page_size", "A5"))
                return frame_from_area(type_area(size, pdf.settings,
                                                 stylesheets(project, edition, "pdf")))
    except BookError:
        return None
    return None


def run_check(pdf_file: str, project_path: str, reporter, output_format: str,
              quiet: bool) -> int:
    """``book check --pdf FILE``: print the findings; the exit status."""
    from book.lint.run import echo_findings

    path = Path(pdf_file)
    report = preflight(path, path.name, project_frame(path, project_path))
    for diag in report.diagnostics:
        reporter.add(diag, echo=False)
    echo_findings(reporter.diagnostics, output_format, True,
                  None if quiet else lambda _: report.summary())
    return 1 if reporter.errors else 0
