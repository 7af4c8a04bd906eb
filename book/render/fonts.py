"""Font faces by role: which face sets an edition's body text, headings,
captions and code, and where it is installed.

``DEFAULT_FAMILIES`` is the one list of default faces, per role and script
(``book.text.script``): the PDF and the EPUB get them as the first,
generated stylesheet (``book.render.css.defaults_css``), the EPUB's
font embedding and the generated cover look them up here, and the PDF
renderer checks here that they are installed. An edition's ``fonts`` table
overrides them role by role.

Faces are found with fontconfig: one ``fc-list`` run lists every installed
face with its families, weight and index in its file (Noto CJK packs SC, TC,
JP, KR … in one ``.ttc``), and a family is looked up in that list (a
fontconfig tool run per face cost as much as subsetting one); a family given
as a font file in the project is used as it is.
"""
from __future__ import annotations

import dataclasses
import functools
import re
import shutil
import subprocess
from pathlib import Path

from book.errors import BuildError, Location
from book.project.config import FONT_FILE_SUFFIXES, GENERIC_FAMILIES, Edition
from book.text.script import HANS, HANT, chinese_script

# Role → script → the family stack (first choice first, a generic family last).
DEFAULT_FAMILIES: dict[str, dict[str, tuple[str, ...]]] = {
    "body": {
        HANS: ("Noto Serif CJK SC", "Noto Serif CJK", "Source Han Serif SC", "serif"),
        HANT: ("Noto Serif CJK TC", "Noto Serif CJK", "Source Han Serif TC", "serif"),
    },
    "heading": {
        HANS: ("Noto Sans CJK SC", "Noto Sans CJK", "Source Han Sans SC", "sans-serif"),
        HANT: ("Noto Sans CJK TC", "Noto Sans CJK", "Source Han Sans TC", "sans-serif"),
    },
    "caption": {
        HANS: ("AR PL UKai CN", "AR PL UKai", "Noto Serif CJK SC", "serif"),
        HANT: ("AR PL UKai TW", "AR PL UKai", "Noto Serif CJK TC", "serif"),
    },
    "mono": {
        HANS: ("DejaVu Sans Mono", "Noto Sans Mono CJK SC", "monospace"),
        HANT: ("DejaVu Sans Mono", "Noto Sans Mono CJK TC", "monospace"),
    },
}
# The Debian package of each default family, for the hint when one is missing.
PACKAGES = {"Noto Serif CJK": "fonts-noto-cjk", "Noto Sans CJK": "fonts-noto-cjk",
            "AR PL UKai": "fonts-arphic-ukai", "DejaVu Sans Mono": "fonts-dejavu-core"}
# The roles whose face a book cannot do without (the PDF renderer checks them),
# and the weight the stylesheets ask for each role in.
REQUIRED_ROLES = ("body", "heading")
ROLE_WEIGHT = {"body": 400, "heading": 700, "caption": 400, "mono": 400}


@dataclasses.dataclass(frozen=True)
class Face:
    """One face of an installed font file (``index`` within a collection)."""

    path: Path
    index: int
    family: str


def default_stack(role: str, language: str) -> tuple[str, ...]:
    """The default family stack of ROLE for a book in LANGUAGE (Simplified
    faces for any language that is not Traditional Chinese)."""
    return DEFAULT_FAMILIES[role][chinese_script(language) or HANS]


def role_families(edition: Edition, role: str, language: str) -> list[str]:
    """The families ROLE is set in, first choice first: the edition's
    ``fonts.ROLE`` (a family, a list, or a font file in the project), else
    the default stack for the script."""
    configured = (edition.get("fonts") or {}).get(role)
    names = [configured] if isinstance(configured, str) else list(configured or [])
    return names or list(default_stack(role, language))


def role_family(edition: Edition, role: str, language: str) -> str:
    """The family (or project font file) ROLE is set in: the first of the
    edition's ``fonts.ROLE`` that is not a generic family, else the first of
    the default stack."""
    for names in (role_families(edition, role, language), default_stack(role, language)):
        name = next((n for n in names if n not in GENERIC_FAMILIES), None)
        if name is not None:
            return name
    raise AssertionError(f"no default family for {role}")  # DEFAULT_FAMILIES has them all


def role_face(edition: Edition, role: str, language: str) -> Face | None:
    """The face of ``role_family``, looked up (or the project's font file);
    None when it is not installed."""
    name = role_family(edition, role, language)
    if name.lower().endswith(FONT_FILE_SUFFIXES):
        return Face(path=edition.root / name, index=0, family=Path(name).stem)
    return find_face(name, ROLE_WEIGHT[role])


@dataclasses.dataclass(frozen=True)
class Installed:
    """One installed face as fontconfig lists it."""

    families: tuple[str, ...]
    italic: bool
    weights: tuple[float, float]  # fontconfig weights (regular 80, bold 200)
    index: int
    path: Path


def find_face(family: str, weight: int = 400) -> Face | None:
    """The installed file and collection index of FAMILY at the CSS WEIGHT
    (the upright face of the nearest weight), or None when FAMILY is not
    installed (fontconfig would substitute another family)."""
    target = 200 if weight >= 600 else 80
    candidates = [f for f in installed_faces() if family in f.families]
    if not candidates:
        return None
    best = min(candidates, key=lambda f: (f.italic, _distance(f.weights, target),
                                          str(f.path), f.index))
    return Face(path=best.path, index=best.index, family=family)


def _distance(weights: tuple[float, float], target: float) -> float:
    low, high = weights
    return 0.0 if low <= target <= high else min(abs(low - target), abs(high - target))


@functools.cache
def installed_faces() -> tuple[Installed, ...]:
    """Every face fontconfig knows (one ``fc-list`` run); none without it."""
    if not shutil.which("fc-list"):
        return ()
    listing = subprocess.run(
        ["fc-list", "-f", "%{family}\t%{style}\t%{weight}\t%{index}\t%{file}\n"],
        capture_output=True, text=True, check=False).stdout
    faces = []
    for line in listing.splitlines():
        fields = line.split("\t")
        if len(fields) != 5:
            continue
        families, style, weight, index, path = fields
        numbers = [float(n) for n in re.findall(r"\d+(?:\.\d+)?", weight)] or [80.0]
        faces.append(Installed(
            families=tuple(name.strip() for name in re.split(r"(?<!\\),", families)),
            italic=bool(re.search(r"italic|oblique", style, re.I)),
            weights=(min(numbers), max(numbers)), index=int(index or 0), path=Path(path)))
    return tuple(faces)


def check_required_faces(edition: Edition, language: str) -> None:
    """A one-line error naming the face and the package that has it when the
    edition's body or heading face is not installed (a font file of the
    project is checked by the configuration)."""
    for role in REQUIRED_ROLES:
        name = role_family(edition, role, language)
        if name.lower().endswith(FONT_FILE_SUFFIXES) or role_face(edition, role, language):
            continue
        package = next((p for prefix, p in PACKAGES.items() if name.startswith(prefix)), None)
        raise BuildError(f"font '{name}' ({role} text of edition '{edition.name}') is not "
                         "installed", Location("book.toml"),
                         hint=f"install it: apt-get install {package} (or run 'make')"
                         if package else f"install it, or set editions.{edition.name}."
                                         f"fonts.{role} to an installed family")
