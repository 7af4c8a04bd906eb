"""Shared HTML rendering: the Jinja2 environment and the labels both
renderers use. The chapter template (``chapter.html.j2``) serves EPUB and PDF.

Jinja is imported when the first template is rendered, not with this
module: a lone EPUB build forks its cover and font children first, and
neither needs it (12 ms of imports).
"""
from __future__ import annotations

import functools
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import jinja2
    import jinja2.bccache

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
    import jinja2

    env = jinja2.Environment(
        loader=jinja2.PackageLoader("book", "templates"),
        # HTML templates escape; the CSS template writes CSS values, not text.
        autoescape=lambda name: not (name or "").endswith(".css.j2"),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        bytecode_cache=_bytecode_cache(_writable_folder),
    )
    return env


# Compiled templates shipped with the package, written at set-up by
# ``python -m book.precompile`` (as an installer compiles the .py files).
SHIPPED_BYTECODE = Path(__file__).resolve().parent.parent / "templates" / "__pycache__"
# Where a fresh compile is kept (see use_bytecode_cache).
_writable_folder: Path | None = None


def _bytecode_cache(folder: Path | None) -> jinja2.BytecodeCache:
    """Compiled templates, looked up in the package's own cache, then in the
    build's ``dist/.cache/jinja``, which also keeps a fresh compile. Jinja
    checks each against its template's source, so a stale entry is recompiled."""
    import jinja2

    shipped = jinja2.FileSystemBytecodeCache(str(SHIPPED_BYTECODE))
    writable = jinja2.FileSystemBytecodeCache(str(folder)) if folder else None

    class TwoFolders(jinja2.BytecodeCache):
        def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
            shipped.load_bytecode(bucket)
            if bucket.code is None and writable is not None:
                writable.load_bytecode(bucket)

        def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
            if writable is not None:
                writable.dump_bytecode(bucket)

    return TwoFolders()


def use_bytecode_cache(folder: Path | None) -> None:
    """Use compiled templates instead of compiling them: compiling took
    21 ms of every EPUB build. A fresh compile is kept in ``folder/jinja``
    (the build passes its own ``dist/.cache``, since a build writes nowhere
    outside its output folder); ``None`` keeps it nowhere."""
    global _writable_folder
    _writable_folder = None
    if folder is not None:
        try:
            (folder / "jinja").mkdir(parents=True, exist_ok=True)
            _writable_folder = folder / "jinja"
        except OSError:
            pass  # an unwritable cache only costs speed
    if environment.cache_info().currsize:  # already made: switch it over
        environment().bytecode_cache = _bytecode_cache(_writable_folder)


def precompile_templates() -> int:
    """Compile every template into the package's shipped cache; returns how
    many. Run at set-up, where the package folder is writable."""
    import jinja2

    SHIPPED_BYTECODE.mkdir(exist_ok=True)
    env = environment()
    env.bytecode_cache = jinja2.FileSystemBytecodeCache(str(SHIPPED_BYTECODE))
    names = [n for n in env.list_templates() if n.endswith(".j2")]
    for name in names:
        env.get_template(name)  # a miss compiles and dumps it
    env.bytecode_cache = _bytecode_cache(_writable_folder)
    env.cache.clear()
    return len(names)


def render_template(name: str, **context) -> str:
    return environment().get_template(name).render(**context)
