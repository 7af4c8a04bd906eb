"""The fast glyph reader the build's preflight uses gives exactly the glyph
boxes pdfplumber gives on WeasyPrint's PDFs, and hands anything else back."""
from __future__ import annotations

import io

import pdfplumber
import pytest

from book.preflight import pdfglyphs
from book.preflight import open_pdf

# Glyph field → pdfplumber's
FIELDS = {"font": "fontname", "x0": "x0", "x1": "x1", "size": "size"}


def reference(path) -> list[tuple[float, list[dict]]]:
    with pdfplumber.open(str(path)) as pdf:
        return [(page.height, page.chars) for page in pdf.pages]


@pytest.mark.parametrize("name", ["tianjin-booklet.pdf", "tianjin-traditional.pdf",
                                  "tianjin-large-print.pdf", "tianjin-booklet-imposed.pdf"])
def test_same_glyph_boxes_as_pdfplumber(sample_build, name):
    # The imposed sheets (pypdf) hold the booklet's pages as form XObjects.
    path = sample_build / name
    fast = pdfglyphs.open_pdf(str(path)).pages
    slow = reference(path)
    assert len(fast) == len(slow)
    for page, (height, chars) in zip(fast, slow):
        assert page.height == pytest.approx(height)
        assert [c.text for c in page.chars] == [c["text"] for c in chars]
        for mine, theirs in zip(page.chars, chars):
            for field, theirs_field in FIELDS.items():
                assert getattr(mine, field) == pytest.approx(theirs[theirs_field], abs=1e-6), field
            assert mine.y == pytest.approx(theirs["matrix"][5], abs=1e-6)


def simple_font_pdf() -> bytes:
    """A PDF as WeasyPrint never writes one: a Type1 font and a literal string."""
    import pydyf

    pdf = pydyf.PDF()
    font = pydyf.Dictionary({"Type": "/Font", "Subtype": "/Type1", "BaseFont": "/Helvetica"})
    pdf.add_object(font)
    content = pydyf.Stream([b"BT /F1 12 Tf 10 10 Td (Hi) Tj ET"])
    pdf.add_object(content)
    pdf.add_page(pydyf.Dictionary({
        "Type": "/Page", "Parent": pdf.pages.reference,
        "MediaBox": pydyf.Array([0, 0, 200, 200]), "Contents": content.reference,
        "Resources": pydyf.Dictionary({"Font": pydyf.Dictionary({"F1": font.reference})})}))
    out = io.BytesIO()
    pdf.write(out)
    return out.getvalue()


def test_other_pdfs_fall_back_to_pdfplumber():
    data = simple_font_pdf()
    with pytest.raises(pdfglyphs.Unsupported):
        pdfglyphs.open_pdf(io.BytesIO(data))
    with open_pdf(io.BytesIO(data)) as pdf:  # pdfplumber's characters, as glyphs
        assert "".join(c.text for c in pdf.pages[0].chars) == "Hi"
        assert pdf.pages[0].chars[0].font == "Helvetica" and pdf.pages[0].chars[0].x0 == 10
