"""Sanitise raw HTML from a manuscript: an HTML fragment (Markdown output mixed
with the author's raw HTML) → safe HTML from a documented allowlist, plus one
finding for every element, attribute, URL, tag or character reference that was
removed, replaced or repaired.

The work is done by nh3 (html5ever parsing + ammonia's allowlist), a real HTML5
parser and sanitiser; a first pass with the standard library's HTML tokenizer
only *explains* what nh3 will change, so every change gets a warning.

Allowlist (everything else is removed; the text inside is kept, except inside
``script``, ``style``, ``iframe``, ``svg``, ``math``, ``audio``, ``video`` and
the other ``CONTENT_TAGS``, which go with their content):

- inline: a[href], abbr[title], b, bdi, br, cite, code, del, dfn, em, i, ins,
  kbd, mark, q, s, samp, small, span, strong, sub, sup, u,
  var, wbr, ruby, rt, rp, img[src alt width height] (images: see resources.py);
- block: blockquote, dd, div, dl, dt, figcaption, figure, h1–h6, hr, li[value],
  ol[start reversed], p, pre, ul, table, caption, colgroup, col[span], thead,
  tbody, tfoot, tr, th[colspan rowspan scope], td[colspan rowspan];
- on every element: class, title; ``style`` with only harmless properties
  (no property can load anything: no url(), no fonts, no @import);
- ``href`` only with http, https or mailto (no javascript:, data: …);
  ``id`` only the footnote references the Markdown renderer made.
"""
from __future__ import annotations

import dataclasses
import html.entities
import re
from html.parser import HTMLParser
from typing import Callable

import nh3
from lxml import etree, html as lxml_html

INLINE_TAGS = {
    "a", "abbr", "b", "bdi", "br", "cite", "code", "del", "dfn", "em", "i", "ins",
    "kbd", "mark", "q", "s", "samp", "small", "span", "strong", "sub", "sup",
    "u", "var", "wbr", "ruby", "rt", "rp", "img",
}
BLOCK_TAGS = {
    "blockquote", "dd", "div", "dl", "dt", "figcaption", "figure", "h1", "h2", "h3",
    "h4", "h5", "h6", "hr", "li", "ol", "p", "pre", "ul", "table", "caption",
    "colgroup", "col", "thead", "tbody", "tfoot", "tr", "th", "td",
}
ALLOWED_TAGS = INLINE_TAGS | BLOCK_TAGS

# Removed together with everything inside them.
CONTENT_TAGS = {"script", "style", "template", "noscript", "iframe", "object",
                "embed", "noembed", "noframes", "xmp", "title", "textarea",
                "select", "svg", "math", "audio", "video", "canvas"}

VOID_TAGS = {"br", "hr", "img", "wbr", "col", "area", "base", "embed", "input",
             "link", "meta", "param", "source", "track", "keygen"}

ATTRIBUTES: dict[str, set[str]] = {
    "*": {"class", "title", "style"},
    "a": {"href", "id"},
    "abbr": {"title"},
    "img": {"src", "alt", "width", "height"},
    "ol": {"start", "reversed"},
    "li": {"value"},
    "col": {"span"},
    "colgroup": {"span"},
    "th": {"colspan", "rowspan", "scope"},
    "td": {"colspan", "rowspan"},
}
# Attributes whose value must be one of a fixed set (kept out of ATTRIBUTES:
# nh3 takes them as an alternative to it).
ATTRIBUTE_VALUES = {"a": {"role": {"doc-noteref", "doc-backlink"}}}

# CSS properties kept in style="…": none of them can fetch anything.
STYLE_PROPERTIES = {
    "text-align", "vertical-align", "font-weight", "font-style", "font-variant",
    "text-decoration", "text-transform", "color", "background-color",
    "text-emphasis", "text-emphasis-style", "text-emphasis-position",
    "letter-spacing", "white-space",
}
URL_SCHEMES = {"http", "https", "mailto"}
INTEGER_ATTRIBUTES = {"width", "height", "colspan", "rowspan", "span", "start", "value"}
GENERATED_ID = re.compile(r"fnref\d+(-\d+)?")  # footnote references (parse.py)

# Raw HTML nested deeper than this keeps only its text: a deep tree would
# exhaust the recursion of the XML serialiser and the PDF layout.
MAX_DEPTH = 64


@dataclasses.dataclass(frozen=True)
class Finding:
    """One change: ``code`` (H0xx), what happened, and the line within the
    fragment (1-based) where it was found."""

    code: str
    message: str
    line: int = 1


