"""Scaffolding: ``book new DIR`` → a project that builds as it is.

Writes ``book.toml`` with two editions (an EPUB and an A5 PDF), a sample
chapter, ``styles/variables.css`` (a copy of the package's design tokens,
ready to edit), an edition sheet for the print edition, and a ``.gitignore``
for ``dist/``. Never overwrites: a folder that already has files is refused.
"""
from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from book.errors import UsageError
from book.project.stylesheets import package_styles_dir

BOOK_TOML = """\
# The book's metadata and editions. `book build` builds every edition into dist/;
# `book editions` lists each edition's settings and stylesheets.
title = {title}
authors = ["作者"]
language = "zh-Hans"
date = "{date}"
sources = ["chapters/*.md"]

# An EPUB for e-readers: generated cover, fonts embedded (subset to the text).
[editions.ebook]
formats = ["epub"]

# An A5 PDF. Settings become CSS custom properties; the sheet adds rules.
[editions.print]
formats = ["pdf"]
page_size = "A5"
font_size = "10.5pt"
line_height = 1.75
styles = ["styles/editions/print.css"]

# Another edition is a table away, e.g. a large-print PDF:
# [editions.large-print]
# extends = "print"
# page_size = "A4"
# font_size = "16pt"
# fonts = {{ body = "Noto Sans CJK SC" }}
"""

CHAPTER = """\
# 第一章 开始

这是第一章的第一段。把这个文件换成你的稿子：每个以“#”开头的标题开始新的一章，
以“##”开头的标题开始一节。

## 第一节

正文里可以有**粗体**、*强调*、`代码`和脚注[^1]。中文与 Latin 字母、数字 2025 之间的空白由排版处理。

[^1]: 这是一个脚注。
"""

EDITION_SHEET = """\
/* Rules for the print edition only; design tokens are in styles/variables.css.
   Later sheets win: package defaults → styles/ → this sheet → the settings. */
.chapter-title { letter-spacing: 0.1em; }
"""

GITIGNORE = "dist/\n"


def create(target: Path, title: str | None = None) -> list[Path]:
    """Write a new project into TARGET; return the files written."""
    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        raise UsageError(f"{target}: already exists and is not empty",
                         hint="give a new folder name; 'book new' never overwrites files")
    title = title or target.resolve().name
    files = {
        "book.toml": BOOK_TOML.format(title=_toml_string(title),
                                      date=dt.date.today().isoformat()),
        "chapters/01-start.md": CHAPTER,
        "styles/variables.css": (package_styles_dir() / "variables.css").read_text(encoding="utf-8"),
        "styles/editions/print.css": EDITION_SHEET,
        ".gitignore": GITIGNORE,
    }
    written = []
    for name, text in files.items():
        path = target / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        written.append(path)
    return written


def _toml_string(text: str) -> str:
    """A TOML basic string (JSON's escapes are valid TOML)."""
    return json.dumps(text, ensure_ascii=False)
