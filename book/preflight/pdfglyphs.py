"""Glyph boxes of a PDF's pages, fast: what the preflight reads of each glyph
(``Glyph``: text, font, x0, x1, size, baseline — pdfplumber's ``page.chars``
give the same values), for PDFs as WeasyPrint writes them.

Written here because pdfplumber/pdfminer, the library for the job, reads a
PDF back more slowly than WeasyPrint writes it (a Python object per token
and per glyph), and the build preflights every PDF it writes. WeasyPrint's
content streams use a handful of operators (q Q cm BT ET Tf Tm TJ, hex
strings, Type0 fonts with ToUnicode), so a regular-expression tokenizer and
the PDF text-state arithmetic (ISO 32000 9.4.4, the same formulas as
pdfminer's) give the same boxes in a fraction of the time. Anything else (literal strings, Type3 fonts, inline images,
vertical writing) raises ``Unsupported`` and the caller falls back to
pdfplumber.
"""
from __future__ import annotations

import array
import dataclasses
import io
import re
import sys
from typing import Any, Iterator, NamedTuple

import pypdf

Matrix = tuple[float, float, float, float, float, float]
BYTESWAP = sys.byteorder == "little"  # glyph ids are big-endian 16-bit
IDENTITY: Matrix = (1.0, 0.0, 0.0, 1.0, 0.0, 0.0)

TOKEN = re.compile(rb"""
    (?P<tj>\[[^\]]*\]\s*TJ)
  | (?P<num>[+-]?(?:\d+\.?\d*|\.\d+))
  | (?P<name>/[^\s/\[\]<>(){}%]*)
  | (?P<hex><[0-9A-Fa-f\s]*>)
  | (?P<open>\[) | (?P<close>\])
  | (?P<op>[A-Za-z'"*][A-Za-z0-9'"*]*)
  | (?P<other>[(<{%])
  | (?P<skip>[\s>)}]+)
""", re.VERBOSE)
# Inside a TJ array: glyph strings and kerning numbers; anything else (a
# literal string) is unsupported.
TJ_ITEM = re.compile(rb"<([0-9A-Fa-f\s]*)>|([+-]?(?:\d+\.?\d*|\.\d+))|(\S)")


class Unsupported(Exception):
    """The PDF uses something this reader does not handle; use pdfplumber."""


def mult(m: Matrix, n: Matrix) -> Matrix:
    """``m`` then ``n`` (PDF row-vector convention, as pdfminer's mult_matrix)."""
    a1, b1, c1, d1, e1, f1 = m
    a0, b0, c0, d0, e0, f0 = n
    return (a0 * a1 + c0 * b1, b0 * a1 + d0 * b1, a0 * c1 + c0 * d1, b0 * c1 + d0 * d1,
            a0 * e1 + c0 * f1 + e0, b0 * e1 + d0 * f1 + f0)


@dataclasses.dataclass
class Font:
    """What the text arithmetic needs of a Type0 (Identity-H) font."""

    name: str                      # BaseFont, e.g. "ABCDEF+Noto-Serif-CJK-SC"
    widths: dict[int, float]       # CID → width in text-space units / 1000
    default_width: float
    unicode: dict[int, str]        # CID → text (ToUnicode)
    descent: float


class Glyph(NamedTuple):
    """One glyph as the preflight reads it: its text, its font's name
    (``ABCDEF+Family`` for a subset), the left and right edges of its box and
    its size in points, and its baseline in points from the page's foot."""

    text: str
    font: str
    x0: float
    x1: float
    size: float
    y: float


_glyph = tuple.__new__  # Glyph(...) without the keyword handling, per glyph


@dataclasses.dataclass
class Page:
    """One page: its height and its glyphs in content-stream order."""

    height: float
    chars: list[Glyph]


