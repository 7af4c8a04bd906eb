"""Named clean-up transforms over the located blocks, run in an explicit order
before structuring. Each is ``(blocks, context) -> blocks`` and reports what it
changed through ``context.reporter`` so nothing is dropped silently."""
from __future__ import annotations

import dataclasses
from typing import Any, Callable

from book.errors import Reporter
from book.model import Block


@dataclasses.dataclass
class CleanContext:
    """What a transform may read: the ``[clean]`` options and the reporter.

    ``changes`` collects every change (for the build report)."""

    options: dict[str, Any]
    reporter: Reporter
    changes: list[dict[str, Any]] = dataclasses.field(default_factory=list)


Transform = Callable[[list[Block], CleanContext], list[Block]]

# (name, default on?, function) — in the order they run.
TRANSFORMS: list[tuple[str, bool, Transform]] = []


def run_transforms(blocks: list[Block], context: CleanContext) -> list[Block]:
    for name, default, transform in TRANSFORMS:
        if context.options.get(name, default):
            blocks = transform(blocks, context)
    return blocks
