"""Edit the text of rendered block HTML without touching its markup: split
into tags, entities and text runs, and apply a text function to the runs
outside ``<code>``/``<pre>`` (code is never rewritten)."""
from __future__ import annotations

import re
from typing import Callable

from markupsafe import Markup

_TOKEN_RE = re.compile(r"(<[^>]*>|&[#\w]+;)")
_RAW = ("code", "pre", "script", "style")


def map_text(html: str, fn: Callable[[str], str]) -> Markup:
    """``html`` with ``fn`` applied to each text run outside code."""
    out: list[str] = []
    raw_depth = 0
    for piece in _TOKEN_RE.split(html):
        if piece.startswith("<") and piece.endswith(">"):
            name = piece.strip("</>").split()[0].lower() if piece.strip("</>") else ""
            if name in _RAW and not piece.endswith("/>"):
                raw_depth += -1 if piece.startswith("</") else 1
            out.append(piece)
        elif piece.startswith("&") and piece.endswith(";") or raw_depth > 0:
            out.append(piece)
        else:
            out.append(fn(piece))
    return Markup("".join(out))
