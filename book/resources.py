"""Resources a manuscript points at: parsed blocks whose ``img[src]`` and
``a[href]`` were written by the author → blocks that point only at readable
files inside the project (the rest left out, each with a warning), and, for the
EPUB, those files packaged as manifest items (scaled down when huge).

Rules, so a build never escapes the project or touches the network:

- an image is a file inside the project folder, given by a relative path
  (relative to the manuscript file); ``..`` escapes, absolute paths, ``file:``
  URLs and symlinks whose target lies outside are refused (M002);
- remote (``http:``, ``https:``, ``//host``) images are never fetched (M001);
- a missing image (M003) or one that cannot be read, or is SVG (M004), is left
  out; with ``--strict`` these warnings fail the build;
- links to web pages, ``mailto:`` and ``#anchors`` stay; links to local files
  cannot work inside a book and become plain text (M005);
- images larger than MAX_PIXELS are scaled down for the EPUB (M006, a note);
- in the EPUB, ``#id`` links point at the chapter document holding the id; a
  link to an id that exists nowhere keeps its text (M007);
- the EPUB's copies of project stylesheets lose ``@import``, ``@font-face``
  with ``url()`` and declarations that load a file (M008).

Sections: resolving (parse time, per source file) · EPUB images · EPUB
internal links · EPUB stylesheets.

In the model an image's ``src`` is its project-relative, URL-quoted path, which
the PDF resolves against the project folder; the EPUB renderer replaces it with
the packaged item's name (``images/<hash>.<ext>``).
"""
from __future__ import annotations

import dataclasses
import functools
import io
import os
import urllib.parse
from pathlib import Path, PurePosixPath
from typing import Iterator

from markupsafe import Markup

from book.errors import Location, Reporter

REMOTE_SCHEMES = ("http", "https", "ftp", "ftps", "ws", "wss")
LINK_SCHEMES = ("http", "https", "mailto")
# Pillow format → (EPUB media type, extension); others are converted to PNG.
EPUB_FORMATS = {"PNG": ("image/png", "png"), "JPEG": ("image/jpeg", "jpg"),
                "GIF": ("image/gif", "gif"), "WEBP": ("image/webp", "webp")}
MAX_PIXELS = 4_000_000  # e-readers (Apple Books, Kindle) choke on larger images
EPUB_IMAGE_DIR = "images"


@dataclasses.dataclass(frozen=True)
class Refusal:
    """Why a reference was left out: a code, the message and a fix."""

    code: str
    message: str
    hint: str


class Resolver:
    """Resolve references written in one manuscript file."""

    def __init__(self, root: Path, source: Path, display: str) -> None:
        self.root = root.resolve()
        self.source_dir = source.parent.absolute()
        self.display = display

    def image(self, src: str) -> str | Refusal:
        """The image's project-relative href, or why it was refused."""
        src = src.strip()
        shown = src if len(src) < 80 else src[:77] + "…"
        if not src:
            return Refusal("M003", "image without a source left out", "give it a file path")
        parts = urllib.parse.urlsplit(src)
        scheme = parts.scheme.lower()
        if scheme in REMOTE_SCHEMES or src.startswith("//"):
            return Refusal("M001", f"remote image '{shown}' not fetched (a build never "
                           "uses the network); left out",
                           "download it into the project folder and use a relative path")
        if scheme == "data":
            return Refusal("M004", "embedded data: image left out",
                           "save the image as a file in the project and link to it")
        if scheme and len(scheme) > 1:  # one letter: a Windows drive, handled below
            return Refusal("M002", f"image '{shown}' is not a project file; left out",
                           "use a path relative to the manuscript")
        path = urllib.parse.unquote(parts.path if not scheme else src)
        return self._local_image(path, shown)

    def _local_image(self, path: str, shown: str) -> str | Refusal:
        outside = Refusal("M002", f"image '{shown}' is outside the project folder; left out",
                          "copy it into the project folder and use a relative path")
        if os.path.isabs(path) or path.startswith(("/", "\\")) or PurePosixPath(path).drive \
                or (len(path) > 1 and path[1] == ":"):
            return dataclasses.replace(outside, message=f"absolute image path '{shown}' "
                                       "refused (only project files are used); left out")
        candidate = Path(os.path.normpath(self.source_dir / path))
        if not _inside(candidate, self.root):
            return outside
        if not candidate.exists():
            return Refusal("M003", f"image '{shown}' not found; left out",
                           f"check the path; it is relative to {self.display}")
        real = candidate.resolve()
        if not _inside(real, self.root):
            return dataclasses.replace(outside, message=f"image '{shown}' is a link to a "
                                       "file outside the project folder; left out")
        if not real.is_file():
            return Refusal("M003", f"image '{shown}' is not a file; left out",
                           "point at an image file")
        problem = image_problem(real)
        if problem:
            return Refusal("M004", f"image '{shown}' {problem}; left out",
                           "re-export it as PNG or JPEG")
        return urllib.parse.quote(real.relative_to(self.root).as_posix())

    def link(self, href: str) -> Refusal | None:
        """None when the link can work inside a book, else why not."""
        href = href.strip()
        scheme = urllib.parse.urlsplit(href).scheme.lower()
        if href.startswith("#") or (scheme in LINK_SCHEMES and not href.startswith("//")):
            return None
        shown = href if len(href) < 80 else href[:77] + "…"
        return Refusal("M005", f"link to '{shown}' cannot work inside the book; kept its "
                       "text only", "link to a web page (https://…) or a #heading-id")


