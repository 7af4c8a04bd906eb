"""Load a project: ``book.toml`` (or a folder / single file without one) into a
validated :class:`Project` with resolved editions.

The schema is declared once (``BOOK_KEYS``, ``STRUCTURE_KEYS``,
``EDITION_KEYS``); unknown keys are
warned about with the nearest valid key, wrong types are errors naming the
key's path.
"""
from __future__ import annotations

import dataclasses
import difflib
import glob
import re
import tomllib
from pathlib import Path
from typing import Any

from book.errors import ConfigError, Location, Reporter, UsageError
from book.text.chars import PUNCTUATION_STYLES

MARKDOWN_SUFFIXES = (".md", ".markdown", ".txt")
FORMATS = ("epub", "pdf")

# key -> (accepted types, docstring). Types are Python types after tomllib.
BOOK_KEYS: dict[str, tuple[tuple[type, ...], str]] = {
    "title": ((str,), "Book title; default: the lone top heading, else the folder (single file: file) name."),
    "subtitle": ((str,), "Subtitle, shown on the title page and cover."),
    "authors": ((list, str), "Author names, in order."),
    "publisher": ((str,), "Publisher name."),
    "language": ((str,), "BCP 47 tag (zh-Hans, zh-Hant-TW, en …); default: detected."),
    "identifier": ((str,), "Stable identifier (URN, DOI …); default: urn:isbn from isbn, else a UUID from title and authors."),
    "isbn": ((str,), "ISBN; used as the identifier when set."),
    "date": ((str, Any), "Publication date (YYYY-MM-DD)."),
    "description": ((str,), "Short description for the metadata."),
    "rights": ((str,), "Copyright statement."),
    "slug": ((str,), "Base of output file names; default: from the title."),
    "sources": ((list, str), "Globs of manuscript files, in order."),
    "encoding": ((str,), "Encoding of the sources when not UTF-8 (e.g. gb18030)."),
    "structure": ((dict,), "How headings become chapters and sections."),
    "editions": ((dict,), "One table per edition."),
    "check": ((dict,), "Lint options."),
    "clean": ((dict,), "Clean-up transforms, each on or off."),
}

STRUCTURE_KEYS: dict[str, tuple[tuple[type, ...], str]] = {
    "chapter_level": ((int,), "Heading level that opens a chapter; default: the shallowest level in use after the title."),
    "title_heading": ((bool,), "Treat a lone top heading at the start as the book title."),
    "subtitles": ((bool,), "A heading directly followed by a deeper one makes it the chapter subtitle."),
}

EDITION_KEYS: dict[str, tuple[tuple[type, ...], str]] = {
    "extends": ((str,), "Edition whose settings this one inherits."),
    "formats": ((list, str), "Output formats: epub, pdf."),
    "page_size": ((str,), "A4, A5, A6, B5, Letter, 16开, 32开 or 'W H' with units."),
    "margins": ((str,), "Page margins around the type area, on a right-hand page: top outside bottom inside."),
    "font_size": ((str, int, float), "Body font size (e.g. 10.5pt)."),
    "line_height": ((str, int, float), "Body line height (e.g. 1.75)."),
    "fonts": ((dict,), "Font families by role: body, heading, caption, mono."),
    "punctuation": ((str,), "quanjiao, kaiming, banjiao or taiwan."),
    "autospace": ((str, int, float), "Space between Han and Latin/digits, in em; 0 turns it off."),
    "bleed": ((str,), "Bleed for the print shop (e.g. 3mm)."),
    "crop_marks": ((bool,), "Draw crop marks."),
    "impose": ((str, bool), "saddle-stitch: also write an imposed PDF."),
    "script": ((str,), "zh-Hans or zh-Hant (converted with OpenCC)."),
    "opencc": ((str,), "OpenCC profile for script conversion (default s2twp; t2s for zh-Hans)."),
    "writing_mode": ((str,), "horizontal or vertical (vertical: EPUB only)."),
    "language": ((str,), "Language tag of this edition."),
    "title": ((str,), "Title override."),
    "subtitle": ((str,), "Subtitle override."),
    "isbn": ((str,), "ISBN override."),
    "identifier": ((str,), "Identifier override."),
    "cover": ((str,), "Cover image (project-relative path)."),
    "label": ((str,), "Edition name shown on the cover and title page (e.g. 大字版)."),
    "embed_fonts": ((bool,), "Embed subset fonts in the EPUB."),
    "styles": ((list, str), "Extra stylesheets, after the shared ones."),
    "epub": ((dict,), "Settings for this edition's EPUB only (e.g. writing_mode = 'vertical')."),
    "pdf": ((dict,), "Settings for this edition's PDF only."),
}
# Keys a per-format table ([editions.NAME.epub] / .pdf) may not set.
NOT_PER_FORMAT = ("extends", "formats", "epub", "pdf")

