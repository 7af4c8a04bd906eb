"""The print book as WeasyPrint reads it: the whole book as one HTML
document (title page, contents, chapters from the shared chapter template),
the edition's stylesheets in cascade order, the type area, and a URL fetcher
that serves only the project's files (a build never uses the network)."""
from __future__ import annotations

import urllib.parse
from pathlib import Path

from weasyprint import CSS, HTML, URLFetcher
from weasyprint.text.fonts import FontConfiguration

from book.project.stylesheets import package_styles_dir
from book.render.css import defaults_css, edition_css
from book.render import RenderContext
from book.render.html import labels, render_template
from book.render.pdf.imagefit import fit_images
from book.render.pdf.pagegrid import area


def print_html(ctx: RenderContext) -> str:
    """The whole book as one HTML document: title page, contents, chapters."""
    book = ctx.book
    markup = render_template(
        "print_book.html.j2", ctx.cache.folder, book=book, epub=False,
        labels=labels(book.meta.language), edition=ctx.edition,
        edition_label=ctx.edition.get("label", ""))
    # Images sized to whole lines keep the text after them on the grid.
    return fit_images(markup, ctx.project.root, area(ctx.edition, ctx.stylesheets))


def print_document(ctx: RenderContext, html: str) -> HTML:
    """A WeasyPrint ``HTML`` of ``html`` that fetches only inside the project."""
    return HTML(string=html, base_url=str(ctx.project.root.resolve()) + "/",
                url_fetcher=project_fetcher(ctx.project.root))


def print_stylesheets(ctx: RenderContext, fonts: FontConfiguration) -> list[CSS]:
    """The edition's sheets as WeasyPrint ``CSS``, in cascade order: the
    default faces of its script, its files, its settings (``edition.css.j2``),
    then the type area. ``fonts`` must be the ``FontConfiguration`` the
    document renders with, or @font-face rules are ignored."""
    fetcher = project_fetcher(ctx.project.root)
    sheets = [CSS(string=defaults_css(ctx.book.meta.language), url_fetcher=fetcher)]
    sheets += [CSS(filename=str(path), url_fetcher=fetcher, font_config=fonts)
               for path in ctx.stylesheets]
    sheets.append(CSS(string=edition_css(ctx.edition, "pdf", cache_folder=ctx.cache.folder),
                      url_fetcher=fetcher, font_config=fonts))
    # Last, so the whole-lines type area wins over any margins set before it.
    sheets.append(CSS(string=area(ctx.edition, ctx.stylesheets).css(), url_fetcher=fetcher))
    return sheets


def project_fetcher(root: Path) -> URLFetcher:
    """A WeasyPrint URL fetcher that serves only files inside ``root`` (and
    the package's stylesheets) and ``data:`` URLs; anything else (http,
    https, ftp, files elsewhere) is refused, so a build never touches the
    network or leaks local files."""
    base = root.resolve()
    package = package_styles_dir().resolve()

    class ProjectFetcher(URLFetcher):
        def fetch(self, url, headers=None):
            scheme = url.split(":", 1)[0].lower()
            if scheme == "data":
                return super().fetch(url, headers)
            if scheme == "file":
                path = Path(urllib.parse.unquote(urllib.parse.urlsplit(url).path)).resolve()
                if path.is_relative_to(base) or path.is_relative_to(package):
                    return super().fetch(url, headers)
                raise ValueError(f"refused: {path} is outside the project folder")
            raise ValueError(f"refused: remote resource {url} (builds never use the network)")

    return ProjectFetcher(allowed_protocols={"file", "data"}, allow_redirects=False)
