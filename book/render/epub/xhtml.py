"""Every HTML fragment of the model as well-formed XML, which XHTML needs and
raw HTML in a manuscript may not be: fragments that are well-formed already
are kept byte for byte; a broken one is re-serialised by lxml's HTML parser.
"""
from __future__ import annotations

from lxml import etree, html as lxml_html
from markupsafe import Markup

from book.model import Book


def to_xhtml_safe(book: Book) -> Book:
    """Return the book with every HTML fragment well-formed XML (XHTML needs
    it; raw HTML in a manuscript may not be)."""
    book = book.editable_copy()
    fields = [(owner, field) for chapter in book.chapters
              for owner, field in chapter.html_fields()]
    fragments = [str(getattr(owner, field)) for owner, field in fields]
    fix = xhtml_fragment if not _all_well_formed(fragments) else Markup
    for (owner, field), fragment in zip(fields, fragments):
        setattr(owner, field, fix(fragment))
    return book


# Wraps each fragment in one parse of them all. No fragment may contain it:
# then each of its tags comes from the wrapping, and the parse succeeds only
# if every fragment is well-formed on its own (elements nest; a fragment
# cannot close what another opened).
_FRAGMENT_TAG = "book-fragment"


def _all_well_formed(fragments: list[str]) -> bool:
    """Whether every fragment is well-formed XML as it is: one parse of all
    the fragments that hold markup, not one parse each (thousands in a book)."""
    marked = [f for f in fragments if "<" in f or "&" in f]
    if any(_FRAGMENT_TAG in f for f in marked):
        return False
    return _well_formed("".join(f"<{_FRAGMENT_TAG}>{f}</{_FRAGMENT_TAG}>" for f in marked))


def _well_formed(fragment: str) -> bool:
    """Whether FRAGMENT parses as XML content (``epub:`` attributes allowed)."""
    try:
        etree.fromstring(f'<div xmlns:epub="http://www.idpf.org/2007/ops">{fragment}</div>')
    except etree.XMLSyntaxError:
        return False
    return True


def xhtml_fragment(fragment: str) -> Markup:
    """Well-formed XHTML for an HTML fragment; unchanged when already so."""
    if not fragment or not ("<" in fragment or "&" in fragment):
        # Text without tags or entities is well-formed as it is (XML-invalid
        # characters were removed on reading): most paragraphs, no parse.
        return Markup(fragment)
    if _well_formed(fragment):
        return Markup(fragment)
    wrapper = lxml_html.fragment_fromstring(fragment, create_parent="div")
    parts = [etree.tostring(child, method="xml", encoding="unicode", with_tail=True)
             for child in wrapper]
    text = Markup.escape(wrapper.text or "")
    return Markup(text + Markup("".join(parts)))  # Markup + str would escape the str
