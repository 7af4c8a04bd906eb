"""Parse one manuscript (Markdown text) into a flat list of located blocks.

markdown-it-py does the parsing (CommonMark + tables, strikethrough, footnotes,
front matter); here its token stream is cut into top-level blocks, each
rendered to HTML once and given its plain text and source line.
"""
from __future__ import annotations

import dataclasses
import functools
from typing import Any

from markdown_it import MarkdownIt
from markdown_it.token import Token
from markupsafe import Markup

from book.errors import Location
from book.model import Block, Footnote
from book.sources import SourceFile

BLOCK_KINDS = {
    "paragraph_open": "paragraph", "heading_open": "heading",
    "bullet_list_open": "list", "ordered_list_open": "list",
    "table_open": "table", "blockquote_open": "quote", "fence": "code",
    "code_block": "code", "html_block": "html", "hr": "hr",
}


@dataclasses.dataclass
class ParsedSource:
    """What one file yields: blocks in order, footnotes, front matter."""

    source: SourceFile
    blocks: list[Block]
    footnotes: list[Footnote]
    front_matter: dict[str, Any]


@functools.cache
def markdown() -> MarkdownIt:
    """The one configured parser (built once per process)."""
    from mdit_py_plugins.footnote import footnote_plugin
    from mdit_py_plugins.front_matter import front_matter_plugin

    md = MarkdownIt("commonmark", {"html": True, "xhtmlOut": True})
    md.enable(["table", "strikethrough"])
    md.use(front_matter_plugin).use(footnote_plugin)
    md.add_render_rule("footnote_ref", _render_footnote_ref)
    return md


def _render_footnote_ref(self, tokens, idx, options, env) -> str:
    number = tokens[idx].meta["id"] + env.get("footnote_offset", 0) + 1
    sub = tokens[idx].meta.get("subId", 0)
    ref_id = f"fnref{number}" + (f"-{sub}" if sub else "")
    return (f'<sup class="noteref"><a href="#fn{number}" id="{ref_id}" '
            f'role="doc-noteref">{number}</a></sup>')


def parse_source(source: SourceFile, footnote_offset: int = 0) -> ParsedSource:
    """Tokens of one file → blocks (headings included) and footnotes."""
    md = markdown()
    env: dict[str, Any] = {"footnote_offset": footnote_offset}
    tokens = md.parse(source.text, env)
    blocks: list[Block] = []
    footnotes: list[Footnote] = []
    front: dict[str, Any] = {}
    i = 0
    while i < len(tokens):
        tok = tokens[i]
        end = _block_end(tokens, i)
        if tok.type == "front_matter":
            front = _front_matter(tok.content)
        elif tok.type == "footnote_block_open":
            footnotes = _footnotes(tokens[i + 1:end], env, footnote_offset)
        else:
            blocks.append(_block(tokens[i:end + 1], env, source.display))
        i = end + 1
    return ParsedSource(source, blocks, footnotes, front)


def _block_end(tokens: list[Token], start: int) -> int:
    """Index of the token closing the block opened at ``start``."""
    if tokens[start].nesting != 1:
        return start
    depth = 0
    for j in range(start, len(tokens)):
        depth += tokens[j].nesting
        if depth == 0:
            return j
    return len(tokens) - 1


def _block(tokens: list[Token], env: dict[str, Any], display: str) -> Block:
    first = tokens[0]
    line = first.map[0] + 1 if first.map else 0
    kind = BLOCK_KINDS.get(first.type, first.type.removesuffix("_open"))
    html = Markup(markdown().renderer.render(tokens, markdown().options, env))
    level = int(first.tag[1]) if kind == "heading" else 0
    if kind == "heading":
        html = Markup(markdown().renderer.render(tokens[1].children or [],
                                                 markdown().options, env))
    return Block(kind=kind, html=html, text=plain_text(tokens), level=level,
                 loc=Location(display, line, 1))


def plain_text(tokens: list[Token]) -> str:
    """The reader-visible text of tokens; paragraphs joined by newlines."""
    parts: list[str] = []
    for tok in tokens:
        if tok.type == "inline":
            parts.append(_inline_text(tok.children or []))
        elif tok.type in ("fence", "code_block"):
            parts.append(tok.content.rstrip("\n"))
        elif tok.type == "html_block":
            parts.append(tok.content.strip())
    return "\n".join(p for p in parts if p)


def _inline_text(children: list[Token]) -> str:
    out = []
    for child in children:
        if child.type in ("text", "code_inline", "html_inline"):
            out.append(child.content)
        elif child.type in ("softbreak", "hardbreak"):
            out.append("\n")
        elif child.type == "image":
            out.append(_inline_text(child.children or []))
    return "".join(out)


def _footnotes(tokens: list[Token], env: dict[str, Any], offset: int) -> list[Footnote]:
    notes: list[Footnote] = []
    i = 0
    while i < len(tokens):
        tok = tokens[i]
        if tok.type == "footnote_open":
            end = _block_end(tokens, i)
            body = [t for t in tokens[i + 1:end] if t.type != "footnote_anchor"]
            html = markdown().renderer.render(body, markdown().options, env)
            number = tok.meta["id"] + offset + 1
            notes.append(Footnote(number=number, label=tok.meta.get("label", ""),
                                  html=Markup(html)))
            i = end
        i += 1
    return notes


def _front_matter(text: str) -> dict[str, Any]:
    """YAML front matter; a malformed one yields nothing (lint reports it)."""
    import yaml

    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError:
        return {}
    return data if isinstance(data, dict) else {}
