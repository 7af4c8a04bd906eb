"""Parse one manuscript (Markdown text) into a flat list of located blocks.

markdown-it-py does the parsing (CommonMark + tables, strikethrough, footnotes,
front matter); here its token stream is cut into top-level blocks, each
rendered to HTML once and given its plain text and source line.

Four safety hooks run here: raw HTML is sanitised (``book.read.sanitize``,
one warning per change, at file:line); containers nested deeper than the
parser's limit are kept as plain paragraphs instead of being dropped (P001);
character references that are no characters and unknown entities are noted
(H005); inline tags left open are closed at the end of their block (H004).
"""
from __future__ import annotations

import dataclasses
import functools
from html.entities import html5 as HTML5_ENTITIES
import re
from typing import Any

from markdown_it import MarkdownIt
from markdown_it.token import Token
from markupsafe import Markup
from mdit_py_plugins.footnote import footnote_plugin
from mdit_py_plugins.front_matter import front_matter_plugin

from book.errors import Diagnostic, Location, Reporter
from book.model import Block, Footnote
from book.read.sanitize import sanitize_html, text_of
from book.read.sources import SourceFile

BLOCK_KINDS = {
    "paragraph_open": "paragraph", "heading_open": "heading",
    "bullet_list_open": "list", "ordered_list_open": "list",
    "table_open": "table", "blockquote_open": "quote", "fence": "code",
    "code_block": "code", "html_block": "html", "hr": "hr",
}

# markdown-it stops parsing (and silently drops the rest) at ``maxNesting``;
# from DEPTH_GUARD on, the remaining lines become plain paragraphs instead.
# Lists cost two levels per step, so this allows ~8 nested lists or ~16 quotes,
# well inside every later stage's recursion limits.
MAX_NESTING = 20
DEPTH_GUARD = MAX_NESTING - 4
RAW_HTML = ("html_inline", "html_block")


@dataclasses.dataclass
class ParsedSource:
    """What one file yields: blocks in order, footnotes, front matter."""

    source: SourceFile
    blocks: list[Block]
    footnotes: list[Footnote]
    front_matter: dict[str, Any]


@functools.cache
def markdown(front_matter: bool = True) -> MarkdownIt:
    """The configured parser (built once per process); without
    ``front_matter`` for a file whose leading ``---`` block is not YAML."""
    md = MarkdownIt("commonmark", {"html": True, "xhtmlOut": True,
                                   "maxNesting": MAX_NESTING})
    md.enable(["table", "strikethrough"])
    md.block.ruler.before("table", "book_depth_guard", _depth_guard)
    md.core.ruler.before("text_join", "book_entities", _check_entities)
    md.core.ruler.before("text_join", "book_balance_html", _balance_inline_html)
    if front_matter:
        md.use(front_matter_plugin)
    md.use(footnote_plugin)
    md.add_render_rule("footnote_ref", _render_footnote_ref)
    return md


def _render_footnote_ref(self, tokens, idx, options, env) -> str:
    number = tokens[idx].meta["id"] + env.get("footnote_offset", 0) + 1
    sub = tokens[idx].meta.get("subId", 0)
    ref_id = f"fnref{number}" + (f"-{sub}" if sub else "")
    return (f'<sup class="noteref"><a href="#fn{number}" id="{ref_id}" '
            f'role="doc-noteref">{number}</a></sup>')


def _depth_guard(state, start: int, end: int, silent: bool) -> bool:
    """Past DEPTH_GUARD, take the lines of this container as one paragraph
    (their deeper markers kept as text) and note it for a warning."""
    if state.level < DEPTH_GUARD:
        return False
    if silent:
        return True
    line = start
    while line < end and not state.isEmpty(line) and state.sCount[line] >= state.blkIndent:
        line += 1
    line = max(line, start + 1)
    content = state.getLines(start, line, state.blkIndent, False).strip()
    state.push("paragraph_open", "p", 1).map = [start, line]
    inline = state.push("inline", "", 0)
    inline.content, inline.map, inline.children = content, [start, line], []
    state.push("paragraph_close", "p", -1)
    state.line = line
    state.env.setdefault("book_too_deep", []).append(start + 1)
    return True


_ENTITY_LIKE = re.compile(r"&([A-Za-z][A-Za-z0-9]{1,31});")


