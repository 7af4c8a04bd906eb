"""A build, as a checklist: load the project → read sources → parse → clean →
structure → for each edition and format: render → write atomically."""
from __future__ import annotations

import dataclasses
import os
import tempfile
from pathlib import Path
from typing import Any

from book.config import Edition, Project
from book.errors import BookError, BuildError, Location, Reporter, UsageError
from book.metadata import resolve_metadata
from book.model import Block, Book, Footnote
from book.parse import parse_source
from book.sources import read_source
from book.stylesheets import stylesheets
from book.structure import structure
from book.transforms import CleanContext, run_transforms


@dataclasses.dataclass
class Loaded:
    """The book model plus what the clean-up changed (for the report)."""

    book: Book
    changes: list[dict[str, Any]]
    blocks: list[Block]


def load_book(project: Project, reporter: Reporter) -> Loaded:
    """Sources → one Book model (shared by every edition)."""
    blocks: list[Block] = []
    footnotes: list[Footnote] = []
    front: dict[str, Any] = {}
    texts = []
    encoding = project.meta.get("encoding")
    for path in project.sources:
        source = read_source(path, project.display(path), reporter, encoding)
        parsed = parse_source(source, footnote_offset=len(footnotes))
        blocks.extend(parsed.blocks)
        footnotes.extend(parsed.footnotes)
        front = front or parsed.front_matter
        texts.append(source.text)
    context = CleanContext(options=project.clean, reporter=reporter)
    blocks = run_transforms(blocks, context)
    fallback = (project.sources[0].stem if len(project.sources) == 1 and not project.config_path
                else project.root.resolve().name)
    shaped = structure(blocks, footnotes, project.structure, reporter, fallback)
    heading_title = shaped.title_block.text if shaped.title_block else ""
    meta = resolve_metadata(project.meta, front, heading_title, fallback, "\n".join(texts))
    for chapter in shaped.chapters:
        if chapter.kind == "front":
            chapter.title = meta.title
    return Loaded(Book(meta=meta, chapters=shaped.chapters), context.changes, blocks)


def select_editions(project: Project, names: tuple[str, ...],
                    formats: tuple[str, ...]) -> list[tuple[Edition, list[str]]]:
    """The (edition, formats) pairs to build, checking the user's choices."""
    for name in names:
        if name not in project.editions:
            raise UsageError(f"unknown edition '{name}'",
                             hint=f"valid editions: {', '.join(project.editions)}")
    chosen = [project.editions[n] for n in (names or project.editions)]
    plan = []
    for edition in chosen:
        fmts = [f for f in edition.formats if not formats or f in formats]
        if fmts:
            plan.append((edition, fmts))
    if not plan:
        raise UsageError("nothing to build: no selected edition has the format(s) "
                         f"{', '.join(formats)}",
                         hint="editions and formats: " + "; ".join(
                             f"{e.name}: {', '.join(e.formats)}" for e in chosen))
    return plan


def build(project: Project, reporter: Reporter, names: tuple[str, ...] = (),
          formats: tuple[str, ...] = ()) -> list[Path]:
    """Build the chosen editions; return the paths written."""
    from book.render import RenderContext, renderer

    plan = select_editions(project, names, formats)
    loaded = load_book(project, reporter)
    if reporter.errors:
        first = reporter.errors[0]
        raise BuildError(f"{len(reporter.errors)} error(s); first: {first}")
    written: list[Path] = []
    for edition, fmts in plan:
        for fmt in fmts:
            reporter.progress(f"building {edition.name} ({fmt}) …")
            ctx = RenderContext(book=loaded.book, edition=edition, project=project,
                                reporter=reporter,
                                stylesheets=stylesheets(project, edition, fmt))
            try:
                outputs = renderer(fmt)(ctx)
            except BookError:
                raise
            except Exception as exc:  # a renderer bug must still be one line
                raise BuildError(f"{fmt} renderer failed for edition '{edition.name}': "
                                 f"{type(exc).__name__}: {exc}") from exc
            for output in outputs:
                written.append(write_atomic(project.out_dir, output.name, output.data))
    return written


def write_atomic(out_dir: Path, name: str, data: bytes) -> Path:
    """Write via a temporary file in the same folder and rename, so an
    interrupted build never leaves a half-written file or loses the last one."""
    out_dir.mkdir(parents=True, exist_ok=True)
    target = out_dir / name
    fd, tmp = tempfile.mkstemp(prefix=f".{name}.", suffix=".part", dir=out_dir)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.chmod(tmp, 0o644)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return target
