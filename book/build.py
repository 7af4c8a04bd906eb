"""A build, as a checklist: load the project → load the book (``book.load``:
read sources → parse → clean → structure) → for each edition and format:
render → write atomically."""
from __future__ import annotations

import dataclasses
import os
from pathlib import Path

import click

from book.cache import Cache
from book.config import Edition, Project
from book.errors import BookError, BuildError, Reporter, UsageError
from book.load import start_loading
from book.model import Book
from book.render.html import use_bytecode_cache


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
          formats: tuple[str, ...] = (), jobs: int | None = None,
          use_cache: bool = True) -> list[Path]:
    """Build the chosen editions; return the paths written.

    Each (edition, format) is one render task; with ``jobs`` > 1 the tasks run
    in worker processes (the model is built once, here, and sent to them)."""
    from book.clean.report import summary_line, write_reports
    from book.progress import wanted

    plan = select_editions(project, names, formats)
    check_out_dir(project)
    cache = Cache(project.out_dir / ".cache" if use_cache else None)
    cache.ready_to_fork()
    use_bytecode_cache(cache.folder)  # before the workers fork: they inherit it
    tasks = [RenderTask(edition, fmt) for edition, fmts in plan for fmt in fmts]
    jobs = jobs or os.cpu_count() or 1
    workers = _start_workers(tasks, jobs)
    # Without workers (one task) the spare cores run stages of this build:
    # the loading and lint, and an EPUB's cover and fonts (book.background).
    spare_cores = workers is None and jobs > 1
    heads: list = [None] * len(tasks)
    try:
        reporter.progress("reading and structuring the manuscript …")
        if workers is None and not spare_cores:  # workers look up their own faces
            _look_up_epub_faces(project, tasks)
        loading = start_loading(project, reporter, cache, parallel=spare_cores)
        if spare_cores:  # while the child loads the book
            _import_render_modules()
            heads = _head_starts(project, tasks, cache)
        loaded = loading.loaded()
        if reporter.errors:
            first = reporter.errors[0]
            raise BuildError(f"{len(reporter.errors)} error(s); first: {first}")
        if workers is not None:
            results = _run_parallel(workers, tasks, loaded.book, project, reporter, cache)
        else:
            results = [_render(task, loaded.book, project, reporter, wanted(reporter.quiet),
                               cache, spare_cores, head) for task, head in zip(tasks, heads)]
    finally:
        if workers is not None:
            workers.shutdown(cancel_futures=True)
        for head in heads:
            if head is not None:
                head.close()
    written: list[Path] = []
    for outputs, diagnostics in results:
        for diag in diagnostics:
            reporter.add(diag)
        for output in outputs:
            written.append(write_atomic(project.out_dir, output.name, output.data))
    cache.prune()
    reports = write_reports(lambda name, data: write_atomic(project.out_dir, name, data),
                            loaded.book.meta.slug, [e.name for e, _ in plan],
                            loaded.changes, loaded.findings)
    if not reporter.quiet:
        click.echo(summary_line(loaded.changes, loaded.findings, reports), err=True)
    return written


def _import_render_modules() -> None:
    """Import what this process needs only to render and report, in the
    time it waits for the book: before the loading child forks, this was
    5 ms more of the lone EPUB's critical path."""
    import tempfile  # noqa: F401 (write_atomic)

    import book.clean.report  # noqa: F401
    import book.editions  # noqa: F401
    import book.progress  # noqa: F401
    import book.stylesheets  # noqa: F401


def _head_starts(project: Project, tasks: list["RenderTask"], cache: Cache) -> list:
    """Each task's renderer's head start (book.render.head_start), begun
    before the manuscript is read."""
    from book.editions import edition_language
    from book.render import head_start

    language = str(project.meta.get("language") or "zh-Hans")
    return [head_start(task.fmt, task.edition.for_format(task.fmt),
                       edition_language(task.edition, language), cache)
            for task in tasks]


def _look_up_epub_faces(project: Project, tasks: list["RenderTask"]) -> None:
    """Start fontconfig on the EPUB editions' faces now, on a core that is
    idle while the manuscript is read: the EPUB renderer's children would
    otherwise each run it (5 ms a face) on the critical path. The book's
    language is guessed (Simplified unless configured); a wrong guess only
    costs a lookup."""
    from book.editions import edition_language
    from book.fonts import ROLE_WEIGHT, look_up_faces

    language = str(project.meta.get("language") or "zh-Hans")
    for task in tasks:
        if task.fmt == "epub" and task.edition.get("embed_fonts", True) is not False:
            look_up_faces(task.edition, edition_language(task.edition, language),
                          ROLE_WEIGHT)