PAGE_SIZES = {
    "A4": "210mm 297mm", "A5": "148mm 210mm", "A6": "105mm 148mm",
    "B5": "176mm 250mm", "16开": "185mm 260mm", "32开": "130mm 184mm",
    "LETTER": "8.5in 11in",
}

DEFAULT_EDITIONS: dict[str, dict[str, Any]] = {
    "ebook": {"formats": ["epub"]},
    "print": {"formats": ["pdf"], "page_size": "A5"},
}


@dataclasses.dataclass
class Edition:
    """One edition's resolved settings (inheritance applied)."""

    name: str
    formats: list[str]
    settings: dict[str, Any]
    # The project folder: font files, covers and extra sheets are relative to it.
    root: Path = Path(".")

    def get(self, key: str, default: Any = None) -> Any:
        """The setting KEY, or DEFAULT."""
        return self.settings.get(key, default)

    def for_format(self, fmt: str) -> "Edition":
        """The settings one format sees: the edition's, with its ``[…epub]`` or
        ``[…pdf]`` table merged over them (tables one level deep, like ``extends``)."""
        settings = {k: v for k, v in self.settings.items() if k not in FORMATS}
        for key, value in (self.settings.get(fmt) or {}).items():
            if isinstance(value, dict) and isinstance(settings.get(key), dict):
                settings[key] = {**settings[key], **value}
            else:
                settings[key] = value
        return dataclasses.replace(self, settings=settings)


@dataclasses.dataclass
class Project:
    """Everything a build needs to know before reading the manuscript."""

    root: Path
    config_path: Path | None
    meta: dict[str, Any]
    sources: list[Path]
    structure: dict[str, Any]
    editions: dict[str, Edition]
    check: dict[str, Any]
    clean: dict[str, Any]
    out_dir: Path

    def display(self, path: Path) -> str:
        """Path as shown in messages: relative to the project root."""
        try:
            return str(path.resolve().relative_to(self.root.resolve()))
        except ValueError:
            return str(path)


def load_project(path: str | Path, reporter: Reporter,
                 out_dir: str | Path | None = None) -> Project:
    """Resolve PATH (project folder, bare folder, or one file) into a Project."""
    path = Path(path)
    if not path.exists():
        raise UsageError(f"no such file or folder: {path}",
                         hint="give a project folder, a folder of Markdown files or one .md/.txt file")
    if path.is_file():
        if path.suffix.lower() not in MARKDOWN_SUFFIXES and path.name != "book.toml":
            raise UsageError(f"{path}: not a Markdown file",
                             hint="expected .md, .markdown or .txt")
        if path.name == "book.toml":
            path = path.parent
        else:
            root = path.parent
            raw: dict[str, Any] = {}
            return _project(root, None, raw, [path], reporter, out_dir)
    config_path = path / "book.toml"
    raw = _read_toml(config_path, path) if config_path.exists() else {}
    _check_keys(raw, BOOK_KEYS, "", config_path, reporter)
    sources = _find_sources(path, raw.get("sources"), config_path if raw else None)
    return _project(path, config_path if config_path.exists() else None, raw,
                    sources, reporter, out_dir)