def _check_entities(state) -> None:
    """Note character references in Markdown text that are not characters
    (``&#0;``, surrogates: markdown-it makes them U+FFFD) and unknown named
    entities (kept as text), for H005 warnings."""
    notes = state.env.setdefault("book_entities", [])
    for tok in state.tokens:
        if tok.type != "inline" or not tok.children:
            continue
        line = tok.map[0] + 1 if tok.map else 0
        for child in tok.children:
            if child.type in ("softbreak", "hardbreak"):
                line += 1 if line else 0
            elif (child.type == "text_special" and child.info == "entity"
                  and child.content == "\ufffd"
                  and child.markup.lower() not in ("&#xfffd;", "&#65533;")):
                notes.append((line, f"character reference {child.markup} is not a valid "
                              "character; replaced by U+FFFD"))
            elif child.type == "text" and "&" in child.content:
                notes.extend((line, f"unknown entity &{m[1]}; kept as text")
                             for m in _ENTITY_LIKE.finditer(child.content)
                             if f"{m[1]};" not in HTML5_ENTITIES)


# Elements that never have an end tag (an open one needs no closing).
_VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta",
         "param", "source", "track", "wbr"}


def _balance_inline_html(state) -> None:
    """Close raw inline tags left open at the end of their paragraph, heading,
    list item or table cell (noted for H004): otherwise the HTML parser carries
    them on into the next block, where ``<b>`` inside ``<ol>`` is invalid."""
    notes = state.env.setdefault("book_unclosed", [])
    for tok in state.tokens:
        if tok.type != "inline" or not tok.children:
            continue
        stack: list[str] = []
        for child in tok.children:
            if child.type == "html_inline":
                _track_tag(child.content, stack)
        for name in reversed(stack):
            closing = Token("html_inline", "", 0)
            closing.content = f"</{name}>"
            tok.children.append(closing)
            notes.append((tok.map[0] + 1 if tok.map else 0, name))


def _track_tag(tag: str, stack: list[str]) -> None:
    """Update the open-element stack for one raw inline tag (markdown-it has
    already matched it as exactly one tag, comment or declaration)."""
    if tag.startswith(("<!", "<?")):
        return
    closing = tag.startswith("</")
    name = ""
    for ch in tag[2 if closing else 1:]:
        if not (ch.isalnum() or ch == "-"):
            break
        name += ch.lower()
    if not name:
        return
    if closing:
        if name in stack:
            del stack[len(stack) - 1 - stack[::-1].index(name):]
    elif name not in _VOID and not tag.endswith("/>"):
        stack.append(name)


def parse_source(source: SourceFile, footnote_offset: int = 0,
                 reporter: Reporter | None = None) -> ParsedSource:
    """Tokens of one file → blocks (headings included) and footnotes.

    The parser's warnings (P001, P002, H004, H005 and the sanitiser's) go to
    ``reporter`` (none: not reported)."""
    reporter = reporter or Reporter(quiet=True)
    env: dict[str, Any] = {"footnote_offset": footnote_offset}
    tokens = markdown().parse(source.text, env)
    if tokens and tokens[0].type == "front_matter" and not _is_yaml_mapping(tokens[0].content):
        # A leading '---' rule, not front matter: its lines are text to keep.
        reporter.warn("P002", "the '---' block at the top is not YAML front matter; "
                      "kept as text", Location(source.display, 1, 1),
                      hint="front matter holds 'key: value' lines only")
        env = {"footnote_offset": footnote_offset}
        tokens = markdown(front_matter=False).parse(source.text, env)
    if env.get("book_too_deep"):
        reporter.warn("P001", f"lists or block quotes nested deeper than {DEPTH_GUARD} "
                      "levels; the deeper lines are kept as plain paragraphs",
                      Location(source.display, env["book_too_deep"][0], 1),
                      hint="flatten the nesting")
    for line, name in env.get("book_unclosed", []):
        reporter.warn("H004", f"unclosed <{name}> closed at the end of its paragraph",
                      Location(source.display, line, 1 if line else 0),
                      hint=f"add </{name}> where it should end")
    for line, message in env.get("book_entities", []):
        reporter.warn("H005", message, Location(source.display, line, 1 if line else 0),
                      hint="write the character itself, or a known entity such as &amp;")
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
            footnotes = _footnotes(tokens[i + 1:end], env, footnote_offset,
                                   source.display, reporter)
        else:
            blocks.append(_block(tokens[i:end + 1], env, source.display, reporter))
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


