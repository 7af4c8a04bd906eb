"""Mark up the semantic lines of Chinese news copy: a byline paragraph
becomes ``<p class="byline">``; a photo caption becomes a ``<figure>`` with a
``<figcaption class="caption">`` (joined to the image when an image-only
paragraph directly precedes it); a dateline becomes ``<p class="dateline">``
or, opening a paragraph, ``<span class="dateline">``. Text is unchanged."""
from __future__ import annotations

import dataclasses
import re
from typing import TYPE_CHECKING

from markupsafe import Markup

from book.clean import inner_paragraph, note, record
from book.lint.semantic import dateline_prefix, semantic_kind
from book.model import Block

if TYPE_CHECKING:
    from book.transforms import CleanContext

NAME = "semantic"
_IMAGE_ONLY_RE = re.compile(r"^\s*(<img\b[^>]*>)\s*$")


def transform(blocks: list[Block], context: "CleanContext") -> list[Block]:
    """Blocks with bylines, captions and datelines marked as such."""
    out: list[Block] = []
    for block in blocks:
        inner = inner_paragraph(block.html) if block.kind == "paragraph" else None
        kind = semantic_kind(block.text) if inner is not None else ""
        if kind == "caption" and out and _image(out[-1]):
            image = _image(out[-1])
            html = Markup(f'<figure class="figure">{image}'
                          f'<figcaption class="caption">{inner}</figcaption></figure>\n')
            out[-1] = dataclasses.replace(out[-1], kind="figure", html=html,
                                          text=f"{out[-1].text}\n{block.text}".strip())
            _done(context, block, "caption", "C302", "caption joined to the image above")
            continue
        if kind == "caption":
            html = Markup(f'<figure class="caption-only"><figcaption class="caption">'
                          f'{inner}</figcaption></figure>\n')
            block = dataclasses.replace(block, kind="caption", html=html)
            _done(context, block, "caption", "C302")
        elif kind in ("byline", "dateline"):
            html = Markup(f'<p class="{kind}">{inner}</p>\n')
            block = dataclasses.replace(block, kind=kind, html=html)
            _done(context, block, kind, "C301" if kind == "byline" else "C303")
        elif inner is not None and (prefix := dateline_prefix(block.text)) \
                and inner.startswith(prefix):
            html = Markup(f'<p><span class="dateline">{prefix}</span>'
                          f'{inner[len(prefix):]}</p>\n')
            block = dataclasses.replace(block, html=html,
                                        attrs={**block.attrs, "dateline": prefix})
            _done(context, block, "dateline", "C303", f"dateline '{prefix}' marked")
        out.append(block)
    return out


def _image(block: Block) -> str:
    """The ``<img>`` of an image-only paragraph, else ``""``."""
    inner = inner_paragraph(block.html) if block.kind == "paragraph" else None
    match = _IMAGE_ONLY_RE.match(inner or "")
    return match.group(1) if match else ""


def _done(context: "CleanContext", block: Block, kind: str, code: str, detail: str = "") -> None:
    note(context, code, block, detail)
    record(context, NAME, "marked", block, detail or f"marked as {kind}", code)