def sanitize_html(fragment: str,
                  resolve_src: Callable[[str], str | None] | None = None,
                  phrasing: bool = False) -> tuple[str, list[Finding]]:
    """Clean ``fragment``; return the safe HTML and what was changed.
    ``phrasing``: the fragment goes inside a heading or other inline context,
    so block elements are unwrapped too.

    ``resolve_src`` may rewrite ``img[src]`` (return the new value, or None to
    drop it); images are otherwise left to resources.py.
    """
    scan = _Scanner()
    scan.run(fragment)
    findings = scan.findings
    if scan.max_depth > MAX_DEPTH:
        findings.append(Finding("H006", f"raw HTML nested {scan.max_depth} levels deep "
                                f"(more than {MAX_DEPTH}); kept its text only", 1))
        return nh3.clean(fragment, tags=set(), clean_content_tags=CONTENT_TAGS), findings
    cleaned = nh3.clean(
        fragment,
        tags=ALLOWED_TAGS,
        clean_content_tags=CONTENT_TAGS,
        attributes=ATTRIBUTES,
        attribute_filter=_attribute_filter(resolve_src),
        tag_attribute_values=ATTRIBUTE_VALUES,
        url_schemes=URL_SCHEMES,
        filter_style_properties=STYLE_PROPERTIES,
        link_rel=None,
        strip_comments=True,
    )
    if "<" in cleaned:
        cleaned = _fix_content_model(cleaned, findings, phrasing)
    return cleaned, findings


# Flow content that phrasing (inline) elements may not hold.
_FLOW_ONLY = BLOCK_TAGS - {"col", "colgroup", "thead", "tbody", "tfoot", "tr", "th", "td"}


def _fix_content_model(fragment: str, findings: list[Finding], phrasing: bool = False) -> str:
    """Repair what the HTML5 parser leaves in place but EPUB validation
    rejects — inline elements around blocks, misplaced list items, definition
    terms, ruby parts and figure captions; each repair is an H004 finding."""
    wrapper = lxml_html.fragment_fromstring(fragment, create_parent="div")
    fixes: list[str] = []
    for element in list(wrapper.iter()):
        if element is wrapper or not isinstance(element.tag, str):
            continue
        parent = element.getparent()
        tag, above = element.tag, parent.tag if parent is not None else ""
        if phrasing and tag in BLOCK_TAGS:
            fixes.append(f"<{tag}> in a heading (kept its content)")
            element.drop_tag()
        elif tag in INLINE_TAGS and any(d.tag in _FLOW_ONLY for d in element.iterdescendants()):
            fixes.append(f"<{tag}> around a block (kept its content)")
            element.drop_tag()
        elif tag in ("ul", "ol"):
            _wrap_stray_items(element, fixes)
        elif tag == "li" and above not in ("ul", "ol"):
            fixes.append("<li> outside a list")
            element.drop_tag()
        elif tag in ("rt", "rp") and above != "ruby":
            fixes.append(f"<{tag}> outside <ruby>")
            element.drop_tag()
        elif tag == "ruby" and not any(c.tag == "rt" for c in element):
            fixes.append("<ruby> without <rt>")
            element.drop_tag()
        elif tag == "figcaption" and above != "figure":
            fixes.append("<figcaption> outside <figure>")
            element.drop_tag()
        elif tag == "dl" and not _valid_dl(element):
            fixes.append("<dl> without a term before each description")
            element.tag = "div"
            for child in element:
                if child.tag in ("dt", "dd"):
                    child.tag = "div"
        elif tag in ("dt", "dd") and above != "dl":
            fixes.append(f"<{tag}> outside <dl>")
            element.tag = "div"
    for fix in dict.fromkeys(fixes):
        findings.append(Finding("H004", f"repaired {fix}", 1))
    parts = [etree.tostring(child, method="html", encoding="unicode", with_tail=True)
             for child in wrapper]
    return html.escape(wrapper.text or "", quote=False) + "".join(parts)


def _wrap_stray_items(listing, fixes: list[str]) -> None:
    """Put anything inside a ``ul``/``ol`` that is not an ``li`` into one."""
    if listing.text and listing.text.strip():
        item = lxml_html.Element("li")
        item.text, listing.text = listing.text, None
        listing.insert(0, item)
        fixes.append(f"text directly inside <{listing.tag}>")
    for index, child in enumerate(list(listing)):
        if child.tag != "li":
            item = lxml_html.Element("li")
            listing.insert(index, item)
            item.append(child)  # its tail text moves into the item with it
            fixes.append(f"<{child.tag}> directly inside <{listing.tag}>")
        elif child.tail and child.tail.strip():
            item = lxml_html.Element("li")
            item.text, child.tail = child.tail, None
            child.addnext(item)
            fixes.append(f"text directly inside <{listing.tag}>")


def _valid_dl(listing) -> bool:
    """Children are dt/dd only and the first dd follows a dt."""
    seen_term = False
    for child in listing:
        if child.tag == "dt":
            seen_term = True
        elif child.tag != "dd" or not seen_term:
            return False
    return not (listing.text or "").strip()


def _attribute_filter(resolve_src: Callable[[str], str | None] | None):
    def keep(tag: str, attr: str, value: str) -> str | None:
        if attr == "id":
            return value if GENERATED_ID.fullmatch(value) else None
        if attr in INTEGER_ATTRIBUTES:
            # HTML wants plain non-negative integers ("50%" fails EPUBCheck).
            return value if value.strip().isdigit() else None
        if attr == "scope":
            return value if value in ("row", "col", "rowgroup", "colgroup") else None
        if attr == "style" and not value.strip():
            return None
        if tag == "img" and attr == "src" and resolve_src is not None:
            return resolve_src(value)
        return value
    return keep


