"""Renderers: one package per output format, registered here by name.

A renderer is ``render(context: RenderContext) -> list[Output]``; it reads
only the book model (the edition's view of it), the edition's settings and
stylesheets. Adding a format is one module and one line in ``RENDERERS``.
"""
from __future__ import annotations

import dataclasses
import importlib
from pathlib import Path
from typing import Callable

from book.cache import Cache
from book.errors import Reporter
from book.model import Book
from book.project.config import Edition, Project

# format name -> module; imported when that format is rendered, so that an
# EPUB build never imports WeasyPrint (its import takes longer than a
# small EPUB's whole build).
RENDERERS = {
    "epub": "book.render.epub",
    "pdf": "book.render.pdf.renderer",
}


@dataclasses.dataclass
class RenderContext:
    """Everything a renderer may use: plain data, so that a worker process
    can receive it."""

    book: Book
    edition: Edition
    project: Project
    reporter: Reporter
    stylesheets: list[Path]
    # Rebuild cache (rendered chapters, subset fonts, the cover); off by default.
    cache: Cache = dataclasses.field(default_factory=lambda: Cache(None))
    # Show the page count while a long PDF is laid out (a terminal's stderr).
    show_progress: bool = False


@dataclasses.dataclass
class Output:
    """One file a renderer produced; written atomically by the build."""

    name: str
    data: bytes


def renderer(fmt: str) -> Callable[[RenderContext], list[Output]]:
    """The ``render`` function of format FMT."""
    return importlib.import_module(RENDERERS[fmt]).render
