"""The typesetting engine, judged on the PDFs it produces (glyph positions read
back with pdfplumber): justification, a clean text layer, punctuation
compression per style, Han–Latin spacing, line breaking; and the guard that
fails when a WeasyPrint upgrade changes the internals we extend."""
from __future__ import annotations

import inspect
import io
import statistics
from pathlib import Path

import pytest

from book.errors import BuildError
from book.preflight import Frame, pair_width, preflight
from book.typeset import Settings, add_break_hints, check_weasyprint, installed
from book.typeset.breaks import hint_text
from book.text.chars import halted, is_han, is_latin
from tests.helpers import FIXTURES, REPO, SAMPLE
from tests.typeset_support import (bad_breaks, body_lines, body_text, build, han_space_han,
                                   pdftotext, read, source_paragraphs)

TYPESET = FIXTURES / "typeset"
TECHBOOK = FIXTURES / "techbook"
STYLES = ("quanjiao", "kaiming", "banjiao", "taiwan")


@pytest.fixture(scope="module")
def typeset_pdfs(tmp_path_factory) -> Path:
    return build(TYPESET, tmp_path_factory.mktemp("typeset"))


@pytest.fixture(scope="module")
def techbook_pdf(tmp_path_factory) -> Path:
    out = build(TECHBOOK, tmp_path_factory.mktemp("techbook"), "-f", "pdf")
    return next(out.glob("*.pdf"))


@pytest.fixture(scope="module")
def sample_report(sample_build):
    return read(sample_build / "tianjin-booklet.pdf", REPO)


# --- the guard against WeasyPrint upgrades ----------------------------------

def test_weasyprint_internals_are_the_ones_we_extend():
    import weasyprint
    from weasyprint.layout import inline
    from weasyprint.text import line_break

    assert weasyprint.__version__.startswith("70."), weasyprint.__version__
    assert list(inspect.signature(inline.text_align).parameters) == [
        "context", "line", "available_width", "last"]
    assert list(inspect.signature(line_break.Layout.set_text).parameters) == [
        "self", "text", "justify"]
    assert list(inspect.signature(inline.split_first_line).parameters) == [
        "text", "style", "context", "max_width", "justification_spacing", "is_line_start",
        "minimum"]
    check_weasyprint()  # must not raise


def test_other_weasyprint_versions_are_refused(monkeypatch):
    import weasyprint

    monkeypatch.setattr(weasyprint, "__version__", "71.0")
    with pytest.raises(BuildError, match="WeasyPrint 71.0"):
        with installed(Settings()):
            pass


def test_changed_internals_are_refused(monkeypatch):
    from weasyprint.layout import inline

    monkeypatch.setattr(inline, "text_align", lambda context, line, available_width: 0)
    with pytest.raises(BuildError, match="text_align changed"):
        check_weasyprint()


def test_patch_is_scoped_and_restored():
    from weasyprint.layout import inline
    from weasyprint.text import line_break

    before = (inline.text_align, line_break.Layout.set_text, line_break.Layout.get_first_line)
    with pytest.raises(RuntimeError):
        with installed(Settings()):
            assert inline.text_align is not before[0]
            raise RuntimeError("render failed")
    assert (inline.text_align, line_break.Layout.set_text,
            line_break.Layout.get_first_line) == before


def _render(html: str, settings: Settings | None) -> bytes:
    from weasyprint import HTML

    page = ("<style>@page { size: 200pt 400pt; margin: 20pt }"
            "body { margin: 0 } p { font: 10pt 'Noto Serif CJK SC'; text-align: justify;"
            " margin: 0 }</style>")
    if settings is None:
        return HTML(string=page + html).write_pdf()
    with installed(settings):
        return HTML(string=page + html).write_pdf()


