"""Hostile or broken manuscripts (issue 6): encodings, line ends, control
characters, empty and degenerate books, huge and deeply nested input.

Each case builds in-process (an unexpected exception — a traceback for the
user — fails the test) and ends either in an EPUB that EPUBCheck passes, with
the expected warning naming file:line, or in a one-line error naming the file,
with exit status 1 or 2. All EPUBs are checked with one Java start.
"""
from __future__ import annotations

import dataclasses
import zipfile
from pathlib import Path

import pytest

from tests.helpers import run_book
from tests.robust_support import Built, assert_clean, build, epubcheck_many, write_project

HAN = "中文排版需要认真对待标点、行距和字体。"
GB_TEXT = f"# 第一章 编码\n\n{HAN * 4}\n\n这是用国标编码保存的文件，常见于旧的中文文本。\n"


@dataclasses.dataclass
class Case:
    """A manuscript, what must happen, and what the EPUB must then contain."""

    files: dict[str, str | bytes]
    exit_code: int = 0
    codes: tuple[str, ...] = ()          # diagnostic codes that must be printed
    error: tuple[str, ...] = ()          # substrings of the one-line error
    contains: tuple[str, ...] = ()       # text that must be in the EPUB's XHTML
    toml: str | None = None


def _nested_quotes(depth: int) -> str:
    return "> " * depth + "最深处的引文 deepest quote\n\nafter the quote\n"


def _nested_list(depth: int) -> str:
    lines = [f"{'  ' * i}- item{i}" for i in range(depth)]
    return "\n".join(lines) + "\n\nafter the list\n"


def _many_headings(chapters: int, sections: int) -> str:
    parts = []
    for c in range(chapters):
        parts.append(f"# 第{c + 1}章\n\n章首段落 {c}。\n")
        parts.extend(f"## 节 {c}.{s}\n\n文字 {c}.{s}。\n" for s in range(sections))
    return "\n".join(parts)


CASES: dict[str, Case] = {
    "utf8": Case({"book.md": f"# 标题\n\n{HAN}\n"}, contains=(HAN,)),
    "utf8-bom": Case({"book.md": "\ufeff# 带BOM的标题\n\n正文。\n".encode("utf-8")},
                     contains=("<h1 class=\"chapter-title\">带BOM的标题</h1>",)),
    "crlf": Case({"book.md": "# 标题\r\n\r\n第一段。\r\n\r\n第二段。\r\n".encode()},
                 contains=("<p>第一段。</p>", "<p>第二段。</p>")),
    "cr": Case({"book.md": "# 标题\r\r第一段。\r\r第二段。\r".encode()},
               contains=("<p>第一段。</p>", "<p>第二段。</p>")),
    "utf16-le": Case({"book.md": "# 标题\r\n\r\n小端序。\r\n".encode("utf-16")},
                     contains=("小端序。",)),
    "utf16-be": Case({"book.md": b"\xfe\xff" + "# 标题\n\n大端序。\n".encode("utf-16-be")},
                     contains=("大端序。",)),
    "gb18030-detected": Case({"book.md": GB_TEXT.encode("gb18030")}, codes=("R001",),
                             contains=("这是用国标编码保存的文件",)),
    "gb18030-configured": Case({"book.md": GB_TEXT.encode("gb18030")},
                               toml='title = "GB"\nencoding = "gb18030"\n',
                               contains=("这是用国标编码保存的文件",)),
    "wrong-encoding-configured": Case(
        {"book.md": GB_TEXT.encode("gb18030")}, toml='title = "GB"\nencoding = "utf-8"\n',
        exit_code=1, error=("book.md", "cannot decode as utf-8", "encoding")),
    "unknown-encoding-configured": Case(
        {"book.md": "# t\n\nx\n"}, toml='title = "T"\nencoding = "klingon"\n',
        exit_code=1, error=("book.md", "unknown encoding 'klingon'")),
    "binary-nul": Case({"book.md": b"# t\n\x00\x01\x02\xff"}, exit_code=1,
                       error=("book.md", "binary file (NUL bytes)")),
    "broken-utf16": Case({"book.md": b"\xff\xfe#\x00 "}, exit_code=1,
                         error=("book.md", "cannot decode as utf-16")),
    "control-chars": Case({"book.md": "# 标题\n\n第一段\x0c。\n\n坏\x01字符\x1b。\n"},
                          codes=("R002",), contains=("坏字符。",)),
    "empty": Case({"book.md": ""}, exit_code=1, codes=("R003",),
                  error=("book.md", "the manuscript is empty")),
    "whitespace-only": Case({"book.md": " \n\t\n\u3000\n  \n"}, exit_code=1,
                            error=("book.md", "the manuscript is empty")),
    "no-headings": Case({"散文集.md": f"{HAN}\n\n第二段。\n"},
                        contains=("散文集", HAN, "第二段。")),
    "headings-only": Case({"book.md": "# 一\n## 一点一\n# 二\n### 深\n# 三\n"},
                          contains=("一点一", "深")),
    "thousands-of-headings": Case({"book.md": _many_headings(100, 20)},
                                  contains=("节 99.19", "文字 42.7。")),
    "nested-quotes-500": Case({"book.md": "# 深\n\n" + _nested_quotes(500)},
                              codes=("P001",), contains=("最深处的引文", "after the quote")),
    "nested-lists-300": Case({"book.md": "# 深\n\n" + _nested_list(300)},
                             codes=("P001",), contains=("item299", "after the list")),
    "nested-raw-html-2000": Case({"book.md": "# 深\n\n" + "<div>" * 2000 + "核心文字"},
                                 codes=("H006",), contains=("核心文字",)),
    "rule-not-front-matter": Case({"book.md": "---\n\n```\n代码甲\n```\n\n---\n\n# 章\n\n文。\n"},
                                  codes=("P002",), contains=("代码甲",)),
    "one-mb-paragraph": Case({"book.md": "# 长段\n\n" + ("长" * 1000 + "long ") * 200},
                             contains=("长长长long",)),
}


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> dict[str, tuple[Built, dict]]:
    """Build every case once, then EPUBCheck all the EPUBs in one JVM."""
    results = {}
    for name, case in CASES.items():
        root = write_project(tmp_path_factory.mktemp(name), case.files, case.toml)
        results[name] = build(root)
    checks = epubcheck_many([r.epub for r in results.values() if r.epubs])
    return {name: (r, checks.get(r.epubs[0]) if r.epubs else {}) for name, r in results.items()}