@dataclasses.dataclass
class RenderTask:
    """One edition in one format."""

    edition: Edition
    fmt: str


def _render(task: RenderTask, book: Book, project: Project, reporter: Reporter,
            show_progress: bool = False, cache: Cache | None = None,
            spare_cores: bool = False, head_start: object = None):
    """Render one task; returns (outputs, diagnostics it raised)."""
    from book.editions import apply
    from book.progress import page_progress
    from book.render import RenderContext, renderer
    from book.stylesheets import stylesheets

    reporter.progress(f"building {task.edition.name} ({task.fmt}) …")
    before = len(reporter.diagnostics)
    # The edition's view: its settings for this format, and its own copy of
    # the model (script conversion, metadata overrides); the shared one is untouched.
    edition = task.edition.for_format(task.fmt)
    book = apply(book, edition)
    ctx = RenderContext(book=book, edition=edition, project=project, reporter=reporter,
                        stylesheets=stylesheets(project, edition, task.fmt),
                        cache=cache or Cache(None), spare_cores=spare_cores,
                        head_start=head_start)
    label = f"{task.edition.name} ({task.fmt})"
    try:
        with page_progress(label, show_progress):
            outputs = renderer(task.fmt)(ctx)
    except BookError:
        raise
    except Exception as exc:  # a renderer bug must still be one line
        raise BuildError(f"{task.fmt} renderer failed for edition '{task.edition.name}': "
                         f"{type(exc).__name__}: {exc}") from exc
    return outputs, reporter.diagnostics[before:]


def _render_in_worker(task: RenderTask, book: Book, project: Project, quiet: bool,
                      verbose: bool, ignore: set[str], strict: bool, cache: Cache):
    # Workers report to a silent reporter; the parent prints what they found,
    # in task order, so output does not interleave.
    from book.progress import wanted

    reporter = Reporter(quiet=True, verbose=verbose, ignore=ignore, strict=strict)
    outputs, diagnostics = _render(task, book, project, reporter, wanted(quiet), cache)
    return outputs, diagnostics


# What a worker imports while the parent parses: the renderers' libraries
# (WeasyPrint alone is 0.5 s of imports, as long as parsing a 200-page book).
WARM_UP = {
    "pdf": ("weasyprint", "weasyprint.text.fonts", "book.render.pdf", "book.typeset",
            "book.preflight", "book.pdfglyphs", "pypdf"),
    "epub": ("book.render.epub", "book.render.epub_package", "jinja2", "book.cover",
             "PIL.ImageDraw", "PIL.PngImagePlugin", "uharfbuzz", "brotli"),
}


def _start_workers(tasks: list[RenderTask], jobs: int):
    """Worker processes for the render tasks, started before the book is
    loaded so they import their renderers while this process parses. Used
    with ``jobs`` > 1: for several tasks, and for a PDF even when it is the
    only one (it then renders in the warmed-up worker). None: render here
    (``-j 1``, or a lone EPUB, whose imports are too short to hide)."""
    count = min(jobs, len(tasks))
    if jobs < 2 or (count < 2 and not any(task.fmt == "pdf" for task in tasks)):
        return None
    import concurrent.futures  # 6 ms of imports a lone EPUB need not pay
    import multiprocessing

    # fork: workers inherit what is imported already and start in milliseconds.
    pool = concurrent.futures.ProcessPoolExecutor(
        count, mp_context=multiprocessing.get_context("fork"), initializer=_warm_up,
        initargs=(tuple(sorted({task.fmt for task in tasks})),))
    pool.submit(int)  # with fork, the first submit starts every worker
    return pool


def _warm_up(formats: tuple[str, ...]) -> None:
    import importlib

    for fmt in formats:
        for module in WARM_UP.get(fmt, ()):
            try:
                importlib.import_module(module)
            except ImportError:
                pass  # the render itself reports what is missing


def _run_parallel(pool, tasks: list[RenderTask], book: Book, project: Project,
                  reporter: Reporter, cache: Cache):
    import concurrent.futures.process
    futures = []
    for task in tasks:
        reporter.progress(f"building {task.edition.name} ({task.fmt}) …")
        futures.append(pool.submit(_render_in_worker, task, book, project, reporter.quiet,
                                   reporter.verbose, reporter.ignore, reporter.strict, cache))
    try:
        return [future.result() for future in futures]
    except concurrent.futures.process.BrokenProcessPool as exc:
        # A worker died (killed, out of memory, a crash in a C library):
        # one line, not the pool's traceback.
        raise BuildError("a render worker process died before finishing",
                         hint="run again with -j 1 to render in one process") from exc


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
    import tempfile

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
