"""Find markup that leaked into the text: escaped or half HTML tags
(``&lt;p`` → a paragraph reading ``<p``), raw HTML blocks whose tags are
unclosed or unmatched, entities shown as text (``&amp;nbsp;``) and Markdown
markers the parser left as text (``**``, ``#标题``, ``[text](url``)."""
from __future__ import annotations

import re

from book.lint.findings import Finding, finding, source_of, where
from book.lint.text import prose_text
from book.model import Block

# A block whose whole text is a tag fragment: "<p", "</div>", "<br/>", "&lt;p".
_FRAGMENT_RE = re.compile(r"^(?:<|&lt;)/?(?P<name>[A-Za-z][\w-]*)(?:\s[^<>]*)?/?(?:>|&gt;)?$")
# In rendered HTML a real tag stays a tag; a tag typed as text or escaped in
# the source comes out as "&lt;p" (or "&amp;lt;p" if it was escaped twice).
_ESCAPED_TAG_RE = re.compile(r"&(?:amp;)?lt;(/?[A-Za-z][\w-]*)")
_CODE_RE = re.compile(r"<(code|pre)\b.*?</\1>", re.S)
_ENTITY_RE = re.compile(r"&(?:[A-Za-z][A-Za-z0-9]{1,31}|#\d{1,7}|#x[0-9A-Fa-f]{1,6});")
_MARKDOWN_RE = re.compile(r"\*\*|__|~~|``|\]\(|!\[|^#{1,6}(?=[^\s#])|^>(?=\S)", re.M)
_TAG_RE = re.compile(r"<(/?)([A-Za-z][\w-]*)[^>]*?(/?)>")
_VOID = {"br", "hr", "img", "input", "meta", "link", "wbr", "col", "area", "source",
         "embed", "track", "param", "base"}

STRAY_HINT = "removed in builds; set clean.stray_markup = false to keep"
STRAY_KEPT = "kept in builds, as clean.stray_markup = false; delete it"


# Only real HTML element names: a paragraph reading "<Enter>" is a key, not junk.
HTML_NAMES = frozenset("""a abbr article aside b blockquote body br caption center cite code
col dd del details div dl dt em figcaption figure font footer h1 h2 h3 h4 h5 h6 head header
hr html i img ins kbd li main mark nav ol p pre q s section small span strong sub summary
sup table tbody td tfoot th thead tr u ul""".split())


def is_stray_fragment(block: Block) -> bool:
    """A paragraph that is nothing but an escaped fragment of an HTML tag,
    such as the text ``<p`` (safe to drop: it has no words)."""
    match = _FRAGMENT_RE.match(block.text.strip())
    return (block.kind == "paragraph" and match is not None
            and ("&lt;" in block.html or "&amp;lt;" in block.html)
            and match.group("name").lower() in HTML_NAMES)


def escaped_tags(block: Block) -> list[tuple[int, str]]:
    """``(offset in text, fragment)`` for escaped tags shown as text, outside code."""
    found = []
    start = 0
    for match in _ESCAPED_TAG_RE.finditer(_CODE_RE.sub("", block.html)):
        fragment = "<" + match.group(1)
        offset = block.text.find(fragment, start)
        if offset < 0:  # escaped twice: the text reads "&lt;p"
            fragment = "&lt;" + match.group(1)
            offset = max(block.text.find(fragment, start), 0)
        found.append((offset, fragment))
        start = offset + 1
    return found


def unmatched_html_blocks(blocks: list[Block]) -> list[tuple[int, str]]:
    """Raw HTML blocks holding a tag that is never closed or never opened,
    matched across blocks (``<div>`` … Markdown … ``</div>`` is fine):
    ``(block index, tag as written)``."""
    stack: list[tuple[str, int, str]] = []
    bad: list[tuple[int, str]] = []
    for i, block in enumerate(blocks):
        if block.kind != "html":
            continue
        for match in _TAG_RE.finditer(block.text):
            closing, name, selfclosing = match.group(1), match.group(2).lower(), match.group(3)
            if selfclosing or name in _VOID:
                continue
            if not closing:
                stack.append((name, i, match.group(0)))
            elif any(open_name == name for open_name, _, _ in stack):
                while stack:
                    open_name, at, tag = stack.pop()
                    if open_name == name:
                        break
                    bad.append((at, tag))
            else:
                bad.append((i, match.group(0)))
    bad += [(at, tag) for _, at, tag in stack]
    return sorted(set(bad))


def is_tag_only(block: Block) -> bool:
    """An HTML block with no text besides its tags (dropping it loses nothing)."""
    return block.kind == "html" and not _TAG_RE.sub("", block.text).strip()


def check(blocks: list[Block], options: dict) -> list[Finding]:
    """W121–W124 over the blocks (code blocks are never inspected)."""
    found: list[Finding] = []
    hint = STRAY_HINT if options.get("clean", {}).get("stray_markup", True) else STRAY_KEPT
    for block in blocks:
        if block.kind in ("code", "html"):
            continue
        text = block.text
        source = source_of(options, block.loc)
        if is_stray_fragment(block):
            found.append(stray_finding(block, hint))
            continue
        for offset, fragment in escaped_tags(block):
            found.append(finding("W121", f"escaped or unclosed HTML tag '{fragment}' "
                                 "in the text", where(block.loc, text, offset, source),
                                 "delete it or write the tag in full"))
        prose = prose_text(text, block.html)  # `&amp;` or `**` in inline code is fine
        for match in _ENTITY_RE.finditer(prose):
            found.append(finding("W123", f"HTML entity '{match.group(0)}' appears as text "
                                 "(escaped twice)",
                                 where(block.loc, text, match.start(), source),
                                 "write the character itself"))
        for match in _MARKDOWN_RE.finditer(prose):
            found.append(finding("W124", f"leftover Markdown marker '{match.group(0)}'",
                                 where(block.loc, text, match.start(), source),
                                 "fix the Markdown syntax or escape the character"))
    for index, tag in unmatched_html_blocks(blocks):
        found.append(unmatched_finding(blocks[index], tag, hint))
    return found


def stray_finding(block: Block, hint: str = STRAY_HINT) -> Finding:
    """W121 for a paragraph that is only a tag fragment (dropped in builds)."""
    return finding("W121", f"stray escaped markup '{block.text.strip()}'", block.loc, hint)


def unmatched_finding(block: Block, tag: str, hint: str = STRAY_HINT) -> Finding:
    """W122 for an unmatched tag; tag-only blocks are dropped in builds."""
    hint = hint if is_tag_only(block) else "close the tag or delete it"
    return finding("W122", f"HTML tag '{tag}' is never matched", block.loc, hint)