def _xhtml(epub: Path) -> str:
    with zipfile.ZipFile(epub) as zf:
        return "\n".join(zf.read(n).decode("utf-8") for n in zf.namelist()
                         if n.endswith(".xhtml"))


@pytest.mark.parametrize("name", list(CASES))
def test_case(name: str, built) -> None:
    case = CASES[name]
    result, check = built[name]
    assert result.exit_code == case.exit_code, result.stderr
    assert "Traceback" not in result.stderr
    assert "internal error" not in result.stderr and "renderer failed" not in result.stderr
    for code in case.codes:
        assert code in result.codes(), result.stderr
    if case.exit_code:
        errors = [line for line in result.stderr.splitlines() if line.startswith("Error:")]
        assert len(errors) == 1, result.stderr
        for part in case.error:
            assert part in errors[0]
        assert not result.epubs
        return
    assert_clean(check)
    xhtml = _xhtml(result.epub)
    for text in case.contains:
        assert text in xhtml
    assert "\r" not in xhtml and "\ufeff" not in xhtml


def test_warnings_name_file_and_line(built) -> None:
    """Located findings print as path:line:col."""
    stderr = built["control-chars"][0].stderr
    assert "book.md:3:4: warning[R002]" in stderr, stderr
    assert "book.md:3:1: warning[P001]" in built["nested-quotes-500"][0].stderr


def test_gb18030_hint_names_the_setting(built) -> None:
    stderr = built["gb18030-detected"][0].stderr
    assert 'encoding = "gb18030"' in stderr and "book.md" in stderr


@pytest.mark.parametrize("data, exit_code, text", [
    (b"\x00\x00binary", 1, "binary file"),
    (b"", 1, "the manuscript is empty"),
])
def test_real_process_prints_one_line(tmp_path: Path, data: bytes, exit_code: int,
                                      text: str) -> None:
    """As a real process: the status and a single line, never a traceback."""
    write_project(tmp_path, {"book.md": data})
    proc = run_book("build", str(tmp_path), "-f", "epub")
    assert proc.returncode == exit_code
    assert "Traceback" not in proc.stderr
    errors = [line for line in proc.stderr.splitlines() if line.startswith("Error:")]
    assert len(errors) == 1 and text in errors[0] and "book.md" in errors[0], proc.stderr


def ten_megabytes() -> bytes:
    """About 10 MB of varied Markdown: chapters, sections, unique paragraphs."""
    parts, size, n = [], 0, 0
    while size < 10_000_000:
        if n % 600 == 0:
            parts.append(f"# 第{n // 600 + 1}章\n\n")
        elif n % 40 == 0:
            parts.append(f"## 第{n // 40}节\n\n")
        paragraph = f"第{n}段：{HAN * 6} Latin text {n} with *emphasis*.\n\n"
        parts.append(paragraph)
        size += len(paragraph.encode("utf-8"))
        n += 1
    return "".join(parts).encode("utf-8")


def test_ten_megabyte_manuscript(tmp_path: Path) -> None:
    """10 MB of Markdown builds an EPUB (EPUB only: a 5,000-page PDF is not
    a robustness question); the last paragraph is in it."""
    data = ten_megabytes()
    write_project(tmp_path, {"big.md": data})
    result = build(tmp_path)
    assert result.exit_code == 0, result.stderr[-2000:]
    last = data.decode("utf-8").rstrip().rsplit("\n\n", 1)[-1].split("：")[0]
    with zipfile.ZipFile(result.epub) as zf:
        assert zf.testzip() is None
        assert any(last.encode() in zf.read(n) for n in zf.namelist() if n.endswith(".xhtml"))


def test_undetectable_encoding_names_the_setting(monkeypatch) -> None:
    """When charset-normalizer finds nothing, the error names the file and
    the book.toml setting that fixes it."""
    import charset_normalizer

    from book.errors import BuildError, Reporter
    from book.read.sources import decode

    class Nothing:
        def best(self):
            return None

    monkeypatch.setattr(charset_normalizer, "from_bytes", lambda data: Nothing())
    with pytest.raises(BuildError) as caught:
        decode("中文".encode("gb18030"), "notes.md", Reporter(quiet=True))
    message = str(caught.value)
    assert message.startswith("notes.md: cannot decode") and 'encoding = "gb18030"' in message
