"""Structure located blocks into chapters and sections (the book model).

Rules (see README "How headings become chapters"):
- a lone top-level heading at the very start is the book's title;
- chapters open at ``chapter_level`` (default: the shallowest level in use
  after the title); a heading directly followed by a deeper heading gives the
  chapter its subtitle;
- deeper headings open sections, nested by level, with ids derived from
  their text; text before the first chapter becomes a front chapter.
"""
from __future__ import annotations

import dataclasses
import hashlib
import re

from markupsafe import Markup

from book.errors import Location, Reporter
from book.model import Block, Chapter, Footnote, Section


@dataclasses.dataclass
class Structured:
    """The chapters, plus the title heading if one was taken as the title."""

    chapters: list[Chapter]
    title_block: Block | None


def structure(blocks: list[Block], footnotes: list[Footnote], options: dict,
              reporter: Reporter, fallback_title: str) -> Structured:
    """Blocks of all sources, in order → chapters (with sections)."""
    blocks = list(blocks)
    title_block = _take_title(blocks) if options.get("title_heading", True) else None
    levels = [b.level for b in blocks if b.kind == "heading"]
    chapter_level = options.get("chapter_level") or (min(levels) if levels else 1)
    builder = _Builder(chapter_level, options.get("subtitles", True),
                       title_block.text if title_block else fallback_title)
    i = 0
    while i < len(blocks):
        block = blocks[i]
        following = blocks[i + 1] if i + 1 < len(blocks) else None
        if block.kind == "heading" and block.level <= chapter_level:
            subtitle = None
            if (builder.subtitles and following is not None and following.kind == "heading"
                    and following.level > block.level):
                subtitle = following
                i += 1
            builder.open_chapter(block, subtitle)
        elif block.kind == "heading":
            builder.open_section(block)
        else:
            builder.add(block)
        i += 1
    _attach_footnotes(builder.chapters, footnotes, reporter)
    return Structured(builder.chapters, title_block)


def _take_title(blocks: list[Block]) -> Block | None:
    """Remove and return a lone top heading at the start, if there is one."""
    if not blocks or blocks[0].kind != "heading":
        return None
    first = blocks[0]
    others = [b.level for b in blocks[1:] if b.kind == "heading"]
    if others and min(others) <= first.level:
        return None
    del blocks[0]
    return first


class _Builder:
    def __init__(self, chapter_level: int, subtitles: bool, front_title: str) -> None:
        self.chapter_level = chapter_level
        self.subtitles = subtitles
        self.front_title = front_title
        self.chapters: list[Chapter] = []
        self.stack: list[tuple[int, Section]] = []  # (heading level, section)
        self.ids: set[str] = set()

    def open_chapter(self, heading: Block, subtitle: Block | None) -> None:
        number = sum(1 for c in self.chapters if c.kind == "body") + 1
        chapter = Chapter(id=f"ch{number:02d}", title=heading.text,
                          title_html=heading.html, loc=heading.loc, number=number)
        if subtitle is not None:
            chapter.subtitle, chapter.subtitle_html = subtitle.text, subtitle.html
        self.chapters.append(chapter)
        self.stack = []

    def open_section(self, heading: Block) -> None:
        chapter = self._current()
        while self.stack and self.stack[-1][0] >= heading.level:
            self.stack.pop()
        depth = len(self.stack) + 1
        section = Section(id=self._unique_id(heading.text), title=heading.text,
                          title_html=heading.html, depth=depth, loc=heading.loc)
        parent = self.stack[-1][1].sections if self.stack else chapter.sections
        parent.append(section)
        self.stack.append((heading.level, section))

    def add(self, block: Block) -> None:
        chapter = self._current()
        target = self.stack[-1][1].blocks if self.stack else chapter.blocks
        target.append(block)

    def _current(self) -> Chapter:
        if not self.chapters:
            self.chapters.append(Chapter(
                id="front", title=self.front_title, title_html=Markup.escape(self.front_title),
                loc=Location(""), number=0, kind="front"))
        return self.chapters[-1]

    def _unique_id(self, text: str) -> str:
        # Derived from the title, so links stay stable across rebuilds.
        base = "s-" + hashlib.sha1(text.encode()).hexdigest()[:8]
        candidate, n = base, 2
        while candidate in self.ids:
            candidate, n = f"{base}-{n}", n + 1
        self.ids.add(candidate)
        return candidate


def _attach_footnotes(chapters: list[Chapter], footnotes: list[Footnote],
                      reporter: Reporter) -> None:
    """Put each footnote in the chapter that cites it (EPUB links stay local)."""
    if not footnotes or not chapters:
        return
    owner: dict[int, Chapter] = {}
    for chapter in chapters:
        for block in chapter.all_blocks():
            for number in re.findall(r'href="#fn(\d+)"', block.html):
                owner.setdefault(int(number), chapter)
    for note in footnotes:
        chapter = owner.get(note.number)
        if chapter is None:
            chapter = chapters[-1]
            reporter.warn("S010", f"footnote [^{note.label}] is never cited; kept at the end",
                          Location(""), hint="cite it or delete it")
        chapter.footnotes.append(note)
