"""Read manuscript files into text: bytes → decoded, BOM-less text with ``\\n``
line ends and only characters XML allows.

Every decision that changes bytes into text is reported (a code and
file:line), so nothing is lost silently:

- R001 not UTF-8: decoded with the detected encoding (charset-normalizer);
- R002 characters XML cannot carry (C0/C1 controls, lone surrogates,
  U+FFFE/U+FFFF) removed or replaced;
- R003 the file is empty or holds only whitespace.

Binary files (NUL bytes in an 8-bit encoding) and undecodable bytes are errors
naming the file and the fix.
"""
from __future__ import annotations

import codecs
import dataclasses
import re
from pathlib import Path

from book.errors import BuildError, Location, Reporter


@dataclasses.dataclass
class SourceFile:
    """One manuscript file, decoded; ``display`` is its path for messages."""

    path: Path
    display: str
    text: str


# Byte-order marks, longest first (the UTF-32 LE mark starts like UTF-16 LE's).
BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"),
)

# Characters an XHTML document cannot hold (XML 1.0 Char production) plus C1
# controls, which only ever come from mis-decoded text. Tab, LF, CR stay.
_BAD_CHARS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")

# The GB family of encodings charset-normalizer may name: multi-byte subsets
# of GB18030 (HZ aside), which also decodes the rare characters they lack.
_GB_FAMILY = ("gb2312", "gbk", "hz", "cp936", "gb18030")

GB_HINT = 'add encoding = "gb18030" to book.toml (or save the file as UTF-8)'


def read_source(path: Path, display: str, reporter: Reporter,
                encoding: str | None = None) -> SourceFile:
    """Decode one file to clean text with ``\\n`` line ends."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise BuildError(f"cannot read: {exc.strerror}", Location(display),
                         hint="check the file's permissions") from None
    text = decode(data, display, reporter, encoding)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = scrub_characters(text, display, reporter)
    if not text.strip():
        reporter.warn("R003", "the file is empty" if not text else
                      "the file holds only whitespace", Location(display),
                      hint="write some text or remove it from 'sources'")
    return SourceFile(path=path, display=display, text=text)


def decode(data: bytes, display: str, reporter: Reporter,
           encoding: str | None = None) -> str:
    """UTF-8 (with or without BOM), UTF-16/32 with BOM; else the configured
    encoding; else a detected one (charset-normalizer), with a warning."""
    where = Location(display)
    if encoding:
        return _decode_as(data, encoding, where, hint="fix 'encoding' in book.toml")
    for bom, codec in BOMS:
        if data.startswith(bom):
            return _decode_as(data, codec, where,
                              hint=f"the file starts with a {codec} byte-order mark "
                                   f"but is not valid {codec}; re-save it as UTF-8")
    if b"\x00" in data:
        raise BuildError("binary file (NUL bytes), not a text manuscript", where,
                         hint="remove it from 'sources' or convert it to UTF-8 text")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    return _detect(data, where, reporter)


def _decode_as(data: bytes, codec: str, where: Location, hint: str) -> str:
    try:
        return data.decode(codec).removeprefix("\ufeff")
    except LookupError:
        raise BuildError(f"unknown encoding '{codec}'", where,
                         hint="use a Python codec name such as gb18030, big5 or utf-16") from None
    except UnicodeDecodeError as exc:
        raise BuildError(f"cannot decode as {codec}: invalid bytes at offset {exc.start}",
                         where, hint=hint) from None


def _detect(data: bytes, where: Location, reporter: Reporter) -> str:
    """Not UTF-8: ask charset-normalizer, decode, and say so."""
    # Here: only files that are not UTF-8 need it, and its import is slow.
    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    if best is None or best.encoding is None:
        raise BuildError("cannot decode: not UTF-8 and no encoding detected", where,
                         hint=GB_HINT.replace("add", "if it is Chinese, add"))
    name = best.encoding
    if name.lower().replace("_", "") in _GB_FAMILY:
        name = "gb18030"  # superset; avoids losing rare characters
    try:
        text = data.decode(name)
    except (UnicodeDecodeError, LookupError):
        raise BuildError(f"cannot decode: not UTF-8 and not valid {name}", where,
                         hint=GB_HINT.replace("add", "if it is Chinese, add")) from None
    reporter.warn("R001", f"not UTF-8; decoded as {name} (detected)", where,
                  hint=f'add encoding = "{name}" to book.toml to confirm, or save as UTF-8')
    return text


def scrub_characters(text: str, display: str, reporter: Reporter | None = None) -> str:
    """Remove characters XML cannot carry; a lone surrogate becomes U+FFFD and a
    form feed (old page break) a line end. One warning per file, at the first."""
    first = _BAD_CHARS.search(text)
    if first is None:
        return text
    count = len(_BAD_CHARS.findall(text))
    if reporter is not None:
        line = text.count("\n", 0, first.start()) + 1
        col = first.start() - text.rfind("\n", 0, first.start())
        reporter.warn("R002", f"removed {count} character(s) XML cannot hold "
                      f"(first: U+{ord(first.group()):04X})",
                      Location(display, line, col),
                      hint="usually stray control codes from a word processor or a "
                           "mis-decoded file; check the text there")
    return _BAD_CHARS.sub(_replacement, text)


def _replacement(match: re.Match[str]) -> str:
    char = match.group()
    if char == "\x0c":
        return "\n"
    return "\ufffd" if "\ud800" <= char <= "\udfff" else ""
