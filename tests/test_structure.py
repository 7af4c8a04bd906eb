"""Structurer: headings → title, chapters, subtitles, sections (from fixtures)."""
from pathlib import Path


from book.load import load_book
from book.project.config import load_project
from book.errors import Reporter
from tests.helpers import FIXTURES, REPO

STRUCT = FIXTURES / "structure"


def load(path: Path, **structure):
    reporter = Reporter(quiet=True)
    project = load_project(path, reporter)
    project.structure.update(structure)
    return load_book(project, reporter).book


def outline(book) -> list:
    def sections(items):
        return [(s.title, sections(s.sections)) for s in items]
    return [(c.kind, c.title, c.subtitle, sections(c.sections)) for c in book.chapters]


def test_title_deck_and_nested_sections():
    book = load(STRUCT / "title_deck_sections.md")
    assert book.meta.title == "书名"
    assert outline(book) == [
        ("body", "第一章 开端", "副题一",
         [("第一节", []), ("第二节", [("小节", [])])]),
        ("body", "第二章 发展", "", [("第二章第一节", [])]),
    ]
    first = book.chapters[0]
    assert [b.text for b in first.blocks] == ["第一章的导语。"]
    assert first.sections[1].sections[0].depth == 2


def test_text_before_first_chapter_becomes_front_matter():
    book = load(STRUCT / "front_text.md")
    assert [c.kind for c in book.chapters] == ["front", "body"]
    assert book.chapters[0].blocks[0].text.startswith("这是正文之前")
    assert book.meta.title == "front_text"  # no title heading: the file name


def test_two_top_headings_are_chapters_not_a_title():
    book = load(STRUCT / "two_top_headings.md")
    assert [c.title for c in book.chapters] == ["上篇", "下篇"]
    assert book.meta.title == "two_top_headings"


def test_title_heading_can_be_turned_off():
    book = load(STRUCT / "title_deck_sections.md", title_heading=False)
    assert book.chapters[0].title == "书名"


def test_chapter_level_option():
    book = load(STRUCT / "title_deck_sections.md", chapter_level=4, subtitles=False)
    titles = [c.title for c in book.chapters if c.kind == "body"]
    assert "第一节" in titles and "第二节" in titles


def test_several_files_read_in_order():
    book = load(STRUCT / "multi")
    assert book.meta.title == "合集"
    assert [c.title for c in book.chapters] == ["甲", "乙"]
    assert book.chapters[1].sections[0].title == "乙一"


def test_section_ids_are_stable_and_unique():
    a = load(STRUCT / "title_deck_sections.md")
    b = load(STRUCT / "title_deck_sections.md")
    ids = [s.id for c in a.chapters for s in c.all_sections()]
    assert ids == [s.id for c in b.chapters for s in c.all_sections()]
    assert len(set(ids)) == len(ids)
    assert all(i.startswith("s-") for i in ids)


def test_block_locations_point_at_source_lines():
    book = load(STRUCT / "title_deck_sections.md")
    block = book.chapters[0].sections[0].blocks[0]
    assert block.text == "正文一。"
    assert (block.loc.path, block.loc.line) == ("title_deck_sections.md", 11)


def test_sample_structure():
    book = load(REPO)
    assert book.meta.title == "牢记嘱托 善作善成"
    body = [c for c in book.chapters if c.kind == "body"]
    assert [c.title for c in body] == [
        "创新天津 动能澎湃", "逆势走强 激活“中国智造”", "创新引领 行业首单频现"]
    assert body[0].subtitle == "在发展新质生产力上善作善成"
    assert body[1].subtitle == "中欧班列 畅行“钢铁丝路”"
    assert [s.title for s in body[0].sections] == [
        "天开实践 打造新质生产力策源地", "整体跃升 全市科技创新量质齐升",
        "产研协同 起架成果转化金色桥梁", "加速布局 抢滩最新赛道"]
    assert [s.title for s in body[2].sections] == ["改革前沿再起新风"]
