"""book.render.epub.package.to_xhtml_safe: fragments that are well-formed
XML stay as they are; the others are repaired, each on its own, whatever the
fragments around them hold."""
from __future__ import annotations

from lxml import etree
from markupsafe import Markup

from book.errors import Location
from book.model import Block, Book, Chapter, Metadata
from book.render.epub.package import to_xhtml_safe


def book_of(*fragments: str) -> Book:
    blocks = [Block(kind="paragraph", html=Markup(f), text="", loc=Location("a.md", i + 1))
              for i, f in enumerate(fragments)]
    chapter = Chapter(id="ch1", title="一", title_html=Markup("一"), loc=Location("a.md", 1),
                      number=1, blocks=blocks)
    meta = Metadata(title="书", language="zh-Hans", identifier="urn:x",
                    modified="2000-01-01T00:00:00Z")
    return Book(meta=meta, chapters=[chapter])


def safe_fragments(*fragments: str) -> list[str]:
    return [str(block.html) for block in to_xhtml_safe(book_of(*fragments)).chapters[0].blocks]


def well_formed(fragment: str) -> bool:
    try:
        etree.fromstring(f'<div xmlns:epub="http://www.idpf.org/2007/ops">{fragment}</div>')
    except etree.XMLSyntaxError:
        return False
    return True


def test_well_formed_fragments_are_kept_as_they_are():
    fragments = ["纯文本", "<em>强调</em> &amp; 更多", '<span epub:type="noteref">1</span>']
    assert safe_fragments(*fragments) == fragments


def test_a_broken_fragment_is_repaired_and_its_neighbours_kept():
    result = safe_fragments("<em>好</em>", "<b>未闭合", "A &amp; B")
    assert result[0] == "<em>好</em>" and result[2] == "A &amp; B"
    assert well_formed(result[1]) and "未闭合" in result[1]


def test_fragments_cannot_balance_each_other():
    # Each is broken alone, though their concatenation is well-formed.
    result = safe_fragments("<b>前", "后</b>")
    assert all(well_formed(f) for f in result)
    assert "前" in result[0] and "后" in result[1]


def test_a_fragment_cannot_close_the_wrapping_of_the_one_check():
    result = safe_fragments("甲</book-fragment><book-fragment>乙", "<i>丙</i>")
    assert all(well_formed(f) for f in result)
    assert result[1] == "<i>丙</i>"


def test_the_shared_model_is_not_changed():
    book = book_of("<b>未闭合")
    to_xhtml_safe(book)
    assert str(book.chapters[0].blocks[0].html) == "<b>未闭合"
