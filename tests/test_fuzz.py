"""Property-based fuzzing (issue 6): hypothesis writes Markdown mixing Han,
Latin, punctuation, headings, lists, quotes, tables, code, inline HTML (good
and hostile) and entities. Every manuscript must build, as an EPUB that
EPUBCheck passes and as a PDF that WeasyPrint renders, and the text of every
paragraph must survive into the EPUB.

Deterministic for CI: ``derandomize=True``, no example database, a bounded
number of examples; the EPUBs are checked together, in one Java start.
"""
from __future__ import annotations

import dataclasses
import re
import tempfile
import zipfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings, strategies as st

from tests.robust_support import assert_clean, build, epubcheck_many, write_project

EXAMPLES = 15

HAN = "中文排版标点行距字体书籍编码测试汉字繁體電腦漢語简体国家人民时间"
LATIN = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
PUNCT = "，。！？、；：“”‘’《》（）—…,.!?;:'\"()"


@dataclasses.dataclass
class Piece:
    """Some Markdown and the visible text it must produce."""

    source: str
    text: str


def word(alphabet: str, max_size: int = 6) -> st.SearchStrategy[str]:
    return st.text(alphabet, min_size=1, max_size=max_size)


plain = st.lists(st.one_of(word(HAN), word(LATIN), word("0123456789", 4), word(PUNCT, 2)),
                 min_size=1, max_size=5).map(lambda ws: Piece(" ".join(ws), " ".join(ws)))


def _wrap(before: str, after: str):
    return lambda p: Piece(f"{before}{p.source}{after}", p.text)


inline_html = st.one_of(
    word(HAN).map(lambda w: Piece(f'<span class="k">{w}</span>', w)),
    st.tuples(word(HAN, 2), word(LATIN, 5)).map(
        lambda t: Piece(f"<ruby>{t[0]}<rp>(</rp><rt>{t[1]}</rt><rp>)</rp></ruby>",
                        f"{t[0]}({t[1]})")),
    word("0123456789", 2).map(lambda w: Piece(f"x<sup>{w}</sup>", f"x{w}")),
    word(LATIN).map(lambda w: Piece(f"<abbr title=\"t\">{w}</abbr>", w)),
    word(HAN).map(lambda w: Piece(f"<b>{w}", w)),                      # unclosed
    word(HAN).map(lambda w: Piece(f"{w}</i>", w)),                     # stray end tag
    word(HAN).map(lambda w: Piece(f'<span onclick="x()" style="color:red">{w}</span>', w)),
    word(HAN).map(lambda w: Piece(f'<a href="javascript:alert(1)">{w}</a>', w)),
    st.just(Piece("<script>alert('x')</script>", "")),
    st.just(Piece('<iframe src="http://example.com/"></iframe>', "")),
    word(LATIN).map(lambda w: Piece(f'<img src="http://example.com/{w}.png" alt="{w}">', w)),
    word(HAN).map(lambda w: Piece(f"<div>{w}</div>", w)),               # block in a paragraph
    word(HAN).map(lambda w: Piece(f"<em><p>{w}</p></em>", w)),          # inline around block
    word(HAN).map(lambda w: Piece(f"<rt>{w}</rt>", w)),                 # ruby part alone
    word(HAN).map(lambda w: Piece(f"<ul><p>{w}</p></ul>", w)),          # list without items
    word(HAN).map(lambda w: Piece(f"<dl><dd>{w}</dd></dl>", w)),        # description, no term
    word(HAN).map(lambda w: Piece(f"<td>{w}</td>", w)),                 # cell outside a table
)

entity = st.sampled_from([
    Piece("&amp;", "&"), Piece("&copy;", "©"), Piece("&#x4E2D;", "中"), Piece("&#20013;", "中"),
    Piece("&#0;", "\ufffd"), Piece("&#xD800;", "\ufffd"), Piece("&bogus;", "&bogus;"),
    Piece("&nbsp;", "\u00a0"), Piece("&lt;", "<"),
])

inline = st.one_of(
    plain, plain, plain,
    plain.map(_wrap("*", "*")), plain.map(_wrap("**", "**")),
    word(LATIN + HAN).map(lambda w: Piece(f"`{w}`", w)),
    word(HAN).map(lambda w: Piece(f"[{w}](https://example.com/{len(w)})", w)),
    inline_html, entity,
)


