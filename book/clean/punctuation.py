"""Replace half-width punctuation in Chinese context with its full-width
form (``天津,北京`` → ``天津，北京``), as found by ``book.lint.punctuation``.
Off by default (``[clean] fix_punctuation = true`` turns it on): a wrong
guess would change the author's text, so the author opts in."""
from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING

from book.clean import note, record
from book.text.markup import map_text
from book.lint.punctuation import halfwidth_punctuation
from book.model import Block

if TYPE_CHECKING:
    from book.transforms import CleanContext

NAME = "fix_punctuation"
KINDS = ("paragraph", "quote", "list", "table", "heading", "byline", "caption", "dateline",
         "figure")


def fix(text: str) -> str:
    """``text`` with each half-width mark in Chinese context made full-width."""
    chars = list(text)
    for offset, _mark, full in halfwidth_punctuation(text):
        chars[offset] = full
    return "".join(chars)


def transform(blocks: list[Block], context: "CleanContext") -> list[Block]:
    """Blocks with half-width punctuation in Chinese context fixed."""
    out = []
    for block in blocks:
        if block.kind in KINDS:
            text = fix(block.text)
            if text != block.text:
                note(context, "C313", block)
                record(context, NAME, "fixed", block, "half-width punctuation", "C313",
                       before=block.text, after=text)
                block = dataclasses.replace(block, html=map_text(block.html, fix), text=text)
        out.append(block)
    return out
