"""Raw HTML in Markdown (issue 6): the allowlist in book/sanitize.py keeps what
books need, removes what is unsafe or loads anything, repairs broken markup,
and warns (code + file:line) for every change; the EPUB stays valid XHTML and
the PDF renders."""
from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from book.errors import Reporter
from book.read.parse import parse_source
from book.read.sanitize import sanitize_html
from book.read.sources import SourceFile
from tests.robust_support import assert_clean, build, epubcheck_many, write_project

# (raw HTML, must be in the output, must not be in the output, finding code or "")
CASES = [
    ("<ruby>漢<rp>(</rp><rt>kan</rt><rp>)</rp></ruby>", "<ruby>漢<rp>(</rp><rt>kan</rt>",
     "", ""),
    ("H<sub>2</sub>O x<sup>2</sup>", "<sub>2</sub>", "", ""),
    ('<span class="em">强调</span>', '<span class="em">', "", ""),
    ('<abbr title="World Health Organization">WHO</abbr>', 'title="World Health', "", ""),
    ("<mark>m</mark><small>s</small><del>d</del><ins>i</ins>", "<mark>m</mark>", "", ""),
    ("<script>alert(1)</script>after", "after", "alert", "H001"),
    ("<style>@import url(http://evil/x.css);</style>after", "after", "@import", "H001"),
    ('<iframe src="http://evil/"></iframe>', "", "iframe", "H001"),
    ('<object data="x.swf"></object><embed src="y.swf">', "", "swf", "H001"),
    ('<form action="http://evil/"><input name="q"></form>', "", "form", "H001"),
    ('<span onclick="steal()">t</span>', "<span>t</span>", "onclick", "H002"),
    ('<img src="x.png" onerror="steal()">', "", "onerror", "H002"),
    ('<span style="background:url(http://evil/t.png);color:red">t</span>',
     'style="color:red"', "url(", "H002"),
    ('<a href="javascript:alert(1)">j</a>', "<a>j</a>", "javascript", "H003"),
    ('<a href="JaVaScRiPt:alert(1)">j</a>', "<a>j</a>", "alert", "H003"),
    ('<a href="https://example.com/">w</a>', 'href="https://example.com/"', "", ""),
    ("<b>unclosed", "<b>unclosed</b>", "", "H004"),
    ("text</i> more", "text more", "</i>", "H004"),
    ("&bogus; &amp;", "&amp;bogus;", "", "H005"),
    ("null&#0;char", "null\ufffdchar", "&#0;", "H005"),
    ("lone&#xD800;surrogate", "lone\ufffdsurrogate", "", "H005"),
    ('<div id="x">a</div><div id="x">b</div>', "<div>a</div>", 'id="x"', "H002"),
    ('<img src="a.png" width="50%">', '<img src="a.png">', "50%", ""),
    ("<ul><p>x</p></ul>", "<ul><li><p>x</p></li></ul>", "", "H004"),
    ("<ol><li>a</li>tail</ol>", "<li>tail</li>", "", "H004"),
    ("a <rt>x</rt> b", "a x b", "<rt>", "H004"),
    ("<ruby>套</ruby>", "套", "<ruby>", "H004"),
    ("<dl><dd>d</dd></dl>", "<div><div>d</div></div>", "<dd>", "H004"),
    ("<figcaption>c</figcaption>", "c", "<figcaption>", "H004"),
    ('<time datetime="nope">t</time>', "t", "<time", "H001"),
]


@pytest.mark.parametrize("raw, kept, gone, code", CASES)
def test_sanitize(raw: str, kept: str, gone: str, code: str) -> None:
    html, findings = sanitize_html(raw)
    assert kept in html
    if gone:
        assert gone not in html
    if code:
        assert code in {f.code for f in findings}, findings
    else:
        assert not findings, findings


def test_markdown_output_passes_untouched() -> None:
    """What markdown-it renders itself (tables with alignment, footnote
    references, code classes) survives sanitising a block with raw HTML."""
    text = ("| a | b |\n|:--|--:|\n| <b>x</b> | y[^1] |\n\n"
            "```python\nprint('<b>')\n```\n\n[^1]: note <i>i</i>\n")
    reporter = Reporter(quiet=True)
    parsed = parse_source(SourceFile(Path("t.md"), "t.md", text), reporter=reporter)
    table = parsed.blocks[0].html
    assert 'style="text-align:right"' in table and 'id="fnref1"' in table
    assert 'role="doc-noteref"' in table and "<b>x</b>" in table
    assert not reporter.diagnostics, reporter.diagnostics


