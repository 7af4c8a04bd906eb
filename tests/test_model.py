"""The book model: an editable copy shares nothing a renderer may change."""
from __future__ import annotations

from markupsafe import Markup

from book.errors import Location
from book.model import Block, Book, Chapter, Footnote, Metadata, Section


def sample() -> Book:
    loc = Location("a.md", 1)
    block = Block("paragraph", Markup("<p>一</p>"), "一", loc, attrs={"k": 1})
    section = Section("s1", "节", Markup("节"), 1, loc, blocks=[block],
                      sections=[Section("s2", "小节", Markup("小节"), 2, loc,
                                        blocks=[Block("paragraph", Markup("<p>二</p>"), "二", loc)])])
    chapter = Chapter("c1", "章", Markup("章"), loc, 1, blocks=[block], sections=[section],
                      footnotes=[Footnote(1, "1", Markup("<p>注</p>"))])
    meta = Metadata(title="书", language="zh-Hans", identifier="urn:x", modified="",
                    authors=["甲"])
    return Book(meta=meta, chapters=[chapter])


def test_editable_copy_changes_leave_the_original_alone():
    book = sample()
    copy = book.editable_copy()
    chapter = copy.chapters[0]
    for owner, field in chapter.html_fields():
        setattr(owner, field, Markup("<p>改</p>"))
    chapter.blocks[0].attrs["k"] = 2
    chapter.sections[0].sections[0].blocks.append(chapter.blocks[0])
    copy.meta.authors.append("乙")
    copy.meta.title = "另"
    original = book.chapters[0]
    assert [str(getattr(o, f)) for o, f in original.html_fields()] == [
        "章", "", "节", "小节", "<p>一</p>", "<p>一</p>", "<p>二</p>", "<p>注</p>"]
    assert original.blocks[0].attrs == {"k": 1}
    assert len(original.sections[0].sections[0].blocks) == 1
    assert (book.meta.title, book.meta.authors) == ("书", ["甲"])


def test_editable_copy_is_equal_before_any_change():
    book = sample()
    assert book.editable_copy() == book
