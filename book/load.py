"""Load the book, once, for every edition: sources → parsed blocks (``read``)
→ clean-up (``transforms``, ``clean``) → chapters and metadata
(``structure``, ``metadata``) → one ``Book`` model. ``lint_book`` lints the
raw manuscript (what ``book check`` reports and the build report lists).

With a cache (the build's ``<out>/.cache``), parsing is cached per source
file (its bytes are the key), so a rebuild after an edit re-parses only the
edited file; the clean-up-and-structure and the lint read the whole book and
are one cached stage each. Image references are resolved afresh each time
(they depend on the image files).
"""
from __future__ import annotations

import dataclasses
import os
from typing import Any

from book.cache import Cache, fingerprint, key
from book.errors import BuildError, Diagnostic, Location, Reporter
from book.lint import lint
from book.lint.run import lint_options
from book.metadata import resolve_metadata
from book.model import Block, Book, Footnote
from book.project.config import Project
from book.read.parse import parse_source
from book.read.resources import resolve_parsed
from book.read.sources import read_source
from book.structure import structure
from book.transforms import CleanContext, run_transforms


@dataclasses.dataclass
class Loaded:
    """The book model, what the clean-up changed (for the report), and what
    the lint reads: the parsed blocks before clean-up and the sources' texts
    by displayed path."""

    book: Book
    changes: list[dict[str, Any]]
    blocks: list[Block]
    sources: dict[str, str]


@dataclasses.dataclass
class Shaped:
    """The cached result of the clean-up and the structure."""

    book: Book
    changes: list[dict[str, Any]]


def load_book(project: Project, reporter: Reporter, cache: Cache | None = None) -> Loaded:
    """Read and parse the sources, clean up and structure them."""
    cache = cache or Cache(None)
    blocks: list[Block] = []
    footnotes: list[Footnote] = []
    front: dict[str, Any] = {}
    sources: dict[str, str] = {}  # display path → text, in order
    encoding = project.meta.get("encoding")
    for path in project.sources:
        source = read_source(path, project.display(path), reporter, encoding)
        offset = len(footnotes)
        parsed = cache.get_or_make(
            "parse", lambda: key(source.text, source.display, offset),
            lambda: parse_source(source, footnote_offset=offset, reporter=reporter),
            reporter)
        # Not cached: it depends on the image files, not only on the text.
        parsed = resolve_parsed(parsed, project.root, reporter)
        blocks.extend(parsed.blocks)
        footnotes.extend(parsed.footnotes)
        front = front or parsed.front_matter
        sources[source.display] = source.text
    if not blocks or not any(text.strip() for text in sources.values()):
        raise BuildError("nothing to build: the manuscript is empty",
                         Location(", ".join(project.display(p) for p in project.sources)),
                         hint="write some Markdown in it ('# Title' starts a chapter)")
    fallback = (project.sources[0].stem if len(project.sources) == 1 and not project.config_path
                else project.root.resolve().name)
    shaped = cache.get_or_make(
        "shape", lambda: key(
            fingerprint((blocks, footnotes, front, list(sources.values()), list(sources))),
            project.clean, project.structure, project.meta, fallback,
            os.environ.get("SOURCE_DATE_EPOCH")),  # dcterms:modified
        lambda: shape(project, reporter, blocks, footnotes, front, sources, fallback),
        reporter)
    return Loaded(shaped.book, shaped.changes, blocks, sources)


def shape(project: Project, reporter: Reporter, blocks: list[Block],
          footnotes: list[Footnote], front: dict[str, Any], sources: dict[str, str],
          fallback: str) -> Shaped:
    """Parsed blocks → clean-up, chapters and metadata. Text before the first
    chapter heading becomes a front chapter titled with the book's title."""
    context = CleanContext(options=project.clean, reporter=reporter)
    cleaned = run_transforms(blocks, context)
    shaped = structure(cleaned, footnotes, project.structure, reporter, fallback)
    heading_title = shaped.title_block.text if shaped.title_block else ""
    meta = resolve_metadata(project.meta, front, heading_title, fallback,
                            "\n".join(sources.values()))
    for chapter in shaped.chapters:
        if chapter.kind == "front":
            chapter.title = meta.title
    return Shaped(Book(meta=meta, chapters=shaped.chapters), context.changes)


def lint_book(project: Project, loaded: Loaded, reporter: Reporter,
              cache: Cache | None = None) -> list[Diagnostic]:
    """The lint's findings on the raw manuscript (before clean-up), silenced
    codes left out: what ``book check`` prints and the build report lists."""
    cache = cache or Cache(None)
    return cache.get_or_make(
        "lint", lambda: key(fingerprint((loaded.blocks, loaded.sources)), project.check,
                            project.structure, project.clean),
        lambda: [f for f in lint(loaded.blocks, lint_options(project, loaded.sources))
                 if f.code not in reporter.ignore],
        reporter)
