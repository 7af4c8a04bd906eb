"""Turn a print edition's page settings into the page geometry CSS of the PDF.

In: the page size (CSS ``size`` value), the body font size and line height
(edition settings, else the stylesheets' ``--font-size``/``--line-height``
tokens), the edition's ``margins`` (CSS shorthand read on a right-hand page:
top, outside, bottom, inside), ``bleed`` and ``crop_marks``.
Out: a :class:`TypeArea` whose ``css()`` sets mirrored ``@page :left/:right``
margins so that the text block is a whole number of body lines high (N × line
pitch) and a whole number of characters wide, plus ``--pitch`` for the sheets
to keep headings and spacing on that grid.
"""
from __future__ import annotations

import dataclasses
import math
import re
from pathlib import Path

from book.errors import ConfigError
from book.preflight import Frame
from book.project.config import Edition, Project, page_size_css
from book.project.stylesheets import stylesheets

# CSS absolute units in points.
UNITS_PT = {"pt": 1.0, "mm": 72 / 25.4, "cm": 72 / 2.54, "in": 72.0, "pc": 12.0,
            "px": 0.75, "q": 72 / 25.4 / 4}
# Used when neither the edition nor a stylesheet says otherwise (styles/variables.css).
DEFAULT_FONT_SIZE = "10.5pt"
DEFAULT_LINE_HEIGHT = "1.75"
# Right-hand page view: top, outside, bottom, inside (the binding edge).
DEFAULT_MARGINS = "18mm 15mm 20mm 18mm"
_LENGTH = re.compile(r"(-?\d+(?:\.\d+)?)(pt|mm|cm|in|pc|px|q)?", re.IGNORECASE)


@dataclasses.dataclass(frozen=True)
class TypeArea:
    """Page and text block, in points."""

    page_width: float
    page_height: float
    font_size: float
    pitch: float  # baseline-to-baseline distance of body text
    lines: int  # body lines in the text block
    chars: int  # full-width characters per line
    top: float
    bottom: float
    inside: float
    outside: float
    bleed: str = ""
    crop_marks: bool = False

    @property
    def height(self) -> float:
        """The text block's height: whole body lines."""
        return self.lines * self.pitch

    @property
    def width(self) -> float:
        """The text block's width: whole full-width characters."""
        return self.chars * self.font_size

    def css(self) -> str:
        """``@page`` margins (mirrored for binding), bleed, marks and ``--pitch``."""
        t, b, i, o = (_pt(v) for v in (self.top, self.bottom, self.inside, self.outside))
        page = [f"@page {{ margin: {t} {o} {b} {i};"]
        if self.bleed:
            page.append(f" bleed: {self.bleed};")
        if self.crop_marks:
            page.append(" marks: crop cross;")
        page.append(" }")
        return "\n".join([
            "".join(page),
            f"@page :right {{ margin: {t} {o} {b} {i}; }}",
            f"@page :left {{ margin: {t} {i} {b} {o}; }}",
            f":root {{ --font-size: {_pt(self.font_size)}; --pitch: {_pt(self.pitch)};"
            # WeasyPrint 70 has no calc(): the multiples the sheets use.
            f" --pitch-2: {_pt(2 * self.pitch)}; --pitch-4: {_pt(4 * self.pitch)};"
            f" --pitch-minus: {_pt(-self.pitch)}; --pitch-half: {_pt(self.pitch / 2)};"
            f" --type-width: {_pt(self.width)}; --type-height: {_pt(self.height)}; }}",
            "",
        ])


