"""EPUB font embedding: the faces an edition is set in → WOFF2 files subset to
the characters the book uses.

A full Noto CJK face is tens of MB; the book uses a few hundred to a few
thousand characters, so each embedded face is cut down to those (HarfBuzz's
subsetter) and compressed as WOFF2 (``book.woff2``): a few hundred KB. Faces
are found with fontconfig (``fc-match``), which also says which face of a
``.ttc`` collection holds the family (Noto CJK packs SC, TC, JP, KR … in one
file); a family given as a font file in the project is used as it is.

Output is deterministic: the same characters and the same font file give the
same bytes (the ``head`` timestamp is kept, not set to the clock).
"""
from __future__ import annotations

import dataclasses
import shutil
import subprocess
from pathlib import Path
from typing import Iterable

from book.cache import Cache
from book.config import FONT_FILE_SUFFIXES, GENERIC_FAMILIES, Edition
from book.errors import Location, Reporter

# What each role is set in when the edition does not say (see variables.css),
# and the weight the stylesheets ask for it in.
DEFAULT_FAMILIES = {
    ("body", "Hans"): "Noto Serif CJK SC", ("body", "Hant"): "Noto Serif CJK TC",
    ("heading", "Hans"): "Noto Sans CJK SC", ("heading", "Hant"): "Noto Sans CJK TC",
    ("caption", "Hans"): "AR PL UKai CN", ("caption", "Hant"): "AR PL UKai TW",
}
ROLE_WEIGHT = {"body": 400, "heading": 700, "caption": 400}
# Layout features kept beyond HarfBuzz's defaults: vertical forms for vertical
# editions, and the half-width alternates the punctuation styles use.
EXTRA_FEATURES = ["vert", "vrt2", "vkna", "vpal", "vhal", "halt", "palt", "locl"]


@dataclasses.dataclass(frozen=True)
class Face:
    """One face of an installed font file (``index`` within a collection)."""

    path: Path
    index: int
    family: str


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
    chars: str = ""    # the characters it was subset for (no spaces), sorted

    @property
    def css(self) -> dict[str, object]:
        """The @font-face description the edition template writes."""
        return {"role": self.role, "family": self.family, "src": f"../{self.file_name}",
                "format": "woff2", "weight": self.weight}


def embed_fonts(edition: Edition, language: str, texts: dict[str, str],
                reporter: Reporter, cache: Cache | None = None) -> list[EmbeddedFont]:
    """Subset the face of each role in ``texts`` (role → the text set in it).

    Empty when the edition sets ``embed_fonts = false``. A face that cannot be
    found is a warning, not an error: readers then use their own fonts."""
    if edition.get("embed_fonts", True) is False:
        return []
    fonts = []
    roles = [role for role in ROLE_WEIGHT if texts.get(role, "").strip()]
    look_up_faces(edition, language, roles)
    for role in roles:
        text = texts[role]
        face = role_face(edition, role, language)
        if face is None:
            reporter.warn("F001", f"no installed font for the {role} text of edition "
                          f"'{edition.name}'; not embedded", Location("book.toml"),
                          f"install fonts-noto-cjk or set editions.{edition.name}.fonts.{role}")
            continue
        # set() first, in C: a 1,000-page book's text is 500 k characters.
        chars = "".join(sorted(ch for ch in set(text) if not ch.isspace()))
        data, missing = cached_subset(face, chars, reporter, cache or Cache(None))
        fonts.append(EmbeddedFont(role=role, family=f"book-{role}",
                                  file_name=f"fonts/{role}.woff2", data=data,
                                  weight=ROLE_WEIGHT[role], source=face, missing=missing,
                                  chars=chars))
    return fonts


def role_face(edition: Edition, role: str, language: str) -> Face | None:
    """The face a role is set in: the edition's ``fonts.ROLE`` (first family
    that is not generic), else the default for the script."""
    wanted = _role_family(edition, role, language)
    if wanted is None or isinstance(wanted, Face):
        return wanted
    return find_face(*wanted)


