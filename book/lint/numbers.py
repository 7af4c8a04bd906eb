"""Numbers (GB/T 15835-2011): find numbers written with both full-width and
half-width digits (``2０24``). All-full-width digits are the punctuation
check's W206; here only the mixture, which no reader would write on purpose."""
from __future__ import annotations

import re
from typing import Iterator

from book.lint.findings import Finding, finding, source_of, where
from book.lint.text import prose_text
from book.text.chars import has_han
from book.model import Block

_NUMBER_RE = re.compile(r"[0-9０-９]+(?:[.,．，][0-9０-９]+)*")
_HALF, _FULL = re.compile("[0-9]"), re.compile("[０-９]")
TEXT_KINDS = ("paragraph", "quote", "list", "table", "heading", "byline", "caption", "dateline")


def mixed_numbers(text: str) -> Iterator[tuple[int, str]]:
    """``(offset, number)`` for numbers written with both digit widths."""
    for match in _NUMBER_RE.finditer(text):
        number = match.group(0)
        if _HALF.search(number) and _FULL.search(number):
            yield match.start(), number


def check(blocks: list[Block], options: dict) -> list[Finding]:
    """W211 for each number that mixes full-width and half-width digits."""
    found = []
    for block in blocks:
        if block.kind not in TEXT_KINDS or not has_han(block.text):
            continue
        for offset, number in mixed_numbers(prose_text(block.text, block.html)):
            found.append(finding("W211", f"number '{number}' mixes full-width and half-width "
                                 "digits", where(block.loc, block.text, offset,
                                                 source_of(options, block.loc)),
                                 "write every digit half-width, GB/T 15835"))
    return found