def test_a_justified_han_line_is_flush():
    """The end-to-end check of the extension: plain WeasyPrint leaves this
    paragraph ragged (the measure is not a whole number of characters), ours
    sets every line but the last flush with the right edge."""
    text = "风劲帆满海阔，奋楫潮头逐浪高。当新质生产力的浪潮奔涌而来，天津始终深刻把握时代发展趋势。" * 2
    html = f'<p lang="zh-Hans" style="width: 155pt">{text}</p>'
    frame = Frame((20.0, 175.0), (20.0, 175.0))  # 15.5 characters wide
    plain = preflight(io.BytesIO(_render(html, None)), "plain.pdf", frame)
    ours = preflight(io.BytesIO(_render(html, Settings())), "ours.pdf", frame)
    assert plain.justified >= 5 and plain.ragged == plain.justified
    assert ours.justified == plain.justified and ours.ragged == 0


# --- the sample --------------------------------------------------------------

def test_sample_every_justified_line_is_flush(sample_report):
    assert sample_report.justified >= 80
    ragged = [str(d) for d in sample_report.diagnostics if d.code in ("P301", "P303")]
    assert ragged == []


@pytest.mark.parametrize("name", ["tianjin-traditional.pdf", "tianjin-large-print.pdf"])
def test_other_sample_editions_are_flush_too(sample_build, name):
    # The traditional edition sets centred (taiwan) marks: a line-end mark is
    # never halved there, since its box would then hang a quarter em out.
    report = read(sample_build / name, REPO)
    assert report.justified >= 80
    assert [str(d) for d in report.diagnostics if d.code in ("P301", "P302", "P303")] == []


def test_sample_has_no_kinsoku_breach(sample_report):
    assert [str(d) for d in sample_report.diagnostics if d.code == "P302"] == []


def test_sample_mark_pairs_are_compressed(sample_report):
    pairs = sample_report.pair_widths
    assert len(pairs) >= 10
    assert statistics.mean(pairs) <= 1.5 + 0.01
    assert max(pairs) <= 1.6


def test_sample_han_latin_gap_is_a_quarter_em(sample_report):
    gaps = sample_report.hanlatin_gaps
    assert len(gaps) >= 20
    assert all(abs(gap - 0.25) <= 0.05 for gap in gaps), sorted(gaps)[:3] + sorted(gaps)[-3:]


def test_sample_gaps_between_han_stay_under_a_tenth_em(sample_report):
    assert max(sample_report.han_gaps) < 0.1


def test_sample_text_layer_equals_the_manuscript(sample_build, sample_report):
    text, everything = body_text(sample_report), body_text(sample_report, body=False)
    paragraphs = [p for p in source_paragraphs([SAMPLE]) if len(p) > 30]
    assert len(paragraphs) >= 20
    # Captions are set apart (another face): they need only be there, whole.
    missing = [p[:20] for p in paragraphs if "".join(p.split()) not in text
               and "".join(p.split()) not in everything]
    assert missing == []
    # pdftotext must not read a justification gap as a space (in body text:
    # a letter-spaced display title is the designer's choice).
    extracted = han_space_han(body_lines(pdftotext(sample_build / "tianjin-booklet.pdf"),
                                         text))
    assert extracted <= han_space_han(SAMPLE.read_text(encoding="utf-8"))


def test_sample_has_no_lone_last_character(sample_report):
    assert [str(d) for d in sample_report.diagnostics if d.code == "P305"] == []


def test_generated_manuscript_holds_the_rules(tmp_path):
    """20 pages of dense mixed text (benchmarks/manuscript.py): every line
    flush, no breach, gaps between Han under 0.1 em but for rare loose lines."""
    from benchmarks.manuscript import write_manuscript

    source = write_manuscript(tmp_path / "src", 20)
    pdf = next(build(source, tmp_path / "out", "-f", "pdf").glob("*.pdf"))
    report = read(pdf, source)
    assert report.justified >= 300
    assert [str(d) for d in report.diagnostics if d.code in ("P301", "P302", "P303")] == []
    wide = [gap for gap in report.han_gaps if gap >= 0.1]
    assert len(wide) <= 0.01 * len(report.han_gaps)
    assert min(report.han_gaps) > -0.1


def test_sample_breaks_no_word_and_no_dash(sample_report):
    assert bad_breaks(sample_report, source_paragraphs([SAMPLE])) == []


# --- the technical book: Latin words, code, lists, tables ----------------------

