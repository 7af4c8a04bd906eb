"""Clean-up transforms: each repairs only what it should, reports every
change with its source line, and can be switched off in `[clean]`; on the
sample, the built EPUB and PDF keep every sentence that was not reported
as removed, and each paragraph once."""
from __future__ import annotations

import importlib
import json
import re
import zipfile
from collections import Counter
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st
from lxml import etree

from book.errors import Reporter
from book.model import Block
from book.read.parse import parse_source
from book.read.sources import SourceFile
from book.transforms import TRANSFORMS, CleanContext, run_transforms
from book.lint.semantic import dateline_prefix, semantic_kind
from tests.helpers import FIXTURES, SAMPLE, assert_epubcheck_clean, run_cli


def clean(text: str, **options) -> tuple[list[Block], CleanContext]:
    source = SourceFile(Path("t.md"), "t.md", text)
    blocks = parse_source(source, reporter=Reporter(quiet=True)).blocks
    context = CleanContext(options=options, reporter=Reporter(quiet=True))
    return run_transforms(blocks, context), context


def texts(blocks: list[Block]) -> list[str]:
    return [b.text for b in blocks]


PARA = "科技创新是新型工业化的核心要素，产业创新则为新型工业化提供支撑平台。"
OTHER = "走进生产车间，机械臂精准挥舞，智能系统实时监控，一派繁忙景象。"


def test_transforms_are_named_in_order_and_switchable():
    names = [name for name, _, _ in TRANSFORMS]
    assert names[:7] == ["stray_markup", "merge_headings", "dedupe", "semantic",
                         "join_lines", "spaces", "fix_punctuation"]
    assert dict((n, d) for n, d, _ in TRANSFORMS)["fix_punctuation"] is False
    for name, _, module in TRANSFORMS:  # the registry names each module's own NAME
        assert importlib.import_module(module).NAME == name


EVERYTHING = (f"## 标题\n\n### 标题\n\n本报讯（记者 张三）今天，\n天津港迎来新航线。\n\n"
              f"{PARA}\n\n{PARA}\n\n记者 张三\n\n左图 天津港。\n\n&lt;p\n\n"
              "中文\u00a0之间,还有半角.\n")


@pytest.mark.parametrize("name", [name for name, _, _ in TRANSFORMS])
def test_each_transform_reports_changes_and_can_be_switched(name):
    default = dict((n, d) for n, d, _ in TRANSFORMS)[name]
    _, on = clean(EVERYTHING, **{name: True})
    assert [c for c in on.changes if c["transform"] == name], name
    for change in on.changes:
        assert change["path"] == "t.md" and change["line"] > 0 and change["code"]
    _, off = clean(EVERYTHING, **{name: False})
    assert not [c for c in off.changes if c["transform"] == name]
    _, by_default = clean(EVERYTHING)
    assert bool([c for c in by_default.changes if c["transform"] == name]) is default


def test_dedupe_keeps_first_and_reports_each_removal():
    text = f"{PARA}\n\n{OTHER}\n\n记者 胡萌伟\n\n{PARA}\n\n{OTHER}\n\n记者 胡萌伟\n"
    blocks, context = clean(text)
    assert texts(blocks) == [PARA, OTHER, "记者 胡萌伟", "记者 胡萌伟"]
    removed = [(c["line"], c["detail"]) for c in context.changes if c["action"] == "removed"]
    assert removed == [(7, "repeats line 1"), (9, "repeats line 3")]
    warned = [d.code for d in context.reporter.diagnostics if d.severity == "warning"]
    assert warned == ["W102"]  # one report for the block of two


def test_dedupe_near_exact_and_off_switch():
    near = PARA.replace("，", ",").replace("。", ".").replace("要素", "要素 ")
    blocks, context = clean(f"{PARA}\n\n{near}\n")
    assert texts(blocks) == [PARA]
    assert context.changes[0]["detail"] == "nearly repeats line 1"
    blocks, context = clean(f"{PARA}\n\n{near}\n", dedupe=False)
    assert len(blocks) == 2 and not [c for c in context.changes if c["action"] == "removed"]


def test_short_repeated_lines_are_kept():
    blocks, _ = clean("短句重复。\n\n短句重复。\n\n左图 天津港。\n\n左图 天津港。\n")
    assert len(blocks) == 4


