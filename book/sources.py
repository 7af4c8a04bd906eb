"""Read manuscript files into text: decoding, BOM and line-end normalisation.

Every decision that changes bytes into text is reported, so nothing is lost
silently.
"""
from __future__ import annotations

import dataclasses
from pathlib import Path

from book.errors import BuildError, Location, Reporter


@dataclasses.dataclass
class SourceFile:
    """One manuscript file, decoded; ``display`` is its path for messages."""

    path: Path
    display: str
    text: str


def read_source(path: Path, display: str, reporter: Reporter,
                encoding: str | None = None) -> SourceFile:
    """Decode one file to text with ``\\n`` line ends."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise BuildError(f"cannot read: {exc.strerror}", Location(display)) from None
    text = decode(data, display, reporter, encoding)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return SourceFile(path=path, display=display, text=text)


def decode(data: bytes, display: str, reporter: Reporter,
           encoding: str | None = None) -> str:
    """UTF-8 (with or without BOM) or UTF-16 with BOM; else the configured
    encoding; else a detected one (charset-normalizer), with a warning."""
    where = Location(display)
    if encoding:
        try:
            return data.decode(encoding)
        except (UnicodeDecodeError, LookupError) as exc:
            raise BuildError(f"cannot decode as {encoding}: {exc}", where,
                             hint="fix 'encoding' in book.toml") from None
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="strict")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16")
    if b"\x00" in data:
        raise BuildError("binary file (NUL bytes), not a text manuscript", where,
                         hint="remove it from 'sources' or convert it to UTF-8 text")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    from charset_normalizer import from_bytes  # imported lazily: rarely needed

    best = from_bytes(data).best()
    if best is None or best.encoding is None:
        raise BuildError("cannot decode: not UTF-8 and no encoding detected", where,
                         hint='set encoding = "gb18030" (or the right one) in book.toml')
    name = best.encoding
    if name.lower().replace("_", "") in ("gb2312", "gbk", "hz"):
        name = "gb18030"  # superset; avoids losing rare characters
    reporter.warn("R001", f"not UTF-8; decoded as {name}", where,
                  hint=f'set encoding = "{name}" in book.toml to confirm, or save as UTF-8')
    return data.decode(name, errors="strict")
