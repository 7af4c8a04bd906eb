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
from book.cache import Cache
from book.config import Edition
from book.cover import cover_file
from book.errors import Reporter
from book.fonts import (ROLE_WEIGHT, EmbeddedFont, embed_fonts, finish_face_lookups,
                        look_up_faces, role_face)
from book.model import Book, Metadata
from book.render import Output, RenderContext
from book.render.html import labels

@dataclasses.dataclass
class HeadStart:
    """The EPUB's stages that need little of the book: the generated cover
    and the font subsets, in a child forked at the start of the build when
    cores are spare (or run here when asked for, without)."""

    assets: background.Standby[tuple[bytes | None, list[EmbeddedFont]]]

    def close(self) -> None:
        self.assets.close()


def head_start(edition: Edition, language: str, cache: Cache, parallel: bool) -> HeadStart:
    """Fork the child that draws the cover and subsets the fonts of EDITION
    (its EPUB settings) now, before the book is read: it imports Pillow and
    HarfBuzz and looks up the faces for LANGUAGE (a guess: the book may say
    otherwise), 40 ms of work, then waits for the metadata and the text.
    With ``parallel``, the book is being read in another child
    (``book.load.start_loading``): this process readies the packaging
    meanwhile (ebooklib, lxml, Jinja and the templates: 35 ms)."""
    drawn = not edition.get("cover")

    def prepare() -> None:
        import uharfbuzz  # noqa: F401 (imported to be ready)
        import book.woff2  # noqa: F401 (Brotli)
        look_up_faces(edition, language, ROLE_WEIGHT)
        for role in ROLE_WEIGHT:
            role_face(edition, role, language)
        if drawn:
            from book.cover import prepare as prepare_cover

            prepare_cover(edition, language)

    def make(reporter: Reporter, meta: Metadata,
             texts: dict[str, str]) -> tuple[bytes | None, list[EmbeddedFont]]:
        # The cover in a child of this child, ready as it is (imports and
        # faces), beside the subsetting: 15 ms each, while the parent renders.
        cover = background.start(lambda rep: _generated_cover(edition, meta, cache, rep),
                                 reporter, parallel) if drawn else None
        fonts = embed_fonts(edition, meta.language, texts, reporter, cache)
        return (cover.result() if cover else None), fonts

    finish_face_lookups()  # the build's own, before the child forks
    head = HeadStart(background.standby(prepare, make, parallel))
    if parallel:
        from book.render.epub_package import ready

        ready()
    return head


def render(ctx: RenderContext) -> list[Output]:
    words = labels(ctx.book.meta.language)
    cover = cover_file(ctx.edition)
    # The cover and the font subsets depend on little of the model: a child
    # process draws and subsets them (0.03 s at 200 pages, after its
    # imports, fontconfig and font loading) while this one renders; see
    # head_start.
    head = ctx.head_start or head_start(ctx.edition, ctx.book.meta.language, ctx.cache,
                                        ctx.spare_cores)
    assets = head.assets.start(ctx.reporter, ctx.book.meta,
                               role_texts(ctx.book, words, ctx.edition.get("label", "")))
    drawn = None if ctx.edition.get("cover") else background.Later(lambda: assets.result()[0])
    subset = background.Later(lambda: assets.result()[1])
    from book.render.epub_package import package

    return [Output(f"{ctx.book.meta.slug}-{ctx.edition.name}.epub",
                   package(ctx, words, cover, drawn, subset))]


def _generated_cover(edition: Edition, meta: Metadata, cache: Cache,
                     reporter: Reporter) -> bytes:
    """A cover drawn from the metadata, cached by what it is drawn from
    (metadata, edition, the faces' files): Pillow's PNG encoding of it was
    0.1 s of every EPUB build in the profile."""
    from book.cache import fingerprint, key
    from book.cover import generate

    look_up_faces(edition, meta.language, ("heading", "body"))

    def cover_key() -> str:
        faces = [role_face(edition, role, meta.language) for role in ("heading", "body")]
        identity = [(str(f.path), f.index, f.path.stat().st_size, f.path.stat().st_mtime_ns)
                    for f in faces if f is not None]
        return key(fingerprint(meta), edition.name, edition.settings, identity)

    return cache.get_or_make("cover", cover_key, lambda: generate(meta, edition), reporter)


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


def shown_characters(documents: list[bytes]) -> set[str]:
    """The characters the documents show: tags cut out and entities decoded
    by two C passes, not an XML parse (12 ms at 200 pages)."""
    shown: set[str] = set()
    for doc in documents:
        shown.update(html.unescape(_TAG_RE.sub("", doc.decode())))
    return shown


def fonts_covering(ctx: RenderContext, book: Book, words: dict[str, str],
                   fonts: list[EmbeddedFont], shown: set[str]) -> list[EmbeddedFont]:
    """``fonts``, subset again with the SHOWN characters (``shown_characters``
    of the documents) in the rare case that the model-based ``role_texts``
    missed one."""
    body = next((font for font in fonts if font.role == "body"), None)
    if body is None:
        return fonts
    if all(ch.isspace() for ch in shown.difference(body.chars)):
        return fonts
    texts = role_texts(book, words, ctx.edition.get("label", ""))
    texts["body"] += "".join(sorted(shown))
    return embed_fonts(ctx.edition, book.meta.language, texts, ctx.reporter, ctx.cache)
