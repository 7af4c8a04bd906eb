"""The build's preflight on two cores: the same ``Report`` as
``preflight.preflight``, with the per-page work split between this process
and a forked child.

Why: the read-back is the last step of every PDF build, after WeasyPrint is
done, so nothing else can run beside it; at 200 pages it took 0.5 s, about
half of what the typeset PDF cost over plain WeasyPrint. Nearly all of it is
per glyph (140 k glyph boxes: reading the content streams, grouping lines,
measuring gaps) and needs only its own page, so a child reads part of the
pages and sends back each line *summarised* (``Line.summarise``: the few
glyphs and the measures the document-wide checks need — whole lines took as
long to pickle as to read). This process reads the other pages meanwhile,
then runs the document-wide part (body font, paragraph ends, the checks) on
all the lines, exactly as ``preflight`` does.

``EarlyPreflight`` (what the build uses) forks the child before the PDF is
even written, from WeasyPrint's finisher, and gives it most of the pages;
``preflight_pdf`` splits a written PDF in halves.

Anything unusual (a PDF the fast reader does not support, a child that
fails or dies, no ``fork``, one core, a short document) runs ``preflight``
itself, so the outcome never depends on the split.
"""
from __future__ import annotations

import io
import os

from book import background
from book.preflight import (Frame, Report, _no_garbage_collection, _page_lines, check_lines,
                            mark_lines, preflight)

# Below this many pages the fork (a few ms for a process holding WeasyPrint)
# and the pickling are not worth it; the sample's 14 pages read in 0.05 s.
MIN_PAGES = 40


def cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def preflight_pdf(data: bytes, name: str, frame: Frame | None = None,
                  min_pages: int = MIN_PAGES) -> Report:
    """``preflight(io.BytesIO(data), name, frame)``, on two cores when that pays."""
    if not hasattr(os, "fork") or cores() < 2:
        return preflight(io.BytesIO(data), name, frame)
    # One stretch without the collector: re-enabled in between, it ran a
    # collection of the glyphs just read (20 ms at 200 pages).
    with _no_garbage_collection():
        try:
            lines = _split_lines(data, min_pages)
        except Exception:  # noqa: BLE001 - the serial path reports it properly
            lines = None
        if lines is not None:
            return check_lines(mark_lines(lines, frame), name)
    return preflight(io.BytesIO(data), name, frame)


def _split_lines(data: bytes, min_pages: int):
    """Every page's lines, summarised, read in two processes; None when the
    split does not apply or did not work."""
    import pypdf

    pages = pypdf.PdfReader(io.BytesIO(data)).pages
    if len(pages) < min_pages:
        return None
    half = len(pages) // 2
    # The child inherits the parsed PDF.
    child = background.fork(lambda: _read(pages, half, len(pages)))
    if child is None:
        return None
    try:
        first = _read(pages, 0, half)
    finally:
        rest = child.collect()
    return None if rest is None else first + rest


class EarlyPreflight:
    """The build's preflight, started before the PDF is written: ``start``, a
    WeasyPrint finisher, forks the reader of the last four fifths of the
    pages while WeasyPrint compresses and writes the PDF (0.13 s at 200
    pages); ``report`` reads the first fifth from the written PDF and joins
    it (0.27 s at 200 pages, 0.35 s when both started after writing). The
    child writes WeasyPrint's PDF object uncompressed for itself (13 ms): the
    same content streams and fonts, so the same glyphs (tested). ``close``
    reaps a child a failed render leaves behind."""

    # The child's share: it starts well ahead. Measured at 200 pages, the
    # preflight after writing took 0.33 s with 0.55, 0.30 s with 2/3, 0.27 s
    # with 0.8, 0.30 s with 0.9 and 0.39 s with all pages.
    CHILD_SHARE = 0.8

    def __init__(self, min_pages: int = MIN_PAGES):
        self.min_pages = min_pages
        self._child: tuple[background.Child, int, int] | None = None

    def start(self, document, pdf) -> None:
        total = len(document.pages)
        if total < self.min_pages or not hasattr(os, "fork") or cores() < 2:
            return
        first = total - round(total * self.CHILD_SHARE)
        child = background.fork(lambda: _read_unwritten(pdf, first, total))
        self._child = (child, first, total) if child else None

    def report(self, data: bytes, name: str, frame: Frame | None) -> Report:
        if self._child is None:
            return preflight_pdf(data, name, frame, self.min_pages)
        child, first, total = self._child
        self._child = None
        with _no_garbage_collection():
            mine = rest = None
            try:
                import pypdf

                pages = pypdf.PdfReader(io.BytesIO(data)).pages
                if len(pages) == total:
                    mine = _read(pages, 0, first)
            except Exception:  # noqa: BLE001 - the serial path reports it properly
                mine = None
            finally:
                rest = child.collect()
            if mine is not None and rest is not None:
                return check_lines(mark_lines(mine + rest, frame), name)
        return preflight(io.BytesIO(data), name, frame)

    def close(self) -> None:
        if self._child is not None:
            self._child[0].close()  # a child still writing gets a broken pipe and leaves
            self._child = None


def _read(pages, start: int, stop: int) -> list:
    """The summarised lines of pypdf ``pages[start:stop]``."""
    from book import pdfglyphs

    fonts: dict = {}
    return [line.summarise() for number in range(start, stop)
            for line in _page_lines(pdfglyphs.read_page(pages[number], fonts), number + 1)]


def _read_unwritten(pdf, start: int, stop: int) -> list:
    """``_read`` on WeasyPrint's ``pydyf.PDF`` before it is written (in the
    child: the parent writes its own copy, compressed)."""
    import pydyf
    import pypdf

    for obj in pdf.objects:
        if isinstance(obj, pydyf.Stream):
            obj.compress = False
    out = io.BytesIO()
    pdf.write(out, b"1.7", False, False)
    return _read(pypdf.PdfReader(out).pages, start, stop)
