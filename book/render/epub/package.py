"""Package an EPUB 3 with ebooklib, reproducibly.

Chapters become XHTML documents from the shared chapter template; ebooklib
packages them with nav.xhtml (TOC + landmarks), toc.ncx and the OPF. Its
traps are handled here: creator ids, random identifiers, wall-clock
``dcterms:modified`` and zip timestamps.

Per edition: a cover page first in the spine and in the landmarks; the
edition's stylesheets in cascade order, then its settings as ``edition.css``
(``book.render.css.edition_css``) with the embedded subset fonts;
vertical editions get ``page-progression-direction="rtl"``.
"""
from __future__ import annotations

import datetime as dt
import io
import zipfile

from ebooklib import epub

from book.cache import fingerprint, key
from book.errors import Location
from book.model import Book, Chapter, Section
from book.project.stylesheets import DEFAULTS_SHEET, GENERATED_SHEET
from book.render.css import defaults_css, edition_css
from book.render import RenderContext
from book.render.epub.cover import Cover, cover_for
from book.render.epub.css import epub_css
from book.render.epub.fonts import EmbeddedFont, embed_fonts, role_texts
from book.render.epub.images import add_epub_images
from book.render.epub.links import fix_internal_links
from book.render.epub.xhtml import to_xhtml_safe
from book.render.html import render_template

XHTML = "application/xhtml+xml"
ALREADY_COMPRESSED = (".woff2", ".woff", ".png", ".jpg", ".jpeg", ".gif", ".webp")


def package(ctx: RenderContext, words: dict[str, str]) -> bytes:
    """The EPUB's bytes: the model's chapters as XHTML documents with the
    cover, the title page, the stylesheets, the subset fonts, the images and
    the navigation (WORDS: the interface labels of the book's language)."""
    book = to_xhtml_safe(ctx.book)
    out = epub.EpubBook()
    add_epub_images(out, book, ctx.project.root, ctx.reporter)
    fix_internal_links(book, ctx.reporter)
    _metadata(out, book)
    if ctx.edition.get("writing_mode") == "vertical":
        out.set_direction("rtl")  # pages turn right to left, as vertical books do
        # Kindle reads this instead of the CSS.
        out.add_metadata(None, "meta", "", {"name": "primary-writing-mode",
                                            "content": "vertical-rl"})
    sheets = _stylesheets(out, ctx)
    sheets.append(f"styles/{len(sheets) + 1:02d}-{GENERATED_SHEET}")  # filled in below
    common = {"book": book, "epub": True, "labels": words, "direction": None,
              "stylesheets": sheets, "body_class": f"edition-{ctx.edition.name}",
              "edition_label": ctx.edition.get("label", "")}
    cover = cover_for(ctx.edition, book.meta, ctx.cache, ctx.reporter)
    cover_page, title = _front_pages(out, cover, common, ctx)
    docs = [_chapter_item(out, ctx, book, chapter, common) for chapter in book.chapters]
    fonts = embed_fonts(ctx.edition, book.meta.language,
                        role_texts(book, words, [doc.content for doc in (title, *docs)]),
                        ctx.reporter, ctx.cache)
    _add_fonts(out, fonts, ctx)
    out.add_item(epub.EpubItem(
        uid="css-edition", file_name=sheets[-1], media_type="text/css",
        content=edition_css(ctx.edition, "epub", [f.css for f in fonts],
                            ctx.cache.folder).encode()))
    _navigation(out, book, words, sheets, [cover_page, title], docs)
    return _write(out, book, words["landmarks"])


def _front_pages(out: epub.EpubBook, cover: Cover, common: dict, ctx: RenderContext):
    """The cover image, the cover page and the title page, added to ``out``."""
    cover_image = epub.EpubItem(uid="cover-image", file_name=cover.file_name,
                                media_type=cover.media_type, content=cover.data)
    cover_image.properties = ["cover-image"]
    out.add_item(cover_image)
    out.add_metadata(None, "meta", "", {"name": "cover", "content": "cover-image"})
    out.add_metadata(None, "meta", "visual", {"property": "schema:accessMode"})  # the cover
    cover_page = epub.EpubItem(
        uid="cover", file_name="cover.xhtml", media_type=XHTML,
        content=render_template("epub_cover.xhtml.j2", ctx.cache.folder,
                                cover_src=cover.file_name, **common).encode())
    out.add_item(cover_page)
    title = epub.EpubItem(uid="titlepage", file_name="titlepage.xhtml", media_type=XHTML,
                          content=render_template("epub_titlepage.xhtml.j2", ctx.cache.folder,
                                                  **common).encode())
    out.add_item(title)
    return cover_page, title


def _chapter_item(out: epub.EpubBook, ctx: RenderContext, book: Book, chapter: Chapter,
                  common: dict) -> epub.EpubItem:
    doc = epub.EpubItem(uid=chapter.id, file_name=chapter.file_name, media_type=XHTML,
                        content=_chapter_xhtml(ctx, book, chapter, common).encode())
    out.add_item(doc)
    return doc


def _navigation(out: epub.EpubBook, book: Book, words: dict[str, str], sheets: list[str],
                front: list[epub.EpubItem], docs: list[epub.EpubItem]) -> None:
    """nav.xhtml, toc.ncx, the spine (front pages, nav, chapters) and the landmarks."""
    nav = epub.EpubNav(title=words["toc"])
    for href in sheets:
        nav.add_link(href=href, rel="stylesheet", type="text/css")
    out.add_item(nav)
    out.add_item(epub.EpubNcx())
    out.toc = [_toc_entry(chapter) for chapter in book.chapters]
    out.spine = [*front, nav, *docs]
    first_body = next((c for c in book.chapters if c.kind == "body"), book.chapters[0])
    out.guide = [
        {"href": "cover.xhtml", "title": words["cover"], "type": "cover"},
        {"href": "titlepage.xhtml", "title": words["titlepage"], "type": "titlepage"},
        {"href": "nav.xhtml", "title": words["toc"], "type": "toc"},
        {"href": first_body.file_name, "title": words["start"], "type": "bodymatter"},
    ]


