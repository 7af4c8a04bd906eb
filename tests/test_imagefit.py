"""Images sized to whole body lines: the HTML rewrite, and a built PDF in which
the text after a photo and its caption stays on the line grid."""
from __future__ import annotations

import random
import re

import pdfplumber
import pytest
from PIL import Image

from book.render.pdf.imagefit import fit_images
from book.render.pdf.pagegrid import type_area
from tests.helpers import run_cli

AREA = type_area("148mm 210mm", {}, [])  # 26 lines of 18.375 pt, 31 characters wide


@pytest.fixture
def photos(tmp_path):
    Image.new("RGB", (600, 450), (200, 120, 60)).save(tmp_path / "photo.png")
    Image.new("RGB", (2000, 3000), (60, 120, 200)).save(tmp_path / "tall.png")
    Image.new("RGB", (16, 16)).save(tmp_path / "icon.png")
    return tmp_path


def size(tag: str) -> tuple[float, float]:
    match = re.search(r"width: ([\d.]+)pt; height: ([\d.]+)pt", tag)
    return float(match[1]), float(match[2])


def test_a_wide_photo_takes_the_type_width_rounded_down_to_whole_lines(photos):
    tag = fit_images('<img src="photo.png" alt="港">', photos, AREA)
    width, height = size(tag)
    assert height / AREA.pitch == pytest.approx(13, abs=1e-3)  # 325.5 pt wide → 244 pt → 13 lines
    assert width == pytest.approx(height * 600 / 450, abs=0.01) and width <= AREA.width
    assert 'class="fitted"' in tag and tag.endswith(">") and 'alt="港"' in tag


def test_a_tall_photo_leaves_room_for_its_caption(photos):
    width, height = size(fit_images('<img src="tall.png"/>', photos, AREA))
    assert height == pytest.approx((AREA.lines - 3) * AREA.pitch, abs=1e-3)
    assert width == pytest.approx(height * 2 / 3, abs=0.01)


@pytest.mark.parametrize("tag", [
    '<img src="icon.png">',  # smaller than two lines: an inline image, left alone
    '<img src="missing.png">', '<img src="https://example.com/a.png">',
    '<img src="../outside.png">', '<img src="photo.png" style="width: 1cm">',
])
def test_other_images_are_left_alone(photos, tag):
    assert fit_images(tag, photos, AREA) == tag


def test_text_after_photos_stays_on_the_grid(photos):
    random.seed(7)
    han = "天津港的夜景令人难忘集装箱码头灯火通明货轮往来不息城市发展新质生产力改革开放"
    paras = ["".join(random.choice(han) for _ in range(90)) + "。" for _ in range(6)]
    (photos / "book.toml").write_text(
        'title = "图片"\nlanguage = "zh-Hans"\n[editions.print]\nformats = ["pdf"]\n',
        encoding="utf-8")
    (photos / "a.md").write_text(
        f"## 第一章\n\n{paras[0]}\n\n![港](photo.png)\n\n图 天津港夜景。\n\n{paras[1]}\n\n"
        f"{paras[2]}\n\n![竖图](tall.png)\n\n{paras[3]}\n\n{paras[4]}\n\n{paras[5]}\n",
        encoding="utf-8")
    result = run_cli("-q", "build", str(photos), "-o", str(photos / "out"))
    assert result.exit_code == 0, result.output
    (path,) = (photos / "out").glob("*.pdf")
    with pdfplumber.open(path) as pdf:
        images = [image for page in pdf.pages for image in page.images]
        baselines = sorted({round(char["bottom"], 2) for page in pdf.pages for char in page.chars
                            if "Serif" in char["fontname"] and char["size"] == 10.5})
    assert len(images) == 2
    for image in images:
        lines = image["height"] / AREA.pitch
        assert lines == pytest.approx(round(lines), abs=0.01), image["height"]
    top = baselines[0]
    for bottom in baselines:
        rows = (bottom - top) / AREA.pitch
        assert abs(rows - round(rows)) * AREA.pitch < 0.3, f"a body line off the grid at {bottom}"