def test_techbook_lines_flush_and_text_intact(techbook_pdf):
    report = read(techbook_pdf, TECHBOOK)
    assert report.justified >= 5
    assert [str(d) for d in report.diagnostics if d.code in ("P301", "P302", "P303")] == []
    sources = sorted(TECHBOOK.glob("*.md"))
    text = body_text(report)
    paragraphs = [p for p in source_paragraphs(sources) if len(p) > 20]
    assert len(paragraphs) >= 5
    everything = body_text(report, body=False)  # a line mostly of code is not body text
    assert [p[:20] for p in paragraphs if "".join(p.split()) not in text
            and "".join(p.split()) not in everything] == []
    assert bad_breaks(report, source_paragraphs(sources)) == []
    assert han_space_han(body_lines(pdftotext(techbook_pdf), text)) <= han_space_han(
        "\n".join(source_paragraphs(sources)))


def test_techbook_autospace_not_added_where_the_source_has_a_space(techbook_pdf):
    report = read(techbook_pdf, TECHBOOK)
    # "用 Python 3.11 处理": the space glyph is there, no ¼ em before it (after
    # it, justification may widen the space itself).
    seen = 0
    for line in (line for line in report.lines if line.body):
        chars = line.chars
        for a, b in zip(chars, chars[1:]):
            if b.text == " " and (is_han(a.text) or is_latin(a.text)):
                seen += 1
                assert b.x0 - a.x1 < 0.02 * a.size, line.text
    assert seen >= 5


def test_techbook_footnote_marks_hug_their_word(techbook_pdf):
    """<sup><a>1</a></sup> after Han: raised text gets no Han–Latin space."""
    report = read(techbook_pdf, TECHBOOK)
    seen = 0
    for line in (line for line in report.lines if line.body):
        for a, b in zip(line.chars, line.chars[1:]):
            if is_han(a.text) and b.size < 0.9 * a.size and b.text.isdigit():
                seen += 1
                assert b.x0 - a.x1 < 0.05 * a.size, line.text
    assert seen >= 1


# --- punctuation styles --------------------------------------------------------

def _pair_width(report, pair: str) -> list[float]:
    """Widths (em) of every occurrence of the two marks ``pair`` in body lines."""
    return [pair_width(line.chars, n) for line in report.lines
            for n in range(len(line.chars) - 1)
            if line.chars[n].text + line.chars[n + 1].text == pair]


@pytest.mark.parametrize("style, expected", [
    # (，“ comma-quote, 。” stop-quote) as each style sets them.
    ("quanjiao", {"，“": 1.5, "。”": 1.5}),
    ("kaiming", {"，“": 1.0, "。”": 1.5}),
    ("banjiao", {"，“": 1.0, "。”": 1.0}),
    ("taiwan", {"，“": 2.0, "。”": 2.0}),
])
def test_punctuation_style_sets_its_pair_widths(typeset_pdfs, style, expected):
    report = read(typeset_pdfs / f"typeset-{style}.pdf", TYPESET)
    for pair, width in expected.items():
        widths = _pair_width(report, pair)
        assert widths, f"no {pair} found in the {style} PDF"
        # Justification may add a hair after a mark (never 0.1 em); the PDF's
        # integer kerning may start a shifted mark 0.02 em early.
        assert all(width - 0.02 <= w <= width + 0.1 for w in widths), (pair, widths)


@pytest.mark.parametrize("style", STYLES)
def test_every_style_is_flush_and_keeps_kinsoku(typeset_pdfs, style):
    report = read(typeset_pdfs / f"typeset-{style}.pdf", TYPESET)
    assert report.justified >= 10
    assert [str(d) for d in report.diagnostics if d.code in ("P301", "P302", "P303")] == []
    assert bad_breaks(report, source_paragraphs([TYPESET / "text.md"])) == []


def test_autospace_zero_turns_han_latin_spacing_off(typeset_pdfs):
    spaced = read(typeset_pdfs / "typeset-quanjiao.pdf", TYPESET).hanlatin_gaps
    off = read(typeset_pdfs / "typeset-nospace.pdf", TYPESET).hanlatin_gaps
    assert spaced and off
    # A line too loose to stretch between Han (0.08 em at most) widens its
    # spaces and Han–Latin gaps instead: never narrower than ¼ em, though.
    assert all(gap >= 0.2 for gap in spaced)
    assert sum(abs(gap - 0.25) <= 0.05 for gap in spaced) >= 0.8 * len(spaced)
    assert all(abs(gap) <= 0.01 for gap in off)