def _block(tokens: list[Token], env: dict[str, Any], display: str,
           reporter: Reporter) -> Block:
    first = tokens[0]
    line = first.map[0] + 1 if first.map else 0
    kind = BLOCK_KINDS.get(first.type, first.type.removesuffix("_open"))
    level = int(first.tag[1]) if kind == "heading" else 0
    body = (tokens[1].children or []) if kind == "heading" else tokens
    html = _render_safe(body, env, Location(display, line, 1), reporter,
                        phrasing=kind == "heading")
    # With raw HTML, the visible text is what survived the sanitiser.
    text = text_of(html).strip() if _has_raw_html(body) else plain_text(tokens)
    return Block(kind=kind, html=html, text=text, level=level,
                 loc=Location(display, line, 1))


def _render_safe(tokens: list[Token], env: dict[str, Any], loc: Location,
                 reporter: Reporter, phrasing: bool = False) -> Markup:
    """Render tokens to HTML; sanitise it when the author wrote raw HTML
    (``phrasing``: it goes inside a heading, so no blocks)."""
    html = markdown().renderer.render(tokens, markdown().options, env)
    if not _has_raw_html(tokens):
        return Markup(html)
    clean, findings = sanitize_html(html, phrasing=phrasing)
    maps = [tok.map for tok in tokens if tok.map]
    last = max(m[1] for m in maps) if maps else loc.line
    for finding in findings:
        # A paragraph's HTML keeps its source lines; lists and tables add
        # lines of their own, so stay inside the block's last line.
        line = min(loc.line + finding.line - 1, max(last, loc.line))
        where = Location(loc.path, line, 1) if loc.line else loc
        reporter.add(Diagnostic(finding.code, finding.message, where,
                                hint="allowed HTML: README, 'Raw HTML'"))
    return Markup(clean)


def _has_raw_html(tokens: list[Token]) -> bool:
    return any(tok.type in RAW_HTML or (tok.children and _has_raw_html(tok.children))
               for tok in tokens)


def plain_text(tokens: list[Token]) -> str:
    """The reader-visible text of tokens; paragraphs joined by newlines."""
    parts: list[str] = []
    for tok in tokens:
        if tok.type == "inline":
            parts.append(_inline_text(tok.children or []))
        elif tok.type in ("fence", "code_block"):
            parts.append(tok.content.rstrip("\n"))
        elif tok.type == "html_block":
            parts.append(text_of(tok.content).strip())
    return "\n".join(p for p in parts if p)


def _inline_text(children: list[Token]) -> str:
    out = []
    for child in children:
        if child.type in ("text", "code_inline"):  # html_inline: tags, not text
            out.append(child.content)
        elif child.type in ("softbreak", "hardbreak"):
            out.append("\n")
        elif child.type == "image":
            out.append(_inline_text(child.children or []))
    return "".join(out)


def _footnotes(tokens: list[Token], env: dict[str, Any], offset: int,
               display: str = "", reporter: Reporter | None = None) -> list[Footnote]:
    notes: list[Footnote] = []
    i = 0
    while i < len(tokens):
        tok = tokens[i]
        if tok.type == "footnote_open":
            end = _block_end(tokens, i)
            body = [t for t in tokens[i + 1:end] if t.type != "footnote_anchor"]
            line = tok.map[0] + 1 if tok.map else 0
            html = _render_safe(body, env, Location(display, line, 1),
                                reporter or Reporter(quiet=True))
            number = tok.meta["id"] + offset + 1
            notes.append(Footnote(number=number, label=tok.meta.get("label", ""),
                                  html=Markup(html)))
            i = end
        i += 1
    return notes


def _is_yaml_mapping(text: str) -> bool:
    """Whether a front-matter block is empty or a YAML mapping."""
    import yaml  # here: only front matter needs PyYAML, whose import is slow

    if not text.strip():
        return True
    try:
        return isinstance(yaml.safe_load(text), dict)
    except yaml.YAMLError:
        return False


def _front_matter(text: str) -> dict[str, Any]:
    """YAML front matter; a malformed one yields nothing (``parse_source``
    has warned P002 and kept it as text)."""
    import yaml  # see _is_yaml_mapping

    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError:
        return {}
    return data if isinstance(data, dict) else {}
