"""Named clean-up transforms over the located blocks, run in an explicit order
before structuring. Each is ``(blocks, context) -> blocks`` and reports what it
changed through ``context.reporter`` so nothing is dropped silently."""
from __future__ import annotations

import dataclasses
import difflib
import importlib
from typing import Any, Callable

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

# (name, default on?, module) — in the order they run; each name is a switch
# in `[clean]` (e.g. `dedupe = false`), each module in book/clean/ has that
# NAME and a `transform`. Modules are imported when their transform runs, so
# an opt-in one costs nothing when off (its patterns are compiled on import).
TRANSFORMS: list[tuple[str, bool, str]] = [
    ("stray_markup", True, "book.clean.stray"),        # drop `&lt;p`, a lone `</div>`
    ("merge_headings", True, "book.clean.headings"),   # ## X then ### X → ## X
    ("dedupe", True, "book.clean.dedupe"),             # repeated paragraphs and blocks
    ("semantic", True, "book.clean.semantic"),         # bylines, captions, datelines
    ("join_lines", True, "book.clean.breaks"),         # join lines inside Chinese text
    ("spaces", True, "book.clean.spaces"),             # NBSP / ideographic spaces
    ("fix_punctuation", False, "book.clean.punctuation"),  # half- → full-width (opt-in)
]


def transform_named(module: str) -> Transform:
    """The ``transform`` function of a clean-up module."""
    return importlib.import_module(module).transform


def run_transforms(blocks: list[Block], context: CleanContext) -> list[Block]:
    """BLOCKS after every switched-on transform, in ``TRANSFORMS`` order; a
    misspelt switch in ``[clean]`` is warned about (C001)."""
    names = [name for name, _, _ in TRANSFORMS]
    for key in context.options:
        if key not in names:  # a typo would silently leave a transform on
            near = difflib.get_close_matches(key, names, n=1)
            context.reporter.warn("C001", f"unknown clean-up switch 'clean.{key}'",
                                  Location("book.toml"),
                                  f"did you mean 'clean.{near[0]}'?" if near
                                  else "valid: " + ", ".join(names))
    for name, default, module in TRANSFORMS:
        if context.options.get(name, default):
            blocks = transform_named(module)(blocks, context)
    return blocks