def _chapter_xhtml(ctx: RenderContext, book: Book, chapter: Chapter, common: dict) -> str:
    """One chapter's XHTML, cached by what the template reads: the chapter,
    the book's metadata, the shared template values and the edition (so a
    rebuild after an edit re-renders only the edited chapters)."""
    shared = {name: value for name, value in common.items() if name != "book"}
    return ctx.cache.get_or_make(
        "epub-chapter", lambda: key(fingerprint((chapter, book.meta, shared)),
                                    ctx.edition.name, ctx.edition.settings),
        lambda: render_template("epub_chapter.xhtml.j2", ctx.cache.folder, chapter=chapter,
                                **common),
        ctx.reporter)


def _add_fonts(out: epub.EpubBook, fonts: list[EmbeddedFont], ctx: RenderContext) -> None:
    for font in fonts:
        out.add_item(epub.EpubItem(uid=f"font-{font.role}", file_name=font.file_name,
                                   media_type="font/woff2", content=font.data))
        if font.missing:
            ctx.reporter.warn("F002", f"{font.source.family} has no glyph for "
                              f"{font.missing[:20]!r}; readers fall back for them",
                              Location("book.toml"),
                              f"choose another editions.{ctx.edition.name}.fonts.{font.role}")


def _metadata(out: epub.EpubBook, book: Book) -> None:
    meta = book.meta
    out.set_identifier(meta.identifier)
    out.set_title(meta.title)
    out.set_language(meta.language)
    for i, author in enumerate(meta.authors, 1):
        out.add_author(author, uid=f"creator{i}")  # default uid repeats "creator"
    for name in ("publisher", "description", "rights", "date"):
        if getattr(meta, name):
            out.add_metadata("DC", name, getattr(meta, name))
    if meta.subtitle:
        out.add_metadata("DC", "title", meta.subtitle, {"id": "subtitle"})
        out.add_metadata(None, "meta", "subtitle",
                         {"refines": "#subtitle", "property": "title-type"})
    for prop, value in (
        ("schema:accessMode", "textual"),
        ("schema:accessModeSufficient", "textual"),
        ("schema:accessibilityFeature", "structuralNavigation"),
        ("schema:accessibilityFeature", "tableOfContents"),
        ("schema:accessibilityFeature", "readingOrder"),
        ("schema:accessibilityHazard", "none"),
        ("schema:accessibilitySummary",
         "Text publication (the cover image has the title as its text alternative) "
         "with a full table of contents, structured headings and language marked "
         "on every document."),
    ):
        out.add_metadata(None, "meta", value, {"property": prop})


def _stylesheets(out: epub.EpubBook, ctx: RenderContext) -> list[str]:
    """The generated defaults and the edition's sheets as manifest items,
    numbered in cascade order; their hrefs (``edition.css`` is added last)."""
    contents = [(DEFAULTS_SHEET, defaults_css(ctx.book.meta.language).encode())]
    contents += [(path.name, epub_css(path.read_bytes(), ctx.project.display(path),
                                      ctx.reporter)) for path in ctx.stylesheets]
    hrefs = []
    for i, (name, content) in enumerate(contents, 1):
        href = f"styles/{i:02d}-{name}"
        out.add_item(epub.EpubItem(uid=f"css{i:02d}", file_name=href, media_type="text/css",
                                   content=content))
        hrefs.append(href)
    return hrefs


def _toc_entry(chapter: Chapter):
    link = epub.Link(chapter.file_name, chapter.title, chapter.id)
    children = [_section_entry(chapter, s) for s in chapter.sections]
    return (link, children) if children else link


def _section_entry(chapter: Chapter, section: Section):
    link = epub.Link(f"{chapter.file_name}#{section.id}", section.title, section.id)
    children = [_section_entry(chapter, s) for s in section.sections]
    return (link, children) if children else link


def _write(out: epub.EpubBook, book: Book, landmarks: str = "Landmarks") -> bytes:
    """Write with ebooklib, then re-zip with fixed timestamps and the
    ``mimetype`` entry first and stored, so identical input → identical bytes."""
    modified = dt.datetime.strptime(book.meta.modified, "%Y-%m-%dT%H:%M:%SZ")
    raw = io.BytesIO()
    # compresslevel 0: the re-zip below compresses once; ebooklib deflating
    # everything first only to be inflated again was wasted time.
    epub.write_epub(raw, out, {"mtime": modified, "epub2_guide": False, "compresslevel": 0,
                               "raise_exceptions": True, "landmark_title": landmarks})
    stamp = max(modified, dt.datetime(1980, 1, 1)).timetuple()[:6]
    result = io.BytesIO()
    with zipfile.ZipFile(raw) as src, zipfile.ZipFile(result, "w") as dst:
        names = src.namelist()
        names.sort(key=lambda n: n != "mimetype")
        for name in names:
            info = zipfile.ZipInfo(name, date_time=stamp)
            info.external_attr = 0o644 << 16
            # Fonts (Brotli) and images are compressed already: deflating them
            # again only costs time.
            stored = name == "mimetype" or name.endswith(ALREADY_COMPRESSED)
            info.compress_type = zipfile.ZIP_STORED if stored else zipfile.ZIP_DEFLATED
            # Deflate level 3, not the default 6: nearly as small, a third of
            # the time (docs/performance.md).
            dst.writestr(info, src.read(name), compresslevel=None if stored else 3)
    return result.getvalue()
