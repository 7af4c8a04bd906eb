"""Errors and diagnostics: every problem has a code, a location and a fix hint.

``BookError`` and its kinds are the library's own exceptions: one line of
text (``str(error)``) and the exit status the command line gives them (usage
and configuration errors 2, build failures 1). Only ``book.cli`` knows click;
it prints the line, never a traceback.
"""
from __future__ import annotations

import dataclasses
import sys
from typing import Iterable


@dataclasses.dataclass(frozen=True, order=True)
class Location:
    """A place in a source file; ``path`` is as the user should see it."""

    path: str
    line: int = 0
    col: int = 0

    def __str__(self) -> str:
        if not self.line:
            return self.path
        return f"{self.path}:{self.line}:{self.col or 1}"


class BookError(Exception):
    """A failure the user can fix. ``str(error)`` is one line:
    ``location: message (hint)``; ``exit_code`` is the command's exit status."""

    exit_code = 1

    def __init__(self, message: str, location: Location | str | None = None,
                 hint: str | None = None) -> None:
        self.location = location
        self.hint = hint
        text = f"{location}: {message}" if location else message
        if hint:
            text += f" ({hint})"
        # One line, always: a multi-line message breaks compiler-style tooling.
        self.message = " ".join(text.split("\n"))
        super().__init__(self.message)

    def __str__(self) -> str:
        return self.message


class ConfigError(BookError):
    """A bad ``book.toml`` or command-line choice."""

    exit_code = 2


class UsageError(BookError):
    """Nothing to build, no such path, unknown edition or format."""

    exit_code = 2


class BuildError(BookError):
    """A build that could not finish (missing font, renderer failure …)."""

    exit_code = 1


SEVERITIES = ("error", "warning", "info")


@dataclasses.dataclass(frozen=True)
class Diagnostic:
    """One finding: ``path:line:col: severity[CODE] message (hint)``."""

    code: str
    message: str
    location: Location
    severity: str = "warning"
    hint: str = ""

    def __str__(self) -> str:
        text = f"{self.location}: {self.severity}[{self.code}] {self.message}"
        return f"{text} ({self.hint})" if self.hint else text

    def sort_key(self) -> tuple:
        """Sorts by file, line, column and code."""
        return (self.location.path, self.location.line, self.location.col, self.code)

    def as_dict(self) -> dict:
        """The finding as JSON-ready data (the report's and ``--format json``'s keys)."""
        return {
            "code": self.code,
            "severity": self.severity,
            "message": self.message,
            "hint": self.hint,
            "path": self.location.path,
            "line": self.location.line,
            "col": self.location.col,
        }


class Reporter:
    """Collects diagnostics; prints warnings and errors to stderr unless
    quiet (notes only when verbose).

    ``ignore`` holds codes silenced in ``book.toml``; ``strict`` turns
    warnings into errors. A reporter is plain data: a render task gets a
    ``buffered_copy`` and sends back what it collected.
    """

    def __init__(self, quiet: bool = False, verbose: bool = False,
                 ignore: Iterable[str] = (), strict: bool = False,
                 buffered: bool = False) -> None:
        self.quiet = quiet
        self.verbose = verbose
        self.ignore = set(ignore)
        self.strict = strict
        # Buffered: print nothing, keep the progress lines too (``replay``).
        self.buffered = buffered
        self.progress_lines: list[str] = []
        self.diagnostics: list[Diagnostic] = []
        # Membership by hash: a list scan made reporting quadratic on big books.
        self._seen: set[Diagnostic] = set()

    def add(self, diag: Diagnostic, echo: bool = True) -> None:
        """Keep DIAG (once; silenced codes dropped, warnings made errors when
        strict) and print it unless quiet, buffered or ``echo`` is false."""
        if diag.code in self.ignore:
            return
        if self.strict and diag.severity == "warning":
            diag = dataclasses.replace(diag, severity="error")
        if diag in self._seen:
            return
        self._seen.add(diag)
        self.diagnostics.append(diag)
        if echo and not self.quiet and not self.buffered \
                and (diag.severity != "info" or self.verbose):
            print(diag, file=sys.stderr)

    def warn(self, code: str, message: str, location: Location,
             hint: str = "") -> None:
        """Add a warning."""
        self.add(Diagnostic(code, message, location, "warning", hint))

    def info(self, code: str, message: str, location: Location,
             hint: str = "") -> None:
        """Add a note (shown with ``verbose``)."""
        self.add(Diagnostic(code, message, location, "info", hint))

    def progress(self, message: str) -> None:
        """A stage's name or figures: on a terminal, or with ``verbose``."""
        if self.buffered:
            self.progress_lines.append(message)
        elif not self.quiet and (self.verbose or sys.stderr.isatty()):
            print(message, file=sys.stderr)

    def say(self, message: str) -> None:
        """A line for the user on stderr, unless quiet."""
        if not self.quiet and not self.buffered:
            print(message, file=sys.stderr)

    def buffered_copy(self) -> "Reporter":
        """A reporter with the same rules that prints nothing and keeps
        everything, for one render task: the build ``replay``s what each task
        found in task order, whether the tasks ran here or in workers."""
        return Reporter(quiet=self.quiet, verbose=self.verbose, ignore=self.ignore,
                        strict=self.strict, buffered=True)

    def replay(self, diagnostics: list[Diagnostic], progress_lines: list[str]) -> None:
        """Report what a buffered copy kept."""
        for diag in diagnostics:
            self.add(diag)
        for line in progress_lines:
            self.progress(line)

    @property
    def errors(self) -> list[Diagnostic]:
        """The diagnostics of severity error."""
        return [d for d in self.diagnostics if d.severity == "error"]
