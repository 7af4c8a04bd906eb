"""Renderers: one module per output format, registered here by name.

A renderer is ``render(context: RenderContext) -> list[Output]``; it reads only
the book model and the edition. Modules are imported lazily so an EPUB build
never pays for WeasyPrint's import.
"""
from __future__ import annotations

import dataclasses
import importlib
from pathlib import Path
from typing import Any, Callable, Protocol

from book.cache import Cache
from book.config import Edition, Project
from book.errors import Reporter
from book.model import Book

# format name -> module path; adding a format is one line here.
RENDERERS = {
    "epub": "book.render.epub",
    "pdf": "book.render.pdf",
}


@dataclasses.dataclass
class RenderContext:
    """Everything a renderer may use."""

    book: Book
    edition: Edition
    project: Project
    reporter: Reporter
    stylesheets: list[Path]
    # Rebuild cache (rendered chapters, subset fonts); disabled by default.
    cache: Cache = dataclasses.field(default_factory=lambda: Cache(None))
    # Cores this build does not use otherwise: the renderer may run stages in
    # child processes (book.background).
    spare_cores: bool = False
    # What the renderer's ``head_start`` began before the book was loaded.
    head_start: Any = None


class HeadStart(Protocol):
    def close(self) -> None:
        """Drop what was begun and not used (a build that failed)."""


@dataclasses.dataclass
class Output:
    """One file a renderer produced; written atomically by the build."""

    name: str
    data: bytes


def renderer(fmt: str) -> Callable[[RenderContext], list[Output]]:
    return importlib.import_module(RENDERERS[fmt]).render


def head_start(fmt: str, edition: Edition, language: str, cache: Cache) -> HeadStart | None:
    """Begin FMT's work that needs little of the book, in child processes, on
    cores that are idle while the manuscript is read: the renderer module's
    ``head_start(edition, language, cache, parallel=True)``, if it has one.
    LANGUAGE is the build's guess (front matter may change it)."""
    begin = getattr(importlib.import_module(RENDERERS[fmt]), "head_start", None)
    return begin(edition, language, cache, True) if begin else None