def _role_family(edition: Edition, role: str, language: str) -> Face | tuple[str, int] | None:
    """A role's font file (as a Face), or the (family, weight) to look up."""
    configured = (edition.get("fonts") or {}).get(role)
    names = [configured] if isinstance(configured, str) else list(configured or [])
    names = [n for n in names if n not in GENERIC_FAMILIES]
    if not names:
        script = "Hant" if "Hant" in language or language.endswith(("-TW", "-HK", "-MO")) else "Hans"
        default = DEFAULT_FAMILIES.get((role, script))
        if default is None:  # captions fall back to the body face
            return _role_family(edition, "body", language) if role != "body" else None
        names = [default]
    name = names[0]
    if name.lower().endswith(FONT_FILE_SUFFIXES):
        return Face(path=edition.root / name, index=0, family=Path(name).stem)
    return name, ROLE_WEIGHT[role]


# (family, weight) → the face fontconfig found, or None: one lookup per process.
_FOUND: dict[tuple[str, int], Face | None] = {}
# Lookups started by look_up_faces and not yet read.
_RUNNING: dict[tuple[str, int], subprocess.Popen[str] | None] = {}


def find_face(family: str, weight: int = 400) -> Face | None:
    """The installed file and collection index of FAMILY at WEIGHT, or None
    when fontconfig would substitute another family."""
    key = (family, weight)
    if key not in _FOUND:
        process = _RUNNING.pop(key) if key in _RUNNING else _fc_match(family, weight)
        out = process.communicate()[0].split("\n") if process else []
        found = len(out) >= 3 and family in [f.strip() for f in out[2].split(",")]
        _FOUND[key] = (Face(path=Path(out[0]), index=int(out[1] or 0), family=family)
                       if found else None)
    return _FOUND[key]


def look_up_faces(edition: Edition, language: str, roles: Iterable[str]) -> None:
    """Start looking up the ROLES' faces at once: the ``fc-match`` processes
    (5 ms each) run side by side, and beside the caller's work, until
    ``find_face`` reads them."""
    for wanted in (_role_family(edition, role, language) for role in roles):
        if isinstance(wanted, tuple) and wanted not in _FOUND and wanted not in _RUNNING:
            _RUNNING[wanted] = _fc_match(*wanted)


def finish_face_lookups() -> None:
    """Read every lookup started and not read yet: before forking children
    that look faces up, which must not read the same pipes."""
    for key in list(_RUNNING):
        find_face(*key)


def _fc_match(family: str, weight: int) -> subprocess.Popen[str] | None:
    if not shutil.which("fc-match"):
        return None
    # fontconfig weights: regular 80, bold 200.
    return subprocess.Popen(
        ["fc-match", "-f", "%{file}\n%{index}\n%{family}",
         f"{family}:weight={200 if weight >= 600 else 80}"],
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)


def cached_subset(face: Face, chars: str, reporter: Reporter,
                  cache: Cache) -> tuple[bytes, str]:
    """``subset_face``, cached by the font file's identity (path, size,
    mtime), the characters, and the subsetter's version and settings."""
    import uharfbuzz

    from book.cache import key
    from book.woff2 import QUALITY

    def font_key() -> str:
        stat = face.path.stat()
        return key(str(face.path.resolve()), face.index, stat.st_size, stat.st_mtime_ns,
                   chars, EXTRA_FEATURES, QUALITY, uharfbuzz.__version__)

    return cache.get_or_make("font", font_key, lambda: subset_face(face, chars), reporter)


def subset_face(face: Face, text: str) -> tuple[bytes, str]:
    """WOFF2 bytes of FACE cut down to TEXT's characters, and the characters
    of TEXT it lacks (reported by the caller; readers fall back for them).

    HarfBuzz's subsetter, not fontTools': profiling the 200-page benchmark
    showed fontTools spending 2.7 s per CJK face (parsing and re-serialising
    CFF charstrings); hb-subset takes 0.04 s for the same glyphs."""
    import uharfbuzz as hb

    from book.woff2 import to_woff2

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
