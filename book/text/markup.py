"""The text of an HTML fragment outside code: the one walker that every
text rewrite uses (the clean-up's repairs, an edition's OpenCC conversion,
the print's line-break hints), so all of them leave the same things alone.

In: a fragment of the model's HTML, a function from text to text and,
optionally, the elements to limit it to (``only_inside``). Out:
the fragment with the function applied to each run of text — not to tags,
attributes or character references, and not inside ``VERBATIM`` elements,
whose text is shown as written (code, or not text at all).
"""
from __future__ import annotations

import re
from typing import Callable, Iterable

from markupsafe import Markup

# Elements whose text is never rewritten.
VERBATIM = frozenset({"code", "pre", "kbd", "samp", "script", "style"})
_TOKEN = re.compile(r"(<[^>]*>|&[#\w]+;)")
_NAME = re.compile(r"</?\s*([A-Za-z][A-Za-z0-9]*)")


def map_text(html: str, fn: Callable[[str], str],
             only_inside: Iterable[str] = ()) -> Markup:
    """``html`` with ``fn`` applied to each text run outside ``VERBATIM``
    elements; with ``only_inside`` (element names), only to runs inside one
    of those elements."""
    inside = frozenset(only_inside)
    verbatim = depth = 0
    out: list[str] = []
    for piece in _TOKEN.split(html):
        if piece.startswith("<") and piece.endswith(">"):
            match = _NAME.match(piece)
            if match and not piece.endswith("/>"):
                name, step = match[1].lower(), -1 if piece.startswith("</") else 1
                if name in VERBATIM:
                    verbatim = max(verbatim + step, 0)
                elif name in inside:
                    depth = max(depth + step, 0)
            out.append(piece)
        elif (piece.startswith("&") and piece.endswith(";")) or verbatim \
                or (inside and not depth) or not piece:
            out.append(piece)
        else:
            out.append(fn(piece))
    return Markup("".join(out))
