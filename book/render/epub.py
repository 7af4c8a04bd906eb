"""Render the book model to an EPUB 3, reproducibly: the stages that need
only the model, and the order of the work.

The cover (``book.cover``) and the subset fonts (``book.fonts``) are made
from the model in child processes where cores are spare
(``book.background``), while ``book.render.epub_package`` renders the
chapters and packages everything with ebooklib.
"""
from __future__ import annotations

import dataclasses
import html
import re

from book import background
from book.cover import cover_file
from book.fonts import EmbeddedFont, embed_fonts, finish_face_lookups, look_up_faces
from book.model import Book
from book.render import Output, RenderContext
from book.render.html import labels

def render(ctx: RenderContext) -> list[Output]:
    finish_face_lookups()  # those the build started, before the children fork
    words = labels(ctx.book.meta.language)
    cover = cover_file(ctx.edition)
    # The cover and the font subsets depend only on the model: two child
    # processes draw and subset them (0.03 s each at 200 pages, mostly
    # imports, fontconfig and font loading) while this one renders. They are
    # forked before this process imports ebooklib, lxml and Jinja (20 ms).
    drawn = None if ctx.edition.get("cover") else background.start(
        lambda reporter: _generated_cover(dataclasses.replace(ctx, reporter=reporter), ctx.book),
        ctx.reporter, ctx.spare_cores)
    subset = background.start(lambda reporter: _subset_fonts(ctx, reporter, words),
                              ctx.reporter, ctx.spare_cores)
    from book.render.epub_package import package

    return [Output(f"{ctx.book.meta.slug}-{ctx.edition.name}.epub",
                   package(ctx, words, cover, drawn, subset))]


def _subset_fonts(ctx: RenderContext, reporter, words: dict[str, str]) -> list[EmbeddedFont]:
    return embed_fonts(ctx.edition, ctx.book.meta.language,
                       role_texts(ctx.book, words, ctx.edition.get("label", "")),
                       reporter, ctx.cache)


def _generated_cover(ctx: RenderContext, book: Book) -> bytes:
    """A cover drawn from the metadata, cached by what it is drawn from
    (metadata, edition, the faces' files): Pillow's PNG encoding of it was
    0.1 s of every EPUB build in the profile."""
    from book.cache import fingerprint, key
    from book.cover import generate
    from book.fonts import role_face

    look_up_faces(ctx.edition, book.meta.language, ("heading", "body"))

    def cover_key() -> str:
        faces = [role_face(ctx.edition, role, book.meta.language) for role in ("heading", "body")]
        identity = [(str(f.path), f.index, f.path.stat().st_size, f.path.stat().st_mtime_ns)
                    for f in faces if f is not None]
        return key(fingerprint(book.meta), ctx.edition.name, ctx.edition.settings, identity)

    return ctx.cache.get_or_make("cover", cover_key, lambda: generate(book, ctx.edition),
                                 ctx.reporter)


_TAG_RE = re.compile(r"<[^>]*>")


def role_texts(book: Book, words: dict[str, str], edition_label: str) -> dict[str, str]:
    """The text set in each font role, for subsetting, from the model (not
    the rendered documents, so that it can run beside their rendering): the
    body face serves every document, the title page and the nav's labels,
    the heading face the titles, the caption face bylines, datelines and
    captions (see base.css). ``fonts_covering`` checks that it is complete."""
    meta = book.meta
    names = ("、" if meta.language.startswith("zh") else ", ").join(meta.authors)
    interface = "".join(words[k] for k in sorted(words))
    body = [interface, meta.title, meta.subtitle, names, edition_label, meta.publisher]
    heading = [meta.title, meta.subtitle, interface]
    caption = []
    for chapter in book.chapters:
        body.append(chapter.title)  # the document's <title>
        body += [html.unescape(_TAG_RE.sub("", str(getattr(owner, field))))
                 for owner, field in chapter.html_fields()]
        body += [str(note.number) for note in chapter.footnotes]
        heading += [chapter.title, chapter.subtitle]
        heading += [section.title for section in chapter.all_sections()]
        caption += [b.text for b in chapter.all_blocks()
                    if b.kind in ("byline", "dateline", "caption", "figure")]
    return {"body": "".join(body), "heading": "".join(heading), "caption": "".join(caption)}


def fonts_covering(ctx: RenderContext, book: Book, words: dict[str, str],
                   fonts: list[EmbeddedFont], documents: list[bytes]) -> list[EmbeddedFont]:
    """``fonts``, subset again with the documents' text in the rare case that
    they hold a character the model-based ``role_texts`` missed."""
    body = next((font for font in fonts if font.role == "body"), None)
    if body is None:
        return fonts
    # The documents' text as a set of characters: tags cut out and entities
    # decoded by two C passes, not an XML parse (12 ms at 200 pages).
    shown = set()
    for doc in documents:
        shown.update(html.unescape(_TAG_RE.sub("", doc.decode())))
    if all(ch.isspace() for ch in shown.difference(body.chars)):
        return fonts
    texts = role_texts(book, words, ctx.edition.get("label", ""))
    texts["body"] += "".join(sorted(shown))
    return embed_fonts(ctx.edition, book.meta.language, texts, ctx.reporter, ctx.cache)
