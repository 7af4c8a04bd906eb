"""Wrap an OpenType/TrueType font (sfnt bytes) as WOFF2, without transforms.

WOFF2 is the sfnt's tables concatenated and Brotli-compressed behind a small
directory. The spec's optional glyf/loca transform only pays off on TrueType
outlines (Noto CJK is CFF) and needs a full table parse, so every table is
stored with the null transform: the decoded font is byte-for-byte the input.

Written here because no library does this job well enough: fontTools' writer
always compresses at Brotli quality 11, which takes seconds for one CJK
subset; lower qualities cost little size, and the EPUB's zip would not shrink
the font further anyway (figures: docs/performance.md).
"""
from __future__ import annotations

import struct

import brotli

# Brotli quality: the knee of size against time on CJK subsets (the
# measurements are in docs/performance.md).
QUALITY = 5
# The WOFF2 spec's "known tags": a table whose tag is here is written as its
# index (one byte) instead of the four-byte tag.
KNOWN_TAGS = (
    "cmap head hhea hmtx maxp name OS/2 post cvt  fpgm glyf loca prep CFF  VORG EBDT "
    "EBLC gasp hdmx kern LTSH PCLT VDMX vhea vmtx BASE GDEF GPOS GSUB EBSC JSTF MATH "
    "CBDT CBLC COLR CPAL SVG  sbix acnt avar bdat bloc bsln cvar fdsc feat fmtx fvar "
    "gvar hsty just lcar mort morx opbd prop trak Zapf Silf Glat Gloc Feat Sill")
KNOWN = {KNOWN_TAGS[i:i + 4].encode("latin-1"): n
         for n, i in enumerate(range(0, len(KNOWN_TAGS), 5))}
UNKNOWN_TAG = 0x3F
NULL_TRANSFORM_GLYF = 3 << 6  # for glyf/loca, version 3 is "not transformed"


def sfnt_tables(font: bytes) -> tuple[bytes, list[tuple[bytes, bytes]]]:
    """The sfnt version and its (tag, data) tables in tag order."""
    version, count = struct.unpack_from(">4sH", font, 0)
    tables = []
    for i in range(count):
        tag, _checksum, offset, length = struct.unpack_from(">4sLLL", font, 12 + 16 * i)
        tables.append((tag, font[offset:offset + length]))
    return version, sorted(tables)


def base128(n: int) -> bytes:
    """UIntBase128: big-endian groups of 7 bits, high bit set on all but the last."""
    groups = [n & 0x7F]
    n >>= 7
    while n:
        groups.append(0x80 | (n & 0x7F))
        n >>= 7
    return bytes(reversed(groups))


def _entry(tag: bytes, length: int) -> bytes:
    index = KNOWN.get(tag, UNKNOWN_TAG)
    flags = index | (NULL_TRANSFORM_GLYF if tag in (b"glyf", b"loca") else 0)
    return bytes([flags]) + (tag if index == UNKNOWN_TAG else b"") + base128(length)


def _pad4(n: int) -> int:
    return (n + 3) & ~3


def to_woff2(font: bytes, quality: int = QUALITY) -> bytes:
    """WOFF2 bytes of the sfnt ``font``; deterministic for the same input."""


    version, tables = sfnt_tables(font)
    directory = b"".join(_entry(tag, len(data)) for tag, data in tables)
    stream = brotli.compress(b"".join(data for _tag, data in tables),
                             mode=brotli.MODE_FONT, quality=quality)
    sfnt_size = 12 + 16 * len(tables) + sum(_pad4(len(data)) for _tag, data in tables)
    body_length = 48 + len(directory) + len(stream)
    major, minor = _revision(dict(tables).get(b"head", b""))
    header = struct.pack(">4s4sLHHLLHHLLLLL", b"wOF2", version, _pad4(body_length),
                         len(tables), 0, sfnt_size, len(stream), major, minor, 0, 0, 0, 0, 0)
    data = header + directory + stream
    return data + b"\0" * (_pad4(len(data)) - len(data))


def _revision(head: bytes) -> tuple[int, int]:
    """The font's revision (head.fontRevision, 16.16) as the WOFF version."""
    if len(head) < 8:
        return 1, 0
    return struct.unpack_from(">HH", head, 4)
