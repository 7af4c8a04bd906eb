"""Drop repeated paragraphs and repeated blocks of paragraphs, keeping the
first occurrence. "Repeated" is decided by ``book.lint.duplicates`` (exact,
or equal after normalising spaces and punctuation width); bylines, captions,
datelines and short lines are never candidates, so a recurring byline stays."""
from __future__ import annotations

from typing import TYPE_CHECKING

from book.clean import record, warn
from book.lint.duplicates import find_repeats, run_finding
from book.model import Block

if TYPE_CHECKING:
    from book.transforms import CleanContext

NAME = "dedupe"


def transform(blocks: list[Block], context: "CleanContext") -> list[Block]:
    """Blocks with every repeat removed; one report per run of repeats."""
    drop = set()
    for run in find_repeats(blocks):
        warn(context, run_finding(run, blocks))
        for repeat in run:
            drop.add(repeat.index)
            original = blocks[repeat.original]
            how = "repeats" if repeat.exact else "nearly repeats"
            where = (str(original.loc.line) if original.loc.path == blocks[repeat.index].loc.path
                     else f"{original.loc.path}:{original.loc.line}")
            record(context, NAME, "removed", blocks[repeat.index], f"{how} line {where}",
                   "W102" if len(run) > 1 else "W101")
    return [b for i, b in enumerate(blocks) if i not in drop]
