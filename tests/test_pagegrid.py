"""The type area: whole lines and characters, mirrored margins, the CSS it writes."""
from __future__ import annotations

import re

import pytest

from book.errors import ConfigError
from book.render.pdf.pagegrid import length_pt, type_area

A5 = "148mm 210mm"


def test_lengths_in_every_unit():
    assert length_pt("72pt", "k") == 72
    assert length_pt("25.4mm", "k") == pytest.approx(72)
    assert length_pt("1in", "k") == 72
    assert length_pt("0", "k") == 0
    for bad in ("12", "1.2em", "10%", "auto", "3 mm"):
        with pytest.raises(ConfigError):
            length_pt(bad, "bleed")


@pytest.mark.parametrize("settings", [
    {}, {"font_size": "12pt", "line_height": 1.6}, {"font_size": 9, "line_height": "16pt"},
    {"margins": "20mm"}, {"margins": "15mm 12mm"}, {"margins": "25mm 15mm 30mm 22mm"},
    {"line_height": "1.8em"}, {"line_height": "180%"},
])
def test_the_text_block_is_whole_lines_and_characters(settings):
    area = type_area(A5, settings, [])
    assert area.top + area.lines * area.pitch + area.bottom == pytest.approx(area.page_height,
                                                                             abs=0.02)
    assert area.inside + area.chars * area.font_size + area.outside == \
        pytest.approx(area.page_width)
    assert area.bottom > 0 and area.outside > 0


def test_default_booklet_figures():
    area = type_area(A5, {}, [])
    assert (area.font_size, area.pitch, area.lines, area.chars) == (10.5, 18.375, 26, 31)


def test_margins_are_mirrored_for_binding():
    area = type_area(A5, {"margins": "18mm 12mm 20mm 25mm"}, [])
    css = area.css()
    right = re.search(r"@page :right \{ margin: (\S+) (\S+) (\S+) (\S+);", css).groups()
    left = re.search(r"@page :left \{ margin: (\S+) (\S+) (\S+) (\S+);", css).groups()
    # right-hand page: inside (binding) on the left; left-hand page: on the right
    assert right[3] == left[1] and right[1] == left[3]
    assert float(right[3][:-2]) == pytest.approx(25 * 72 / 25.4, abs=1e-3)


def test_bleed_and_crop_marks_are_written_only_when_set():
    assert "bleed" not in type_area(A5, {}, []).css()
    css = type_area(A5, {"bleed": "3mm", "crop_marks": True}, []).css()
    assert "bleed: 3mm;" in css and "marks: crop cross;" in css
    with pytest.raises(ConfigError):
        type_area(A5, {"bleed": "lots"}, [])


def test_tokens_are_read_from_the_stylesheets_when_the_edition_is_silent(tmp_path):
    sheet = tmp_path / "variables.css"
    sheet.write_text(":root { --font-size: 12pt; --line-height: 1.5; }", encoding="utf-8")
    area = type_area(A5, {}, [sheet])
    assert (area.font_size, area.pitch) == (12, 18)
    assert type_area(A5, {"font_size": "10pt"}, [sheet]).font_size == 10


def test_margins_too_large_are_an_error():
    with pytest.raises(ConfigError, match="lines"):
        type_area(A5, {"margins": "100mm"}, [])
