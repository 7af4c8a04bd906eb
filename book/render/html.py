"""Shared HTML rendering: the Jinja2 environment and the interface labels
both renderers use. The chapter template (``chapter.html.j2``) serves EPUB
and PDF."""
from __future__ import annotations

import functools
from pathlib import Path

import jinja2
import jinja2.bccache

from book.text.script import HANT, chinese_script, is_chinese

# Interface strings by language: the navigation's and the title page's words.
LABELS = {
    "zh-Hans": {"toc": "目录", "landmarks": "导览", "titlepage": "书名页", "cover": "封面",
                "footnotes": "注释", "start": "正文", "page": "页"},
    "zh-Hant": {"toc": "目錄", "landmarks": "導覽", "titlepage": "書名頁", "cover": "封面",
                "footnotes": "註釋", "start": "正文", "page": "頁"},
    "en": {"toc": "Contents", "landmarks": "Landmarks", "titlepage": "Title page",
           "cover": "Cover", "footnotes": "Notes", "start": "Start", "page": "Page"},
}


def labels(language: str) -> dict[str, str]:
    """The interface strings for a book in LANGUAGE: Traditional or
    Simplified Chinese, else English."""
    script = chinese_script(language)
    if script is None:
        return LABELS["en"]
    return LABELS["zh-Hant" if script == HANT else "zh-Hans"]


def join_names(names: list[str], language: str) -> str:
    """Authors' names as a list in LANGUAGE: 张三、李四 or Ann, Bob."""
    return ("、" if is_chinese(language) else ", ").join(names)


# Compiled templates shipped with the package, written at set-up by
# ``python -m book.precompile`` (as an installer compiles the .py files).
SHIPPED_BYTECODE = Path(__file__).resolve().parent.parent / "templates" / "__pycache__"


@functools.cache
def environment(cache_folder: Path | None = None) -> jinja2.Environment:
    """Autoescaping, strict Jinja environment over ``book/templates``.

    Compiled templates are looked up in the package's own cache, then in
    ``cache_folder/jinja`` (the build passes its ``dist/.cache``: a build
    writes nowhere outside its output folder), which also keeps a fresh
    compile: compiling the templates costs a noticeable part of a small
    EPUB build (docs/performance.md).
    Jinja checks each entry against its template's source, so a stale one is
    recompiled."""
    return _new_environment(_TwoFolders(_writable(cache_folder)))


def _new_environment(bytecode_cache: jinja2.BytecodeCache) -> jinja2.Environment:
    """The one configuration of our templates (a compiled template is only
    valid for the options it was compiled with), over BYTECODE_CACHE."""
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("book", "templates"),
        # HTML templates escape; the CSS template writes CSS values, not text.
        autoescape=lambda name: not (name or "").endswith(".css.j2"),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        bytecode_cache=bytecode_cache,
    )
    env.filters["join_names"] = join_names
    return env


def _writable(cache_folder: Path | None) -> Path | None:
    if cache_folder is None:
        return None
    try:
        (cache_folder / "jinja").mkdir(parents=True, exist_ok=True)
    except OSError:
        return None  # an unwritable cache only costs speed
    return cache_folder / "jinja"


class _TwoFolders(jinja2.BytecodeCache):
    """The package's shipped bytecode first, then a writable folder (if any),
    which keeps what is compiled afresh."""

    def __init__(self, writable: Path | None) -> None:
        self.shipped = jinja2.FileSystemBytecodeCache(str(SHIPPED_BYTECODE))
        self.writable = jinja2.FileSystemBytecodeCache(str(writable)) if writable else None

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        self.shipped.load_bytecode(bucket)
        if bucket.code is None and self.writable is not None:
            self.writable.load_bytecode(bucket)

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        if self.writable is not None:
            self.writable.dump_bytecode(bucket)


def precompile_templates() -> int:
    """Compile every template into the package's shipped cache; returns how
    many. Run at set-up, where the package folder is writable."""
    SHIPPED_BYTECODE.mkdir(exist_ok=True)
    env = _new_environment(jinja2.FileSystemBytecodeCache(str(SHIPPED_BYTECODE)))
    names = [n for n in env.list_templates() if n.endswith(".j2")]
    for name in names:
        env.get_template(name)  # a miss compiles and dumps it
    return len(names)


def render_template(name: str, cache_folder: Path | None = None, **context) -> str:
    """Render template NAME with CONTEXT (see ``environment`` for the cache)."""
    return environment(cache_folder).get_template(name).render(**context)
