"""EPUB font embedding: the faces an edition is set in → WOFF2 files subset
to the characters the book uses.

A full Noto CJK face is tens of MB; the book uses a few hundred to a few
thousand characters, so each embedded face is cut down to those (HarfBuzz's
subsetter) and compressed as WOFF2 (``book.render.epub.woff2``): a few
hundred KB. The faces themselves are ``book.render.fonts``'.

Output is deterministic: the same characters and the same font file give the
same bytes (the ``head`` timestamp is kept, not set to the clock).
"""
from __future__ import annotations

import dataclasses
import html
import re

import uharfbuzz as hb

from book.cache import Cache, key
from book.errors import Location, Reporter
from book.model import Book
from book.project.config import Edition
from book.render.epub.woff2 import QUALITY, to_woff2
from book.render.fonts import ROLE_WEIGHT, Face, role_face

# The roles whose faces are embedded (code keeps the reader's monospace).
EMBEDDED_ROLES = ("body", "heading", "caption")
# Layout features kept beyond HarfBuzz's defaults: vertical forms for vertical
# editions, and the half-width alternates the punctuation styles use.
EXTRA_FEATURES = ["vert", "vrt2", "vkna", "vpal", "vhal", "halt", "palt", "locl"]
_TAG_RE = re.compile(r"<[^>]*>")


@dataclasses.dataclass
class EmbeddedFont:
    """A subset face ready to package: its CSS family name and its bytes."""

    role: str
    family: str        # the @font-face name, e.g. "book-body"
    file_name: str     # inside the EPUB, e.g. "fonts/body.woff2"
    data: bytes
    weight: int
    source: Face
    missing: str       # characters of the text the face does not have

    @property
    def css(self) -> dict[str, object]:
        """The @font-face description the edition template writes."""
        return {"role": self.role, "family": self.family, "src": f"../{self.file_name}",
                "format": "woff2", "weight": self.weight}


def role_texts(book: Book, words: dict[str, str], documents: list[bytes]) -> dict[str, str]:
    """The text set in each font role (see base.css): the body face serves
    every document (all the characters the DOCUMENTS show: title page and
    chapters) and the navigation's labels (WORDS); the heading face the
    titles; the caption face bylines, datelines, captions and figures."""
    meta = book.meta
    interface = "".join(words[k] for k in sorted(words))
    body = [interface, *sorted(shown_characters(documents))]
    heading = [meta.title, meta.subtitle, interface]
    caption = []
    for chapter in book.chapters:
        heading += [chapter.title, chapter.subtitle]
        heading += [section.title for section in chapter.all_sections()]
        caption += [b.text for b in chapter.all_blocks()
                    if b.kind in ("byline", "dateline", "caption", "figure")]
    return {"body": "".join(body), "heading": "".join(heading), "caption": "".join(caption)}


def shown_characters(documents: list[bytes]) -> set[str]:
    """The characters XHTML documents show: tags cut out, entities decoded."""
    shown: set[str] = set()
    for doc in documents:
        shown.update(html.unescape(_TAG_RE.sub("", doc.decode())))
    return shown


def embed_fonts(edition: Edition, language: str, texts: dict[str, str],
                reporter: Reporter, cache: Cache) -> list[EmbeddedFont]:
    """Subset the face of each role in ``texts`` (role → the text set in it).

    Empty when the edition sets ``embed_fonts = false``. A face that cannot be
    found is a warning, not an error: readers then use their own fonts."""
    if edition.get("embed_fonts", True) is False:
        return []
    fonts = []
    for role in EMBEDDED_ROLES:
        text = texts.get(role, "")
        if not text.strip():
            continue
        face = role_face(edition, role, language)
        if face is None:
            reporter.warn("F001", f"no installed font for the {role} text of edition "
                          f"'{edition.name}'; not embedded", Location("book.toml"),
                          f"install fonts-noto-cjk or set editions.{edition.name}.fonts.{role}")
            continue
        chars = "".join(sorted(ch for ch in set(text) if not ch.isspace()))
        data, missing = cached_subset(face, chars, reporter, cache)
        fonts.append(EmbeddedFont(role=role, family=f"book-{role}",
                                  file_name=f"fonts/{role}.woff2", data=data,
                                  weight=ROLE_WEIGHT[role], source=face, missing=missing))
    return fonts


def cached_subset(face: Face, chars: str, reporter: Reporter,
                  cache: Cache) -> tuple[bytes, str]:
    """``subset_face``, cached by the font file's identity (path, size,
    mtime), the characters, and the subsetter's version and settings."""
    def font_key() -> str:
        stat = face.path.stat()
        return key(str(face.path.resolve()), face.index, stat.st_size, stat.st_mtime_ns,
                   chars, EXTRA_FEATURES, QUALITY, hb.__version__)

    return cache.get_or_make("font", font_key, lambda: subset_face(face, chars), reporter)


def subset_face(face: Face, text: str) -> tuple[bytes, str]:
    """WOFF2 bytes of FACE cut down to TEXT's characters, and the characters
    of TEXT it lacks (reported by the caller; readers fall back for them).

    HarfBuzz's subsetter, not fontTools': fontTools parses and re-serialises
    every CFF charstring of a CJK face, many times slower (docs/performance.md)."""
    chars = sorted(ord(ch) for ch in set(text) if not ch.isspace())
    source = hb.Face(hb.Blob.from_file_path(str(face.path)), face.index)
    options = hb.SubsetInput()
    options.sets(hb.SubsetInputSets.UNICODE).update(chars)
    options.sets(hb.SubsetInputSets.LAYOUT_FEATURE_TAG).update(
        int.from_bytes(tag.encode(), "big") for tag in EXTRA_FEATURES)
    options.sets(hb.SubsetInputSets.NAME_ID).add_range(0, 0x7FFF)  # licence, family names
    options.flags = hb.SubsetFlags.NOTDEF_OUTLINE
    subset = hb.subset(source, options)
    if subset is None:
        raise ValueError(f"HarfBuzz could not subset {face.path} (face {face.index})")
    kept = subset.unicodes
    missing = "".join(chr(c) for c in chars if c not in kept)
    return to_woff2(subset.blob.data), missing