class _Scanner(HTMLParser):
    """Tokenise the fragment (as a browser would) to name what nh3 will remove."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=False)
        self.findings: list[Finding] = []
        self.stack: list[str] = []
        self.max_depth = 0
        self.skipping = 0  # inside a removed-with-content element

    def run(self, fragment: str) -> None:
        self.feed(fragment)
        self.close()
        for tag in reversed(self.stack):
            self._note("H004", f"unclosed <{tag}> closed")

    def _note(self, code: str, message: str) -> None:
        finding = Finding(code, message, self.getpos()[0])
        if finding not in self.findings:
            self.findings.append(finding)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in CONTENT_TAGS:
            self._note("H001", f"removed <{tag}> element and its content")
            if tag not in VOID_TAGS:
                self.skipping += 1
            return
        if self.skipping:
            return
        if tag not in ALLOWED_TAGS:
            self._note("H001", f"removed <{tag}> tag (its text is kept)")
        else:
            self._check_attributes(tag, attrs)
        if tag not in VOID_TAGS:
            self.stack.append(tag)
            self.max_depth = max(self.max_depth, len(self.stack))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in CONTENT_TAGS:
            self._note("H001", f"removed <{tag}> element")
        elif not self.skipping:
            if tag not in ALLOWED_TAGS:
                self._note("H001", f"removed <{tag}> tag")
            else:
                self._check_attributes(tag, attrs)

    def handle_endtag(self, tag: str) -> None:
        if tag in CONTENT_TAGS:
            self.skipping = max(0, self.skipping - 1)
            return
        if self.skipping:
            return
        if tag not in self.stack:
            if tag not in VOID_TAGS:
                self._note("H004", f"removed stray </{tag}>")
            return
        while self.stack:
            open_tag = self.stack.pop()
            if open_tag == tag:
                break
            self._note("H004", f"unclosed <{open_tag}> closed")

    def _check_attributes(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        allowed = ATTRIBUTES["*"] | ATTRIBUTES.get(tag, set()) \
            | set(ATTRIBUTE_VALUES.get(tag, {}))
        for name, value in attrs:
            value = value or ""
            if name.startswith("on"):
                self._note("H002", f"removed event handler {name}=… from <{tag}>")
            elif name not in allowed:
                self._note("H002", f"removed attribute {name}=… from <{tag}>")
            elif name == "href" and _scheme(value) not in (None, *URL_SCHEMES):
                self._note("H003", f"removed {_scheme(value)}: link from <{tag}>")
            elif name == "src" and _scheme(value) not in (None, *URL_SCHEMES):
                self._note("H003", f"removed {_scheme(value)}: source from <{tag}>")
            elif name == "style":
                self._check_style(tag, value)
            elif name == "id" and not GENERATED_ID.fullmatch(value):
                self._note("H002", f"removed id=\"{value}\" from <{tag}> (ids are "
                           "made by the book, so they stay unique)")

    def _check_style(self, tag: str, value: str) -> None:
        for declaration in value.split(";"):
            prop = declaration.split(":", 1)[0].strip().lower()
            if prop and prop not in STYLE_PROPERTIES:
                self._note("H002", f"removed style property '{prop}' from <{tag}> "
                           "(only colours, alignment and emphasis are kept)")

    def handle_entityref(self, name: str) -> None:
        if f"{name};" not in html.entities.html5:
            self._note("H005", f"unknown entity &{name}; kept as text")

    def handle_charref(self, name: str) -> None:
        try:
            code = int(name[1:], 16) if name[:1] in ("x", "X") else int(name)
        except ValueError:
            return
        if code == 0 or code > 0x10FFFF or 0xD800 <= code <= 0xDFFF \
                or code in (0xFFFE, 0xFFFF) or (code < 0x20 and code not in (9, 10, 13)):
            self._note("H005", f"character reference &#{name}; is not a valid "
                       "character; replaced by U+FFFD")

    def handle_comment(self, data: str) -> None:
        pass  # comments are dropped silently: they were never meant to be seen


def _scheme(url: str) -> str | None:
    """The URL's scheme in lower case, or None for a relative URL — read as
    browsers do (WHATWG URL): leading/trailing spaces and controls are
    trimmed, tabs and line breaks anywhere are ignored."""
    url = url.strip("".join(map(chr, range(33)))).translate({9: None, 10: None, 13: None})
    head = url.split("/", 1)[0].split("?", 1)[0].split("#", 1)[0]
    if ":" not in head:
        return None
    scheme = head.split(":", 1)[0].lower()
    return scheme if scheme[:1].isalpha() and all(
        ch.isalnum() or ch in "+-." for ch in scheme) else None


def text_of(fragment: str) -> str:
    """The visible text of an HTML fragment (for plain-text fields)."""
    return html.unescape(nh3.clean(fragment, tags=set(), clean_content_tags=CONTENT_TAGS))