@dataclasses.dataclass
class Document:
    """``pages``, like a pdfplumber PDF (``with open(...) as pdf``)."""

    pages: list[Page]

    def __enter__(self) -> Document:
        return self

    def __exit__(self, *exc: object) -> None:
        pass


def open_pdf(source: str | io.BytesIO) -> Document:
    """Read every page's glyphs; ``Unsupported`` when the PDF is not one this
    reader knows how to read exactly."""
    reader = pypdf.PdfReader(source)
    fonts: dict[int, Font] = {}
    return Document([read_page(page, fonts) for page in reader.pages])


def read_page(page, fonts: dict[int, Font]) -> Page:
    """One pypdf page's glyphs; ``fonts`` caches the fonts read so far."""
    box = [float(v) for v in page.mediabox]
    if box[0] or box[1] or page.get("/Rotate", 0):
        raise Unsupported("offset or rotated page box")
    chars: list[Glyph] = []
    contents = page.get_contents()
    if contents is not None:
        _run(contents.get_data(), page.get("/Resources") or {}, IDENTITY, fonts, chars,
             depth=0)
    return Page(box[3] - box[1], chars)


def _tokens(data: bytes) -> Iterator[tuple[str, bytes]]:
    for match in TOKEN.finditer(data):
        kind = match.lastgroup
        if kind == "skip":
            continue
        if kind == "other":
            raise Unsupported(f"content-stream token {match.group()!r}")
        yield kind, match.group()



@dataclasses.dataclass
class _TextState:
    font: Font | None = None
    size: float = 0.0
    char_space: float = 0.0
    word_space: float = 0.0
    scaling: float = 1.0


def _run(data: bytes, resources, ctm: Matrix, fonts: dict[int, Font],
         chars: list[Glyph], depth: int) -> None:
    """Interpret one content stream, appending its glyphs to ``chars``."""
    if depth > 8:
        raise Unsupported("form XObjects nested too deeply")
    stack: list[Matrix] = []
    saved_ts: list[_TextState] = []
    ts = _TextState()
    tm = line = IDENTITY
    operands: list[Any] = []
    array: list[Any] | None = None
    for kind, value in _tokens(data):
        if kind == "tj":  # the hot path: one token per line of text
            tm = _show(value[1:value.rindex(b"]")], tm, ctm, ts, chars)
            operands = []
        elif kind == "num":
            (operands if array is None else array).append(float(value))
        elif kind == "hex":
            text = bytes.fromhex(value[1:-1].decode().replace(" ", "").replace("\n", ""))
            (operands if array is None else array).append(text)
        elif kind == "name":
            (operands if array is None else array).append(value[1:].decode("latin-1"))
        elif kind == "open":
            array = []
        elif kind == "close":
            operands.append(array)
            array = None
        else:
            op = value.decode("latin-1")
            if op == "q":
                stack.append(ctm)
                saved_ts.append(dataclasses.replace(ts))
            elif op == "Q":
                if stack:
                    ctm = stack.pop()
                    ts = saved_ts.pop()
            elif op == "cm":
                ctm = mult(tuple(operands[-6:]), ctm)
            elif op == "BT":
                tm = line = IDENTITY
            elif op == "Tf":
                ts.font = _font(resources, operands[-2], fonts)
                ts.size = operands[-1]
            elif op == "Tm":
                tm = line = tuple(operands[-6:])
            elif op == "Td":
                tm = line = mult((1, 0, 0, 1, *operands[-2:]), line)
            elif op == "Tc":
                ts.char_space = operands[-1]
            elif op == "Tw":
                ts.word_space = operands[-1]
            elif op == "Tz":
                ts.scaling = operands[-1] / 100
            elif op in ("TJ", "Tj"):
                seq = operands[-1] if op == "TJ" else [operands[-1]]
                tm = _show(_tj_bytes(seq), tm, ctm, ts, chars)
            elif op in ("TD", "T*", "TL", "Ts", "'", '"', "BI", "d0", "d1"):
                # Not in WeasyPrint's output: leading, rise, inline images, Type3.
                raise Unsupported(f"operator {op}")
            elif op == "Do":
                _form(resources, operands[-1], ctm, fonts, chars, depth)
            operands = []