def type_area(page_size: str, settings: dict, sheets: list[Path]) -> TypeArea:
    """The type area for one edition: see the module docstring."""
    width, height = (length_pt(part, "page_size") for part in page_size.split())
    font_size = length_pt(_setting(settings, sheets, "font_size", "--font-size",
                                   DEFAULT_FONT_SIZE), "font_size")
    pitch = _pitch(_setting(settings, sheets, "line_height", "--line-height",
                            DEFAULT_LINE_HEIGHT), font_size)
    top, outside, bottom, inside = _margins(str(settings.get("margins", DEFAULT_MARGINS)))
    lines = math.floor((height - top - bottom) / pitch + 1e-6)
    chars = math.floor((width - inside - outside) / font_size + 1e-6)
    if lines < 4 or chars < 4:
        raise ConfigError(f"the margins leave room for {max(lines, 0)} lines of "
                          f"{max(chars, 0)} characters",
                          hint="reduce 'margins' or 'font_size', or choose a larger page_size")
    # The text block is exactly N lines and M characters; what is left over
    # goes to the foot and the outside margin, keeping the head and the
    # binding edge where the designer put them.
    # 0.01 pt of slack: rounding in the CSS or in WeasyPrint must never push
    # the last line off the page.
    bottom = height - top - lines * pitch - 0.01
    outside = width - inside - chars * font_size
    bleed = settings.get("bleed", "")
    if bleed:
        length_pt(str(bleed), "bleed")
    return TypeArea(width, height, font_size, pitch, lines, chars, top, bottom, inside,
                    outside, str(bleed), bool(settings.get("crop_marks", False)))


def length_pt(value: str, key: str) -> float:
    """'3mm' / '10.5pt' / '0' → points; anything else is a ConfigError."""
    match = _LENGTH.fullmatch(str(value).strip())
    if not match or (match[2] is None and float(match[1]) != 0):
        raise ConfigError(f"{key} = '{value}' is not a length",
                          hint="use a number with a unit: pt, mm, cm, in, pc, px or q")
    return float(match[1]) * UNITS_PT[(match[2] or "pt").lower()]


def _pitch(line_height: str, font_size: float) -> float:
    """A unitless, em or % line height is relative to the font size; else a length."""
    value = line_height.strip()
    for suffix, factor in (("em", 1.0), ("%", 0.01), ("", 1.0)):
        number = value[: len(value) - len(suffix)] if suffix else value
        if value.endswith(suffix) and re.fullmatch(r"\d+(\.\d+)?", number):
            return float(number) * factor * font_size
    return length_pt(value, "line_height")


def _margins(value: str) -> tuple[float, float, float, float]:
    """CSS margin shorthand (1–4 values) → top, outside, bottom, inside."""
    parts = [length_pt(p, "margins") for p in value.split()]
    if not 1 <= len(parts) <= 4:
        raise ConfigError(f"margins = '{value}' needs 1 to 4 lengths",
                          hint="top outside bottom inside, e.g. '18mm 15mm 20mm 18mm'")
    top = parts[0]
    outside = parts[1] if len(parts) > 1 else top
    bottom = parts[2] if len(parts) > 2 else top
    inside = parts[3] if len(parts) > 3 else outside
    return top, outside, bottom, inside


def _setting(settings: dict, sheets: list[Path], key: str, token: str, default: str) -> str:
    """The edition's setting, else the last ``token: value;`` in the sheets."""
    value = settings.get(key)
    if value is not None:
        return f"{value}pt" if key == "font_size" and not isinstance(value, str) else str(value)
    found = default
    pattern = re.compile(re.escape(token) + r"\s*:\s*([^;}]+)")
    for sheet in sheets:
        for match in pattern.finditer(sheet.read_text(encoding="utf-8")):
            found = match[1].strip()
    return found


def _pt(value: float) -> str:
    # Fixed precision keeps the CSS (and so the PDF) byte-identical across runs.
    return f"{value:.4f}pt"


def area(edition: Edition, sheets: list[Path]) -> TypeArea:
    """The type area of a print edition (its PDF settings) with these sheets."""
    return type_area(page_size_css(edition.get("page_size", "A5")), edition.settings, sheets)


def edition_area(project: Project, pdf_name: str) -> TypeArea | None:
    """The type area of the edition that wrote ``<slug>-<edition>.pdf``
    (the longest edition name that ends the file's stem), or None."""
    stem = Path(pdf_name).stem
    for edition in sorted(project.editions.values(), key=lambda e: -len(e.name)):
        if stem.endswith(f"-{edition.name}") and "pdf" in edition.formats:
            return area(edition.for_format("pdf"), stylesheets(project, edition, "pdf"))
    return None


def text_frame(type_area: TypeArea) -> Frame:
    """The text block of a type area, as the preflight measures it:
    right-hand (odd) pages have the inside margin on the left; bleed shifts
    everything."""
    shift = length_pt(type_area.bleed, "bleed") if type_area.bleed else 0.0
    odd = type_area.inside + shift
    even = type_area.outside + shift
    return Frame((odd, odd + type_area.width), (even, even + type_area.width))
