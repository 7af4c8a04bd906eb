"""Load the book: sources → parsed blocks → clean-up → structure → one
``Book`` model for every edition, and the lint's findings on the raw
manuscript.

``start_loading`` runs it in a child process when a core is spare (the main
process meanwhile readies the renderer); the child sends the model as soon
as it is shaped, then lints (``book.background_stream``).
"""
from __future__ import annotations

import dataclasses
import os
from typing import Any, Iterator

from book import background, background_stream
from book.cache import Cache, fingerprint, key as cache_key
from book.config import Project
from book.errors import BuildError, Diagnostic, Location, Reporter
from book.model import Block, Book, Footnote
from book.resources import resolve_parsed
from book.sources import read_source


@dataclasses.dataclass
class Shaped:
    """The book model plus what the clean-up changed (for the report)."""

    book: Book
    changes: list[dict[str, Any]]
    blocks: list[Block]


class Loaded:
    """The loaded book: the model, the clean-up's changes, and the findings of
    the lint of the raw manuscript (which may still be running in a child
    process: only the report needs them)."""

    def __init__(self, shaped: Shaped, linted: background.Later) -> None:
        self.book, self.changes, self.blocks = shaped.book, shaped.changes, shaped.blocks
        self._linted = linted

    @property
    def findings(self) -> list[Diagnostic]:
        return self._linted.result()


def load_book(project: Project, reporter: Reporter, cache: Cache | None = None) -> Loaded:
    """Sources → one Book model (shared by every edition), and the lint's findings."""
    return start_loading(project, reporter, cache, parallel=False).loaded()


class Loading:
    """``load_book`` under way, perhaps in a child process."""

    def __init__(self, steps: background_stream.Stream) -> None:
        self._steps = steps

    def loaded(self) -> Loaded:
        """Wait for the model (not for the lint)."""
        return Loaded(self._steps.result(0), self._steps.later(1))


def start_loading(project: Project, reporter: Reporter, cache: Cache | None = None,
                  parallel: bool = False) -> Loading:
    """Start loading the book: with ``parallel``, in a child process (it sends
    the model, then lints), so that this one can meanwhile ready the renderer
    (imports, templates) on the other core. See ``_load_steps``."""
    return Loading(background_stream.stream(
        lambda rep: _load_steps(project, rep, cache or Cache(None)), reporter, parallel))


def _load_steps(project: Project, reporter: Reporter, cache: Cache) -> Iterator[Any]:
    """Yield the shaped model, then the lint's findings on the raw manuscript.

    The cache entries made on the way are written after the model is handed
    over: a parent process may be waiting for it."""
    cache.defer_stores()
    try:
        shaped, blocks, sources = _read_and_shape(project, reporter, cache)
    except BaseException:
        cache.flush()
        raise
    yield shaped
    cache.flush()
    yield cache.get_or_make(
        "lint", lambda: cache_key(fingerprint((blocks, sources)), project.check,
                                  project.structure, project.clean),
        lambda: _lint(project, reporter, blocks, sources), reporter)


def _read_and_shape(project: Project, reporter: Reporter,
                    cache: Cache) -> tuple[Shaped, list[Block], dict[str, str]]:
    """Read and parse the sources, clean up and structure: the shaped model,
    the parsed blocks and the sources' texts by displayed path (for the lint).

    Parsing is cached per source file (its bytes are the key), so a rebuild
    after an edit re-parses only the edited file; the lint and the
    clean-up-and-structure read the whole book and are one cached stage each."""
    from book.parse import parse_source  # markdown-it: 15 ms of imports

    blocks: list[Block] = []
    footnotes: list[Footnote] = []
    front: dict[str, Any] = {}
    texts = []
    displays: list[str] = []  # the sources' paths as shown, for lint columns
    encoding = project.meta.get("encoding")
    for path in project.sources:
        source = read_source(path, project.display(path), reporter, encoding)
        offset = len(footnotes)
        parsed = cache.get_or_make(
            "parse", lambda: cache_key(source.text, source.display, offset),
            lambda: parse_source(source, footnote_offset=offset, reporter=reporter),
            reporter)
        # Not cached: it depends on the image files, not only on the text.
        parsed = resolve_parsed(parsed, project.root, reporter)
        blocks.extend(parsed.blocks)
        footnotes.extend(parsed.footnotes)
        front = front or parsed.front_matter
        texts.append(source.text)
        displays.append(source.display)
    if not blocks or not any(text.strip() for text in texts):
        raise BuildError("nothing to build: the manuscript is empty",
                         Location(", ".join(project.display(p) for p in project.sources)),
                         hint="write some Markdown in it ('# Title' starts a chapter)")
    fallback = (project.sources[0].stem if len(project.sources) == 1 and not project.config_path
                else project.root.resolve().name)
    shaped = cache.get_or_make(
        "shape", lambda: cache_key(
            fingerprint((blocks, footnotes, front, texts, displays)), project.clean,
            project.structure, project.meta, fallback,
            os.environ.get("SOURCE_DATE_EPOCH")),  # dcterms:modified
        lambda: _shape(project, reporter, blocks, footnotes, front, texts, fallback),
        reporter)
    return shaped, blocks, dict(zip(displays, texts))


def _lint(project: Project, reporter: Reporter, blocks: list[Block],
          sources: dict[str, str]) -> list[Diagnostic]:
    """What `book check` reports (and the build report lists) of the raw
    manuscript, silenced codes left out."""
    # Imported here: a cached rebuild, or a parent whose child lints, never
    # needs them (0.02 s of imports, mostly compiling regular expressions).
    from book.lint import lint
    from book.lint.run import lint_options

    return [f for f in lint(blocks, lint_options(project, sources))
            if f.code not in reporter.ignore]


def _shape(project: Project, reporter: Reporter, blocks: list[Block],
           footnotes: list[Footnote], front: dict[str, Any], texts: list[str],
           fallback: str) -> Shaped:
    """Parsed blocks → clean-up, chapters and metadata."""
    from book.metadata import resolve_metadata
    from book.structure import structure
    from book.transforms import CleanContext, run_transforms

    context = CleanContext(options=project.clean, reporter=reporter)
    blocks = run_transforms(blocks, context)
    shaped = structure(blocks, footnotes, project.structure, reporter, fallback)
    heading_title = shaped.title_block.text if shaped.title_block else ""
    meta = resolve_metadata(project.meta, front, heading_title, fallback, "\n".join(texts))
    for chapter in shaped.chapters:
        if chapter.kind == "front":
            chapter.title = meta.title
    return Shaped(Book(meta=meta, chapters=shaped.chapters), context.changes, blocks)