def _tj_bytes(seq: list) -> bytes:
    """A TJ or Tj operand (strings and numbers, read by the generic path)
    written back as the inside of a TJ array, for ``_show``."""
    parts = []
    for item in seq:
        if isinstance(item, float):
            parts.append(b"%r" % item)
        elif isinstance(item, bytes):
            parts.append(b"<" + item.hex().encode() + b">")
        else:
            raise Unsupported("literal string in TJ")
    return b" ".join(parts)


def _show(items: bytes, tm: Matrix, ctm: Matrix, ts: _TextState,
          chars: list[Glyph]) -> Matrix:
    """The glyphs of one TJ array (its inside: hex strings and numbers);
    returns the text matrix after them."""
    font = ts.font
    if font is None:
        raise Unsupported("text shown without a font")
    matrix = mult(tm, ctm)
    a, b, c, d, e, f = matrix
    if b or c or a <= 0 or ts.char_space or ts.word_space:
        return _show_transformed(items, tm, matrix, ts, font, chars)
    # WeasyPrint's text: upright, no character or word spacing, so one loop
    # with the arithmetic inlined: this runs for every glyph of a book.
    size, scale = ts.size, ts.size * ts.scaling
    widths, default, unicode, name = font.widths, font.default_width, font.unicode, font.name
    height = abs(d) * size
    append = chars.append
    x = 0.0
    for glyphs, number, other in TJ_ITEM.findall(items):
        if number:
            x -= float(number) * 0.001 * scale
            continue
        if other:
            raise Unsupported(f"TJ item {other!r}")
        cids = array_of(bytes.fromhex(glyphs.decode()))
        for cid in cids:
            adv = widths.get(cid, default) * scale
            left = a * x + e
            text = unicode.get(cid)
            append(_glyph(Glyph, (f"(cid:{cid})" if text is None else text, name, left,
                                  left + a * adv, height, f)))
            x += adv
    return mult((1, 0, 0, 1, x, 0), tm)


def array_of(data: bytes) -> array.array:
    """The big-endian 16-bit glyph ids of a string, in C."""
    if len(data) & 1:
        raise Unsupported("a string of an odd number of bytes for two-byte glyph ids")
    cids = array.array("H", data)
    if BYTESWAP:
        cids.byteswap()
    return cids


def _show_transformed(items: bytes, tm: Matrix, matrix: Matrix, ts: _TextState, font: Font,
                      chars: list[Glyph]) -> Matrix:
    """``_show`` for rotated, skewed or mirrored text, or text with character
    or word spacing, as pdfminer places it."""
    a, b, c, d, e, f = matrix
    x = 0.0
    size, scale = ts.size, ts.size * ts.scaling
    for item in _tj_items(items):
        if isinstance(item, float):
            x -= item * 0.001 * scale
            continue
        for cid in item:
            adv = font.widths.get(cid, font.default_width) * scale
            _char(chars, font, cid, (a, b, c, d, a * x + e, b * x + f), adv, size)
            x += adv + ts.char_space + (ts.word_space if cid == 32 else 0.0)
    return mult((1, 0, 0, 1, x, 0), tm)


def _tj_items(items: bytes) -> list[float | array.array]:
    """The kerning numbers and glyph-id strings of a TJ array's inside."""
    parsed: list[float | array.array] = []
    for glyphs, number, other in TJ_ITEM.findall(items):
        if other:
            raise Unsupported(f"TJ item {other!r}")
        parsed.append(float(number) if number else array_of(bytes.fromhex(glyphs.decode())))
    return parsed


