"""Render the book model to a print PDF with WeasyPrint.

The whole book is one HTML document (title page, contents, chapters from the
shared chapter template); the edition's stylesheets are passed in cascade
order. Resources are fetched only from inside the project; never the network.
"""
from __future__ import annotations

import contextlib
import functools
import gc
import shutil
import subprocess
import urllib.parse
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Iterator

from book.errors import BuildError, Location, Reporter
from book.render import Output, RenderContext
from book.render.html import labels, render_template
from book.render.imagefit import fit_images
from book.render.pagegrid import TypeArea, type_area

if TYPE_CHECKING:
    from weasyprint import CSS, HTML
    from weasyprint.document import Document
    from weasyprint.text.fonts import FontConfiguration

    from book.model import Book

REQUIRED_FONTS = {
    "Noto Serif CJK SC": "fonts-noto-cjk",
    "Noto Sans CJK SC": "fonts-noto-cjk",
}


def render(ctx: RenderContext) -> list[Output]:
    check_fonts()
    from weasyprint.text.fonts import FontConfiguration

    book = ctx.book
    warn_slow_subsetter(ctx.reporter)
    # Without a shared FontConfiguration WeasyPrint ignores @font-face (font
    # files in the project, set by an edition's `fonts` or its sheets).
    fonts = FontConfiguration()
    html, sheets = print_html(ctx), print_stylesheets(ctx, fonts)
    area = _type_area(ctx)
    from book import typeset
    from book.preflight import warn_pdf
    from book.preflight_split import EarlyPreflight

    # The preflight starts reading while WeasyPrint writes the PDF.
    early = EarlyPreflight()
    try:
        with _fewer_collections(), \
                typeset.installed(typeset.settings_for(ctx.edition, book.meta.language)):
            document = print_document(ctx, typeset.add_break_hints(html)).render(
                stylesheets=sheets, font_config=fonts)
            labels = page_labels(document, book)

            def finish(document, pdf) -> None:
                labels(document, pdf)
                early.start(document, pdf)

            data = document.write_pdf(pdf_identifier=book.meta.identifier.encode(),
                                      finisher=finish)
        # The layout (millions of boxes at 1,000 pages) is not needed for the
        # read-back; scanned by the preflight's garbage collections, it made
        # the preflight 6.3 s instead of 3.6 s at 1,000 pages. Frozen: never
        # scanned.
        del document
        _freeze_garbage()
        outputs = [Output(f"{book.meta.slug}-{ctx.edition.name}.pdf", data)]
        warn_pdf(data, outputs[0].name, area, ctx.reporter, early)
    finally:
        early.close()
    if ctx.edition.get("impose") == "saddle-stitch":
        from book.impose import impose_saddle_stitch

        outputs.append(Output(f"{book.meta.slug}-{ctx.edition.name}-imposed.pdf",
                              impose_saddle_stitch(data, book.meta.identifier.encode())))
    return outputs


@contextlib.contextmanager
def _fewer_collections() -> Iterator[None]:
    """Garbage collection tuned for one layout: WeasyPrint makes millions of
    boxes that all live until the PDF is written, and the default thresholds
    had the collector re-scan them again and again (13 % of a 1,000-page
    render in the profile, for 4 % more peak memory). Plain WeasyPrint, the
    benchmark's baseline, runs with the defaults."""
    global _frozen_garbage
    if _frozen_garbage:  # the previous render's layout (``_freeze_garbage``)
        gc.unfreeze()
        gc.collect()
        _frozen_garbage = False
    old = gc.get_threshold()
    gc.freeze()  # modules and the book model: never garbage
    gc.set_threshold(10_000, 50, 100)
    try:
        yield
    finally:
        gc.set_threshold(*old)
        gc.unfreeze()


_frozen_garbage = False


def _freeze_garbage() -> None:
    """Leave the dropped layout to the end of the process. Its boxes are in
    reference cycles, so dropping it freed nothing: the first collection
    after it scanned them all, 0.26 s in the middle of the 200-page build's
    preflight (the most a build spent on garbage). Frozen, they are never
    scanned; their memory is not reused, but the process is at its peak
    already and a render worker or a one-PDF build exits soon (without a
    final collection: ``os._exit`` in workers). A next render in the same
    process collects them first, as the preflight used to."""
    global _frozen_garbage
    gc.freeze()
    _frozen_garbage = True


def print_html(ctx: RenderContext) -> str:
    """The whole book as one HTML document: title page, contents, chapters."""
    book = ctx.book
    markup = render_template(
        "print_book.html.j2", book=book, epub=False, labels=labels(book.meta.language),
        edition=ctx.edition, edition_label=ctx.edition.get("label", ""))
    # Images sized to whole lines keep the text after them on the grid.
    return fit_images(markup, ctx.project.root, _type_area(ctx))


