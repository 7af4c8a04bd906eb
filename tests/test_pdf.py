"""The print PDF, read back: page size and count, fonts, outline, metadata,
running heads and folios, contents page numbers, headings kept with their
text, the line grid, bleed and crop marks, and reproducibility."""
from __future__ import annotations

import collections
import dataclasses
import os
import re
from pathlib import Path

import pdfplumber
import pypdf
import pytest
from markupsafe import Markup

from book.render.pdf.pagegrid import type_area
from tests.helpers import REPO, run_cli

A5 = (419.5276, 595.2756)
BOOK_TITLE = "牢记嘱托 善作善成"
CHAPTERS = {
    "创新天津 动能澎湃": ["天开实践 打造新质生产力策源地", "整体跃升 全市科技创新量质齐升",
                      "产研协同 起架成果转化金色桥梁", "加速布局 抢滩最新赛道"],
    "逆势走强 激活“中国智造”": [],
    "创新引领 行业首单频现": ["改革前沿再起新风"],
}
DECKS = {  # the "###" line beneath each chapter title
    "创新天津 动能澎湃": "在发展新质生产力上善作善成",
    "逆势走强 激活“中国智造”": "中欧班列 畅行“钢铁丝路”",
    "创新引领 行业首单频现": "创新引领 行业首单频现",
}
# Chapter 3's deck repeats its title word for word: the clean-up may drop it.
OPTIONAL_DECKS = {"创新引领 行业首单频现"}
FRONT_PAGES = 4  # title page, its blank verso, contents, blank: folio 1 is page 5
HEAD_SIZE, FOLIO_SIZE, BODY_SIZE = 8.0, 9.0, 10.5


