"""The finding type and the table of lint codes (what each code means, its
default fix hint). A finding is a ``Diagnostic`` plus the related source
lines, so ``--format json`` can list every line of a repeated block."""
from __future__ import annotations

import bisect
import dataclasses
import functools
from typing import Any

from book.errors import Diagnostic, Location

# code -> (check name, one-line description). Codes are stable: users silence
# them in book.toml (`[check] ignore = ["W203"]`).
CODES: dict[str, tuple[str, str]] = {
    "W101": ("duplicates", "paragraph repeats an earlier one"),
    "W102": ("duplicates", "block of consecutive paragraphs repeats earlier ones"),
    "W111": ("headings", "heading repeats the heading directly above it"),
    "W112": ("headings", "section repeats an earlier section"),
    "W121": ("markup", "stray escaped HTML fragment"),
    "W122": ("markup", "unclosed or unmatched raw HTML tag"),
    "W123": ("markup", "HTML entity shown as plain text"),
    "W124": ("markup", "leftover Markdown marker"),
    "W131": ("structure", "heading level jumps"),
    "W132": ("structure", "empty section"),
    "W133": ("structure", "chapter with only a heading"),
    "W201": ("punctuation", "half-width punctuation in Chinese text"),
    "W202": ("punctuation", "unbalanced paired punctuation"),
    "W203": ("punctuation", "ellipsis not written ……"),
    "W204": ("punctuation", "dash not written ——"),
    "W205": ("punctuation", "space between Han characters"),
    "W206": ("punctuation", "full-width digits or Latin letters"),
    "W211": ("numbers", "number mixes full-width and half-width digits"),
}


@dataclasses.dataclass(frozen=True)
class Finding(Diagnostic):
    """A diagnostic with the other source lines it concerns.

    ``related``: (path, line, role) triples, e.g. a repeat and its original:
    ``(("a.md", 49, "repeat"), ("a.md", 41, "original"))``.
    """

    related: tuple[tuple[str, int, str], ...] = ()

    def as_dict(self) -> dict[str, Any]:
        data = super().as_dict()
        data["check"] = CODES.get(self.code, ("other", ""))[0]
        data["related"] = [{"path": path, "line": line, "role": role}
                           for path, line, role in self.related]
        return data


def finding(code: str, message: str, loc: Location, hint: str = "",
            related: tuple[tuple[str, int, str], ...] = ()) -> Finding:
    """A warning-level finding at ``loc``."""
    return Finding(code, message, loc, "warning", hint, related)


def where(loc: Location, text: str, offset: int, source: str | None = None) -> Location:
    """The source location of ``text[offset]`` for a block starting at ``loc``.

    With the block's ``source`` file text, the block text is aligned with the
    source lines (so Markdown markup and entities before the spot are counted);
    without it, or if the alignment fails, soft line breaks in the text are
    taken as source line breaks and columns count text characters.
    """
    if source is not None:
        found = _aligned(loc, text, offset, source)
        if found is not None:
            return found
    line = loc.line + text.count("\n", 0, offset)
    col = offset - (text.rfind("\n", 0, offset) + 1) + 1
    return Location(loc.path, line, col)


# How far ahead in the source one text character may be found (markup, a URL).
_MAX_GAP = 400


def _aligned(loc: Location, text: str, offset: int, source: str) -> Location | None:
    """Match ``text[:offset + 1]`` greedily as a subsequence of the source from
    the block's first line; None when a character cannot be found nearby."""
    starts = _line_starts(source)
    if loc.line - 1 >= len(starts):
        return None
    pos = starts[loc.line - 1] if loc.line >= 1 else 0
    prefix = text[:offset + 1]
    if source.startswith(prefix, pos):
        # Written as it reads (a plain paragraph): the greedy match below
        # would land on the same characters, one by one.
        return _location(loc, starts, pos + len(prefix) - 1)
    for k, char in enumerate(prefix):
        if char.isspace() and k != offset:
            continue  # a line break in the text may be a table's next cell
        found = source.find(char, pos, pos + _MAX_GAP)
        if found < 0:
            return None
        pos = found + 1
    return _location(loc, starts, pos - 1)


def _location(loc: Location, starts: tuple[int, ...], at: int) -> Location:
    line = bisect.bisect_right(starts, at)
    return Location(loc.path, line, at - starts[line - 1] + 1)


@functools.lru_cache(maxsize=16)
def _line_starts(source: str) -> tuple[int, ...]:
    """Where each line of ``source`` starts. Computed once per file, not by
    walking to the block's line for every finding."""
    starts = [0]
    pos = source.find("\n")
    while pos >= 0:
        starts.append(pos + 1)
        pos = source.find("\n", pos + 1)
    return tuple(starts)


def source_of(options: dict, loc: Location) -> str | None:
    """The text of the file ``loc`` is in, when the caller passed sources."""
    return options.get("sources", {}).get(loc.path)
