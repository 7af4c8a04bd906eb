"""Resources a manuscript points at: parsed blocks whose ``img[src]`` and
``a[href]`` were written by the author → blocks that point only at readable
files inside the project (the rest left out, each with a warning).

Rules, so a build never escapes the project or touches the network:

- an image is a file inside the project folder, given by a relative path
  (relative to the manuscript file); ``..`` escapes, absolute paths, ``file:``
  URLs and symlinks whose target lies outside are refused (M002);
- remote (``http:``, ``https:``, ``//host``) images are never fetched (M001);
- a missing image (M003) or one that cannot be read, or is SVG (M004), is left
  out; with ``--strict`` these warnings fail the build;
- links to web pages, ``mailto:`` and ``#anchors`` stay; links to local files
  cannot work inside a book and become plain text (M005);

In the model an image's ``src`` is its project-relative, URL-quoted path, which
the PDF resolves against the project folder; the EPUB renderer packages the
file and points at the packaged item (``book.render.epub.images``: huge images
scaled down, M006; ``links``: ``#id`` links pointed at the chapter holding the id, a link to
no id kept as text, M007;
``css``: stylesheets that would load files, M008).
"""
from __future__ import annotations

import dataclasses
import functools
import os
import urllib.parse
from pathlib import Path, PurePosixPath

from lxml import etree, html as lxml_html
from markupsafe import Markup
from PIL import Image

from book.errors import Location, Reporter

REMOTE_SCHEMES = ("http", "https", "ftp", "ftps", "ws", "wss")
LINK_SCHEMES = ("http", "https", "mailto")


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
    where = Location(parsed.source.display)

    def resolved(item, loc: Location):
        # Most blocks point at nothing: they are kept as they are.
        if "<img" not in item.html and "href=" not in item.html:
            return item
        return dataclasses.replace(item, html=resolve_references(item.html, resolver, loc,
                                                                 reporter))

    return dataclasses.replace(parsed, blocks=[resolved(b, b.loc) for b in parsed.blocks],
                               footnotes=[resolved(n, where) for n in parsed.footnotes])
