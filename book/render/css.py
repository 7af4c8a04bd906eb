"""The generated stylesheets, first and last in the cascade that
``book.project.stylesheets`` describes: ``defaults.css``, the default face of
each font role for the edition's script (from ``book.render.fonts``), and
``edition.css``, the edition's settings as CSS (from the template
``edition.css.j2``)."""
from __future__ import annotations

from pathlib import Path
from typing import Any

from book.project.config import FONT_FILE_SUFFIXES, GENERIC_FAMILIES, Edition, page_size_css
from book.render.fonts import DEFAULT_FAMILIES, default_stack
from book.render.html import render_template


def defaults_css(language: str) -> str:
    """``--font-ROLE`` for every role: the default stack for the script of
    LANGUAGE. Any later sheet (the project's ``variables.css``) or the
    edition's ``fonts`` setting overrides them."""
    lines = ["/* Generated: the default faces of this edition's script. */", ":root {"]
    for role in DEFAULT_FAMILIES:
        stack = ", ".join(name if name in GENERIC_FAMILIES else f'"{name}"'
                          for name in default_stack(role, language))
        lines.append(f"  --font-{role}: {stack};")
    return "\n".join(lines + ["}", ""])


def edition_css(edition: Edition, fmt: str, font_faces: list[dict[str, Any]] | None = None,
                cache_folder: Path | None = None) -> str:
    """The edition's settings as CSS: custom properties, and for print the
    ``@page`` size and margins (reading systems own the page). ``font_faces``
    are the EPUB's embedded fonts (``book.render.epub.fonts``)."""
    page_size = page_size_css(edition.get("page_size", "A5")) if fmt == "pdf" else None
    return render_template("edition.css.j2", cache_folder, edition=edition,
                           page_size=page_size, font_faces=font_faces or [],
                           generic_families=GENERIC_FAMILIES, font_files=FONT_FILE_SUFFIXES)
