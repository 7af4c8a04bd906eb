"""Impose a PDF of book pages for saddle stitching.

In: the bytes of a PDF whose pages are all one size (the booklet's pages),
and the book's identifier (for the file's ID).
Out: the bytes of a PDF of landscape sheet sides, two book pages side by side
on each, in the order a printer needs to print double-sided, fold the stack
in half and staple through the fold: with the pages padded with blanks to
``n``, a multiple of 4, side 1 carries ``n | 1``, side 2 ``2 | n-1``, side 3
``n-2 | 3`` and so on. The sheet is A4 when two pages fit on it, else just
large enough. Each book page becomes a Form XObject clipped to its trim box
(its content copied, not reparsed); two are drawn on each
sheet side, each moved into place. The output is deterministic: same input,
same bytes.
"""
from __future__ import annotations

import hashlib
import io

from pypdf import PageObject, PdfReader, PdfWriter
from pypdf.generic import (ArrayObject, ByteStringObject, DecodedStreamObject,
                           DictionaryObject, FloatObject, IndirectObject, NameObject,
                           StreamObject)

from book.errors import BuildError

# (resource name, form, x offset, y offset) of a page placed on a sheet
Placed = tuple[str, IndirectObject, float, float]

A4_LANDSCAPE = (841.8898, 595.2756)  # points


def saddle_stitch_order(pages: int) -> list[tuple[int | None, int | None]]:
    """Pairs (left, right) of 0-based page indices per sheet side; ``None``
    is a blank added to reach a multiple of 4."""
    total = -(-pages // 4) * 4

    def page(number: int) -> int | None:  # 1-based → 0-based, or a blank
        return number - 1 if number <= pages else None

    sides = []
    for i in range(total // 2):
        outer, inner = total - i, i + 1
        # Sides 1, 3, … have the higher page on the left; sides 2, 4, … mirror that.
        sides.append((page(outer), page(inner)) if i % 2 == 0 else (page(inner), page(outer)))
    return sides


def impose_saddle_stitch(pdf: bytes, identifier: bytes = b"") -> bytes:
    """Return the imposed PDF (see the module docstring)."""
    reader = PdfReader(io.BytesIO(pdf))
    if not reader.pages:
        raise BuildError("cannot impose an empty PDF", hint="the book has no pages")
    box = reader.pages[0].trimbox
    width, height = float(box.width), float(box.height)
    sheet_w = max(A4_LANDSCAPE[0], 2 * width)
    sheet_h = max(A4_LANDSCAPE[1], height)
    x0 = (sheet_w - 2 * width) / 2  # centre the spread on the sheet
    y0 = (sheet_h - height) / 2
    writer = PdfWriter()
    forms: dict[int, IndirectObject] = {}
    for left, right in saddle_stitch_order(len(reader.pages)):
        placed = []
        for slot, index in ((0, left), (1, right)):
            if index is not None:
                if index not in forms:
                    forms[index] = _page_as_form(writer, reader.pages[index])
                trim = reader.pages[index].trimbox
                placed.append((f"/P{index}", forms[index], x0 + slot * width - float(trim.left),
                               y0 - float(trim.bottom)))
        _add_sheet(writer, sheet_w, sheet_h, placed)
    writer.add_metadata({k: v for k, v in (reader.metadata or {}).items()})
    writer.add_metadata({"/Producer": "book (imposed with pypdf)"})
    # A fixed file identifier: pypdf would otherwise derive it from the time.
    digest = hashlib.md5(identifier + pdf).digest()
    writer._ID = ArrayObject([ByteStringObject(digest), ByteStringObject(digest)])
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _page_as_form(writer: PdfWriter, page: PageObject) -> IndirectObject:
    """A book page as a Form XObject in ``writer``, clipped to its trim box.

    The page's content is carried over as it is (decoded, recompressed), not
    parsed operator by operator, which keeps imposition fast and the file
    small; the bounding box clips the bleed and the crop marks, which belong
    to a single-page print, not to a sheet of two."""

    contents = page.get("/Contents")
    contents = contents.get_object() if contents is not None else None
    streams = [contents] if isinstance(contents, StreamObject) else \
        [item.get_object() for item in (contents or [])]
    form = DecodedStreamObject()
    form.set_data(b"\n".join(stream.get_data() for stream in streams))
    trim = page.trimbox
    form.update({
        NameObject("/Type"): NameObject("/XObject"),
        NameObject("/Subtype"): NameObject("/Form"),
        NameObject("/BBox"): ArrayObject(FloatObject(float(v)) for v in
                                         (trim.left, trim.bottom, trim.right, trim.top)),
    })
    if "/Resources" in page:
        form[NameObject("/Resources")] = page["/Resources"].get_object().clone(writer)
    if "/Group" in page:  # transparency group: keeps blending as on the page
        form[NameObject("/Group")] = page["/Group"].get_object().clone(writer)
    return writer._add_object(form.flate_encode())


def _add_sheet(writer: PdfWriter, width: float, height: float, placed: list[Placed]) -> None:
    """One landscape sheet side drawing the forms ``(name, ref, dx, dy)``."""

    sheet = writer.add_blank_page(width, height)
    draw = b"".join(b"q 1 0 0 1 %.4f %.4f cm %s Do Q\n" % (dx, dy, name.encode())
                    for name, _, dx, dy in placed)
    content = DecodedStreamObject()
    content.set_data(draw)
    sheet[NameObject("/Contents")] = writer._add_object(content)
    sheet[NameObject("/Resources")] = DictionaryObject({
        NameObject("/XObject"): DictionaryObject(
            {NameObject(name): ref for name, ref, _, _ in placed}),
    })
