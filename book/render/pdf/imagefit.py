"""Fit the print book's images to the line grid.

In: the print HTML (images' ``src`` are project-relative, as the model holds
them), the project folder and the edition's :class:`TypeArea`. Out: the same
HTML in which every image at least two body lines tall gets an explicit size:
as large as its natural size (1 px = 0.75 pt, WeasyPrint's default) allows
within the type area, its height rounded down to a whole number of lines, its
aspect kept. Such an image is set as a block, so the text after a figure stays
on the grid. Images with their own class or style, and smaller images
(inline icons), are left alone.
"""
from __future__ import annotations

import functools
import html
import math
import re
import urllib.parse
from pathlib import Path

from PIL import Image, UnidentifiedImageError

from book.render.pdf.pagegrid import TypeArea

_IMG = re.compile(r"<img\b[^>]*>")
_SRC = re.compile(r'\bsrc="([^"]*)"')
PX_PT = 0.75
# Room left on a page for a caption line and the figure's margins.
CAPTION_LINES = 3


def fit_images(markup: str, root: Path, area: TypeArea) -> str:
    """Return ``markup`` with grid-sized images (see the module docstring)."""
    base = root.resolve()
    return _IMG.sub(lambda match: _fit(match.group(0), base, area), markup)


def _fit(tag: str, root: Path, area: TypeArea) -> str:
    src = _SRC.search(tag)
    if "style=" in tag or "class=" in tag or not src:
        return tag
    size = _pixels(_local_file(src.group(1), root))
    if size is None:
        return tag
    width, height = size[0] * PX_PT, size[1] * PX_PT
    room = area.height - CAPTION_LINES * area.pitch
    scale = min(1.0, area.width / width, room / height)
    lines = math.floor(height * scale / area.pitch + 1e-6)
    if lines < 2:
        return tag
    fitted_h = lines * area.pitch
    fitted_w = fitted_h * width / height
    end = "/>" if tag.endswith("/>") else ">"
    return (tag[: -len(end)].rstrip() + ' class="fitted"'
            f' style="width: {fitted_w:.3f}pt; height: {fitted_h:.3f}pt"' + end)


def _local_file(src: str, root: Path) -> Path | None:
    """The image file inside the project, or None (remote, outside, missing)."""
    src = html.unescape(src)
    if urllib.parse.urlsplit(src).scheme:
        return None
    path = (root / urllib.parse.unquote(src)).resolve()
    return path if path.is_relative_to(root) and path.is_file() else None


@functools.lru_cache(maxsize=256)
def _pixels(path: Path | None) -> tuple[int, int] | None:
    """Width and height in pixels (Pillow reads only the header)."""
    if path is None:
        return None
    try:
        with Image.open(path) as image:
            return image.size if image.size[0] and image.size[1] else None
    except (OSError, UnidentifiedImageError):
        return None
