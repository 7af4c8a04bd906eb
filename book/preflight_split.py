"""The build's preflight on two cores: the same ``Report`` as
``preflight.preflight``, with the per-page work split between this process
and a forked child.

Why: the read-back is the last step of every PDF build, after WeasyPrint is
done, so nothing else can run beside it; at 200 pages it took 0.5 s, about
half of what the typeset PDF cost over plain WeasyPrint. Nearly all of it is
per glyph (140 k glyph boxes: reading the content streams, grouping lines,
measuring gaps) and needs only its own page, so the child takes the second
half of the pages and sends back each line *summarised* (``Line.summarise``:
the few glyphs and the measures the document-wide checks need — whole lines
took as long to pickle as to read). This process reads the first half
meanwhile, then runs the document-wide part (body font, paragraph ends,
the checks) on all the lines, exactly as ``preflight`` does.

Anything unusual (a PDF the fast reader does not support, a child that
fails or dies, no ``fork``, one core, a short document) runs ``preflight``
itself, so the outcome never depends on the split.
"""
from __future__ import annotations

import io
import os
import pickle

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

    from book import pdfglyphs

    pages = pypdf.PdfReader(io.BytesIO(data)).pages
    if len(pages) < min_pages:
        return None
    half = len(pages) // 2

    def read(start: int, stop: int) -> list:
        fonts: dict = {}
        return [line.summarise() for number in range(start, stop)
                for line in _page_lines(pdfglyphs.read_page(pages[number], fonts),
                                        number + 1)]

    # The child inherits the parsed PDF; it writes its lines to the pipe
    # when done (a full pipe only blocks it until we read).
    receive, send = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: never returns, never runs the parent's cleanup
        status = 1
        try:
            os.close(receive)
            payload = pickle.dumps(read(half, len(pages)), pickle.HIGHEST_PROTOCOL)
            with os.fdopen(send, "wb") as pipe:
                pipe.write(payload)
            status = 0
        finally:
            os._exit(status)
    os.close(send)
    try:
        first = read(0, half)
    finally:
        with os.fdopen(receive, "rb") as pipe:
            payload = pipe.read()
        _, status = os.waitpid(pid, 0)
    if os.waitstatus_to_exitcode(status) != 0:
        return None
    return first + pickle.loads(payload)
