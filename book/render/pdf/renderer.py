"""Render the book model to a print PDF with WeasyPrint (the ``pdf`` renderer).

The book is one HTML document with the edition's stylesheets
(``document``), laid out with the Chinese typesetting installed
(``book.typeset``), written with page labels, then read back by the
preflight, whose findings become the build's warnings. A saddle-stitched
edition also gets its imposed PDF (``impose``).
"""
from __future__ import annotations

import contextlib
import gc
import io
from typing import Callable, Iterator

import pydyf
from weasyprint.document import Document
from weasyprint.text.fonts import FontConfiguration

from book import preflight, typeset
from book.errors import Location, Reporter
from book.model import Book
from book.render import Output, RenderContext
from book.render.fonts import check_required_faces
from book.render.pdf.document import print_document, print_html, print_stylesheets
from book.render.pdf.impose import impose_saddle_stitch
from book.render.pdf.pagegrid import TypeArea, area, text_frame
from book.typeset import weasy


def render(ctx: RenderContext) -> list[Output]:
    """The edition's PDF, ``<slug>-<edition>.pdf``, and for a saddle-stitched
    edition ``<slug>-<edition>-imposed.pdf``."""
    book = ctx.book
    check_required_faces(ctx.edition, book.meta.language)
    warn_slow_subsetter(ctx.reporter)
    name = f"{book.meta.slug}-{ctx.edition.name}.pdf"
    data = write_pdf(ctx, name)
    check_pdf(data, name, area(ctx.edition, ctx.stylesheets), ctx.reporter)
    outputs = [Output(name, data)]
    if ctx.edition.get("impose") == "saddle-stitch":
        outputs.append(Output(f"{book.meta.slug}-{ctx.edition.name}-imposed.pdf",
                              impose_saddle_stitch(data, book.meta.identifier.encode())))
    return outputs


def write_pdf(ctx: RenderContext, name: str) -> bytes:
    """Lay the book out with the edition's typesetting and write the PDF."""
    # Without a shared FontConfiguration WeasyPrint ignores @font-face (font
    # files in the project, set by an edition's `fonts` or its sheets).
    fonts = FontConfiguration()
    html, sheets = print_html(ctx), print_stylesheets(ctx, fonts)
    settings = typeset.settings_for(ctx.edition, ctx.book.meta.language)
    with _rare_collections(), typeset.installed(settings), \
            weasy.page_progress(name, ctx.show_progress):
        document = print_document(ctx, typeset.add_break_hints(html)).render(
            stylesheets=sheets, font_config=fonts)
        return document.write_pdf(pdf_identifier=ctx.book.meta.identifier.encode(),
                                  finisher=page_labels(document, ctx.book))


def check_pdf(data: bytes, name: str, type_area: TypeArea,
              reporter: Reporter) -> preflight.Report:
    """The build's preflight: the PDF read back and checked against the type
    area; the findings become warnings of the build."""
    report = preflight.preflight(io.BytesIO(data), name, text_frame(type_area))
    for diag in report.diagnostics:
        reporter.add(diag)
    reporter.progress(f"preflight {name}: {report.summary()}")
    return report


def warn_slow_subsetter(reporter: Reporter) -> None:
    """F010 when WeasyPrint will subset the PDF's fonts with fontTools, many
    times slower than HarfBuzz-Subset on CJK faces."""
    if weasy.slow_subsetter():
        reporter.warn("F010", "WeasyPrint will subset fonts with fontTools (HarfBuzz-Subset "
                      ">= 4.1 not found); PDF builds are several times slower",
                      Location("(system)"), "apt-get install libharfbuzz-subset0")


def page_labels(document: Document, book: Book) -> Callable[[Document, pydyf.PDF], None]:
    """A WeasyPrint finisher writing /PageLabels, so viewers number the pages
    as they are printed: the front matter i, ii …, the main matter from 1 at
    the first chapter's opening (where print.css restarts the folios)."""
    first_id = book.chapters[0].id if book.chapters else None
    first = next((i for i, page in enumerate(document.pages) if first_id in page.anchors), 0)

    def finish(_document: Document, pdf: pydyf.PDF) -> None:
        nums = pydyf.Array([0, pydyf.Dictionary({"S": "/r"})] if first else [])
        nums.extend([first, pydyf.Dictionary({"S": "/D", "St": 1})])
        pdf.catalog["PageLabels"] = pydyf.Dictionary({"Nums": nums})

    return finish


@contextlib.contextmanager
def _rare_collections() -> Iterator[None]:
    """Collect garbage rarely during one layout: WeasyPrint makes millions of
    boxes that all live until the PDF is written, and with the default
    thresholds the collector scans them again and again for nothing
    (docs/performance.md)."""
    old = gc.get_threshold()
    gc.set_threshold(10_000, 50, 100)
    try:
        yield
    finally:
        gc.set_threshold(*old)