def test_halted_marks_follow_clreq_pairs():
    assert halted("好。”我", "quanjiao") == {1}
    assert halted("了，“一", "quanjiao") == {1}
    assert halted("（“", "quanjiao") == {1}  # opening-opening: the second
    assert halted("“”", "quanjiao") == set()  # glyphs face each other: no blank
    assert halted("好。”，", "kaiming") == {2, 3}
    assert halted("好。”", "banjiao") == {1, 2}
    assert halted("好。”", "taiwan") == set()


# --- break hints and reproducibility -------------------------------------------

def test_break_hints_sit_beside_quotes_but_not_at_kinsoku_positions():
    assert hint_text("道——“也许”随后") == "道——\u200b“也许”\u200b随后"
    assert hint_text("（“书”）") == "（“书”）"  # never after an opening mark
    assert hint_text("说“好”，") == "说\u200b“好”，"  # never before a comma
    html = '<h2>“题”目</h2><p>说“好”了</p><pre>a“b”c</pre>'
    assert add_break_hints(html) == '<h2>“题”目</h2><p>说\u200b“好”\u200b了</p><pre>a“b”c</pre>'


def test_break_hints_never_reach_the_pdf_text(typeset_pdfs):
    text = pdftotext(typeset_pdfs / "typeset-quanjiao.pdf")
    assert "“" in text and "\u200b" not in text


def test_typeset_pdf_is_byte_reproducible(typeset_pdfs, tmp_path):
    again = build(TYPESET, tmp_path, "-e", "kaiming")
    assert (again / "typeset-kaiming.pdf").read_bytes() == (
        typeset_pdfs / "typeset-kaiming.pdf").read_bytes()


def test_odd_content_renders_and_stays_flush():
    """Inline images, code, emphasis, links, right-to-left text, letter-spacing
    (left to WeasyPrint), table cells and preformatted text go through the
    engine without harm; the Chinese paragraphs around them stay flush."""
    pixel = ("data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR4"
             "nGNgYGD4DwABBAEAwS2OUAAAAABJRU5ErkJggg==")
    text = "风劲帆满海阔，奋楫潮头逐浪高。当新质生产力的浪潮奔涌而来，天津始终深刻把握时代发展趋势。"
    spaced = "天开高教科创园无疑是浓墨重彩的一笔，标志着我市在人工智能垂直应用领域迈出关键一步。"
    html = (f'<div lang="zh-Hans" style="width: 155pt"><p>{text[:20]}<img src="{pixel}" '
            f'style="width: 8pt">{text[20:]}<code>print("x")</code><em>{text[:9]}</em>'
            f'<a href="#x">{text[9:30]}</a>{text}</p>'
            f'<p style="letter-spacing: 0.05em; text-indent: 2em">{spaced}</p>'
            f'<p dir="rtl" lang="ar">مرحبا بالعالم مرحبا بالعالم مرحبا بالعالم مرحبا</p>'
            f'<table><tr><td style="text-align: justify">{text}</td></tr></table>'
            f'<pre>  {text[:10]}\n  x = 1</pre><p style="text-indent: 2em">{text * 2}</p></div>')
    data = _render(html, Settings(punctuation="banjiao"))
    report = preflight(io.BytesIO(data), "odd.pdf", Frame((20.0, 175.0), (20.0, 175.0)))
    assert report.justified >= 8
    ragged = [d.message for d in report.diagnostics if d.code == "P301"]
    # Only the letter-spaced paragraph (WeasyPrint's own justification) is ragged.
    assert all(any(piece in message for piece in (spaced[i:i + 4] for i in range(0, 40, 2)))
               for message in ragged), ragged
    assert 'print("x")' in pdftotext_bytes(data)


def pdftotext_bytes(data: bytes) -> str:
    import subprocess

    return subprocess.run(["pdftotext", "-", "-"], input=data, capture_output=True,
                          check=True).stdout.decode()
