"""Saddle-stitch imposition: the order of pages on the sheets, and the
sample's imposed booklet read back (which page lands where, sheet size,
trimmed bleed, deterministic bytes)."""
from __future__ import annotations

import io
import re

import pdfplumber
import pypdf
import pytest

from book.render.pdf.impose import impose_saddle_stitch, saddle_stitch_order
from tests.helpers import REPO, run_cli

A4_LANDSCAPE = (841.8898, 595.2756)


def test_order_of_an_eight_page_booklet():
    # sides of sheet 1: 8|1 and 2|7; sheet 2: 6|3 and 4|5 (1-based)
    assert saddle_stitch_order(8) == [(7, 0), (1, 6), (5, 2), (3, 4)]


def test_order_pads_with_blanks_to_a_multiple_of_four():
    # 5 pages → 8: pages 6, 7 and 8 are blanks (None)
    assert saddle_stitch_order(5) == [(None, 0), (1, None), (None, 2), (3, 4)]
    assert len(saddle_stitch_order(12)) == 6


@pytest.mark.parametrize("pages", [1, 4, 7, 14, 33])
def test_every_page_appears_once_and_each_spread_sums_to_n_plus_one(pages):
    total = -(-pages // 4) * 4
    sides = saddle_stitch_order(pages)
    placed = [p for side in sides for p in side if p is not None]
    assert sorted(placed) == list(range(pages))
    for left, right in sides:
        numbers = [total - i for i in range(total)]  # the blank pages' numbers too
        a = left + 1 if left is not None else None
        b = right + 1 if right is not None else None
        known = [n for n in (a, b) if n is not None]
        if len(known) == 2:
            assert a + b == total + 1
        assert all(n in numbers for n in known)


@pytest.fixture(scope="module")
def booklet(tmp_path_factory):
    out = tmp_path_factory.mktemp("imposed")
    result = run_cli("-q", "build", str(REPO), "-e", "booklet", "-o", str(out))
    assert result.exit_code == 0, result.output
    return out / "tianjin-booklet.pdf", out / "tianjin-booklet-imposed.pdf"


def page_texts(pdf_path) -> list[str]:
    with pdfplumber.open(pdf_path) as pdf:
        return [squash(page.extract_text()) for page in pdf.pages]


def half_texts(pdf_path, width: float) -> list[tuple[str, str]]:
    """(left half, right half) text of every sheet side."""
    with pdfplumber.open(pdf_path) as pdf:
        sides = []
        for page in pdf.pages:
            x0 = (float(page.width) - 2 * width) / 2
            left = page.crop((x0, 0, x0 + width, page.height))
            right = page.crop((x0 + width, 0, x0 + 2 * width, page.height))
            sides.append((squash(left.extract_text()), squash(right.extract_text())))
        return sides


def squash(text: str | None) -> str:
    return re.sub(r"\s+", "", text or "")


def test_sample_imposed_sheets_carry_the_right_pages(booklet):
    book, imposed = booklet
    source = page_texts(book)
    reader = pypdf.PdfReader(imposed)
    total = -(-len(source) // 4) * 4
    assert len(reader.pages) == total // 2
    for page in reader.pages:
        size = (float(page.mediabox.width), float(page.mediabox.height))
        assert size == pytest.approx(A4_LANDSCAPE, abs=0.05)
    width = float(pypdf.PdfReader(book).pages[0].mediabox.width)
    sides = half_texts(imposed, width)
    expected = folded(total)
    assert len(sides) == len(expected)
    for number, ((left, right), pair) in enumerate(zip(sides, expected), 1):
        for got, want in zip((left, right), pair):  # 1-based page numbers
            text = source[want - 1] if want <= len(source) else ""
            assert got == text, f"side {number}: page {want} expected, got {got[:30]!r}"


def folded(total: int) -> list[tuple[int, int]]:
    """The saddle-stitch order written out the way a binder counts it, sheet
    by sheet from the outside of the fold: (n|1), (2|n-1), (n-2|3), (4|n-3) …"""
    sides, low, high = [], 1, total
    while low < high:
        sides += [(high, low), (low + 1, high - 1)]
        low, high = low + 2, high - 2
    return sides


def test_the_first_side_holds_the_last_page_and_the_title_page(booklet):
    book, imposed = booklet
    left, right = half_texts(imposed, float(pypdf.PdfReader(book).pages[0].mediabox.width))[0]
    assert right.startswith("牢记嘱托善作善成")  # page 1, the title page
    assert left == ""  # page 16: a blank added to fill the last sheet


def test_imposition_is_deterministic(booklet):
    book, imposed = booklet
    data = book.read_bytes()
    assert impose_saddle_stitch(data, b"id") == impose_saddle_stitch(data, b"id")


def test_bleed_is_trimmed_before_pages_are_paired(tmp_path):
    """A page with bleed is placed by its trim box: its content lines up with
    the sheet's half exactly, and nothing of the bleed shows."""
    import subprocess

    from PIL import Image

    bleed, width = 8.5, 419.5276
    imposed = impose_saddle_stitch(_pdf_with_bleed(2, bleed))
    reader = pypdf.PdfReader(io.BytesIO(imposed))
    assert len(reader.pages) == 2  # 2 pages + 2 blanks = one sheet, two sides
    (tmp_path / "imposed.pdf").write_bytes(imposed)
    with pdfplumber.open(tmp_path / "imposed.pdf") as pdf:
        grey = [r for r in pdf.pages[0].rects if r["non_stroking_color"] in (0.5, (0.5,), [0.5])]
        x0 = (A4_LANDSCAPE[0] - 2 * width) / 2
        # page 1 is on the right of side 1; its square sits 1 pt inside the trim
        assert len(grey) == 1 and grey[0]["x0"] == pytest.approx(x0 + width + 1, abs=0.01)
    subprocess.run(["pdftoppm", "-r", "72", "-png", "-f", "1", "-l", "1", "-singlefile",
                    str(tmp_path / "imposed.pdf"), str(tmp_path / "side")], check=True)
    image = Image.open(tmp_path / "side.png").convert("L")
    bottom = image.height - 3
    # the black square drawn in the bleed would land just left of the fold: clipped
    assert all(image.getpixel((x, bottom)) > 200
               for x in range(int(x0 + width - bleed), int(x0 + width)))
    # but the grey square inside the trim is there
    assert image.getpixel((int(x0 + width + 5), image.height - 6)) < 200


def _pdf_with_bleed(pages: int, bleed: float) -> bytes:
    """A tiny PDF of A5 pages with a bleed box and a mark drawn in the bleed."""
    from pypdf import PdfWriter
    from pypdf.generic import (ArrayObject, DecodedStreamObject, DictionaryObject,
                               FloatObject, NameObject)

    writer = PdfWriter()
    w, h = 419.5276, 595.2756
    for _ in range(pages):
        page = writer.add_blank_page(w + 2 * bleed, h + 2 * bleed)
        box = ArrayObject([FloatObject(v) for v in (bleed, bleed, bleed + w, bleed + h)])
        page[NameObject("/TrimBox")] = box
        stream = DecodedStreamObject()
        # a black square in the bleed (bottom-left corner), a grey one inside the trim
        stream.set_data(b"0 g 0 0 5 5 re f 0.5 g %f %f 10 10 re f"
                        % (bleed + 1, bleed + 1))
        page[NameObject("/Contents")] = writer._add_object(stream)
        page[NameObject("/Resources")] = DictionaryObject()
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()
