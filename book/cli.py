"""Command line: ``book build``, ``book check``, ``book editions``, ``book new``.

The only module that knows click: it parses the arguments, calls the
library, and maps the library's errors (``book.errors.BookError``) to one
line on stderr and an exit status: 2 for usage and configuration errors, 1
for failed builds and checks, 130 and 143 for Ctrl-C and SIGTERM; never a
traceback (but with ``--debug``).
"""
from __future__ import annotations

import os
import signal
import sys
from pathlib import Path
from typing import Callable

import click

from book import __version__
from book.build import build as run_build
from book.errors import BookError, Diagnostic, Reporter
from book.lint.findings import CODES
from book.lint.run import as_json, summary_line
from book.load import lint_book, load_book
from book.project.config import load_project
from book.project.scaffold import create
from book.project.stylesheets import describe


class Failed(click.ClickException):
    """A library error (``BookError``) as click shows it: ``Error: <line>``."""

    def __init__(self, error: BookError) -> None:
        super().__init__(str(error))
        self.exit_code = error.exit_code


class BookGroup(click.Group):
    """The command group; a ``BookError`` from any command becomes ``Failed``."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except BookError as error:
            raise Failed(error) from error


class Settings:
    """Global options shared by every command."""

    def __init__(self, quiet: bool, verbose: bool, debug: bool) -> None:
        self.quiet, self.verbose, self.debug = quiet, verbose, debug

    def reporter(self, **kwargs) -> Reporter:
        """A reporter with the global options (and KWARGS)."""
        return Reporter(quiet=self.quiet, verbose=self.verbose, **kwargs)


@click.group(cls=BookGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="book")
@click.option("-q", "--quiet", is_flag=True, help="Print only errors and output paths.")
@click.option("-v", "--verbose", is_flag=True, help="Print progress and notes.")
@click.option("--debug", is_flag=True, help="Show tracebacks on errors.")
@click.pass_context
def cli(ctx: click.Context, quiet: bool, verbose: bool, debug: bool) -> None:
    """Turn Markdown manuscripts into EPUB 3 and Chinese-typeset PDF editions."""
    ctx.obj = Settings(quiet, verbose, debug)


@cli.command()
@click.argument("path", default=".", type=click.Path())
@click.option("-e", "--edition", "editions", multiple=True, metavar="NAME",
              help="Build only this edition (repeatable).")
@click.option("-f", "--format", "formats", multiple=True,
              type=click.Choice(["epub", "pdf"]), help="Build only this format (repeatable).")
@click.option("-o", "--out", "out_dir", type=click.Path(file_okay=False),
              help="Output folder (default: PATH/dist).")
@click.option("--strict", is_flag=True, help="Treat warnings as errors.")
@click.option("-j", "--jobs", type=click.IntRange(min=1), default=None,
              help="Render tasks (edition × format) in this many processes "
                   "(default: the core count; 1: in this process).")
@click.option("--no-cache", is_flag=True, help="Ignore and do not write dist/.cache.")
@click.pass_obj
def build(settings: Settings, path: str, editions: tuple[str, ...],
          formats: tuple[str, ...], out_dir: str | None, strict: bool,
          jobs: int | None, no_cache: bool) -> None:
    """Build the book at PATH (every edition and format unless -e/-f) into
    dist/ (or -o DIR)."""
    reporter = settings.reporter(strict=strict)
    project = load_project(path, reporter, out_dir)
    reporter.ignore |= set(project.check.get("ignore", []))
    show_progress = not settings.quiet and sys.stderr.isatty()
    for written in run_build(project, reporter, editions, formats, jobs=jobs,
                             use_cache=not no_cache, show_progress=show_progress):
        click.echo(str(written))


@cli.command()
@click.argument("path", default=".", type=click.Path())
@click.option("--strict", is_flag=True, help="Treat warnings as errors (exit 1).")
@click.option("--format", "output_format", type=click.Choice(["text", "json"]),
              default="text", show_default=True, help="Findings as text lines or JSON.")
@click.option("--pdf", "pdf_file", type=click.Path(exists=True, dir_okay=False),
              help="Preflight a built PDF instead (ragged lines, kinsoku, overflow …).")
@click.pass_obj
def check(settings: Settings, path: str, strict: bool, output_format: str,
          pdf_file: str | None) -> None:
    """Lint the manuscript at PATH: one compiler-style line per finding.
    With --pdf FILE, preflight that PDF instead.

    Exit status 1 when there is an error (with --strict, any warning), else 0.
    """
    reporter = settings.reporter(strict=strict)
    if pdf_file:
        sys.exit(_check_pdf(Path(pdf_file), path, reporter, output_format, settings.quiet))
    project = load_project(path, reporter)
    reporter.ignore |= set(project.check.get("ignore", []))
    # The parser's and structurer's own diagnostics belong in the check too,
    # while the clean-up's warnings would only repeat the lint's findings.
    quiet = Reporter(quiet=True, ignore=reporter.ignore)
    loaded = load_book(project, quiet)
    for diag in quiet.diagnostics:
        if diag.code not in CODES and diag.severity != "info":
            reporter.add(diag, echo=False)
    for finding in lint_book(project, loaded, quiet):
        reporter.add(finding, echo=False)
    echo_findings(reporter.diagnostics, output_format, settings.verbose,
                  None if settings.quiet else summary_line)
    if reporter.errors:
        sys.exit(1)


def _check_pdf(pdf_file: Path, project_path: str, reporter: Reporter, output_format: str,
               quiet: bool) -> int:
    """``book check --pdf FILE``: the preflight's findings; the exit status.
    The text block is the edition's when the PDF is one of the project's
    (``<slug>-<edition>.pdf``), else inferred from the pages."""
    # Imported here: pypdf's import is a large part of a small EPUB build's
    # time, and only this command and PDF builds need it.
    from book import preflight
    from book.render.pdf.pagegrid import edition_area, text_frame

    try:
        area = edition_area(load_project(project_path, Reporter(quiet=True)), pdf_file.name)
    except BookError:
        area = None  # not in a project: the frame is inferred
    report = preflight.preflight(pdf_file, pdf_file.name,
                                 text_frame(area) if area is not None else None)
    for diag in report.diagnostics:
        reporter.add(diag, echo=False)
    echo_findings(reporter.diagnostics, output_format, True,
                  None if quiet else lambda _: report.summary())
    return 1 if reporter.errors else 0


def echo_findings(findings: list[Diagnostic], output_format: str, verbose: bool,
                  summary: Callable[[list[Diagnostic]], str] | None) -> None:
    """Print findings sorted by place: as JSON, or one compiler-style line
    each (notes only when verbose) with ``summary(findings)`` on stderr."""
    shown = sorted(findings, key=lambda d: d.sort_key())
    if output_format == "json":
        click.echo(as_json(shown))
        return
    for diag in shown:
        if diag.severity != "info" or verbose:
            click.echo(str(diag))
    if summary is not None:
        click.echo(summary(shown), err=True)


@cli.command()
@click.argument("path", default=".", type=click.Path())
@click.pass_obj
def editions(settings: Settings, path: str) -> None:
    """List the editions of the book at PATH with their resolved settings."""
    project = load_project(path, settings.reporter())
    for edition in project.editions.values():
        click.echo(f"{edition.name}: {', '.join(edition.formats)}")
        for key in sorted(edition.settings):
            if key not in ("formats", "epub", "pdf"):
                click.echo(f"  {key} = {edition.settings[key]!r}")
        for fmt in edition.formats:  # [editions.NAME.epub] / .pdf tables
            for key, value in sorted((edition.settings.get(fmt) or {}).items()):
                click.echo(f"  {fmt} only: {key} = {value!r}")
        for fmt in edition.formats:
            for sheet in describe(project, edition, fmt):  # in cascade order
                click.echo(f"  {fmt} stylesheet: {sheet}")


@cli.command()
@click.argument("path", type=click.Path())
@click.option("--title", help="Book title (default: the folder name).")
def new(path: str, title: str | None) -> None:
    """Create a new book project at PATH: book.toml with two editions, a sample
    chapter, styles/ with the design tokens ready to edit, and a .gitignore."""
    for written in create(Path(path), title):
        click.echo(str(written))


class Terminated(Exception):
    """SIGTERM arrived (a CI timeout, a task runner, a file watcher)."""


def _terminate(signum: int, frame: object) -> None:
    raise Terminated()


def main() -> None:
    """The ``book`` command (see the module docstring for exit statuses)."""
    # SIGTERM unwinds like Ctrl-C: workers are stopped, temporary files removed.
    signal.signal(signal.SIGTERM, _terminate)
    code = _run("--debug" in sys.argv)
    # Leave without the interpreter's teardown, which frees every object one
    # by one, for nothing: everything is written (atomically) and the worker
    # pool is shut down; only stdio needs flushing.
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):  # a closed pipe (book … | head)
            pass
    os._exit(code)


def _run(debug: bool) -> int:
    try:
        code = cli.main(standalone_mode=False, prog_name="book")
        return code if isinstance(code, int) else 0
    except SystemExit as exc:  # a command's own sys.exit(status)
        if exc.code is None or isinstance(exc.code, int):
            return exc.code or 0
        click.echo(str(exc.code), err=True)
        return 1
    except (click.exceptions.Abort, KeyboardInterrupt):  # click turns Ctrl-C into Abort
        click.echo("interrupted", err=True)
        return 130
    except click.ClickException as exc:  # a usage error, or a BookError (Failed)
        if debug and isinstance(exc, Failed) and exc.__cause__.__cause__ is not None:
            raise exc.__cause__  # the error behind the library's one line
        exc.show()
        return exc.exit_code
    except Terminated:
        click.echo("terminated", err=True)
        return 143
    except Exception as exc:  # never a traceback unless --debug
        if debug:
            raise
        click.echo(f"Error: internal error: {type(exc).__name__}: {exc} "
                   "(run with --debug for the traceback)", err=True)
        return 1
