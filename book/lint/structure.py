"""Structure checks over the heading outline: level jumps (``##`` then
``####``), empty sections, and chapters that are only a heading. Uses the
structurer's rules: a lone top heading is the book title, chapters open at
the shallowest level after it, and a heading directly followed by a deeper
one takes that one as its subtitle."""
from __future__ import annotations

from book.lint.findings import Finding, finding
from book.model import Block


def _outline(blocks: list[Block], options: dict) -> tuple[list[int], int]:
    """Indexes of the headings that open chapters or sections, and the chapter level."""
    heads = [i for i, b in enumerate(blocks) if b.kind == "heading"]
    if (options.get("title_heading", True) and heads and heads[0] == 0
            and all(blocks[i].level > blocks[0].level for i in heads[1:])):
        heads = heads[1:]
    levels = [blocks[i].level for i in heads]
    return heads, options.get("chapter_level") or (min(levels) if levels else 1)


def _span(blocks: list[Block], i: int) -> list[Block]:
    """The blocks after heading ``i`` up to the next heading of its level or above."""
    out = []
    for block in blocks[i + 1:]:
        if block.kind == "heading" and block.level <= blocks[i].level:
            break
        out.append(block)
    return out


def check(blocks: list[Block], options: dict) -> list[Finding]:
    """W131 level jumps, W132 empty sections, W133 heading-only chapters."""
    structure = options.get("structure", {})
    heads, chapter_level = _outline(blocks, structure)
    found: list[Finding] = []
    previous = chapter_level - 1
    subtitle = -1
    for i in heads:
        block = blocks[i]
        if block.level > previous + 1:
            message = (f"heading level jumps from {previous} to {block.level}"
                       if previous >= chapter_level else
                       f"level-{block.level} heading before the first chapter (level {chapter_level})")
            found.append(finding("W131", message, block.loc,
                                 f"use {'#' * (previous + 1)} or add the missing level"))
        previous = block.level
        if i == subtitle:
            continue
        span = _span(blocks, i)
        if block.level <= chapter_level:
            if (structure.get("subtitles", True) and span and span[0].kind == "heading"):
                subtitle = i + 1  # the structurer makes it the chapter's subtitle
                span = span[1:]
            if not span:
                found.append(finding("W133", f"chapter '{block.text}' has only a heading",
                                     block.loc, "add its text or delete the heading"))
        elif not span:
            found.append(finding("W132", f"section '{block.text}' is empty", block.loc,
                                 "add its text or delete the heading"))
    return found
