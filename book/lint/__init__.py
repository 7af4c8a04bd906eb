"""``book check``: lint a manuscript's parsed blocks into located findings.

Checks run over the raw blocks (before any clean-up), each a pure function
``check(blocks, options) -> list[Finding]`` registered in ``CHECKS`` in the
order below. Paragraphs that the repeat finder reports (and that builds drop)
are not inspected again by the text checks: the one finding says it all.
"""
from __future__ import annotations

from typing import Callable

from book.lint import duplicates, markup, numbers, punctuation, structure
from book.lint.findings import CODES, Finding
from book.model import Block

Check = Callable[[list[Block], dict], list[Finding]]


# (name, check, inspects text?), in the order they run; text checks skip
# the repeated blocks.
CHECKS: list[tuple[str, Check, bool]] = [
    ("duplicates", duplicates.check, False),
    ("structure", structure.check, False),
    ("markup", markup.check, True),
    ("punctuation", punctuation.check, True),
    ("numbers", numbers.check, True),
]


def lint(blocks: list[Block], options: dict) -> list[Finding]:
    """All findings for ``blocks``, sorted by file, line, column and code.

    ``options``: the ``[check]`` table plus ``structure``, ``clean`` and
    ``sources`` (``book.lint.run.lint_options``).
    """
    repeated = {r.index for run in duplicates.find_repeats(blocks) for r in run}
    fresh = [b for i, b in enumerate(blocks) if i not in repeated]
    found: list[Finding] = []
    for _name, check, inspects_text in CHECKS:
        found.extend(check(fresh if inspects_text else blocks, options))
    return sorted(found, key=lambda f: f.sort_key())


__all__ = ["CHECKS", "CODES", "Finding", "lint"]