def print_document(ctx: RenderContext, html: str) -> HTML:
    """A WeasyPrint ``HTML`` of ``html`` that fetches only inside the project."""
    from weasyprint import HTML

    return HTML(string=html, base_url=str(ctx.project.root.resolve()) + "/",
                url_fetcher=project_fetcher(ctx.project.root))


def print_stylesheets(ctx: RenderContext, fonts: FontConfiguration | None = None) -> list[CSS]:
    """The edition's sheets as WeasyPrint ``CSS``, in cascade order: its files,
    its settings (``edition.css.j2``), then the type area. ``fonts`` must be
    the ``FontConfiguration`` the document renders with, or @font-face rules
    are ignored."""
    from weasyprint import CSS

    fetcher = project_fetcher(ctx.project.root)
    sheets = [CSS(filename=str(path), url_fetcher=fetcher, font_config=fonts)
              for path in ctx.stylesheets]
    sheets.append(CSS(string=render_template("edition.css.j2", edition=ctx.edition,
                                             page_size=_page_size(ctx)),
                      url_fetcher=fetcher, font_config=fonts))
    # Last, so the whole-lines type area wins over any margins set before it.
    sheets.append(CSS(string=_type_area(ctx).css(), url_fetcher=fetcher))
    return sheets


def _type_area(ctx: RenderContext) -> TypeArea:
    return type_area(_page_size(ctx), ctx.edition.settings, ctx.stylesheets)


def page_labels(document: Document, book: Book) -> Callable[..., None]:
    """A WeasyPrint finisher writing /PageLabels, so viewers number the pages
    as they are printed: the front matter i, ii …, the main matter from 1 at
    the first chapter's opening (where print.css restarts the folios)."""
    first_id = book.chapters[0].id if book.chapters else None
    first = next((i for i, page in enumerate(document.pages) if first_id in page.anchors), 0)

    def finish(_document, pdf) -> None:
        import pydyf

        nums = pydyf.Array([0, pydyf.Dictionary({"S": "/r"})] if first else [])
        nums.extend([first, pydyf.Dictionary({"S": "/D", "St": 1})])
        pdf.catalog["PageLabels"] = pydyf.Dictionary({"Nums": nums})

    return finish


def _page_size(ctx: RenderContext) -> str:
    from book.config import page_size_css

    return page_size_css(ctx.edition.get("page_size", "A5"))


@functools.cache
def installed_families() -> frozenset[str]:
    if not shutil.which("fc-list"):
        return frozenset()
    listing = subprocess.run(["fc-list", ":", "family"], capture_output=True, text=True,
                             check=False).stdout
    return frozenset(name.strip() for line in listing.splitlines() for name in line.split(","))


def check_fonts() -> None:
    """A clear error naming the missing font and the package that has it."""
    families = installed_families()
    for family, package in REQUIRED_FONTS.items():
        if family not in families:
            raise BuildError(f"font '{family}' is not installed",
                             hint=f"install it: apt-get install {package} (or run 'make')")


def warn_slow_subsetter(reporter: Reporter) -> None:
    """F010 when WeasyPrint will subset the PDF's fonts with fontTools: it
    does so when libharfbuzz-subset is missing or older than 4.1.0 (see
    weasyprint/pdf/fonts.py, ``Font.subset``), and that is 9x slower on
    CJK faces."""
    from weasyprint.text.ffi import harfbuzz, harfbuzz_subset

    if harfbuzz_subset is None or not harfbuzz.hb_version_atleast(4, 1, 0):
        reporter.warn("F010", "WeasyPrint will subset fonts with fontTools (HarfBuzz-Subset "
                      ">= 4.1 not found); PDF builds are several times slower",
                      Location("(system)"), "apt-get install libharfbuzz-subset0")


def project_fetcher(root: Path):
    """A WeasyPrint URL fetcher that serves only files inside ``root`` and
    ``data:`` URLs; anything else (http, https, ftp, files elsewhere) is
    refused, so a build never touches the network or leaks local files."""
    from weasyprint import URLFetcher

    base = root.resolve()

    class ProjectFetcher(URLFetcher):
        def fetch(self, url, headers=None):
            scheme = url.split(":", 1)[0].lower()
            if scheme == "data":
                return super().fetch(url, headers)
            if scheme == "file":
                path = Path(urllib.parse.unquote(urllib.parse.urlsplit(url).path)).resolve()
                if path.is_relative_to(base) or _is_package_file(path):
                    return super().fetch(url, headers)
                raise ValueError(f"refused: {path} is outside the project folder")
            raise ValueError(f"refused: remote resource {url} (builds never use the network)")

    return ProjectFetcher(allowed_protocols={"file", "data"}, allow_redirects=False)


def _is_package_file(path: Path) -> bool:
    from book.stylesheets import package_styles_dir

    return path.is_relative_to(package_styles_dir().resolve())
