"""Shared HTML rendering: the Jinja2 environment and the labels both
renderers use. The chapter template (``chapter.html.j2``) serves EPUB and PDF.
"""
from __future__ import annotations

import functools
from pathlib import Path

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
    )
    return env


def use_bytecode_cache(folder: Path | None) -> None:
    """Keep compiled templates in ``folder/jinja`` between runs (Jinja checks
    each against its source): compiling them was 50 ms of every build's
    start-up. The build passes its own ``dist/.cache``, since a build writes
    nowhere outside its output folder; ``None`` compiles every time."""
    if folder is None:
        environment().bytecode_cache = None
        return
    try:
        (folder / "jinja").mkdir(parents=True, exist_ok=True)
    except OSError:
        return  # an unwritable cache only costs speed
    environment().bytecode_cache = jinja2.FileSystemBytecodeCache(str(folder / "jinja"))


def render_template(name: str, **context) -> str:
    return environment().get_template(name).render(**context)
