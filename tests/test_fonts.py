"""EPUB font embedding: faces found in collections, subset to the text,
still covering every character, deterministic."""
from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
from fontTools.ttLib import TTFont
from lxml import etree

from book.render.epub.fonts import subset_face
from book.render.fonts import find_face

EPUBS = ["tianjin-ebook.epub", "tianjin-large-print.epub", "tianjin-traditional.epub"]


def epub_fonts(epub: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(epub) as zf:
        return {Path(n).stem: zf.read(n) for n in zf.namelist() if n.startswith("EPUB/fonts/")}


def epub_text(epub: Path) -> str:
    """Every character a reader sees: the text of every XHTML document."""
    with zipfile.ZipFile(epub) as zf:
        docs = [zf.read(n) for n in zf.namelist() if n.endswith(".xhtml")]
    return "".join("".join(etree.fromstring(doc).itertext()) for doc in docs)


@pytest.mark.parametrize("name", EPUBS)
def test_embedded_fonts_are_subset(sample_build, name):
    fonts = epub_fonts(sample_build / name)
    assert {"body", "heading"} <= set(fonts)
    # The full Noto CJK collections are 20–27 MB; one face subset to the book is
    # a few hundred KB.
    assert len(fonts["body"]) < 800_000, len(fonts["body"])
    assert sum(len(data) for data in fonts.values()) < 1_200_000
    for data in fonts.values():
        font = TTFont(io.BytesIO(data))
        assert font.flavor == "woff2"
        assert len(font.getGlyphOrder()) < 5000  # a full face has 65 535


@pytest.mark.parametrize("name", EPUBS)
def test_body_font_covers_every_character_of_the_text(sample_build, name):
    epub = sample_build / name
    cmap = TTFont(io.BytesIO(epub_fonts(epub)["body"])).getBestCmap()
    text = {ch for ch in epub_text(epub) if not ch.isspace()}
    missing = sorted(ch for ch in text if ord(ch) not in cmap)
    assert not missing, missing


def test_vertical_edition_keeps_vertical_forms(sample_build):
    font = TTFont(io.BytesIO(epub_fonts(sample_build / "tianjin-traditional.epub")["body"]))
    features = {r.FeatureTag for r in font["GSUB"].table.FeatureList.FeatureRecord}
    assert "vert" in features
    assert "vhea" in font and "vmtx" in font  # vertical metrics for vertical-rl


def test_faces_are_picked_from_the_collection():
    sc, tc = find_face("Noto Serif CJK SC"), find_face("Noto Serif CJK TC")
    assert sc and tc and sc.path == tc.path and sc.index != tc.index
    names = TTFont(str(tc.path), fontNumber=tc.index, lazy=True)["name"]
    assert names.getDebugName(1) == "Noto Serif CJK TC"
    bold = find_face("Noto Sans CJK SC", 700)
    assert bold and "Bold" in bold.path.name
    assert find_face("No Such Family 123") is None


def test_subset_is_deterministic_and_reports_missing_characters():
    face = find_face("Noto Serif CJK SC")
    first, missing = subset_face(face, "发展天津 2025")
    second, _ = subset_face(face, "发展天津 2025")
    assert first == second
    assert len(first) < 40_000
    assert missing == ""
    _, missing = subset_face(face, "发展\U0001F600")
    assert missing == "\U0001F600"


def test_every_character_of_a_technical_book_is_embedded(tmp_path):
    # Footnote numbers, code, tables, the title page and the navigation's
    # labels: the body face is subset to every character the documents show.
    from tests.helpers import FIXTURES, run_cli

    result = run_cli("-q", "build", str(FIXTURES / "techbook"), "-o", str(tmp_path),
                     "-f", "epub", "--no-cache")
    assert result.exit_code == 0, result.output
    [epub] = tmp_path.glob("*.epub")
    cmap = TTFont(io.BytesIO(epub_fonts(epub)["body"])).getBestCmap()
    text = {ch for ch in epub_text(epub) if not ch.isspace()}
    assert not sorted(ch for ch in text if ord(ch) not in cmap)
