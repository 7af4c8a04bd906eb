"""Cover images: the edition's ``cover`` file, or one generated from the
metadata — title, subtitle, authors and the edition's label, set in the
book's own faces (the heading and body fonts) with Pillow.

Generated covers are deterministic PNG bytes: the same metadata and fonts
give the same file (Pillow writes no timestamp into a PNG).
"""
from __future__ import annotations

import dataclasses
import functools
import io
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

from book.cache import Cache, fingerprint, key
from book.errors import Reporter
from book.model import Metadata
from book.project.config import Edition
from book.render.fonts import Face, role_face
from book.render.html import join_names

WIDTH, HEIGHT = 1600, 2400  # 2:3, the proportion e-book stores ask for
MARGIN = 150
BACKGROUND = (246, 242, 232)
INK = (26, 26, 26)
ACCENT = (150, 30, 35)  # the red band of a Chinese book jacket
MEDIA_TYPES = {".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg"}


@dataclasses.dataclass
class Cover:
    """An image to package as the cover."""

    data: bytes
    media_type: str
    file_name: str  # inside the EPUB, e.g. "images/cover.png"


def cover_for(edition: Edition, meta: Metadata, cache: Cache, reporter: Reporter) -> Cover:
    """The edition's ``cover`` image if it sets one, else one drawn from the
    metadata (cached by what it is drawn from: the metadata, the edition and
    the faces' files)."""
    configured = edition.get("cover")
    if configured:
        path = edition.root / configured
        suffix = Path(configured).suffix.lower()
        return Cover(path.read_bytes(), MEDIA_TYPES[suffix], f"images/cover{suffix}")

    def cover_key() -> str:
        faces = [role_face(edition, role, meta.language) for role in ("heading", "body")]
        identity = [(str(f.path), f.index, f.path.stat().st_size, f.path.stat().st_mtime_ns)
                    for f in faces if f is not None]
        return key(fingerprint(meta), edition.name, edition.settings, identity)

    data = cache.get_or_make("cover", cover_key, lambda: generate(meta, edition), reporter)
    return Cover(data, "image/png", "images/cover.png")


# The sizes of the title, of the subtitle and authors, and of the foot.
TITLE_SIZE, BODY_SIZE, FOOT_SIZE = 132, 64, 52


def generate(meta: Metadata, edition: Edition) -> bytes:
    """A typographic cover: a red band with the title, the subtitle under it,
    the authors, and the edition's label at the foot."""
    # Drawn as palette indices, not RGB: the text's anti-aliasing blends index
    # values, and each index range is a blend between two colours (PALETTE).
    # A third of the bytes to deflate, and a file half the size.
    image = Image.new("L", (WIDTH, HEIGHT), _PAPER)
    draw = ImageDraw.Draw(image)
    heading = _font(edition, "heading", meta.language, TITLE_SIZE)
    body = _font(edition, "body", meta.language, BODY_SIZE)
    small = _font(edition, "body", meta.language, FOOT_SIZE)
    band_top, band_height = 560, 760
    draw.rectangle((0, band_top, WIDTH, band_top + band_height), fill=_BAND)
    title_lines = wrap(meta.title, heading, WIDTH - 2 * MARGIN)
    y = band_top + (band_height - _block_height(title_lines, heading, 1.3)) // 2
    y = _draw_lines(draw, title_lines, heading, y, _BAND_TEXT, 1.3)
    y = band_top + band_height + 110
    if meta.subtitle:
        y = _draw_lines(draw, wrap(meta.subtitle, body, WIDTH - 2 * MARGIN), body, y, _INK, 1.5)
    if meta.authors:
        _draw_lines(draw, wrap(join_names(meta.authors, meta.language), body,
                               WIDTH - 2 * MARGIN), body,
                    y + 90, _INK, 1.5)
    foot = [t for t in (str(edition.get("label", "")), meta.publisher) if t]
    if foot:
        _draw_lines(draw, foot, small, HEIGHT - MARGIN - len(foot) * int(small.size * 1.6),
                    _GREY, 1.6)
    image.putpalette(PALETTE)  # L → P: the indices now name colours
    buffer = io.BytesIO()
    # zlib's run-length strategy suits flat colour: twice as fast as the
    # default strategy, for a slightly larger file.
    image.save(buffer, "PNG", compress_level=6, compress_type=3)
    return buffer.getvalue()


def _blend(start: tuple[int, int, int], end: tuple[int, int, int], steps: int) -> list[int]:
    """``steps`` RGB colours from START to END, flattened for putpalette."""
    return [round(a + (b - a) * i / (steps - 1)) for i in range(steps)
            for a, b in zip(start, end)]


# Indices 0–127 blend the paper into ink, 128–255 the band's red into white.
_PAPER, _INK, _BAND, _BAND_TEXT = 0, 127, 128, 255
_GREY = round(127 * (BACKGROUND[0] - 85) / (BACKGROUND[0] - INK[0]))  # ≈ rgb(85, 84, 82)
PALETTE = _blend(BACKGROUND, INK, 128) + _blend(ACCENT, (255, 255, 255), 128)


def wrap(text: str, font: ImageFont.FreeTypeFont, width: int) -> list[str]:
    """Lines no wider than WIDTH: TEXT as it is when it fits; else each space
    ends a line (titles such as 「牢记嘱托 善作善成」 break there) and each part
    breaks between any two characters where it is still too wide."""
    if font.getlength(text) <= width:
        return [text]
    lines: list[str] = []
    for part in text.split(" "):
        line = ""
        for ch in part:
            if line and font.getlength(line + ch) > width:
                lines.append(line)
                line = ""
            line += ch
        lines.append(line)
    return [line for line in lines if line]


def _font(edition: Edition, role: str, language: str, size: int) -> ImageFont.FreeTypeFont:
    face: Face | None = role_face(edition, role, language)
    return _open_font(None if face is None else str(face.path),
                      0 if face is None else face.index, size)


@functools.lru_cache(maxsize=16)
def _open_font(path: str | None, index: int, size: int) -> ImageFont.FreeTypeFont:
    """A face at a size, opened once per process (drawing does not change it)."""
    if path is None:  # no CJK face installed: Pillow's own font still draws Latin
        return ImageFont.load_default(size)
    return ImageFont.truetype(path, size, index=index)


def _block_height(lines: list[str], font: ImageFont.FreeTypeFont, leading: float) -> int:
    return int(len(lines) * font.size * leading)


def _draw_lines(draw: ImageDraw.ImageDraw, lines: list[str], font: ImageFont.FreeTypeFont,
                y: int, fill: int, leading: float) -> int:
    """Centre each line; return the y below the last one."""
    for line in lines:
        x = (WIDTH - font.getlength(line)) / 2
        draw.text((x, y), line, font=font, fill=fill)
        y += int(font.size * leading)
    return y
