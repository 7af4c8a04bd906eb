"""The build's two-process preflight (``book.preflight_split``), split after
the PDF is written or started while it is written, reports exactly what the
one-process ``preflight`` reports, and falls back to it whenever the split
cannot be trusted."""
from __future__ import annotations

import io
import os

import pytest

from book import preflight as serial
from book import preflight_split
from book.preflight import Frame, preflight
from tests.test_pdfglyphs import simple_font_pdf
from tests.test_preflight import FRAME, STYLE, TEXT


def outcome(report) -> tuple:
    return (report.summary(),
            [(d.code, d.message, str(d.location)) for d in report.diagnostics],
            report.justified, report.ragged, report.pair_widths, report.hanlatin_gaps,
            report.han_gaps,
            [(l.page, l.text, l.body, l.last, l.right, l.baseline, l.size, l.font, l.x0, l.x1)
             for l in report.lines])


@pytest.fixture(scope="module")
def plain_html() -> str:
    """Several pages for plain WeasyPrint: ragged lines, headings, findings
    on every part of the document."""
    body = "".join(f"<h2>第{n}节 Section {n}</h2>" + f"<p>{TEXT * 3}</p>" * 3
                   + "<p>天津（Tianjin）“新质生产力”，2024年。</p>" for n in range(12))
    return f'<html lang="zh-Hans">{STYLE}<body>{body}</body></html>'


@pytest.fixture(scope="module")
def plain_pdf(plain_html) -> bytes:
    from weasyprint import HTML

    return HTML(string=plain_html).write_pdf()


def test_split_pays_off_on_a_long_pdf(plain_pdf):
    # The test below would pass trivially if the split always fell back.
    lines = preflight_split._split_lines(plain_pdf, min_pages=2)
    assert lines is not None and {line.page for line in lines} == set(
        range(1, 1 + max(line.page for line in lines)))
    assert max(line.page for line in lines) >= 6


@pytest.mark.parametrize("frame", [FRAME, None])
def test_same_report_as_one_process(plain_pdf, frame):
    expected = preflight(io.BytesIO(plain_pdf), "t.pdf", frame)
    assert any(d.code == "P301" for d in expected.diagnostics)
    got = preflight_split.preflight_pdf(plain_pdf, "t.pdf", frame, min_pages=2)
    assert outcome(got) == outcome(expected)


@pytest.mark.parametrize("name", ["tianjin-booklet.pdf", "tianjin-traditional.pdf",
                                  "tianjin-booklet-imposed.pdf"])
def test_same_report_on_the_sample(sample_build, name):
    data = (sample_build / name).read_bytes()
    frame = Frame((60.0, 380.0), (50.0, 370.0))
    expected = preflight(io.BytesIO(data), name, frame)
    assert outcome(preflight_split.preflight_pdf(data, name, frame, min_pages=2)) == \
        outcome(expected)


def test_unsupported_pdf_falls_back_to_pdfplumber():
    data = simple_font_pdf()
    assert preflight_split.preflight_pdf(data, "s.pdf", None, min_pages=1).summary() == \
        preflight(io.BytesIO(data), "s.pdf", None).summary()


def test_a_failing_child_falls_back(plain_pdf, monkeypatch):
    parent = os.getpid()
    summarise = serial.Line.summarise

    def fail_in_child(self):
        if os.getpid() != parent:
            raise RuntimeError("child broken")
        return summarise(self)

    monkeypatch.setattr(serial.Line, "summarise", fail_in_child)
    assert preflight_split._split_lines(plain_pdf, min_pages=2) is None
    expected = preflight(io.BytesIO(plain_pdf), "t.pdf", FRAME)
    assert outcome(preflight_split.preflight_pdf(plain_pdf, "t.pdf", FRAME, min_pages=2)) == \
        outcome(expected)


def early_report(html: str, min_pages: int = 2, frame=FRAME):
    """The PDF of ``html`` written with an ``EarlyPreflight`` started from
    its finisher, as the build does; (its report, the PDF)."""
    from weasyprint import HTML

    early = preflight_split.EarlyPreflight(min_pages)
    try:
        data = HTML(string=html).write_pdf(finisher=early.start)
        started = early._child is not None
        return early.report(data, "t.pdf", frame), data, started
    finally:
        early.close()


@pytest.mark.parametrize("frame", [FRAME, None])
def test_early_preflight_gives_the_same_report(plain_html, frame):
    # The child reads WeasyPrint's PDF object before it is compressed and
    # written; the parent reads the written file: one report, as if serial.
    report, data, started = early_report(plain_html, frame=frame)
    assert started
    expected = preflight(io.BytesIO(data), "t.pdf", frame)
    assert any(d.code == "P301" for d in expected.diagnostics)
    assert outcome(report) == outcome(expected)


def test_early_preflight_on_a_short_pdf_is_not_forked(plain_html):
    report, data, started = early_report(plain_html, min_pages=1000)
    assert not started
    assert outcome(report) == outcome(preflight(io.BytesIO(data), "t.pdf", FRAME))


def test_early_preflight_with_a_failing_child_falls_back(plain_html, monkeypatch):
    parent = os.getpid()
    summarise = serial.Line.summarise

    def fail_in_child(self):
        if os.getpid() != parent:
            os._exit(3)  # as a child killed mid-way
        return summarise(self)

    monkeypatch.setattr(serial.Line, "summarise", fail_in_child)
    report, data, started = early_report(plain_html)
    assert started
    monkeypatch.undo()
    assert outcome(report) == outcome(preflight(io.BytesIO(data), "t.pdf", FRAME))


def test_a_failed_render_reaps_the_early_child(plain_html):
    from weasyprint import HTML

    early = preflight_split.EarlyPreflight(2)
    HTML(string=plain_html).write_pdf(finisher=early.start)
    pid = early._child[0]._pid
    early.close()  # the render failed after writing: nobody reports
    with pytest.raises(ChildProcessError):
        os.waitpid(pid, os.WNOHANG)
