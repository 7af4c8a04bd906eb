"""The manuscript's images, packaged for the EPUB: each project image the
model points at (``img[src]``, a project-relative path resolved by
``book.read.resources``) becomes a manifest item named by its content hash,
scaled down when it is too large for e-readers (M006), and the fragments
point at the item.
"""
from __future__ import annotations

import dataclasses
import hashlib
import io
import urllib.parse
from pathlib import Path, PurePosixPath
from typing import Iterator

from ebooklib import epub
from lxml import etree
from markupsafe import Markup
from PIL import Image

from book.errors import Location, Reporter

# Pillow format → (EPUB media type, extension); others are converted to PNG.
EPUB_FORMATS = {"PNG": ("image/png", "png"), "JPEG": ("image/jpeg", "jpg"),
                "GIF": ("image/gif", "gif"), "WEBP": ("image/webp", "webp")}
MAX_PIXELS = 4_000_000  # e-readers (Apple Books, Kindle) choke on larger images
EPUB_IMAGE_DIR = "images"


@dataclasses.dataclass(frozen=True)
class PackagedImage:
    """An image as it goes into the EPUB."""

    file_name: str
    media_type: str
    content: bytes


def package_images(book, root: Path, reporter: Reporter) -> list[PackagedImage]:
    """Give every image of ``book`` (already XHTML-safe) its EPUB item and point
    the fragments at it; returns the items in a stable order."""
    root = root.resolve()
    items: dict[str, PackagedImage] = {}
    for owner, field in _fragments(book):
        fragment = str(getattr(owner, field))  # Markup.replace would escape
        if "<img" not in fragment:
            continue
        for href in _image_srcs(fragment):
            if href not in items:
                packed = _pack(root / urllib.parse.unquote(href), href, reporter)
                if packed is None:
                    continue
                items[href] = packed
            fragment = fragment.replace(f'src="{href}"', f'src="{items[href].file_name}"')
        setattr(owner, field, Markup(fragment))
    unique = {item.file_name: item for item in items.values()}
    return [unique[name] for name in sorted(unique)]


def _fragments(book) -> Iterator[tuple[object, str]]:
    for chapter in book.chapters:
        yield from chapter.html_fields()


def _image_srcs(fragment: str) -> list[str]:
    wrapper = etree.fromstring(f"<div>{fragment}</div>".encode(),
                               etree.XMLParser(recover=True, huge_tree=True))
    if wrapper is None:
        return []
    return [img.get("src") for img in wrapper.iter("{*}img", "img")
            if img.get("src") and not img.get("src").startswith(EPUB_IMAGE_DIR + "/")]


def _pack(path: Path, href: str, reporter: Reporter) -> PackagedImage | None:
    """Read (and if huge, scale down) one image; deterministic bytes."""
    try:
        data = path.read_bytes()
        with Image.open(io.BytesIO(data)) as image:
            fmt = image.format or ""
            size = image.size
            if fmt in EPUB_FORMATS and size[0] * size[1] <= MAX_PIXELS:
                media_type, ext = EPUB_FORMATS[fmt]
            else:
                data, media_type, ext = _reencode(image, fmt)
                if size[0] * size[1] > MAX_PIXELS:
                    reporter.info("M006", f"image {size[0]}×{size[1]} px scaled down for "
                                  "the EPUB", Location(urllib.parse.unquote(href)))
    except Exception as exc:  # unreadable after all: leave it out of the EPUB
        reporter.warn("M004", f"image cannot be packaged ({type(exc).__name__}); left out "
                      "of the EPUB", Location(urllib.parse.unquote(href)),
                      "re-export it as PNG or JPEG")
        return None
    name = f"{EPUB_IMAGE_DIR}/{hashlib.sha256(data).hexdigest()[:16]}.{ext}"
    return PackagedImage(name, media_type, data)


def _reencode(image, fmt: str) -> tuple[bytes, str, str]:
    """Scale to at most MAX_PIXELS and save as JPEG (photos) or PNG, with no
    metadata, so the same input always gives the same bytes."""
    width, height = image.size
    scale = min(1.0, (MAX_PIXELS / (width * height)) ** 0.5)
    image.load()
    if scale < 1.0:
        size = (max(1, int(width * scale)), max(1, int(height * scale)))
        image = image.resize(size, Image.Resampling.LANCZOS)
    out = io.BytesIO()
    if fmt == "JPEG":
        image.convert("RGB").save(out, "JPEG", quality=88, optimize=False)
        return out.getvalue(), "image/jpeg", "jpg"
    if image.mode not in ("RGB", "RGBA", "L", "LA", "P"):
        image = image.convert("RGBA")
    image.save(out, "PNG", optimize=False)
    return out.getvalue(), "image/png", "png"


def add_epub_images(out, book, root: Path, reporter: Reporter) -> None:
    """Package ``book``'s images into the ebooklib book ``out`` (manifest
    items with stable ids), pointing the chapters at them."""
    for image in package_images(book, root, reporter):
        uid = "img-" + PurePosixPath(image.file_name).stem
        out.add_item(epub.EpubItem(uid=uid, file_name=image.file_name,
                                   media_type=image.media_type, content=image.content))