def _project(root: Path, config_path: Path | None, raw: dict[str, Any],
             sources: list[Path], reporter: Reporter,
             out_dir: str | Path | None) -> Project:
    cfg_name = "book.toml"
    structure = raw.get("structure", {})
    _check_keys(structure, STRUCTURE_KEYS, "structure.", config_path, reporter)
    meta = {k: raw[k] for k in BOOK_KEYS if k in raw and k not in
            ("structure", "editions", "check", "clean", "sources")}
    if isinstance(meta.get("authors"), str):
        meta["authors"] = [meta["authors"]]
    if "date" in meta:
        meta["date"] = str(meta["date"])
    editions = resolve_editions(raw.get("editions") or DEFAULT_EDITIONS,
                                config_path, reporter)
    return Project(
        root=root, config_path=config_path, meta=meta, sources=sources,
        structure=structure, editions=editions,
        check=_table(raw, "check", cfg_name), clean=_table(raw, "clean", cfg_name),
        out_dir=Path(out_dir) if out_dir else root / "dist")


def _table(raw: dict[str, Any], key: str, cfg: str) -> dict[str, Any]:
    value = raw.get(key, {})
    if not isinstance(value, dict):
        raise ConfigError(f"'{key}' must be a table", Location(cfg))
    return value


def _read_toml(config_path: Path, root: Path) -> dict[str, Any]:
    try:
        text = config_path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise ConfigError(f"not UTF-8 ({exc.reason})", Location(str(config_path)),
                          hint="save book.toml as UTF-8") from None
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        match = re.search(r"\(at line (\d+), column (\d+)\)", str(exc))
        line, col = (int(match[1]), int(match[2])) if match else (0, 0)
        if not match and "end of document" in str(exc):
            line, col = text.count("\n") + 1, 1
        message = re.sub(r"\s*\((at line \d+, column \d+|at end of document)\)", "", str(exc))
        raise ConfigError(f"invalid TOML: {message}",
                          Location(str(config_path), line, col),
                          hint="see https://toml.io for the syntax") from None


def _type_name(types: tuple[type, ...]) -> str:
    names = {str: "a string", list: "a list", dict: "a table", bool: "true/false",
             int: "an integer", float: "a number"}
    return " or ".join(names.get(t, t.__name__) for t in types if t is not Any)


def _check_keys(table: dict[str, Any], schema: dict[str, tuple[tuple[type, ...], str]],
                prefix: str, config_path: Path | None, reporter: Reporter) -> None:
    """Warn about unknown keys (with a suggestion); error on wrong types."""
    where = Location(str(config_path) if config_path else "book.toml")
    for key, value in table.items():
        where = _key_location(config_path, key) or where
        if key not in schema:
            close = difflib.get_close_matches(key, list(schema), n=1)
            hint = f"did you mean '{prefix}{close[0]}'?" if close else \
                f"valid keys: {', '.join(prefix + k for k in schema)}"
            reporter.warn("C001", f"unknown key '{prefix}{key}' ignored", where, hint)
            continue
        types = schema[key][0]
        if Any in types:
            continue
        ok = isinstance(value, types) and not (isinstance(value, bool) and bool not in types)
        if not ok:
            raise ConfigError(
                f"'{prefix}{key}' must be {_type_name(types)}, not {type(value).__name__}",
                where, hint=schema[key][1])


def _key_location(config_path: Path | None, key: str) -> Location | None:
    """Where ``key = …`` is first written in book.toml (tomllib keeps no
    positions), so a finding names file:line; None when not found."""
    if config_path is None or not config_path.is_file():
        return None
    try:
        lines = config_path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError):
        return None
    for number, line in enumerate(lines, 1):
        name = line.split("=", 1)[0].strip().strip("'\"")
        if "=" in line and name == key:
            return Location(str(config_path), number, len(line) - len(line.lstrip()) + 1)
    return None


