"""Command line: ``book build``, ``book check``, ``book editions``, ``book new``."""
from __future__ import annotations

import os
import sys

import click

from book import __version__
from book.errors import Reporter


class Settings:
    """Global options shared by every command."""

    def __init__(self, quiet: bool, verbose: bool, debug: bool) -> None:
        self.quiet, self.verbose, self.debug = quiet, verbose, debug

    def reporter(self, **kwargs) -> Reporter:
        return Reporter(quiet=self.quiet, verbose=self.verbose, **kwargs)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
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
              help="Editions built in parallel processes (default: the core count).")
@click.option("--no-cache", is_flag=True, help="Ignore and do not write dist/.cache.")
@click.pass_obj
def build(settings: Settings, path: str, editions: tuple[str, ...],
          formats: tuple[str, ...], out_dir: str | None, strict: bool,
          jobs: int | None, no_cache: bool) -> None:
    """Build every edition of the book at PATH into dist/."""
    from book.build import build as run_build
    from book.config import load_project

    reporter = settings.reporter(strict=strict)
    project = load_project(path, reporter, out_dir)
    reporter.ignore |= set(project.check.get("ignore", []))
    for written in run_build(project, reporter, editions, formats, jobs=jobs,
                             use_cache=not no_cache):
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

    Exit status 1 when there is an error (with --strict, any warning), else 0.
    """
    from book.load import load_book
    from book.config import load_project
    from book.lint import CODES
    from book.lint.run import echo_findings, summary_line

    reporter = settings.reporter(strict=strict)
    if pdf_file:
        from book.preflight import run_check

        sys.exit(run_check(pdf_file, path, reporter, output_format, settings.quiet))
    project = load_project(path, reporter)
    reporter.ignore |= set(project.check.get("ignore", []))
    # Loading the book lints the raw manuscript (the findings a build reports);
    # the parser's and structurer's own diagnostics belong in the check too,
    # while the clean-up's warnings would only repeat the findings.
    quiet = Reporter(quiet=True, ignore=reporter.ignore)
    loaded = load_book(project, quiet)
    for diag in quiet.diagnostics:
        if diag.code not in CODES and diag.severity != "info":
            reporter.add(diag, echo=False)
    for finding in loaded.findings:
        reporter.add(finding, echo=False)
    echo_findings(reporter.diagnostics, output_format, settings.verbose,
                  None if settings.quiet else summary_line)
    if reporter.errors:
        sys.exit(1)


@cli.command()
@click.argument("path", default=".", type=click.Path())
@click.pass_obj
def editions(settings: Settings, path: str) -> None:
    """List the editions of the book at PATH with their resolved settings."""
    from book.config import load_project
    from book.stylesheets import describe

    reporter = settings.reporter()
    project = load_project(path, reporter)
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
    from pathlib import Path

    from book.scaffold import create

    for written in create(Path(path), title):
        click.echo(str(written))


def main() -> None:
    """The ``book`` command: exit status 2 for usage and configuration
    errors, 1 for failed builds and checks, never a traceback (but with
    ``--debug``)."""
    code = _run("--debug" in sys.argv)
    # Leave without the interpreter's teardown, which frees every object one
    # by one: 25 ms of a 200-page EPUB build's 0.27 s. Everything is written
    # (outputs atomically, worker pools shut down); only stdio needs flushing.
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
    except click.exceptions.Abort:
        click.echo("Aborted!", err=True)
        return 1
    except click.ClickException as exc:
        if debug and exc.__cause__ is not None:
            raise
        exc.show()
        return exc.exit_code
    except KeyboardInterrupt:
        click.echo("interrupted", err=True)
        return 130
    except Exception as exc:  # never a traceback unless --debug
        if debug:
            raise
        click.echo(f"Error: internal error: {type(exc).__name__}: {exc} "
                   "(run with --debug for the traceback)", err=True)
        return 1