def test_repeated_heading_merged():
    blocks, context = clean(f"## 创新引领 行业首单频现\n\n### 创新引领 行业首单频现\n\n{PARA}\n")
    assert [(b.kind, b.level) for b in blocks] == [("heading", 2), ("paragraph", 0)]
    assert context.changes[0]["action"] == "merged" and context.changes[0]["line"] == 3
    blocks, _ = clean(f"## 标题\n\n### 标题\n\n{PARA}\n", merge_headings=False)
    assert len(blocks) == 3


def test_stray_markup_dropped_but_text_kept():
    blocks, context = clean(f"{PARA}\n\n&lt;p\n\n文中残留&lt;br 片段也保留。\n")
    assert texts(blocks) == [PARA, "文中残留<br 片段也保留。"]
    assert [(c["line"], c["code"]) for c in context.changes] == [(3, "W121")]
    assert len(clean(f"{PARA}\n\n&lt;p\n", stray_markup=False)[0]) == 2
    # a paragraph reading "<Enter>" names a key: it is not an HTML fragment
    assert texts(clean("&lt;Enter&gt;\n\n&lt;/div&gt;\n")[0]) == ["<Enter>"]


def test_bylines_captions_datelines_marked():
    text = ("本报讯（记者 张三）今天上午，天津港迎来新航线。\n\n新华社北京6月30日电\n\n"
            "记者 胡萌伟\n\n（记者 李四）\n\n文/王五\n\n左图 天津港。\n\n图为新航线首航。\n")
    blocks, context = clean(text)
    assert [b.kind for b in blocks] == ["paragraph", "dateline", "byline", "byline", "byline",
                                        "caption", "caption"]
    assert blocks[0].html.startswith('<p><span class="dateline">本报讯（记者 张三）</span>今天')
    assert blocks[1].html.startswith('<p class="dateline">')
    assert blocks[2].html.startswith('<p class="byline">记者 胡萌伟</p>')
    assert blocks[5].html.startswith('<figure class="caption-only"><figcaption class="caption">'
                                     '左图 天津港。</figcaption></figure>')
    assert texts(blocks) == [t for t in text.strip().split("\n\n")]
    assert len([c for c in context.changes if c["transform"] == "semantic"]) == 7


def semantic_cases() -> list[tuple[str, str, str]]:
    rows = (FIXTURES / "clean" / "semantic.tsv").read_text(encoding="utf-8").splitlines()
    return [tuple(row.split("\t")) for row in rows if row and not row.startswith("#")]


@pytest.mark.parametrize("text,kind,prefix", semantic_cases())
def test_semantic_lines_recognised(text, kind, prefix):
    assert (semantic_kind(text) or "-", dateline_prefix(text) or "-") == (kind, prefix)


def test_caption_joins_the_image_above():
    blocks, _ = clean("![港口](port.png)\n\n上图 天津港的夜景。\n")
    assert [b.kind for b in blocks] == ["figure"]
    assert re.match(r'<figure class="figure"><img [^>]*/><figcaption class="caption">上图 天津港的夜景。'
                    r'</figcaption></figure>', blocks[0].html)


def test_line_breaks_inside_chinese_joined():
    blocks, context = clean("风劲帆满海阔，\n奋楫潮头**逐浪**\n高。Hello\nworld 中文\n")
    assert blocks[0].text == "风劲帆满海阔，奋楫潮头逐浪高。Hello\nworld 中文"
    assert "\n" not in blocks[0].html.split("Hello")[0]
    assert "<strong>逐浪</strong>高" in blocks[0].html
    assert context.changes[0]["detail"] == "2 line break(s)"
    assert "\n" in clean("中文\n中文\n", join_lines=False)[0][0].text
    hard = clean("第一行\\\n第二行\n")[0][0]
    assert "<br />\n第二行" in hard.html


def test_spaces_by_rule():
    blocks, context = clean("\u3000\u3000段首缩进和中文\u00a0之间，中文\u3000之间，"
                            "English\u3000word，100\u00a0km。\n\n记者\u3000胡萌伟\n")
    assert blocks[0].text == "段首缩进和中文之间，中文之间，English word，100\u00a0km。"
    assert blocks[0].html == "<p>段首缩进和中文之间，中文之间，English word，100\u00a0km。</p>\n"
    assert "\u00a0之间" in context.changes[-2]["before"]
    assert (blocks[1].kind, blocks[1].text) == ("byline", "记者 胡萌伟")
    assert blocks[1].html == '<p class="byline">记者 胡萌伟</p>\n'
    assert len(clean("中文\u3000之间\n", spaces=False)[0][0].text) == 5