def _find_sources(root: Path, patterns: Any, config_path: Path | None) -> list[Path]:
    if patterns is None:
        found = sorted(p for p in root.iterdir()
                       if p.is_file() and p.suffix.lower() in (".md", ".markdown"))
        if not found:
            found = sorted(p for p in root.iterdir()
                           if p.is_file() and p.suffix.lower() == ".txt")
        if not found:
            raise UsageError(f"{root}: nothing to build: no book.toml and no Markdown files",
                             hint="add .md files or a book.toml with 'sources'")
        for match in found:
            _check_source_inside(match, root, config_path)
        return found
    if isinstance(patterns, str):
        patterns = [patterns]
    sources: list[Path] = []
    for pattern in patterns:
        if not isinstance(pattern, str):
            raise ConfigError("'sources' must be a list of strings", Location(str(config_path)))
        matches = sorted(Path(p) for p in glob.glob(str(root / pattern), recursive=True))
        matches = [m for m in matches if m.is_file()]
        if not matches:
            raise UsageError(f"source pattern '{pattern}' matches no file",
                             Location(str(config_path)), hint="fix 'sources' in book.toml")
        for match in matches:
            _check_source_inside(match, root, config_path)
            if match not in sources:
                sources.append(match)
    return sources


def _check_source_inside(source: Path, root: Path, config_path: Path | None) -> None:
    """A book reads only its own files: a source outside the project folder
    (``..``, absolute, a symlink leading out) is an error."""
    if not source.resolve().is_relative_to(root.resolve()):
        raise ConfigError(f"source '{source}' is outside the project folder",
                          Location(str(config_path or source)),
                          hint="move it into the project folder")


def resolve_editions(tables: dict[str, Any], config_path: Path | None,
                     reporter: Reporter) -> dict[str, Edition]:
    """Apply ``extends`` inheritance and check every edition's settings."""
    where = Location(str(config_path) if config_path else "book.toml")
    for name, table in tables.items():
        if not isinstance(table, dict):
            raise ConfigError(f"'editions.{name}' must be a table", where)
        _check_keys(table, EDITION_KEYS, f"editions.{name}.", config_path, reporter)
        for fmt in FORMATS:
            sub = table.get(fmt)
            if isinstance(sub, dict):
                per_format = {k: v for k, v in EDITION_KEYS.items() if k not in NOT_PER_FORMAT}
                _check_keys(sub, per_format, f"editions.{name}.{fmt}.", config_path, reporter)
    resolved: dict[str, Edition] = {}
    for name in tables:
        settings = _inherit(name, tables, [], where)
        settings.pop("extends", None)
        formats = settings.get("formats", ["epub", "pdf"])
        if isinstance(formats, str):
            formats = [formats]
        for fmt in formats:
            if fmt not in FORMATS:
                raise ConfigError(f"unknown format '{fmt}' in editions.{name}.formats", where,
                                  hint=f"valid formats: {', '.join(FORMATS)}")
        settings["formats"] = list(formats)
        root = config_path.parent if config_path else Path(".")
        edition = Edition(name=name, formats=list(formats), settings=settings, root=root)
        for fmt in formats:
            view = edition.for_format(fmt).settings
            _validate_edition(name, view, where, fmt)
            _validate_css_values(name, view, root, where)
            _check_inside(name, view, root, where)
        resolved[name] = edition
    return resolved


def _check_inside(name: str, settings: dict[str, Any], root: Path, where: Location) -> None:
    """Stylesheets and covers are project files: a path leading outside the
    project (``..``, absolute, a symlink) is refused, so a hostile book.toml
    cannot copy other files into a book."""
    styles = settings.get("styles") or []
    for key, value in [("styles", v) for v in ([styles] if isinstance(styles, str) else styles)] \
            + [("cover", settings.get("cover"))]:
        if isinstance(value, str) and value and \
                not (root / value).resolve().is_relative_to(root.resolve()):
            raise ConfigError(f"editions.{name}.{key}: '{value}' is outside the project folder",
                              where, hint="copy the file into the project folder")


