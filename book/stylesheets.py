"""Which stylesheets an edition uses, in the one documented order (later wins):

1. the package's defaults (``book/styles``: variables, base, then the
   format's sheet ``epub.css`` or ``print.css``);
2. the project's ``styles/variables.css``, ``styles/base.css``, then its
   ``styles/epub.css`` or ``styles/print.css``;
3. the edition's own sheets (``styles = [...]`` in its table), in order;
4. the edition's settings, written as CSS custom properties (and ``@page``
   size and margins for print) by ``edition.css.j2`` — generated, never
   concatenated: the EPUB carries it as ``edition.css``, the PDF passes it to
   WeasyPrint last (see :func:`edition_css`).

A file reached twice (the sample project *is* the package's styles folder)
is used once, at its first place.
"""
from __future__ import annotations

from importlib import resources
from pathlib import Path
from typing import Any

from book.config import Edition, Project
from book.errors import ConfigError, Location

FORMAT_SHEET = {"epub": "epub.css", "pdf": "print.css"}
GENERATED_SHEET = "edition.css"


def package_styles_dir() -> Path:
    return Path(str(resources.files("book.styles")))


def stylesheets(project: Project, edition: Edition, fmt: str) -> list[Path]:
    """The edition's stylesheets for one format, in cascade order."""
    names = ["variables.css", "base.css", FORMAT_SHEET[fmt]]
    candidates = [package_styles_dir() / n for n in names]
    candidates += [project.root / "styles" / n for n in names]
    extra = edition.get("styles", [])
    for name in [extra] if isinstance(extra, str) else extra:
        path = project.root / name
        if not path.is_file():
            raise ConfigError(f"editions.{edition.name}.styles: no such stylesheet '{name}'",
                              Location(str(project.config_path or "book.toml")),
                              hint="paths are relative to the project folder")
        candidates.append(path)
    seen: set[Path] = set()
    result = []
    for path in candidates:
        real = path.resolve()
        if path.is_file() and real not in seen:
            seen.add(real)
            result.append(path)
    return result


def edition_css(edition: Edition, fmt: str, font_faces: list[dict[str, Any]] | None = None) -> str:
    """The edition's settings as CSS (layer 4), from ``edition.css.j2``.

    ``@page`` rules are written for print only: reading systems own the page.
    ``font_faces`` are the EPUB's embedded fonts (see ``book.fonts``).
    """
    from book.config import page_size_css
    from book.render.html import render_template

    page_size = page_size_css(edition.get("page_size", "A5")) if fmt == "pdf" else None
    return render_template("edition.css.j2", edition=edition, page_size=page_size,
                           font_faces=font_faces or [])


def describe(project: Project, edition: Edition, fmt: str) -> list[str]:
    """The cascade as ``book editions`` prints it: paths, then the generated sheet."""
    package = package_styles_dir().resolve()
    root = project.root.resolve()
    names = []
    for path in stylesheets(project, edition, fmt):
        real = path.resolve()
        inside_package = real.is_relative_to(package) and not real.is_relative_to(root)
        names.append(f"(package) {real.relative_to(package)}" if inside_package
                     else project.display(path))
    return names + [f"{GENERATED_SHEET} (generated from the edition's settings)"]
