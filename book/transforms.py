"""Named clean-up transforms over the located blocks, run in an explicit order
before structuring. Each is ``(blocks, context) -> blocks`` and reports what it
changed through ``context.reporter`` so nothing is dropped silently."""
from __future__ import annotations

import dataclasses
import difflib
from typing import Any, Callable

from book.clean import breaks, dedupe, headings, punctuation, semantic, spaces, stray
from book.errors import Location, Reporter
from book.model import Block


@dataclasses.dataclass
class CleanContext:
    """What a transform may read: the ``[clean]`` options and the reporter.

    ``changes`` collects every change (for the build report)."""

    options: dict[str, Any]
    reporter: Reporter
    changes: list[dict[str, Any]] = dataclasses.field(default_factory=list)


Transform = Callable[[list[Block], CleanContext], list[Block]]

# (name, default on?, function) — in the order they run; each name is a
# switch in `[clean]` (e.g. `dedupe = false`). Bodies live in book/clean/.
TRANSFORMS: list[tuple[str, bool, Transform]] = [
    (stray.NAME, True, stray.transform),              # drop `&lt;p`, a lone `</div>`
    (headings.NAME, True, headings.transform),        # ## X then ### X → ## X
    (dedupe.NAME, True, dedupe.transform),            # repeated paragraphs and blocks
    (semantic.NAME, True, semantic.transform),        # bylines, captions, datelines
    (breaks.NAME, True, breaks.transform),            # join lines inside Chinese text
    (spaces.NAME, True, spaces.transform),            # NBSP / ideographic spaces
    (punctuation.NAME, False, punctuation.transform),  # half-width → full-width (opt-in)
]


def run_transforms(blocks: list[Block], context: CleanContext) -> list[Block]:
    names = [name for name, _, _ in TRANSFORMS]
    for key in context.options:
        if key not in names:  # a typo would silently leave a transform on
            near = difflib.get_close_matches(key, names, n=1)
            context.reporter.warn("C001", f"unknown clean-up switch 'clean.{key}'",
                                  Location("book.toml"),
                                  f"did you mean 'clean.{near[0]}'?" if near
                                  else "valid: " + ", ".join(names))
    for name, default, transform in TRANSFORMS:
        if context.options.get(name, default):
            blocks = transform(blocks, context)
    return blocks
