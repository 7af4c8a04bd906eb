"""Shared HTML rendering: the Jinja2 environment and the labels both
renderers use. The chapter template (``chapter.html.j2``) serves EPUB and PDF.
"""
from __future__ import annotations

import functools

import jinja2

# Interface strings by primary language subtag.
LABELS = {
    "zh": {"toc": "目录", "landmarks": "导览", "titlepage": "书名页", "cover": "封面",
           "footnotes": "注释", "start": "正文", "page": "页"},
    "zh-Hant": {"toc": "目錄", "landmarks": "導覽", "titlepage": "書名頁", "cover": "封面",
                "footnotes": "註釋", "start": "正文", "page": "頁"},
    "en": {"toc": "Contents", "landmarks": "Landmarks", "titlepage": "Title page",
           "cover": "Cover", "footnotes": "Notes", "start": "Start", "page": "Page"},
}


def labels(language: str) -> dict[str, str]:
    if language.startswith("zh"):
        hant = "Hant" in language or language.endswith(("-TW", "-HK", "-MO"))
        return LABELS["zh-Hant" if hant else "zh"]
    return LABELS["en"]


@functools.cache
def environment() -> jinja2.Environment:
    """Autoescaping, strict Jinja environment over ``book/templates``."""
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("book", "templates"),
        # HTML templates escape; the CSS template writes CSS values, not text.
        autoescape=lambda name: not (name or "").endswith(".css.j2"),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        bytecode_cache=_bytecode_cache(),
    )
    return env


def _bytecode_cache() -> jinja2.BytecodeCache | None:
    """Compiled templates kept between runs (Jinja checks each against its
    source), as Python keeps ``__pycache__``: compiling them was 50 ms of
    every EPUB build's start-up. In the user's cache folder, not the book's
    ``dist/.cache``: it holds the tool's code, not the book's content."""
    import os
    from pathlib import Path

    base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    folder = base / "book" / f"jinja-{jinja2.__version__}"
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError:
        return None  # read-only home: compile every time
    return jinja2.FileSystemBytecodeCache(str(folder))


def render_template(name: str, **context) -> str:
    return environment().get_template(name).render(**context)