def test_fix_punctuation_is_opt_in():
    text = "天津,北京和上海.这是(中文)内容，版本 3.5 不变，`a,b` 也不变。\n"
    assert clean(text)[0][0].text == text.strip().replace("`", "")
    blocks, context = clean(text, fix_punctuation=True)
    assert blocks[0].text.startswith("天津，北京和上海。这是（中文）内容")
    assert "3.5" in blocks[0].text and "<code>a,b</code>" in blocks[0].html
    assert context.changes[-1]["transform"] == "fix_punctuation"


# --- the sample, built --------------------------------------------------------------

SENTENCE_END = re.compile(r"(?<=[。！？])|\n")


def sentences(text: str) -> list[str]:
    return [s.strip() for s in SENTENCE_END.split(text) if s.strip()]


def source_sentences() -> Counter:
    source = SourceFile(SAMPLE, SAMPLE.name, SAMPLE.read_text(encoding="utf-8"))
    blocks = parse_source(source, reporter=Reporter(quiet=True)).blocks
    # The lone "#" heading is the book title: it is on the title page, not in a chapter.
    return Counter(s for b in blocks[1:] for s in sentences(b.text))


@pytest.fixture(scope="module")
def report(sample_build) -> dict:
    return json.loads((sample_build / "tianjin-ebook.report.json").read_text(encoding="utf-8"))


def removed_sentences(report: dict) -> Counter:
    return Counter(s for c in report["changes"] if c["action"] in ("removed", "merged")
                   for s in sentences(c["text"]))


def test_sample_report_lists_every_removal(report):
    removed = [(c["line"], c["code"]) for c in report["changes"]
               if c["action"] in ("removed", "merged")]
    assert removed == [(49, "W102"), (51, "W102"), (53, "W102"), (99, "W111"),
                       (103, "W102"), (105, "W102"), (107, "W102"), (123, "W121")]
    marked = [(c["line"], c["kind"]) for c in report["changes"] if c["action"] == "marked"]
    assert marked == [(61, "byline"), (65, "caption"), (67, "caption"), (83, "byline")]
    assert {f["code"] for f in report["findings"]} == {"W102", "W111", "W121", "W202"}


def epub_sentences(path: Path) -> tuple[Counter, str]:
    found: Counter = Counter()
    markup = ""
    with zipfile.ZipFile(path) as epub:
        for name in sorted(n for n in epub.namelist() if re.search(r"/ch\d+\.xhtml$", n)):
            data = epub.read(name)
            markup += data.decode("utf-8")
            tree = etree.fromstring(data)
            for element in tree.iter("{*}p", "{*}h1", "{*}h2", "{*}h3", "{*}h4", "{*}figcaption"):
                found.update(sentences("".join(element.itertext())))
    return found, markup


def test_sample_epub_loses_nothing_else(sample_build, report):
    epub = sample_build / "tianjin-ebook.epub"
    assert_epubcheck_clean(epub)
    found, markup = epub_sentences(epub)
    assert found == source_sentences() - removed_sentences(report)
    assert "&lt;p" not in markup
    assert markup.count('<p class="byline">') == 2
    assert markup.count('<figcaption class="caption">') == 2


def pdf_text(path: Path) -> str:
    """The body text of every page: the running head (top) and the folio
    (bottom) are cropped off, so a paragraph broken across pages reads on."""
    import pdfplumber

    with pdfplumber.open(path) as pdf:
        return "".join(page.crop((0, page.height * 0.07, page.width, page.height * 0.91))
                       .extract_text() or "" for page in pdf.pages)


def test_sample_pdf_has_each_paragraph_once(sample_build, report):
    pdfs = [p for p in sample_build.glob("tianjin-booklet*.pdf") if "imposed" not in p.name]
    assert pdfs
    text = re.sub(r"\s+", "", pdf_text(pdfs[0]))
    expected = source_sentences() - removed_sentences(report)
    # Running heads repeat titles, so headings are checked for presence only;
    # sentences of body text must each be there exactly as often as in the book.
    missing = [s for s in expected if re.sub(r"\s+", "", s) not in text]
    assert missing == []
    for change in report["changes"]:
        if change["code"] in ("W101", "W102"):
            assert text.count(re.sub(r"\s+", "", change["text"])) == 1, change["line"]
    assert "<p" not in text


