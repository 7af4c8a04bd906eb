"""Join Markdown soft line breaks inside Chinese text. A manuscript wrapped
mid-sentence renders each break as a newline, which browsers and WeasyPrint
show as a space between two Han characters; Chinese has no word spaces, so
a break between two CJK characters is removed (in the HTML and the text).
A break next to Latin text stays: there it is a real word space."""
from __future__ import annotations

import dataclasses
import functools
import re
from typing import TYPE_CHECKING

from markupsafe import Markup

from book.clean import note, record
from book.text.chars import CJK
from book.model import Block

if TYPE_CHECKING:
    from book.transforms import CleanContext

NAME = "join_lines"
KINDS = ("paragraph", "quote", "list", "table", "heading", "byline", "caption", "dateline",
         "figure")
# Inline tags may sit on either side of the break; a hard break (<br />) is
# the author's own line break and is kept.
_TAGS = r"(?:</?(?!br\b)[A-Za-z][^>]*>)*"
_PRE_RE = re.compile(r"(<pre\b.*?</pre>)", re.S)


# Compiled on first use, as most manuscripts that are not hard-wrapped never
# need them: a CJK class costs `re` a visit of each of its code points.
@functools.cache
def _html_break_re() -> re.Pattern[str]:
    return re.compile(rf"([{CJK}]{_TAGS})[ \t]*\n[ \t]*({_TAGS}[{CJK}])")


@functools.cache
def _text_break_re() -> re.Pattern[str]:
    return re.compile(rf"(?<=[{CJK}])[ \t]*\n[ \t]*(?=[{CJK}])")


def join_html(html: str) -> str:
    """``html`` with CJK–CJK line breaks removed, ``<pre>`` left alone."""
    parts = _PRE_RE.split(html)
    return "".join(p if p.startswith("<pre") else _html_break_re().sub(r"\1\2", p)
                   for p in parts)


def join_text(text: str) -> str:
    """``text`` with CJK–CJK line breaks removed."""
    return _text_break_re().sub("", text)


def transform(blocks: list[Block], context: "CleanContext") -> list[Block]:
    """Blocks whose Chinese lines are joined without a space."""
    out = []
    for block in blocks:
        if block.kind in KINDS and "\n" in block.text:
            html = join_html(block.html)
            # Plain text cannot tell a hard break from a soft one: leave it whole then.
            text = block.text if "<br" in block.html else join_text(block.text)
            if html != block.html or text != block.text:
                joined = block.text.count("\n") - text.count("\n")
                note(context, "C311", block, f"joined {joined} line break(s) inside Chinese text")
                record(context, NAME, "joined", block, f"{joined} line break(s)", "C311")
                block = dataclasses.replace(block, html=Markup(html), text=text)
        out.append(block)
    return out