def _inherit(name: str, tables: dict[str, Any], chain: list[str],
             where: Location) -> dict[str, Any]:
    if name in chain:
        cycle = " -> ".join(chain + [name])
        raise ConfigError(f"editions inherit in a cycle: {cycle}", where,
                          hint="remove one 'extends'")
    table = tables[name]
    parent = table.get("extends")
    if parent is None:
        return dict(table)
    if parent not in tables:
        raise ConfigError(f"editions.{name}.extends names unknown edition '{parent}'", where,
                          hint=f"valid editions: {', '.join(tables)}")
    merged = _inherit(parent, tables, chain + [name], where)
    for key, value in table.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = {**merged[key], **value}
        else:
            merged[key] = value
    return merged


def _validate_edition(name: str, settings: dict[str, Any], where: Location,
                      fmt: str = "pdf") -> None:
    def choice(key: str, valid: tuple[str, ...]) -> None:
        value = settings.get(key)
        if value is not None and value not in valid:
            raise ConfigError(f"editions.{name}.{key} = '{value}' is not valid", where,
                              hint=f"valid values: {', '.join(valid)}")

    choice("punctuation", PUNCTUATION_STYLES)
    choice("script", ("zh-Hans", "zh-Hant"))
    choice("writing_mode", ("horizontal", "vertical"))
    if settings.get("impose") not in (None, False, "saddle-stitch"):
        raise ConfigError(f"editions.{name}.impose = '{settings['impose']}' is not valid",
                          where, hint="valid values: saddle-stitch")
    size = settings.get("page_size")
    if size is not None:
        page_size_css(size, f"editions.{name}.page_size", where)
    if settings.get("writing_mode") == "vertical" and fmt == "pdf":
        raise ConfigError(
            f"editions.{name}.writing_mode = 'vertical' is EPUB-only "
            "(WeasyPrint cannot set vertical text)", where,
            hint=f"set it for the EPUB only: [editions.{name}.epub] writing_mode = 'vertical', "
                 "or use formats = ['epub']")


def page_size_css(size: str, key: str = "page_size",
                  where: Location | None = None) -> str:
    """Turn A5 / 16开 / '130mm 184mm' into a CSS ``size`` value."""
    named = PAGE_SIZES.get(size.upper() if size.isascii() else size)
    if named:
        return named
    parts = size.replace("×", " ").replace("x", " ").split()
    unit = r"\d+(\.\d+)?(mm|cm|in|pt|px|pc|q)"
    if len(parts) == 2 and all(re.fullmatch(unit, p) for p in parts):
        return " ".join(parts)
    raise ConfigError(f"{key} = '{size}' is not a page size", where,
                      hint=f"use one of {', '.join(PAGE_SIZES)} or 'W H' with units, e.g. '130mm 184mm'")


# Settings that end up in CSS (through edition.css.j2) are checked here, so the
# template only ever writes values of a known shape: nothing can close a string,
# a declaration or a block.
LENGTH = r"(0|\d+(\.\d+)?(mm|cm|in|pt|pc|px|q|em|rem|%))"
FONT_ROLES = ("body", "heading", "caption", "mono")
GENERIC_FAMILIES = ("serif", "sans-serif", "monospace", "cursive", "fantasy", "system-ui")
FONT_FILE_SUFFIXES = (".ttf", ".otf", ".ttc", ".woff", ".woff2")
OPENCC_PROFILES = ("s2t", "s2tw", "s2twp", "s2hk", "s2hkp", "t2tw", "t2hk",
                   "tw2t", "hk2t", "t2s", "tw2s", "tw2sp", "hk2s", "hk2sp")
LANGUAGE_TAG = r"[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*"