def _inside(path: Path, root: Path) -> bool:
    return path == root or path.is_relative_to(root)


def image_problem(path: Path) -> str | None:
    """Why Pillow cannot use the image at ``path`` (None: it can)."""
    stat = path.stat()
    return _image_problem(path, stat.st_mtime_ns, stat.st_size)


@functools.lru_cache(maxsize=1024)
def _image_problem(path: Path, mtime: int, size: int) -> str | None:
    # Keyed on mtime and size too, so an image fixed between builds is re-read.
    if path.suffix.lower() in (".svg", ".svgz"):
        return "is SVG, which can carry scripts and remote references (not supported)"
    from PIL import Image

    try:
        with Image.open(path) as image:
            image.verify()
    except Image.DecompressionBombError:
        return "is too large to open safely"
    except Exception as exc:  # Pillow raises many kinds for broken files
        return f"cannot be read ({type(exc).__name__}: {exc})".replace("\n", " ")
    return None


def resolve_references(html: str, resolver: Resolver, loc: Location,
                       reporter: Reporter) -> Markup:
    """The fragment with every image resolved (or left out, keeping its alt
    text) and every local link turned into its text, each change reported."""
    if "<img" not in html and "href=" not in html:
        return Markup(html)
    # lxml is imported here, by the first fragment that needs it: most
    # manuscripts have no image and no link, and the import is 5 ms of
    # every build's start-up.
    from lxml import etree, html as lxml_html

    wrapper = lxml_html.fragment_fromstring(html, create_parent="div")
    changed = False
    for img in list(wrapper.iter("img")):
        result = resolver.image(img.get("src", ""))
        where = _where(loc, img)
        if isinstance(result, Refusal):
            reporter.warn(result.code, result.message, where, result.hint)
            _replace_with_text(img, img.get("alt", ""))
        else:
            img.set("src", result)
            img.set("alt", img.get("alt", ""))
        changed = True
    for link in list(wrapper.iter("a")):
        refusal = resolver.link(link.get("href")) if link.get("href") is not None else None
        if refusal is not None:
            reporter.warn(refusal.code, refusal.message, _where(loc, link), refusal.hint)
            link.drop_tag()
            changed = True
    if not changed:
        return Markup(html)
    parts = [etree.tostring(child, method="xml", encoding="unicode", with_tail=True)
             for child in wrapper]
    return Markup(Markup.escape(wrapper.text or "") + Markup("".join(parts)))


def _where(loc: Location, element) -> Location:
    line = loc.line + (element.sourceline or 1) - 1 if loc.line else 0
    return Location(loc.path, line, 1 if line else 0)


