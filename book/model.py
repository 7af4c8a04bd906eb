"""The book model: ``Book`` → ``Chapter`` → ``Section`` → ``Block``.

Built once by the structurer; renderers read only this. HTML held here is
already rendered and sanitised (``Markup``), so templates never parse Markdown.
"""
from __future__ import annotations

import copy
import dataclasses
from typing import Any, Iterator

from markupsafe import Markup

from book.errors import Location


@dataclasses.dataclass
class Block:
    """One block of body content.

    ``kind``: paragraph, heading, list, table, code, quote, html, hr, byline,
    caption, dateline, figure. ``text`` is the plain text (for lint, search and
    tests); ``html`` the rendered markup; ``level`` is set for headings.
    """

    kind: str
    html: Markup
    text: str
    loc: Location
    level: int = 0
    attrs: dict[str, Any] = dataclasses.field(default_factory=dict)


@dataclasses.dataclass
class Section:
    """A titled part of a chapter; ``depth`` 1 is directly under the chapter."""

    id: str
    title: str
    title_html: Markup
    depth: int
    loc: Location
    blocks: list[Block] = dataclasses.field(default_factory=list)
    sections: list["Section"] = dataclasses.field(default_factory=list)

    def walk(self) -> Iterator["Section"]:
        """This section and its subsections, depth first."""
        yield self
        for sub in self.sections:
            yield from sub.walk()


@dataclasses.dataclass
class Footnote:
    """A footnote definition, rendered; ``number`` is its order in the book."""

    number: int
    label: str
    html: Markup


@dataclasses.dataclass
class Chapter:
    """One chapter: one XHTML document in the EPUB, a right-hand opening in print.

    ``kind`` is ``front`` for text that came before the first chapter heading.
    """

    id: str
    title: str
    title_html: Markup
    loc: Location
    number: int
    kind: str = "body"
    subtitle: str = ""
    subtitle_html: Markup = Markup("")
    blocks: list[Block] = dataclasses.field(default_factory=list)
    sections: list[Section] = dataclasses.field(default_factory=list)
    footnotes: list[Footnote] = dataclasses.field(default_factory=list)

    @property
    def file_name(self) -> str:
        """The chapter's XHTML document in the EPUB."""
        return f"{self.id}.xhtml"

    def all_sections(self) -> Iterator[Section]:
        """Every section, nested ones included, in reading order."""
        for section in self.sections:
            yield from section.walk()

    def all_blocks(self) -> Iterator[Block]:
        """Every block: the chapter's own, then each section's, in reading order."""
        yield from self.blocks
        for section in self.all_sections():
            yield from section.blocks

    def html_fields(self) -> Iterator[tuple[Any, str]]:
        """Every rendered HTML fragment of the chapter as (owner, attribute
        name), for transforms that rewrite markup in place on a copy."""
        yield self, "title_html"
        yield self, "subtitle_html"
        for section in self.all_sections():
            yield section, "title_html"
        for block in self.all_blocks():
            yield block, "html"
        for note in self.footnotes:
            yield note, "html"


@dataclasses.dataclass
class Metadata:
    """Bibliographic data, resolved from ``book.toml``, front matter and text."""

    title: str
    language: str
    identifier: str
    modified: str  # ISO 8601 UTC, e.g. 2024-01-01T00:00:00Z
    subtitle: str = ""
    authors: list[str] = dataclasses.field(default_factory=list)
    publisher: str = ""
    date: str = ""
    description: str = ""
    rights: str = ""
    slug: str = "book"
    isbn: str = ""


@dataclasses.dataclass
class Book:
    """The whole book, as every renderer sees it."""

    meta: Metadata
    chapters: list[Chapter]

    def editable_copy(self) -> "Book":
        """A copy whose chapters, sections, blocks, footnotes and metadata can
        be changed in place without touching this book. Their values (strings,
        Markup, locations) are immutable and shared, not copied one by one as
        ``copy.deepcopy`` would."""
        return Book(meta=dataclasses.replace(self.meta, authors=list(self.meta.authors)), chapters=[
            _copy_chapter(chapter) for chapter in self.chapters])

    def text_blocks(self) -> Iterator[Block]:
        """Every block of the book, in reading order."""
        for chapter in self.chapters:
            yield from chapter.all_blocks()


def _copy_block(block: Block) -> Block:
    fresh = copy.copy(block)
    fresh.attrs = dict(block.attrs)
    return fresh


def _copy_section(section: Section) -> Section:
    fresh = copy.copy(section)
    fresh.blocks = [_copy_block(b) for b in section.blocks]
    fresh.sections = [_copy_section(s) for s in section.sections]
    return fresh


def _copy_chapter(chapter: Chapter) -> Chapter:
    fresh = copy.copy(chapter)
    fresh.blocks = [_copy_block(b) for b in chapter.blocks]
    fresh.sections = [_copy_section(s) for s in chapter.sections]
    fresh.footnotes = [copy.copy(n) for n in chapter.footnotes]
    return fresh
