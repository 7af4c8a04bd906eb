"""Which stylesheets an edition uses, in the one documented order (later wins):

0. the default faces of the edition's script, generated (``defaults.css``,
   ``book.render.css.defaults_css``);
1. the package's defaults (``book.styles``, the repository's ``styles/``:
   variables, base, then the
   format's sheet ``epub.css`` or ``print.css``);
2. the project's ``styles/variables.css``, ``styles/base.css``, then its
   ``styles/epub.css`` or ``styles/print.css``;
3. the edition's own sheets (``styles = [...]`` in its table), in order;
4. the edition's settings, written as CSS custom properties (and ``@page``
   size and margins for print) by ``edition.css.j2`` — generated, never
   concatenated: the EPUB carries it as ``edition.css``, the PDF passes it to
   WeasyPrint last (``book.render.css.edition_css``).

A file reached twice (the sample project *is* the package's styles folder)
is used once, at its first place.
"""
from __future__ import annotations

from importlib import resources
from pathlib import Path

from book.errors import ConfigError, Location
from book.project.config import Edition, Project

FORMAT_SHEET = {"epub": "epub.css", "pdf": "print.css"}
DEFAULTS_SHEET = "defaults.css"
GENERATED_SHEET = "edition.css"


def package_styles_dir() -> Path:
    """The folder of the package's default stylesheets."""
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


def describe(project: Project, edition: Edition, fmt: str) -> list[str]:
    """The cascade as ``book editions`` prints it: the generated defaults,
    the paths, then the generated edition sheet."""
    package = package_styles_dir().resolve()
    root = project.root.resolve()
    names = []
    for path in stylesheets(project, edition, fmt):
        real = path.resolve()
        inside_package = real.is_relative_to(package) and not real.is_relative_to(root)
        names.append(f"(package) {real.relative_to(package)}" if inside_package
                     else project.display(path))
    return ([f"{DEFAULTS_SHEET} (generated: the default faces of the edition's script)"]
            + names + [f"{GENERATED_SHEET} (generated from the edition's settings)"])
