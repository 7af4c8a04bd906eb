"""Errors and diagnostics: every problem has a code, a location and a fix hint.

Errors are ``click.ClickException`` subclasses so the CLI prints one line and
no traceback; usage and configuration errors exit 2, build failures exit 1.
"""
from __future__ import annotations

import dataclasses
import sys
from typing import Iterable

import click


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


class BookError(click.ClickException):
    """A failure the user can fix; printed as one line."""

    exit_code = 1

    def __init__(self, message: str, location: Location | str | None = None,
                 hint: str | None = None) -> None:
        self.location = location
        self.hint = hint
        text = f"{location}: {message}" if location else message
        if hint:
            text += f" ({hint})"
        super().__init__(text)

    def format_message(self) -> str:
        # One line, always: a multi-line message breaks compiler-style tooling.
        return " ".join(self.message.split("\n"))


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
        return (self.location.path, self.location.line, self.location.col, self.code)

    def as_dict(self) -> dict:
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
    """Collects diagnostics; prints warnings to stderr unless quiet.

    ``ignore`` holds codes silenced in ``book.toml``; ``strict`` turns
    warnings into errors.
    """

    def __init__(self, quiet: bool = False, verbose: bool = False,
                 ignore: Iterable[str] = (), strict: bool = False) -> None:
        self.quiet = quiet
        self.verbose = verbose
        self.ignore = set(ignore)
        self.strict = strict
        self.diagnostics: list[Diagnostic] = []
        # Membership by hash: a list scan made reporting quadratic on big books.
        self._seen: set[Diagnostic] = set()

    def add(self, diag: Diagnostic, echo: bool = True) -> None:
        if diag.code in self.ignore:
            return
        if self.strict and diag.severity == "warning":
            diag = dataclasses.replace(diag, severity="error")
        if diag in self._seen:
            return
        self._seen.add(diag)
        self.diagnostics.append(diag)
        if echo and not self.quiet and (diag.severity != "info" or self.verbose):
            click.echo(str(diag), err=True)

    def warn(self, code: str, message: str, location: Location,
             hint: str = "") -> None:
        self.add(Diagnostic(code, message, location, "warning", hint))

    def info(self, code: str, message: str, location: Location,
             hint: str = "") -> None:
        self.add(Diagnostic(code, message, location, "info", hint))

    def progress(self, message: str) -> None:
        if not self.quiet and (self.verbose or sys.stderr.isatty()):
            click.echo(message, err=True)

    @property
    def errors(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.severity == "error"]