def _validate_css_values(name: str, settings: dict[str, Any], root: Path,
                         where: Location) -> None:
    """One-line errors naming ``editions.NAME.KEY`` for values the CSS template
    or the renderers could not use."""
    def fail(key: str, message: str, hint: str) -> None:
        raise ConfigError(f"editions.{name}.{key} {message}", where, hint=hint)

    size = settings.get("font_size")
    if size is not None and not (_positive_number(size) or
                                 (isinstance(size, str) and re.fullmatch(LENGTH, size))):
        fail("font_size", f"= {size!r} is not a font size", "e.g. 10.5pt, 16pt or 16 (points)")
    leading = settings.get("line_height")
    if leading is not None and not (_positive_number(leading) or (
            isinstance(leading, str) and re.fullmatch(LENGTH + r"|\d+(\.\d+)?", leading))):
        fail("line_height", f"= {leading!r} is not a line height", "e.g. 1.75 or 18pt")
    margins = settings.get("margins")
    if margins is not None and not re.fullmatch(rf"{LENGTH}( {LENGTH}){{0,3}}", margins.strip()):
        fail("margins", f"= {margins!r} is not a CSS margin",
             "one to four lengths, e.g. '20mm' or '18mm 15mm 20mm 18mm'")
    bleed = settings.get("bleed")
    if bleed is not None and not re.fullmatch(LENGTH, bleed):
        fail("bleed", f"= {bleed!r} is not a length", "e.g. 3mm")
    autospace = settings.get("autospace")
    if autospace is not None and not (_positive_number(autospace) or autospace == 0 or (
            isinstance(autospace, str) and re.fullmatch(LENGTH, autospace))):
        fail("autospace", f"= {autospace!r} is not a space", "e.g. 0.25 (em) or 0 to turn it off")
    language = settings.get("language")
    if language is not None and not re.fullmatch(LANGUAGE_TAG, language):
        fail("language", f"= {language!r} is not a language tag", "e.g. zh-Hans or zh-Hant-TW")
    profile = settings.get("opencc")
    if profile is not None and profile.removesuffix(".json") not in OPENCC_PROFILES:
        fail("opencc", f"= {profile!r} is not an OpenCC profile",
             f"valid profiles: {', '.join(OPENCC_PROFILES)}")
    _validate_fonts(name, settings.get("fonts"), root, fail)
    cover = settings.get("cover")
    if cover is not None and not (root / cover).is_file():
        fail("cover", f"= {cover!r}: no such image", "paths are relative to the project folder")
    if cover is not None and Path(cover).suffix.lower() not in (".png", ".jpg", ".jpeg"):
        fail("cover", f"= {cover!r} is not a PNG or JPEG image", "use a .png or .jpg file")
    styles = settings.get("styles", [])
    for sheet in [styles] if isinstance(styles, str) else styles:
        if not isinstance(sheet, str) or not sheet.endswith(".css"):
            fail("styles", f"entry {sheet!r} is not a .css file",
                 "list project-relative paths, e.g. ['styles/editions/large-print.css']")


def _validate_fonts(name: str, fonts: Any, root: Path, fail) -> None:
    if fonts is None:
        return
    for role, value in fonts.items():
        key = f"fonts.{role}"
        if role not in FONT_ROLES:
            fail(key, "is not a font role", f"valid roles: {', '.join(FONT_ROLES)}")
        families = [value] if isinstance(value, str) else value
        if not isinstance(families, list) or not families or \
                not all(isinstance(f, str) and f.strip() for f in families):
            fail(key, "must be a family name or a list of them", "e.g. 'Noto Sans CJK SC'")
        for family in families:
            if re.search(r"[\"'\\;{}<>]", family):
                fail(key, f"= {family!r} contains characters a font name cannot have",
                     "give the family name as fc-list prints it")
            if family.lower().endswith(FONT_FILE_SUFFIXES) and not (root / family).is_file():
                fail(key, f"= {family!r}: no such font file",
                     "font files are relative to the project folder")


def _positive_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and value > 0