def _replace_with_text(element, text: str) -> None:
    """Put ``text`` where ``element`` was (keeping its tail), then remove it."""
    parent = element.getparent()
    previous = element.getprevious()
    addition = text + (element.tail or "")
    if previous is not None:
        previous.tail = (previous.tail or "") + addition
    else:
        parent.text = (parent.text or "") + addition
    parent.remove(element)


def resolve_parsed(parsed, root: Path, reporter: Reporter):
    """A ParsedSource with every block's and footnote's references resolved
    (a new object: the cached parse result is left as it was)."""
    resolver = Resolver(root, parsed.source.path, parsed.source.display)
    blocks = [dataclasses.replace(b, html=resolve_references(b.html, resolver, b.loc, reporter))
              for b in parsed.blocks]
    where = Location(parsed.source.display)
    footnotes = [dataclasses.replace(n, html=resolve_references(n.html, resolver, where,
                                                                reporter))
                 for n in parsed.footnotes]
    return dataclasses.replace(parsed, blocks=blocks, footnotes=footnotes)


# --- EPUB images -----------------------------------------------------------

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
    from lxml import etree

    wrapper = etree.fromstring(f"<div>{fragment}</div>".encode(),
                               etree.XMLParser(recover=True, huge_tree=True))
    if wrapper is None:
        return []
    return [img.get("src") for img in wrapper.iter("{*}img", "img")
            if img.get("src") and not img.get("src").startswith(EPUB_IMAGE_DIR + "/")]


def _pack(path: Path, href: str, reporter: Reporter) -> PackagedImage | None:
    """Read (and if huge, scale down) one image; deterministic bytes."""
    from PIL import Image

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
    import hashlib  # only for images: the loading child needs this module, not hashing

    name = f"{EPUB_IMAGE_DIR}/{hashlib.sha256(data).hexdigest()[:16]}.{ext}"
    return PackagedImage(name, media_type, data)


def _reencode(image, fmt: str) -> tuple[bytes, str, str]:
    """Scale to at most MAX_PIXELS and save as JPEG (photos) or PNG, with no
    metadata, so the same input always gives the same bytes."""
    from PIL import Image

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
    from ebooklib import epub

    for image in package_images(book, root, reporter):
        uid = "img-" + PurePosixPath(image.file_name).stem
        out.add_item(epub.EpubItem(uid=uid, file_name=image.file_name,
                                   media_type=image.media_type, content=image.content))


# --- EPUB internal links -----------------------------------------------------

def fix_internal_links(book, reporter: Reporter) -> None:
    """EPUB chapters are separate documents: point every ``#id`` link at the
    chapter holding the id; a link to an id that exists nowhere keeps only its
    text (M007), since EPUBCheck rejects it. ``book`` must be XHTML-safe."""
    owner = _id_owners(book)
    for chapter in book.chapters:
        for obj, field in chapter.html_fields():
            fragment = str(getattr(obj, field))
            if 'href="#' not in fragment:
                continue
            loc = getattr(obj, "loc", chapter.loc)
            setattr(obj, field, _relink(fragment, chapter.file_name, owner, loc, reporter))



def _id_owners(book) -> dict[str, str]:
    """Every id in the book → the file name of the chapter that holds it."""
    owner: dict[str, str] = {}
    for chapter in book.chapters:
        ids = [chapter.id, *(s.id for s in chapter.all_sections()),
               *(f"fn{n.number}" for n in chapter.footnotes)]
        for obj, field in chapter.html_fields():
            fragment = str(getattr(obj, field))
            if "id=" in fragment:
                ids.extend(_xml_fragment(fragment).xpath("//@id"))
        for anchor in ids:
            owner.setdefault(anchor, chapter.file_name)
    return owner


def _xml_fragment(fragment: str):
    from lxml import etree

    return etree.fromstring(f'<div xmlns:epub="http://www.idpf.org/2007/ops">{fragment}</div>'
                            .encode(), etree.XMLParser(huge_tree=True))


