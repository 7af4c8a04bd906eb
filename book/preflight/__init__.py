"""Preflight: read a finished PDF back and check it against the Chinese
typesetting rules (clreq / GB/T 15834), from glyph positions alone.

PDF → pages of glyph boxes (``pdfglyphs``, the fast reader of the PDFs
WeasyPrint writes; pdfplumber for any other) → reconstructed lines
(``lines``) → a ``Report`` (``checks``): diagnostics P301–P305 located at
``file.pdf:page`` and the measured figures. Every PDF build runs it; ``book
check --pdf FILE`` runs it on any PDF.
"""
from __future__ import annotations

import contextlib
import gc
import io
from pathlib import Path
from typing import Iterator

from book.errors import BuildError
from book.preflight import pdfglyphs
from book.preflight.checks import Report, check_lines, pair_width
from book.preflight.lines import Frame, Line, read_lines

__all__ = ["Frame", "Line", "Report", "pair_width", "preflight"]


def preflight(path: Path | io.BytesIO, name: str | None = None,
              frame: Frame | None = None) -> Report:
    """Read the PDF at ``path`` (or in memory) and check it; ``name`` is the
    file name shown in locations; ``frame`` the text block if known."""
    with _no_garbage_collection():
        try:
            with open_pdf(path if isinstance(path, io.BytesIO) else str(path)) as pdf:
                lines = read_lines(pdf, frame)
        except Exception as exc:  # pypdf and pdfminer raise many kinds on a broken file
            raise BuildError(f"{path}: cannot read the PDF: {type(exc).__name__}: {exc}",
                             hint="is it a PDF file?") from exc
        return check_lines(lines, name or Path(str(path)).name)


@contextlib.contextmanager
def _no_garbage_collection() -> Iterator[None]:
    """The read-back makes a dict per glyph (hundreds of thousands in a
    book) and no reference cycles: the collector would only re-scan them."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def open_pdf(source: str | io.BytesIO) -> pdfglyphs.Document:
    """The PDF's pages of glyphs: ``pdfglyphs`` for PDFs as WeasyPrint
    writes them (several times faster), else pdfplumber's characters."""
    try:
        return pdfglyphs.open_pdf(source)
    except pdfglyphs.Unsupported:
        import pdfplumber  # only for PDFs not from WeasyPrint: its import is slow

        if isinstance(source, io.BytesIO):
            source.seek(0)
        with pdfplumber.open(source) as pdf:
            return pdfglyphs.Document([
                pdfglyphs.Page(page.height, [
                    pdfglyphs.Glyph(c["text"], c["fontname"], c["x0"], c["x1"], c["size"],
                                    c["matrix"][5]) for c in page.chars])
                for page in pdf.pages])