def test_build_with_cleanup_epub_is_epubcheck_clean(tmp_path):
    book = tmp_path / "news.md"
    book.write_text(
        "# 新闻\n\n## 第一篇\n\n本报讯（记者 张三）今天上午，\n天津港迎来新航线。\n\n"
        f"{PARA}\n\n{PARA}\n\n记者 张三\n\n左图 天津港。\n\n右图 新航线。\n\n&lt;p\n\n"
        "## 第二篇\n\n### 第二篇\n\n新华社北京6月30日电\n\n\u3000\u3000正文\u00a0内容。\n\n记者 张三\n",
        encoding="utf-8")
    out = tmp_path / "dist"
    result = run_cli("-q", "build", str(book), "-f", "epub", "-o", str(out))
    assert result.exit_code == 0, result.output
    epubs = list(out.glob("*.epub"))
    assert len(epubs) == 1
    assert_epubcheck_clean(epubs[0])
    reports = list(out.glob("*.report.json"))
    assert len(reports) == 1
    changes = json.loads(reports[0].read_text(encoding="utf-8"))["changes"]
    assert {c["transform"] for c in changes} == {"semantic", "dedupe", "stray_markup",
                                                 "merge_headings", "join_lines", "spaces"}


def test_build_strict_fails_on_repairs_and_says_so(tmp_path):
    out = tmp_path / "dist"
    result = run_cli("build", str(SAMPLE.parent.parent), "-f", "epub", "-e", "ebook",
                     "--strict", "-o", str(out))
    assert result.exit_code == 1
    assert "error[W102]" in result.output


def test_build_summary_on_stderr(tmp_path):
    out = tmp_path / "dist"
    result = run_cli("build", str(SAMPLE.parent.parent), "-f", "epub", "-e", "ebook",
                     "-o", str(out))
    assert result.exit_code == 0, result.output
    summary = [line for line in result.stderr.splitlines() if line.startswith("clean-up:")]
    assert summary == [f"clean-up: removed 1 stray markup block(s), merged 1 repeated heading(s), "
                       f"removed 6 repeated paragraph(s), marked 2 byline(s), 2 caption(s); "
                       f"5 lint finding(s) in the manuscript; report: "
                       f"{out / 'tianjin-ebook.report.json'}"]
    assert (out / "tianjin-ebook.report.json").exists()


# --- property: the clean-up only ever drops what it reports -------------------------

PIECES = [PARA, OTHER, "记者 胡萌伟", "左图 天津港。", "&lt;p", "## 标题", "### 标题",
          "本报讯（记者 张三）今天，\n天津港迎来新航线。", "中文\u00a0之间，\u3000还有。",
          "- 列表项一\n- 列表项二", "> 引用的一段话，内容足够长以便比较重复。",
          "```\n代码 代码\n代码\n```", "<div>\n\n", "</div>", "短句。"]


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.sampled_from(PIECES), min_size=1, max_size=12))
def test_only_reported_blocks_are_dropped(pieces):
    text = "\n\n".join(pieces) + "\n"
    source = SourceFile(Path("t.md"), "t.md", text)
    before = parse_source(source, reporter=Reporter(quiet=True)).blocks
    after, context = clean(text)
    dropped = {c["line"] for c in context.changes if c["action"] in ("removed", "merged")}
    kept = [b for b in before if b.loc.line not in dropped]
    assert _squash("".join(b.text for b in kept)) == _squash("".join(b.text for b in after))


def test_report_json_is_one_entry_per_line_and_round_trips():
    from book.clean.report import report_json

    data = {"version": 1, "book": "b", "edition": "e", "findings": [],
            "changes": [{"line": 1, "text": "一\n“二”"}, {"line": 2, "text": "三"}]}
    text = report_json(data)
    assert json.loads(text) == data and list(json.loads(text)) == list(data)
    lines = text.splitlines()
    assert sum('"line":' in line for line in lines) == 2  # one change per line
    assert '"text": "一\\n“二”"' in text  # readable, not \u-escaped