@pytest.fixture(scope="module")
def booklet(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("booklet")
    result = run_cli("-q", "build", str(REPO), "-e", "booklet", "-o", str(out))
    assert result.exit_code == 0, result.output
    return out / "tianjin-booklet.pdf"


@pytest.fixture(scope="module")
def pages(booklet) -> list[list["Line"]]:
    with pdfplumber.open(booklet) as pdf:
        return [text_lines(page) for page in pdf.pages]


@dataclasses.dataclass
class Line:
    """One line of text on a page: characters sharing a baseline."""

    bottom: float  # from the top of the page, like pdfplumber
    text: str
    font: str  # the most used font on the line, subset prefix removed
    size: float
    x0: float
    x1: float

    @property
    def is_head(self) -> bool:
        return abs(self.size - HEAD_SIZE) < 0.01

    @property
    def is_folio(self) -> bool:
        return abs(self.size - FOLIO_SIZE) < 0.01 and self.text.isdigit()

    @property
    def is_body(self) -> bool:
        return "Serif" in self.font and abs(self.size - BODY_SIZE) < 0.01

    @property
    def is_heading(self) -> bool:
        return "Sans" in self.font and self.size > BODY_SIZE


def text_lines(page) -> list[Line]:
    rows: dict[float, list[dict]] = collections.defaultdict(list)
    for char in page.chars:
        rows[round(char["bottom"], 1)].append(char)
    lines = []
    for bottom in sorted(rows):
        chars = sorted(rows[bottom], key=lambda c: c["x0"])
        font, size = collections.Counter(
            (c["fontname"].split("+")[-1], round(c["size"], 2)) for c in chars).most_common(1)[0][0]
        lines.append(Line(bottom, "".join(c["text"] for c in chars).strip(), font, size,
                          chars[0]["x0"], chars[-1]["x1"]))
    return lines


def content(lines: list[Line]) -> list[Line]:
    """The lines of the text block: no running head, no folio."""
    return [line for line in lines if not line.is_head and not line.is_folio]


def outline(reader: pypdf.PdfReader) -> list[tuple[int, str, int]]:
    """(level, title, 0-based page index) for every bookmark, in order."""
    found = []

    def walk(items, level):
        for item in items:
            if isinstance(item, list):
                walk(item, level + 1)
            else:
                found.append((level, item.title, reader.get_destination_page_number(item)))

    walk(reader.outline, 1)
    return found


def squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


# ---- Pages, fonts, metadata ------------------------------------------------

def test_every_page_is_a5(booklet):
    reader = pypdf.PdfReader(booklet)
    for number, page in enumerate(reader.pages, 1):
        size = (float(page.mediabox.width), float(page.mediabox.height))
        assert size == pytest.approx(A5, abs=0.05), f"page {number}: {size}"


def test_page_count_is_front_matter_plus_last_folio(booklet, pages):
    folios = [int(line.text) for lines in pages for line in lines if line.is_folio]
    # The sample fills ten to twenty A5 pages; the count is the front matter
    # plus the main matter, with at most one blank page after the last folio.
    assert 10 <= len(pages) <= 24
    assert len(pages) - FRONT_PAGES - max(folios) in (0, 1)


def test_fonts_are_embedded_and_subset(booklet):
    reader = pypdf.PdfReader(booklet)
    fonts = {}
    for page in reader.pages:
        for font in (page["/Resources"].get("/Font") or {}).values():
            font = font.get_object()
            descendant = font.get("/DescendantFonts")
            descriptor = (descendant[0].get_object() if descendant else font)["/FontDescriptor"]
            fonts[str(font["/BaseFont"])] = any(
                key in descriptor for key in ("/FontFile", "/FontFile2", "/FontFile3"))
    assert fonts
    for name, embedded in fonts.items():
        assert embedded, f"{name} is not embedded"
        assert re.fullmatch(r"/[A-Z]{6}\+.+", name), f"{name} is not a subset"
    families = {name.split("+", 1)[1] for name in fonts}
    assert "Noto-Serif-CJK-SC" in families  # body
    from book.render.fonts import find_face

    if find_face("AR PL UKai CN") is not None:  # bylines and photo captions
        assert "AR-PL-UKai-CN" in families, families
    assert any(f.startswith("Noto-Sans-CJK-SC") for f in families)  # headings
    # no Japanese or Korean face picked by a missing lang
    assert not any(re.search(r"CJK-(JP|KR|TC|HK)", f) for f in families), families


def test_body_is_serif_and_headings_are_sans(pages):
    lines = [line for page in pages[FRONT_PAGES:] for line in content(page)]
    by_text = {line.text: line for line in lines}
    for chapter, sections in CHAPTERS.items():
        assert "Sans" in by_text[chapter].font, by_text[chapter]
        for section in sections:
            assert "Sans" in by_text[section].font, by_text[section]
    body = [line for line in lines if line.text.startswith("风劲帆满海阔")]
    assert body and "Serif" in body[0].font and body[0].size == BODY_SIZE


def test_metadata_title_author_language(booklet):
    reader = pypdf.PdfReader(booklet)
    assert reader.metadata.title == BOOK_TITLE
    assert reader.metadata.author == "胡萌伟"
    assert reader.trailer["/Root"]["/Lang"] == "zh-Hans"


def test_viewers_number_pages_like_the_folios(booklet, pages):
    labels = pypdf.PdfReader(booklet).page_labels
    assert labels[:FRONT_PAGES] == ["i", "ii", "iii", "iv"]
    for label, lines in zip(labels[FRONT_PAGES:], pages[FRONT_PAGES:]):
        folios = [line.text for line in lines if line.is_folio]
        assert folios in ([], [label])


# ---- Outline -------------------------------------------------------------------

def test_outline_is_chapters_and_their_sections(booklet):
    expected = []
    for chapter, sections in CHAPTERS.items():
        expected.append((1, chapter))
        expected += [(2, section) for section in sections]
    got = [(level, title) for level, title, _ in outline(pypdf.PdfReader(booklet))]
    # No bookmark for the title page, the contents heading or a chapter's deck.
    assert got == expected


def test_bookmarks_point_at_their_headings(booklet, pages):
    for level, title, index in outline(pypdf.PdfReader(booklet)):
        texts = [line.text for line in content(pages[index]) if line.is_heading]
        assert title in texts, f"bookmark {title!r} points at page {index + 1}: {texts}"


# ---- Openings, running heads, folios ----------------------------------------

def chapter_pages(booklet) -> dict[str, int]:
    return {title: index for level, title, index in outline(pypdf.PdfReader(booklet))
            if level == 1}


def test_chapters_open_on_right_hand_pages_with_their_deck(booklet, pages):
    openings = chapter_pages(booklet)
    assert list(openings) == list(CHAPTERS)
    for title, index in openings.items():
        assert index % 2 == 0, f"{title} opens on page {index + 1}, a left-hand page"
        lines = content(pages[index])
        position = [line.text for line in lines].index(title)
        after = lines[position + 1]
        if title not in OPTIONAL_DECKS or after.is_heading:
            assert after.text == DECKS[title] and "Sans" in after.font, after
            assert after.size < lines[position].size
            after = lines[position + 2]
        # the text starts after a sink of two blank lines, whether or not there is a deck
        assert after.is_body and after.bottom - lines[position].bottom > 3 * 18, after


def test_running_heads_and_folios(booklet, pages):
    openings = sorted((index, title) for title, index in chapter_pages(booklet).items())
    for index, lines in enumerate(pages):
        heads = [line.text for line in lines if line.is_head]
        folios = [line.text for line in lines if line.is_folio]
        where = f"page {index + 1}"
        if index < FRONT_PAGES or not content(lines):
            # title page, contents and blank pages: neither
            assert not heads and not folios, where
            continue
        assert folios == [str(index + 1 - FRONT_PAGES)], where
        if index in dict(openings):
            assert not heads, f"{where} opens a chapter but has a running head"
        elif index % 2 == 1:  # left-hand page: the book title
            assert heads == [BOOK_TITLE], where
        else:  # right-hand page: the current chapter's title
            current = [title for start, title in openings if start <= index][-1]
            assert heads == [current], where


def test_the_head_rule_is_drawn_with_the_head_only(booklet, pages):
    """The hairline under the running head (书眉线): on pages with a head, not
    on openings, blank pages or the front matter."""
    top = sample_area().top
    with pdfplumber.open(booklet) as pdf:
        for index, page in enumerate(pdf.pages):
            rules = [edge for edge in page.edges
                     if edge["orientation"] == "h" and edge["top"] < top]
            has_head = any(line.is_head for line in pages[index])
            assert bool(rules) == has_head, f"page {index + 1}: {len(rules)} rule(s)"


def test_contents_page_numbers_are_the_folios(booklet, pages):
    toc = next(i for i, lines in enumerate(pages) if any(line.text == "目录" for line in lines))
    assert toc < FRONT_PAGES
    entries = {}
    for line in pages[toc]:
        match = re.fullmatch(r"(.+?)\s*\.{5,}\s*(\d+)", line.text)
        if match:
            entries[squash(match[1])] = int(match[2])
    bookmarks = outline(pypdf.PdfReader(booklet))
    assert len(entries) == len(bookmarks) == 8
    for level, title, index in bookmarks:
        printed = [line.text for line in pages[index] if line.is_folio]
        assert printed == [str(entries[squash(title)])], title


# ---- Paragraphs and the grid ------------------------------------------------

def test_headings_are_never_last_on_a_page_and_keep_two_lines(pages):
    for index, lines in enumerate(pages[FRONT_PAGES:], FRONT_PAGES + 1):
        block = content(lines)
        if not block:
            continue
        assert not block[-1].is_heading, f"page {index} ends with heading {block[-1].text!r}"
        for position, line in enumerate(block):
            if line.is_heading:
                following = block[position + 1:]
                body = [other for other in following if other.is_body]
                assert len(body) >= 2 or len(following) == len(body), \
                    f"page {index}: heading {line.text!r} keeps {len(body)} line(s)"


def test_a_heading_that_would_end_a_page_moves_to_the_next(tmp_path):
    """A paragraph fills the opening page up to the last two lines, exactly
    the room a section heading takes: the heading must go over with its text."""
    area = type_area("148mm 210mm", {}, [])
    han = "天津港集装箱码头灯火通明货轮往来不息"
    sink = 8  # rows of the opening taken by the chapter head (no deck)
    rows = area.lines - sink - 2
    count = (area.chars - 2) + (rows - 1) * area.chars - 1  # the last row ends with "。"
    text = "".join(han[i % len(han)] for i in range(count)) + "。"
    (tmp_path / "book.toml").write_text(
        'title = "标题测试"\nlanguage = "zh-Hans"\n[editions.print]\nformats = ["pdf"]\n',
        encoding="utf-8")
    (tmp_path / "a.md").write_text(f"# 标题测试\n\n## 第一章\n\n{text}\n\n### 第一节\n\n{han * 3}。\n",
                                   encoding="utf-8")
    result = run_cli("-q", "build", str(tmp_path), "-o", str(tmp_path / "out"))
    assert result.exit_code == 0, result.output
    (path,) = (tmp_path / "out").glob("*.pdf")
    with pdfplumber.open(path) as pdf:
        opening = content(text_lines(pdf.pages[FRONT_PAGES]))
        following = content(text_lines(pdf.pages[FRONT_PAGES + 1]))
    assert sum(line.is_body for line in opening) == rows  # the set-up holds
    assert not opening[-1].is_heading, "the heading was left at the foot of the page"
    assert following[0].text == "第一节"


def test_no_paragraph_leaves_a_single_line_at_a_page_foot_or_head(pages):
    """Orphans and widows ≥ 2, measured from indents and line ends."""
    for index in range(FRONT_PAGES, len(pages) - 1):
        here = [line for line in content(pages[index]) if line.is_body]
        there = [line for line in content(pages[index + 1]) if line.is_body]
        if not here or not there:
            continue
        left = min(line.x0 for line in here)
        right = max(line.x1 for line in here)
        # the paragraph runs on if the page's last line is full and the next
        # page starts with a line that is not indented
        runs_on = here[-1].x1 > right - BODY_SIZE / 2 and \
            there[0].x0 < min(line.x0 for line in there) + 1
        if not runs_on:
            continue
        at_foot = next(n for n, line in enumerate(reversed(here), 1)
                       if line.x0 > left + BODY_SIZE or n == len(here))
        assert at_foot >= 2, f"page {index + 1}: a paragraph's first line alone at the foot"
        right_next = max(line.x1 for line in there)
        at_head = next((n for n, line in enumerate(there, 1)
                        if line.x1 < right_next - BODY_SIZE), len(there))
        assert at_head >= 2, f"page {index + 2}: a paragraph's last line alone at the head"


def test_body_lines_sit_on_a_grid_of_whole_lines(booklet, pages):
    area = sample_area()
    body = [(index, line.bottom) for index, lines in enumerate(pages[FRONT_PAGES:])
            for line in lines if line.is_body]
    top = min(bottom for _, bottom in body)
    rows_used = collections.Counter()
    for index, bottom in body:
        row = (bottom - top) / area.pitch
        assert abs(row - round(row)) * area.pitch < 0.3, \
            f"page {index + FRONT_PAGES + 1}: a body line {row:.2f} lines down, off the grid"
        rows_used[round(row)] += 1
    # The type area holds exactly `lines` rows, and full pages use the last one.
    assert max(rows_used) == area.lines - 1


def test_code_lists_notes_and_sub_superscripts_keep_the_grid(tmp_path):
    """The technical fixture (inline code, code blocks, quotes, lists,
    footnotes, H<sub>2</sub>O, tables): body lines after them stay on the grid."""
    from tests.helpers import FIXTURES

    result = run_cli("-q", "build", str(FIXTURES / "techbook"), "-e", "print",
                     "-o", str(tmp_path))
    assert result.exit_code == 0, result.output
    (path,) = tmp_path.glob("*-print.pdf")
    with pdfplumber.open(path) as pdf:
        lines = [(index + 1, line) for index, page in enumerate(pdf.pages)
                 for line in text_lines(page)]
    body = [(page, line.bottom) for page, line in lines if line.is_body]
    pitch = type_area("148mm 210mm", {}, []).pitch
    # table rows (set at 0.92 em) are exactly one line apart
    rows = [(page, line.bottom) for page, line in lines if abs(line.size - 9.66) < 0.01]
    assert len(rows) >= 4
    for (page_a, a), (page_b, b) in zip(rows, rows[1:]):
        if page_a == page_b:
            assert (b - a) / pitch == pytest.approx(round((b - a) / pitch), abs=0.02), (a, b)
    top = min(bottom for _, bottom in body)
    off = [(page, bottom) for page, bottom in body
           if abs((bottom - top) / pitch - round((bottom - top) / pitch)) * pitch >= 0.3]
    assert not off, f"body lines off the grid (page, y): {off}"


def test_the_type_area_is_a_whole_number_of_lines_and_characters():
    area = sample_area()
    assert area.lines == 26 and area.pitch == pytest.approx(18.375)
    assert area.top + area.lines * area.pitch + area.bottom == pytest.approx(A5[1], abs=0.02)
    assert area.inside + area.chars * area.font_size + area.outside == pytest.approx(A5[0])


def sample_area():
    from book.project.config import load_project
    from book.errors import Reporter
    from book.project.stylesheets import stylesheets

    project = load_project(REPO, Reporter(quiet=True))
    edition = project.editions["booklet"].for_format("pdf")
    return type_area("148mm 210mm", edition.settings, stylesheets(project, edition, "pdf"))


def test_paragraphs_indent_two_em_with_no_space_between(pages):
    lines = [line for line in content(pages[FRONT_PAGES])]
    first = next(i for i, line in enumerate(lines) if line.text.startswith("风劲帆满海阔"))
    second = lines[first + 1]
    assert lines[first].x0 - second.x0 == pytest.approx(2 * BODY_SIZE, abs=0.5)


# ---- Bylines, captions: a fixture book -------------------------------------

@pytest.fixture(scope="module")
def marked_book(tmp_path_factory) -> Path:
    """A small book whose model has a byline and a photo caption (as the
    clean-up marks them), rendered straight through the PDF renderer."""
    return render_marked(tmp_path_factory.mktemp("marked"))


def render_marked(root: Path, edition_toml: str = "") -> Path:
    from book.load import load_book
    from book.project.config import load_project
    from book.errors import Reporter
    from book.model import Block
    from book.render import RenderContext
    from book.render.pdf.renderer import render
    from book.project.stylesheets import stylesheets

    (root / "book.toml").write_text(
        'title = "测试书"\nauthors = ["某某"]\nlanguage = "zh-Hans"\n'
        '[editions.booklet]\nformats = ["pdf"]\npage_size = "A5"\n' + edition_toml,
        encoding="utf-8")
    (root / "a.md").write_text("## 第一章\n\n### 副题\n\n" + "正文一段。" * 40 + "\n",
                               encoding="utf-8")
    reporter = Reporter(quiet=True)
    project = load_project(root, reporter)
    book = load_book(project, reporter).book
    chapter = book.chapters[0]
    loc = chapter.blocks[0].loc
    chapter.blocks += [
        Block("caption", Markup('<figure><figcaption class="caption">左图 天津港。</figcaption>'
                                '</figure>'), "左图 天津港。", loc),
        Block("byline", Markup('<p class="byline">记者 胡萌伟</p>'), "记者 胡萌伟", loc),
    ]
    edition = project.editions["booklet"].for_format("pdf")
    ctx = RenderContext(book=book, edition=edition, project=project, reporter=reporter,
                        stylesheets=stylesheets(project, edition, "pdf"))
    pdf = root / "marked.pdf"
    pdf.write_bytes(render(ctx)[0].data)
    return pdf


def test_bylines_and_captions_are_set_in_kai(marked_book):
    from book.render.fonts import find_face

    with pdfplumber.open(marked_book) as pdf:
        lines = [(index, line) for index, page in enumerate(pdf.pages)
                 for line in content(text_lines(page))]
    page, byline = next((i, line) for i, line in lines if line.text == "记者 胡萌伟")
    caption = next(line for _, line in lines if line.text == "左图 天津港。")
    body = next(line for _, line in lines if line.text.startswith("正文"))
    area = type_area("148mm 210mm", {}, [])
    # right-hand pages (odd numbers) have the binding on the left
    left_margin = area.inside if page % 2 == 0 else area.outside
    kai = find_face("AR PL UKai CN") is not None
    for line in (byline, caption):
        assert ("UKai" in line.font) if kai else ("Serif" in line.font), line
    assert caption.size < BODY_SIZE
    # right-aligned: the byline ends at the right edge of the text block
    assert byline.x1 == pytest.approx(left_margin + area.width, abs=0.5)
    assert byline.x0 > body.x0 + 100


def test_without_the_kai_face_bylines_fall_back_to_the_simplified_serif(tmp_path):
    """Hide AR PL UKai from fontconfig (a build in a child process) and build
    the sample: its bylines and captions come out in Noto Serif CJK SC, not
    in a JP face or missing glyphs."""
    from tests.helpers import run_book

    (tmp_path / "fonts.conf").write_text(
        '<?xml version="1.0"?>\n<!DOCTYPE fontconfig SYSTEM "fonts.dtd">\n<fontconfig>\n'
        '<include ignore_missing="yes">/etc/fonts/fonts.conf</include>\n'
        '<selectfont><rejectfont><glob>*ukai*</glob><glob>*UKai*</glob></rejectfont>'
        '</selectfont>\n</fontconfig>\n', encoding="utf-8")
    env = {**os.environ, "FONTCONFIG_FILE": str(tmp_path / "fonts.conf")}
    result = run_book("-q", "build", str(REPO), "-e", "booklet", "-o", str(tmp_path / "out"),
                      env=env)
    assert result.returncode == 0, result.stderr
    with pdfplumber.open(tmp_path / "out" / "tianjin-booklet.pdf") as pdf:
        lines = [line for page in pdf.pages for line in content(text_lines(page))]
    fonts = {line.font for line in lines}
    assert not any("UKai" in font for font in fonts), fonts
    bylines = [line for line in lines if line.text == "记者 胡萌伟"]
    assert bylines and all(line.font == "Noto-Serif-CJK-SC" for line in bylines), bylines


# ---- Print shop options, reproducibility -----------------------------------

def test_bleed_and_crop_marks(tmp_path):
    (tmp_path / "book.toml").write_text(
        'title = "测试"\nlanguage = "zh-Hans"\n[editions.press]\nformats = ["pdf"]\n'
        'page_size = "A5"\nbleed = "3mm"\ncrop_marks = true\n', encoding="utf-8")
    (tmp_path / "a.md").write_text("## 第一章\n\n正文。\n", encoding="utf-8")
    result = run_cli("-q", "build", str(tmp_path), "-o", str(tmp_path / "out"))
    assert result.exit_code == 0, result.output
    (path,) = (tmp_path / "out").glob("*-press.pdf")
    page = pypdf.PdfReader(path).pages[0]
    bleed = 3 * 72 / 25.4
    trim = (float(page.trimbox.width), float(page.trimbox.height))
    media = (float(page.mediabox.width), float(page.mediabox.height))
    assert trim == pytest.approx(A5, abs=0.05)
    assert media == pytest.approx((A5[0] + 2 * bleed, A5[1] + 2 * bleed), abs=0.05)
    with pdfplumber.open(path) as pdf:
        first = pdf.pages[0]
        strokes = first.lines + first.curves + first.rects
        # crop marks are drawn in the bleed, outside the trimmed page
        assert any(s["x0"] < bleed or s["top"] < bleed for s in strokes), strokes


def test_rebuild_is_byte_identical(booklet, tmp_path):
    result = run_cli("-q", "build", str(REPO), "-e", "booklet", "-o", str(tmp_path))
    assert result.exit_code == 0, result.output
    for name in ("tianjin-booklet.pdf", "tianjin-booklet-imposed.pdf"):
        assert (tmp_path / name).read_bytes() == (booklet.parent / name).read_bytes(), name
