"""Links inside the EPUB: its chapters are separate documents, so every
``#id`` link is pointed at the chapter document that holds the id; a link to
an id that exists nowhere keeps only its text (M007), as EPUBCheck rejects it.
"""
from __future__ import annotations

import urllib.parse

from lxml import etree
from markupsafe import Markup

from book.errors import Location, Reporter


def fix_internal_links(book, reporter: Reporter) -> None:
    """EPUB chapters are separate documents: point every ``#id`` link at the
    chapter holding the id; a link to an id that exists nowhere keeps only its
    text (M007), since EPUBCheck rejects it. ``book`` must be XHTML-safe."""
    owner = _id_owners(book)
    for chapter in book.chapters:
        for obj, field in chapter.html_fields():
            fragment = str(getattr(obj, field))
            if 'href="#' not in fragment:
                continue
            loc = getattr(obj, "loc", chapter.loc)
            setattr(obj, field, _relink(fragment, chapter.file_name, owner, loc, reporter))


def _id_owners(book) -> dict[str, str]:
    """Every id in the book → the file name of the chapter that holds it."""
    owner: dict[str, str] = {}
    for chapter in book.chapters:
        ids = [chapter.id, *(s.id for s in chapter.all_sections()),
               *(f"fn{n.number}" for n in chapter.footnotes)]
        for obj, field in chapter.html_fields():
            fragment = str(getattr(obj, field))
            if "id=" in fragment:
                ids.extend(_xml_fragment(fragment).xpath("//@id"))
        for anchor in ids:
            owner.setdefault(anchor, chapter.file_name)
    return owner


def _xml_fragment(fragment: str):
    return etree.fromstring(f'<div xmlns:epub="http://www.idpf.org/2007/ops">{fragment}</div>'
                            .encode(), etree.XMLParser(huge_tree=True))


def _relink(fragment: str, here: str, owner: dict[str, str], loc: Location,
            reporter: Reporter) -> Markup:
    wrapper = _xml_fragment(fragment)
    for link in list(wrapper.iter("a")):
        href = link.get("href") or ""
        if not href.startswith("#") or len(href) < 2:
            continue
        target = urllib.parse.unquote(href[1:])
        if owner.get(target) == here:
            continue
        if target in owner:
            link.set("href", f"{owner[target]}#{href[1:]}")
            continue
        reporter.warn("M007", f"link to '{href}' points at no id in the book; kept its "
                      "text only", loc, "link to a heading's id or remove the link")
        _unwrap(link)
    parts = [etree.tostring(child, encoding="unicode", with_tail=True) for child in wrapper]
    return Markup(Markup.escape(wrapper.text or "") + Markup("".join(parts)))


def _unwrap(element) -> None:
    """Replace ``element`` by its content (text, children, tail)."""
    parent = element.getparent()
    index = parent.index(element)
    previous = element.getprevious()
    head = (element.text or "")
    if previous is not None:
        previous.tail = (previous.tail or "") + head
    else:
        parent.text = (parent.text or "") + head
    children = list(element)
    for offset, child in enumerate(children):
        parent.insert(index + offset, child)
    tail = element.tail or ""
    if children:
        children[-1].tail = (children[-1].tail or "") + tail
    elif previous is not None:
        previous.tail = (previous.tail or "") + tail
    else:
        parent.text = (parent.text or "") + tail
    parent.remove(element)
