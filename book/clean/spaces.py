"""Normalise no-break (U+00A0) and ideographic (U+3000) spaces by rule:
- an ideographic space opening a paragraph (a typed indent) is removed:
  the stylesheet indents paragraphs;
- in running text, either between two Han characters is removed: Chinese
  has no word spaces;
- in headings, bylines, captions and datelines, where a space separates phrases
  (``记者　胡萌伟``, ``创新引领　行业首单频现``), either becomes an ordinary space;
- a remaining ideographic space becomes an ordinary space;
- a remaining no-break space stays: it was put there to keep "100 km" together.
Code is never touched."""
from __future__ import annotations

import dataclasses
import functools
import re
from typing import TYPE_CHECKING

from book.clean import note, record
from book.text.markup import map_text
from book.text.chars import HAN
from book.model import Block

if TYPE_CHECKING:
    from book.transforms import CleanContext

NAME = "spaces"
KINDS = ("paragraph", "quote", "list", "table", "heading", "byline", "caption", "dateline",
         "figure")
SEPARATED_KINDS = ("heading", "byline", "caption", "dateline")


@functools.cache  # on first use: only text with NBSP or U+3000 needs it
def _between_han_re() -> re.Pattern[str]:
    return re.compile(rf"(?<=[{HAN}])[\u00a0\u3000]+(?=[{HAN}])")


def normalise(text: str, at_start: bool = False, separator: str = "") -> str:
    """Apply the rules above to one run of text; ``separator`` replaces a
    space between Han characters ("" in running text, " " in a byline)."""
    if at_start:
        text = text.lstrip("\u3000")
    text = _between_han_re().sub(separator, text)
    return text.replace("\u3000", " ")


def transform(blocks: list[Block], context: "CleanContext") -> list[Block]:
    """Blocks with NBSP and ideographic spaces normalised."""
    out = []
    for block in blocks:
        if block.kind in KINDS and ("\u3000" in block.text or "\u00a0" in block.text):
            separator = " " if block.kind in SEPARATED_KINDS else ""
            text = normalise(block.text, True, separator)
            html = map_text(block.html, _first_run_is_start(separator))
            if text != block.text:
                note(context, "C312", block)
                record(context, NAME, "normalised", block, "spaces", "C312",
                       before=block.text, after=text)
                block = dataclasses.replace(block, html=html, text=text)
        out.append(block)
    return out


def _first_run_is_start(separator: str):
    """A text function treating the first non-blank run as the paragraph start."""
    seen = False

    def fn(run: str) -> str:
        nonlocal seen
        result = normalise(run, not seen, separator)
        seen = seen or bool(run.strip())
        return result
    return fn
