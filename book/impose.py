"""Impose a PDF of book pages for saddle stitching.

In: the bytes of a PDF whose pages are all one size (the booklet's pages).
Out: the bytes of a PDF of landscape sheet sides, two book pages side by side
on each, in the order a printer needs to print double-sided, fold the stack
in half and staple through the fold: with the pages padded with blanks to
``n``, a multiple of 4, side 1 carries ``n | 1``, side 2 ``2 | n-1``, side 3
``n-2 | 3`` and so on. The sheet is A4 when two pages fit on it, else just
large enough. The output is deterministic: same input, same bytes.
"""
from __future__ import annotations

import hashlib
import io

from book.errors import BuildError

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
        # Even sides have the last pages on the left; odd sides mirror that.
        sides.append((page(outer), page(inner)) if i % 2 == 0 else (page(inner), page(outer)))
    return sides


def impose_saddle_stitch(pdf: bytes, identifier: bytes = b"") -> bytes:
    """Return the imposed PDF (see the module docstring)."""
    from pypdf import PdfReader, PdfWriter, Transformation
    from pypdf.generic import ArrayObject, ByteStringObject

    reader = PdfReader(io.BytesIO(pdf))
    if not reader.pages:
        raise BuildError("cannot impose an empty PDF", hint="the book has no pages")
    # Place each page's trim box (its finished size): bleed and marks, if any,
    # are for a single-page print, not for a sheet of two.
    box = reader.pages[0].trimbox
    width, height = float(box.width), float(box.height)
    sheet_w = max(A4_LANDSCAPE[0], 2 * width)
    sheet_h = max(A4_LANDSCAPE[1], height)
    x0 = (sheet_w - 2 * width) / 2  # centre the spread on the sheet
    y0 = (sheet_h - height) / 2
    writer = PdfWriter()
    for left, right in saddle_stitch_order(len(reader.pages)):
        sheet = writer.add_blank_page(sheet_w, sheet_h)
        for slot, index in ((0, left), (1, right)):
            if index is None:
                continue
            source = reader.pages[index]
            trim = source.trimbox
            dx = x0 + slot * width - float(trim.left)
            dy = y0 - float(trim.bottom)
            source.cropbox = trim  # clip what lies outside the trim box
            sheet.merge_transformed_page(source, Transformation().translate(dx, dy))
    writer.add_metadata({k: v for k, v in (reader.metadata or {}).items()})
    writer.add_metadata({"/Producer": "book (imposed with pypdf)"})
    # A fixed file identifier: pypdf would otherwise derive it from the time.
    digest = hashlib.md5(identifier + pdf).digest()
    writer._ID = ArrayObject([ByteStringObject(digest), ByteStringObject(digest)])
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()