def line(marker: str) -> st.SearchStrategy[Piece]:
    """One line of inline pieces, led by a unique marker word (so clean-up's
    dedupe never sees two equal paragraphs, and no line starts a list)."""
    return st.lists(inline, min_size=1, max_size=6).map(
        lambda ps: Piece(marker + " " + " ".join(p.source for p in ps),
                         marker + " " + " ".join(p.text for p in ps)))


@st.composite
def manuscripts(draw) -> tuple[str, list[str]]:
    """Markdown, and the texts (one per paragraph-like element) to find."""
    blocks, texts = [], []
    counter = iter(range(10_000))

    def marker() -> str:
        return f"U{next(counter)}x"

    for _ in range(draw(st.integers(2, 9))):
        kind = draw(st.sampled_from(["heading", "para", "para", "list", "olist", "quote",
                                     "table", "code", "html", "hr"]))
        if kind == "heading":
            p = draw(line(marker()))
            blocks.append("#" * draw(st.integers(1, 3)) + " " + p.source)
            texts.append(p.text)
        elif kind == "para":
            p = draw(line(marker()))
            blocks.append(p.source)
            texts.append(p.text)
        elif kind in ("list", "olist"):
            items = draw(st.lists(line(marker()), min_size=1, max_size=4))
            nested = draw(st.booleans())
            rows = []
            for n, item in enumerate(items, 1):
                bullet = "-" if kind == "list" else f"{n}."
                indent = "   " if nested and n > 1 else ""
                rows.append(f"{indent}{bullet} {item.source}")
                texts.append(item.text)
            blocks.append("\n".join(rows))
        elif kind == "quote":
            p = draw(line(marker()))
            blocks.append(">" * draw(st.integers(1, 3)) + " " + p.source)
            texts.append(p.text)
        elif kind == "table":
            cells = [draw(word(HAN + LATIN)) for _ in range(4)]
            mark = marker()
            blocks.append(f"| {mark} | {cells[0]} |\n|:--|--:|\n| {cells[1]} | {cells[2]} |")
            texts.extend([mark, cells[0], cells[1], cells[2]])
        elif kind == "code":
            code = draw(st.text(HAN + LATIN + "<>&\"' =;", min_size=1, max_size=30))
            blocks.append(f"```\n{code}\n```")
            texts.append(code)
        elif kind == "html":
            p = draw(line(marker()))
            wrapper = draw(st.sampled_from(['<div class="note">{}</div>',
                                            "<figure><figcaption>{}</figcaption></figure>",
                                            "<div><p>{}</div>", "<table><td>{}</table>"]))
            blocks.append(wrapper.format(p.text.replace("&", "&amp;").replace("<", "&lt;")))
            texts.append(p.text)
        else:
            blocks.append("---")
    return "\n\n".join(blocks) + "\n", texts


def letters(text: str) -> str:
    """Letters, digits and Han only: punctuation and spacing may be cleaned up."""
    return "".join(ch for ch in text if ch.isalnum())


def epub_text(epub: Path) -> str:
    with zipfile.ZipFile(epub) as zf:
        docs = [zf.read(n).decode("utf-8") for n in sorted(zf.namelist()) if n.endswith(".xhtml")]
    import html

    return html.unescape(re.sub(r"<[^>]+>", "", "".join(docs)))


def test_generated_manuscripts_build_valid_books(tmp_path_factory) -> None:
    root = tmp_path_factory.mktemp("fuzz")
    built: list[tuple[Path, str]] = []

    @settings(max_examples=EXAMPLES, derandomize=True, database=None, deadline=None,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
    @given(manuscripts())
    def one(example: tuple[str, list[str]]) -> None:
        source, texts = example
        project = write_project(Path(tempfile.mkdtemp(dir=root)), {"book.md": source})
        result = build(project, fmt="")  # every default edition: EPUB and PDF
        assert result.exit_code == 0, f"{result.stderr}\n--- manuscript:\n{source}"
        assert "renderer failed" not in result.stderr
        pdfs = list((project / "dist").glob("*.pdf"))
        assert len(pdfs) == 1 and pdfs[0].read_bytes().startswith(b"%PDF")
        found = letters(epub_text(result.epub))
        for text in texts:
            assert letters(text) in found, f"lost: {text!r}\n--- manuscript:\n{source}"
        built.append((result.epub, source))

    one()
    reports = epubcheck_many([epub for epub, _ in built])
    for epub, source in built:
        try:
            assert_clean(reports[epub])
        except AssertionError as exc:
            raise AssertionError(f"{exc}\n--- manuscript:\n{source}") from None
