"""Merge a heading that repeats the heading directly above it
(``## 创新引领 行业首单频现`` then ``### 创新引领 行业首单频现``): the
upper one is kept, the repeat is dropped, the text under it is untouched."""
from __future__ import annotations

from typing import TYPE_CHECKING

from book.clean import record, warn
from book.lint.duplicates import heading_finding, repeated_headings
from book.model import Block

if TYPE_CHECKING:
    from book.transforms import CleanContext

NAME = "merge_headings"


def transform(blocks: list[Block], context: "CleanContext") -> list[Block]:
    """Blocks with each repeated heading merged into the one above it."""
    drop = set()
    for repeat in repeated_headings(blocks):
        drop.add(repeat.index)
        above = blocks[repeat.original]
        warn(context, heading_finding(repeat, blocks))
        record(context, NAME, "merged", blocks[repeat.index],
               f"repeats the heading at line {above.loc.line}", "W111")
    return [b for i, b in enumerate(blocks) if i not in drop]
