"""A build, as a checklist: choose the tasks (edition × format) → load the
book once (``book.load``) → render each task, one after another or in one
pool of worker processes (``book.parallel``) → lint the manuscript for the
report → write every file atomically. A task and its result are plain
picklable data; ``-j 1`` (or a lone task) renders here.
"""
from __future__ import annotations

import dataclasses
import os
import tempfile
from pathlib import Path

from book.cache import Cache
from book.clean.report import summary_line, write_reports
from book.errors import BookError, BuildError, Diagnostic, Reporter, UsageError
from book.load import lint_book, load_book
from book.model import Book
from book.project.config import Edition, Project
from book.project.editions import apply
from book.project.stylesheets import stylesheets
from book.render import Output, RenderContext, renderer


@dataclasses.dataclass(frozen=True)
class RenderTask:
    """One edition in one format."""

    edition: Edition
    fmt: str


@dataclasses.dataclass
class TaskResult:
    """What a render task made and reported (sent back from a worker)."""

    outputs: list[Output]
    diagnostics: list[Diagnostic]
    progress_lines: list[str]


def build(project: Project, reporter: Reporter, names: tuple[str, ...] = (),
          formats: tuple[str, ...] = (), jobs: int | None = None,
          use_cache: bool = True, show_progress: bool = False) -> list[Path]:
    """Build the chosen editions (all by default) in the chosen formats;
    return the paths written. ``jobs``: worker processes for the render tasks
    (default: the core count; 1 renders here); ``show_progress``: a PDF's
    page count on stderr while it is laid out."""
    tasks = [RenderTask(edition, fmt)
             for edition, fmts in select_editions(project, names, formats) for fmt in fmts]
    check_out_dir(project)
    cache = Cache(project.out_dir / ".cache" if use_cache else None)
    reporter.progress("reading and structuring the manuscript …")
    loaded = load_book(project, reporter, cache)
    if reporter.errors:
        raise BuildError(f"{len(reporter.errors)} error(s); first: {reporter.errors[0]}")
    workers = min(jobs or os.cpu_count() or 1, len(tasks))
    if workers > 1:
        # Imported here: a build of one task needs no pool, and the pool's
        # imports cost more than a small book's clean-up.
        from book.parallel import run_in_pool

        for task in tasks:
            reporter.progress(f"building {task.edition.name} ({task.fmt}) …")
        # The lint runs here while the workers render: only the report needs it.
        results, findings = run_in_pool(
            render_task, [(task, loaded.book, project, reporter.buffered_copy(), cache,
                           show_progress) for task in tasks], workers,
            lambda: lint_book(project, loaded, reporter, cache))
        for result in results:  # in task order, as a serial build reports them
            reporter.replay(result.diagnostics, result.progress_lines)
    else:
        results = []
        for task in tasks:
            reporter.progress(f"building {task.edition.name} ({task.fmt}) …")
            results.append(render_task(task, loaded.book, project, reporter.buffered_copy(),
                                       cache, show_progress))
            reporter.replay(results[-1].diagnostics, results[-1].progress_lines)
        findings = lint_book(project, loaded, reporter, cache)
    written: list[Path] = []
    for result in results:
        for output in result.outputs:
            written.append(write_atomic(project.out_dir, output.name, output.data))
    cache.prune()
    editions = list(dict.fromkeys(task.edition.name for task in tasks))
    reports = write_reports(lambda name, data: write_atomic(project.out_dir, name, data),
                            loaded.book.meta.slug, editions, loaded.changes, findings)
    reporter.say(summary_line(loaded.changes, findings, reports))
    return written


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


def render_task(task: RenderTask, book: Book, project: Project, reporter: Reporter,
                cache: Cache, show_progress: bool = False) -> TaskResult:
    """Render one task (here or in a worker) with REPORTER, a buffered copy
    of the build's; the model is the shared one, the edition's view of it is
    made here."""
    # The edition's settings for this format, and its own copy of the model
    # (script conversion, metadata overrides); the shared one is untouched.
    edition = task.edition.for_format(task.fmt)
    ctx = RenderContext(book=apply(book, edition), edition=edition, project=project,
                        reporter=reporter, stylesheets=stylesheets(project, edition, task.fmt),
                        cache=cache, show_progress=show_progress)
    try:
        outputs = renderer(task.fmt)(ctx)
    except BookError:
        raise
    except Exception as exc:  # a renderer bug must still be one line
        raise BuildError(f"{task.fmt} renderer failed for edition '{task.edition.name}': "
                         f"{type(exc).__name__}: {exc}") from exc
    return TaskResult(outputs, reporter.diagnostics, reporter.progress_lines)


def check_out_dir(project: Project) -> None:
    """The default output folder (``dist``) must not be a link leading out of
    the project: a repository can carry such a link, and the build would then
    write wherever it points. An explicit ``-o`` is the user's own choice."""
    default = project.root / "dist"
    if project.out_dir == default and default.is_symlink() and \
            not default.resolve().is_relative_to(project.root.resolve()):
        raise UsageError(f"{default} is a link to {default.resolve()}, outside the project",
                         hint="remove the link, or pass -o DIR to write there on purpose")


def write_atomic(out_dir: Path, name: str, data: bytes) -> Path:
    """Write via a temporary file in the same folder and rename, so an
    interrupted build never leaves a half-written file or loses the last one.
    ``name`` must be a plain file name: a slug or edition name holding a path
    (``../x``) would otherwise write outside the output folder."""
    if not name or name in (".", "..") or Path(name).name != name or "\\" in name \
            or any(ord(ch) < 32 for ch in name):
        raise BuildError(f"output file name '{name}' is not a plain file name",
                         hint="edition names and 'slug' must not contain '/', '\\' or '..'")
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