def test_warning_names_file_and_line() -> None:
    text = "# t\n\npara\n\nline one\nline <span onclick=x>two</span>\n"
    reporter = Reporter(quiet=True)
    parse_source(SourceFile(Path("c.md"), "c.md", text), reporter=reporter)
    assert [str(d.location) for d in reporter.diagnostics] == ["c.md:6:1"]
    assert reporter.diagnostics[0].code == "H002"


def test_text_of_raw_html_block_is_visible_text() -> None:
    text = '# t\n\n<div class="box"><script>x()</script>看得见</div>\n'
    parsed = parse_source(SourceFile(Path("c.md"), "c.md", text))
    assert parsed.blocks[1].text == "看得见"


HOSTILE = """# 原始 HTML

<script>document.write('x')</script>

正文 <span onclick="x()" style="position:fixed;color:#333">点我</span>，
<ruby>漢<rp>(</rp><rt>hàn</rt><rp>)</rp></ruby>字 &bogus; &#0; &#xD800; <b>未闭合

<div class="note"><p>块里的段落</div></i></em>

<table><tr><td colspan="2">表格</td></tr><tr><td>一</td><td>二</td></tr></table>

<figure><img src="http://example.com/x.png" alt="远程"><figcaption>图注</figcaption></figure>

<iframe src="https://example.com"></iframe><object data="x"></object><embed src="y">
<form><input value="x"></form><a href="javascript:alert(1)">坏链接</a>
<a href="https://example.com/">好链接</a> <abbr title="缩写">ABBR</abbr> H<sub>2</sub>O

<p>段落<table><td>错放的表格</table>

<svg><script>alert(1)</script><image href="http://evil/x.png"/></svg>

<span>行内 <div>块</div></span> <rt>孤立 rt</rt> <td>孤立 td</td> <tr><th>孤 th</th></tr>
<a href="https://a.example/">外 <a href="https://b.example/">内</a></a>
<em><p>em 里的段</p></em> <ruby><ruby>套</ruby></ruby> <time datetime="x">时</time>

<dl><dd>只有 dd</dd></dl> <ul><p>ul 里的 p</p></ul> <ol><span>ol 里的 span</span></ol>

- 列表 <figure><figcaption>图</figcaption></figure> 项
- <li>多余的 li</li> <b>未闭合

| a | b |
|---|---|
| <div>单元格块</div> | <p>p</p> <i>开 |

结尾段落。
"""


@pytest.fixture(scope="module")
def hostile(tmp_path_factory) -> Path:
    return write_project(tmp_path_factory.mktemp("hostile"), {"book.md": HOSTILE})


def test_hostile_html_epub_is_valid_and_safe(hostile: Path) -> None:
    result = build(hostile)
    assert result.exit_code == 0, result.stderr
    assert {"H001", "H002", "H003", "H004", "H005", "M001"} <= result.codes()
    assert_clean(epubcheck_many([result.epub])[result.epub])
    with zipfile.ZipFile(result.epub) as zf:
        xhtml = "".join(zf.read(n).decode() for n in zf.namelist() if n.endswith(".xhtml"))
    for bad in ("<script", "onclick", "javascript:", "<iframe", "<object", "<embed",
                "<form", "position:fixed", "http://example.com/x.png", "<svg"):
        assert bad not in xhtml
    for good in ("<ruby>漢", "块里的段落", "表格", "图注", "好链接", "结尾段落。", "错放的表格",
                 'href="https://example.com/"', "color:#333"):
        assert good in xhtml


def test_hostile_html_renders_in_pdf(hostile: Path) -> None:
    import pdfplumber

    result = build(hostile, fmt="pdf")
    assert result.exit_code == 0, result.stderr
    pdf = next((hostile / "dist").glob("*.pdf"))
    with pdfplumber.open(pdf) as doc:
        text = "".join(page.extract_text() or "" for page in doc.pages)
    assert "结尾段落" in text and "块里的段落" in text
