"""book.typeset.weasy, the adapter to WeasyPrint's internals: the version it
is written for, and each internal it relies on, tested by what it does (not
only by its signature), so that a WeasyPrint upgrade fails here first."""
from __future__ import annotations

import contextlib
import logging
import re

import pytest
import weasyprint
from weasyprint import HTML
from weasyprint.formatting_structure import boxes
from weasyprint.layout import inline, preferred
from weasyprint.text import ffi as text_ffi, line_break

from book.errors import BuildError
from book.typeset import weasy
from book.typeset.weasy import Settings, check_weasyprint, installed

FONT = "font-family: 'Noto Serif CJK SC'; font-size: 20px"


def page_box(html: str, settings: Settings | None = Settings()):
    """The first page's box tree of HTML, laid out with the typesetting
    installed (or not)."""
    with installed(settings) if settings else contextlib.nullcontext():
        return HTML(string=html).render().pages[0]._page_box


def find(box, kind) -> list:
    found = [box] if isinstance(box, kind) else []
    for child in getattr(box, "children", ()):
        found += find(child, kind)
    return found


def test_the_pinned_version_and_only_it():
    assert weasyprint.__version__ == weasy.SUPPORTED
    check_weasyprint()


def test_another_version_is_refused(monkeypatch):
    monkeypatch.setattr(weasyprint, "__version__", "71.0")
    with pytest.raises(BuildError, match="WeasyPrint 71.0 is installed"):
        check_weasyprint()


def test_a_changed_internal_is_refused(monkeypatch):
    monkeypatch.setattr(inline, "text_align", lambda context, line: None)
    with pytest.raises(BuildError, match="text_align changed"):
        check_weasyprint()


def test_the_layout_modules_call_split_first_line_by_the_names_we_replace():
    # inline and preferred import it by name from line_break: replacing it in
    # line_break alone would reach neither.
    assert inline.split_first_line is line_break.split_first_line
    assert preferred.split_first_line is line_break.split_first_line
    with installed(Settings()):
        assert inline.split_first_line is weasy._split_first_line
        assert preferred.split_first_line is weasy._intrinsic_split_first_line
    assert inline.split_first_line is line_break.split_first_line  # restored


def test_text_align_is_called_once_per_line_and_last_on_the_last(monkeypatch):
    calls = []
    real = weasy._text_align
    monkeypatch.setattr(weasy, "_text_align", lambda context, line, width, last: (
        calls.append((type(line).__name__, last)) or real(context, line, width, last)))
    page_box(f'<p style="{FONT}; width: 200px; text-align: justify">'
             + "天津港口物流发展迅速，中欧班列开行数量创新高。" * 3 + "</p>")
    assert len(calls) >= 3 and {kind for kind, _ in calls} == {"LineBox"}
    assert [last for _, last in calls] == [False] * (len(calls) - 1) + [True]


def test_a_justified_line_is_widened_in_its_glyphs_not_its_text():
    page = page_box(f'<p style="{FONT}; width: 210px; text-align: justify">'
                    + "天津港口物流，发展迅速。" * 4 + "</p>")
    lines = find(page, boxes.LineBox)
    assert len(lines) > 2
    for line in lines[:-1]:
        assert abs(line.width - 210) < 0.5  # flush: the slack went into the line
        texts = find(line, boxes.TextBox)
        assert all(" " not in box.text for box in texts)  # nothing inserted
        layout = texts[0].pango_layout
        assert layout.text == texts[0].text


def test_halts_are_pango_attributes_set_with_the_text():
    # quanjiao: the closing mark of a pair of facing marks is half width.
    plain = find(page_box(f'<p style="{FONT}">好。”好</p>', None), boxes.TextBox)[0]
    ours = find(page_box(f'<p style="{FONT}">好。”好</p>'), boxes.TextBox)[0]
    assert plain.width - ours.width == pytest.approx(10, abs=0.5)  # ½ em of 20 px
    assert ours.pango_layout.text == "好。”好"


def test_intrinsic_widths_include_the_han_latin_space():
    # A shrink-to-fit box (a table cell) is as wide as the line later laid
    # out in it, with its ¼ em spaces: the line does not overflow the cell.
    html = (f'<table style="{FONT}; border-collapse: collapse"><tr>'
            '<td style="padding: 0">中文ABC中文DEF中文</td></tr></table>')
    plain = find(page_box(html, None), boxes.TableCellBox)[0]
    cell = find(page_box(html), boxes.TableCellBox)[0]
    [line] = find(cell, boxes.LineBox)
    assert cell.width == pytest.approx(plain.width + 4 * 5, abs=0.1)  # 4 boundaries × ¼ em
    assert line.width <= cell.width + 0.01


def test_the_progress_logger_names_each_page():
    seen = []
    handler = logging.Handler()
    handler.emit = lambda record: seen.append(record.getMessage())
    logger = logging.getLogger(weasy.PROGRESS_LOGGER)
    logger.addHandler(handler)
    level = logger.level
    logger.setLevel(logging.INFO)
    try:
        HTML(string='<p style="break-after: page">1</p><p style="break-after: page">2</p>'
                    '<p>3</p>').render()
    finally:
        logger.removeHandler(handler)
        logger.setLevel(level)
    pages = [int(m[1]) for m in map(weasy.PAGE.search, seen) if m]
    assert pages[:3] == [1, 2, 3]


def test_the_subsetter_is_found_where_weasyprint_looks(monkeypatch):
    assert text_ffi.harfbuzz_subset is not None  # setup.sh installs libharfbuzz-subset0
    assert not weasy.slow_subsetter()
    monkeypatch.setattr(text_ffi, "harfbuzz_subset", None)
    assert weasy.slow_subsetter()


def test_patches_are_removed_even_when_the_render_fails():
    originals = (inline.split_first_line, preferred.split_first_line, inline.text_align,
                 line_break.Layout.set_text, line_break.Layout.get_first_line)
    with pytest.raises(RuntimeError), installed(Settings()):
        raise RuntimeError("a failed render")
    assert originals == (inline.split_first_line, preferred.split_first_line,
                         inline.text_align, line_break.Layout.set_text,
                         line_break.Layout.get_first_line)
    assert re.fullmatch(r"\d+\.\d+", weasy.SUPPORTED)
