"""Lines of a PDF, rebuilt from its glyph boxes: each page's glyphs grouped
by baseline into ``Line``s, the body text told from headings and running
heads (the commonest font and size), the text block's edges (``Frame``:
given by the renderer, else inferred), and each body line marked as the
last of its paragraph or not (only those may end short).
"""
from __future__ import annotations

import collections
import dataclasses
from typing import Iterator

from book.preflight.pdfglyphs import Glyph


@dataclasses.dataclass
class Line:
    """One reconstructed line: its glyphs left to right and where it sits."""

    page: int
    chars: list[Glyph]
    baseline: float
    size: float
    font: str
    body: bool = False
    last: bool = False  # the last line of its paragraph (may be short)
    right: float = 0.0  # the edge a justified line must reach

    @property
    def text(self) -> str:
        """The line's text, glyph by glyph."""
        return "".join(c.text for c in self.chars)

    @property
    def x0(self) -> float:
        """The start of the first glyph's box."""
        return self.chars[0].x0

    @property
    def x1(self) -> float:
        """The end of the last glyph's box. A closing mark trimmed to half
        width at the line end keeps its 1 em box, so its ink and advance end
        ½ em before this (``book.preflight.checks`` allows for it)."""
        return self.chars[-1].x1


@dataclasses.dataclass(frozen=True)
class Frame:
    """The text block's left and right edges on odd and even pages, in points
    from the left of the PDF page (the renderer knows them; else inferred)."""

    odd: tuple[float, float]
    even: tuple[float, float]

    def edges(self, page: int) -> tuple[float, float]:
        """(left, right) of the text block on PAGE (1-based)."""
        return self.odd if page % 2 else self.even


def _fontkey(fontname: str) -> str:
    # Subset fonts are named "ABCDEF+Family": the prefix differs per subset.
    return fontname.split("+", 1)[-1]


def commonest(values: Iterator, key) -> object:
    """The commonest ``key(value)`` (the first seen of equals), as
    ``Counter(map(key, values)).most_common(1)``: counted on the values,
    which repeat (one size, one font per line), then on their few keys in
    the order first seen, so ``key`` runs a few times a line, not per glyph."""
    by_key: collections.Counter = collections.Counter()
    for value, count in collections.Counter(values).items():
        by_key[key(value)] += count
    return by_key.most_common(1)[0][0]


def page_lines(page, number: int) -> list[Line]:
    """Group a page's glyphs into lines by baseline; superscripts (smaller,
    within 0.6 em of a bigger line's baseline) join that line, so a footnote
    mark does not look like a line of its own; blank ends are dropped."""
    rows: dict[float, list[Glyph]] = collections.defaultdict(list)
    for char in page.chars:
        rows[round(char.y * 2) / 2].append(char)
    lines = []
    for baseline in sorted(rows, reverse=True):
        # Content-stream order is reading order (a half-width opening mark
        # drawn with a negative offset may start a hair left of the mark
        # before it, so sorting by x would swap them).
        chars = rows[baseline]
        while chars and chars[-1].text.isspace():
            chars.pop()
        while chars and chars[0].text.isspace():
            chars.pop(0)
        if not chars:
            continue
        lines.append(Line(number, chars, page.height - baseline,
                          commonest((c.size for c in chars), lambda size: round(size, 1)),
                          commonest((c.font for c in chars), _fontkey)))
    kept = []
    for line in lines:
        hosts = [h for h in lines if h.size > line.size
                 and abs(h.baseline - line.baseline) < 0.6 * h.size]
        if hosts:
            host = min(hosts, key=lambda h: abs(h.baseline - line.baseline))
            at = next((i for i, c in enumerate(host.chars) if c.x0 > line.chars[0].x0),
                      len(host.chars))
            host.chars[at:at] = line.chars
        else:
            kept.append(line)
    return kept


def _mode(values: list[float], default: float) -> float:
    if not values:
        return default
    return collections.Counter(round(v * 2) / 2 for v in values).most_common(1)[0][0]


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
                       for line in page_lines(page, i)], frame)


def mark_lines(lines: list[Line], frame: Frame | None = None) -> list[Line]:
    """``read_lines``' document-wide part, on the lines of every page."""
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
        if b.x0 - a.x1 > 0.4 * em:
            marker = "".join(c.text for c in chars[:i + 1])
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