def _relink(fragment: str, here: str, owner: dict[str, str], loc: Location,
            reporter: Reporter) -> Markup:
    wrapper = _xml_fragment(fragment)
    for link in list(wrapper.iter("a")):
        href = link.get("href") or ""
        if not href.startswith("#") or len(href) < 2:
            continue
        target = urllib.parse.unquote(href[1:])
        if owner.get(target) == here:
            continue
        if target in owner:
            link.set("href", f"{owner[target]}#{href[1:]}")
            continue
        reporter.warn("M007", f"link to '{href}' points at no id in the book; kept its "
                      "text only", loc, "link to a heading's id or remove the link")
        _unwrap(link)
    from lxml import etree

    parts = [etree.tostring(child, encoding="unicode", with_tail=True) for child in wrapper]
    return Markup(Markup.escape(wrapper.text or "") + Markup("".join(parts)))


def _unwrap(element) -> None:
    """Replace ``element`` by its content (text, children, tail)."""
    parent = element.getparent()
    index = parent.index(element)
    previous = element.getprevious()
    head = (element.text or "")
    if previous is not None:
        previous.tail = (previous.tail or "") + head
    else:
        parent.text = (parent.text or "") + head
    children = list(element)
    for offset, child in enumerate(children):
        parent.insert(index + offset, child)
    tail = element.tail or ""
    if children:
        children[-1].tail = (children[-1].tail or "") + tail
    elif previous is not None:
        previous.tail = (previous.tail or "") + tail
    else:
        parent.text = (parent.text or "") + tail
    parent.remove(element)


# --- stylesheets for the EPUB ------------------------------------------------

# CSS functions that load a file; a declaration using one is removed.
_LOADING_FUNCTIONS = {"url", "src", "image", "image-set", "-webkit-image-set", "cross-fade"}


def epub_css(data: bytes, display: str, reporter: Reporter) -> bytes:
    """A project stylesheet as the EPUB may carry it: ``@import`` rules,
    ``@font-face`` rules and declarations that load a file by ``url()`` are
    removed (M008), so the EPUB refers to nothing outside itself and a reader
    never fetches anything. Sheets without any are returned byte for byte."""
    text = data.decode("utf-8", errors="replace")
    lowered = text.lower()
    if not any(word in lowered for word in ("url(", "@import", "image(", "image-set(",
                                             "src(", "cross-fade(")):
        return data
    import tinycss2

    rules = tinycss2.parse_stylesheet(text, skip_comments=False, skip_whitespace=False)
    return _serialize_rules(rules, display, reporter).encode("utf-8")


def _serialize_rules(nodes, display: str, reporter: Reporter) -> str:
    import tinycss2

    out = []
    for node in nodes:
        if node.type == "at-rule" and node.lower_at_keyword in ("import", "font-face") \
                and (node.lower_at_keyword == "import" or _loads(node.content)):
            _css_warning(node, f"@{node.lower_at_keyword} rule removed from the EPUB's copy",
                         display, reporter)
        elif node.type in ("qualified-rule", "at-rule") and node.content is not None:
            inner = tinycss2.parse_blocks_contents(node.content, skip_comments=False)
            prelude = tinycss2.serialize(node.prelude)
            head = prelude if node.type == "qualified-rule" else f"@{node.at_keyword}{prelude}"
            out.append(f"{head}{{{_serialize_rules(inner, display, reporter)}}}")
        elif node.type == "declaration":
            if _loads(node.value):
                _css_warning(node, f"'{node.name}' loads a file; removed from the EPUB's copy",
                             display, reporter)
            else:
                out.append(f"{node.serialize()};")
        elif node.type == "error":
            out.append("")  # what CSS would ignore anyway
        else:
            out.append(node.serialize())
    return "".join(out)


def _loads(tokens) -> bool:
    """Whether a token list holds url(…) or a function that loads a file."""
    for token in tokens or []:
        if token.type == "url":
            return True
        if token.type == "function" and (token.lower_name in _LOADING_FUNCTIONS
                                         or _loads(token.arguments)):
            return True
        if token.type in ("() block", "[] block", "{} block") and _loads(token.content):
            return True
    return False


def _css_warning(node, message: str, display: str, reporter: Reporter) -> None:
    reporter.warn("M008", message, Location(display, node.source_line, node.source_column),
                  "an EPUB may use only its own files; put images and fonts in the book")
