"""Drop stray markup: paragraphs that are only an escaped tag fragment (the
sample's ``&lt;p`` at its last line) and raw HTML blocks holding nothing but
an unmatched tag (a lone ``</div>``). Nothing with words in it is dropped;
fragments inside running text are left for ``book check`` to report."""
from __future__ import annotations

from typing import TYPE_CHECKING

from book.clean import record, warn
from book.lint.markup import (is_stray_fragment, is_tag_only, stray_finding,
                              unmatched_finding, unmatched_html_blocks)
from book.model import Block

if TYPE_CHECKING:
    from book.transforms import CleanContext

NAME = "stray_markup"


def transform(blocks: list[Block], context: "CleanContext") -> list[Block]:
    """Blocks without stray tag fragments and lone unmatched tags."""
    drop: dict[int, str] = {}
    for index, tag in unmatched_html_blocks(blocks):
        if is_tag_only(blocks[index]):
            drop[index] = tag
            warn(context, unmatched_finding(blocks[index], tag))
            record(context, NAME, "removed", blocks[index],
                   f"unmatched HTML tag '{tag}'", "W122")
    for index, block in enumerate(blocks):
        if is_stray_fragment(block):
            drop[index] = block.text
            warn(context, stray_finding(block))
            record(context, NAME, "removed", block,
                   f"stray escaped markup '{block.text.strip()}'", "W121")
    return [b for i, b in enumerate(blocks) if i not in drop]
