"""Project stylesheets as the EPUB may carry them: ``@import`` rules,
``@font-face`` rules and declarations that load a file by ``url()`` are
removed (M008), so the EPUB refers to nothing outside itself and a reader
never fetches anything.
"""
from __future__ import annotations

import tinycss2

from book.errors import Location, Reporter


# CSS functions that load a file; a declaration using one is removed.
_LOADING_FUNCTIONS = {"url", "src", "image", "image-set", "-webkit-image-set", "cross-fade"}


def epub_css(data: bytes, display: str, reporter: Reporter) -> bytes:
    """A project stylesheet as the EPUB may carry it: ``@import`` rules,
    ``@font-face`` rules and declarations that load a file by ``url()`` are
    removed (M008), so the EPUB refers to nothing outside itself and a reader
    never fetches anything. Sheets without any are returned byte for byte."""
    text = data.decode("utf-8", errors="replace")
    lowered = text.lower()
    if not any(word in lowered for word in ("url(", "@import", "image(", "image-set(",
                                             "src(", "cross-fade(")):
        return data
    rules = tinycss2.parse_stylesheet(text, skip_comments=False, skip_whitespace=False)
    return _serialize_rules(rules, display, reporter).encode("utf-8")


def _serialize_rules(nodes, display: str, reporter: Reporter) -> str:
    out = []
    for node in nodes:
        if node.type == "at-rule" and node.lower_at_keyword in ("import", "font-face") \
                and (node.lower_at_keyword == "import" or _loads(node.content)):
            _css_warning(node, f"@{node.lower_at_keyword} rule removed from the EPUB's copy",
                         display, reporter)
        elif node.type in ("qualified-rule", "at-rule") and node.content is not None:
            inner = tinycss2.parse_blocks_contents(node.content, skip_comments=False)
            prelude = tinycss2.serialize(node.prelude)
            head = prelude if node.type == "qualified-rule" else f"@{node.at_keyword}{prelude}"
            out.append(f"{head}{{{_serialize_rules(inner, display, reporter)}}}")
        elif node.type == "declaration":
            if _loads(node.value):
                _css_warning(node, f"'{node.name}' loads a file; removed from the EPUB's copy",
                             display, reporter)
            else:
                out.append(f"{node.serialize()};")
        elif node.type == "error":
            out.append("")  # what CSS would ignore anyway
        else:
            out.append(node.serialize())
    return "".join(out)


def _loads(tokens) -> bool:
    """Whether a token list holds url(…) or a function that loads a file."""
    for token in tokens or []:
        if token.type == "url":
            return True
        if token.type == "function" and (token.lower_name in _LOADING_FUNCTIONS
                                         or _loads(token.arguments)):
            return True
        if token.type in ("() block", "[] block", "{} block") and _loads(token.content):
            return True
    return False


def _css_warning(node, message: str, display: str, reporter: Reporter) -> None:
    reporter.warn("M008", message, Location(display, node.source_line, node.source_column),
                  "an EPUB may use only its own files; put images and fonts in the book")