def _char(chars: list[Glyph], font: Font, cid: int, m: Matrix, adv: float,
          size: float) -> None:
    """One glyph's box, as pdfminer's LTChar computes it for horizontal text."""
    a, b, c, d, e, f = m
    descent = font.descent * size
    corners = [(a * x + c * y + e, b * x + d * y + f)
               for x in (0.0, adv) for y in (descent, descent + size)]
    xs = [p[0] for p in corners]
    ys = [p[1] for p in corners]
    chars.append(Glyph(font.unicode.get(cid, f"(cid:{cid})"), font.name, min(xs), max(xs),
                       max(ys) - min(ys), f))


def _font(resources, name: str, fonts: dict[int, Font]) -> Font:
    ref = resources["/Font"].raw_get(f"/{name}")
    key = getattr(ref, "idnum", id(ref))
    if key not in fonts:
        fonts[key] = _load_font(ref.get_object())
    return fonts[key]


def _load_font(obj) -> Font:
    if obj.get("/Subtype") != "/Type0" or obj.get("/Encoding") != "/Identity-H":
        raise Unsupported(f"font {obj.get('/Subtype')} {obj.get('/Encoding')}")
    cid_font = obj["/DescendantFonts"][0].get_object()
    widths: dict[int, float] = {}
    w = list(cid_font.get("/W", []))
    i = 0
    while i < len(w):
        first, second = int(w[i]), w[i + 1]
        if isinstance(second, list) or hasattr(second, "__iter__"):
            for n, width in enumerate(second):
                widths[first + n] = float(width) / 1000
            i += 2
        else:
            for cid in range(first, int(second) + 1):
                widths[cid] = float(w[i + 2]) / 1000
            i += 3
    descriptor = cid_font.get("/FontDescriptor")
    descent = float(descriptor.get_object().get("/Descent", 0)) / 1000 if descriptor else 0.0
    to_unicode = obj.get("/ToUnicode")
    unicode = _cmap(to_unicode.get_object().get_data()) if to_unicode else {}
    return Font(str(obj.get("/BaseFont", ""))[1:], widths,
                float(cid_font.get("/DW", 1000)) / 1000, unicode, descent)


BFCHAR = re.compile(rb"beginbfchar(.*?)endbfchar", re.S)
BFRANGE = re.compile(rb"beginbfrange(.*?)endbfrange", re.S)
HEX = re.compile(rb"<([0-9A-Fa-f]*)>")


def _utf16(hex_text: bytes) -> str:
    return bytes.fromhex(hex_text.decode()).decode("utf-16-be", "replace")


def _cmap(data: bytes) -> dict[int, str]:
    """CID → text from a ToUnicode CMap (bfchar and bfrange sections)."""
    mapping: dict[int, str] = {}
    for block in BFCHAR.findall(data):
        codes = HEX.findall(block)
        for src, dst in zip(codes[::2], codes[1::2]):
            mapping[int(src, 16)] = _utf16(dst)
    for block in BFRANGE.findall(data):
        if b"[" in block:
            raise Unsupported("bfrange with an array")
        codes = HEX.findall(block)
        for lo, hi, dst in zip(codes[::3], codes[1::3], codes[2::3]):
            if len(dst) > 4:
                raise Unsupported("bfrange to a surrogate pair or several characters")
            start = int(dst, 16)
            for n, cid in enumerate(range(int(lo, 16), int(hi, 16) + 1)):
                mapping[cid] = chr(start + n)
    return mapping


def _form(resources, name: str, ctm: Matrix, fonts: dict[int, Font],
          chars: list[Glyph], depth: int) -> None:
    """Text inside a form XObject (WeasyPrint draws groups as forms)."""
    xobject = resources["/XObject"][f"/{name}"].get_object()
    if xobject.get("/Subtype") != "/Form":
        return  # an image: no text
    matrix = tuple(float(v) for v in xobject.get("/Matrix", IDENTITY))
    _run(xobject.get_data(), xobject.get("/Resources") or resources, mult(matrix, ctm),
         fonts, chars, depth + 1)
