"""Covers: generated from the metadata in the book's faces, or the edition's
image; packaged as the cover image, with a cover page in spine and landmarks."""
from __future__ import annotations

import io
import shutil
import zipfile

from lxml import etree
from PIL import Image

from book.project.config import Edition
from book.render.epub.cover import ACCENT, BACKGROUND, HEIGHT, INK, WIDTH, generate, wrap, _font
from book.model import Book, Metadata
from tests.helpers import FIXTURES, assert_epubcheck_clean, run_cli

NS = {"x": "http://www.w3.org/1999/xhtml", "epub": "http://www.idpf.org/2007/ops",
      "opf": "http://www.idpf.org/2007/opf"}


def book(title: str = "牢记嘱托 善作善成") -> Book:
    meta = Metadata(title=title, language="zh-Hans", identifier="urn:x", modified="",
                    subtitle="天津日报专题报道", authors=["胡萌伟"], publisher="天津日报")
    return Book(meta=meta, chapters=[])


def test_generated_cover_is_a_deterministic_png():
    edition = Edition("ebook", ["epub"], {"label": "电子书"})
    first, second = generate(book().meta, edition), generate(book().meta, edition)
    assert first == second
    image = Image.open(io.BytesIO(first))
    assert (image.format, image.size) == ("PNG", (WIDTH, HEIGHT))
    # Drawn as palette indices: the colours must still be the design's.
    rgb = image.convert("RGB")
    assert rgb.getpixel((10, 10)) == BACKGROUND and rgb.getpixel((10, 700)) == ACCENT
    colours = {c for _, c in rgb.getcolors(1 << 16)}
    assert (255, 255, 255) in colours and INK in colours  # title; subtitle and authors
    assert len(colours) > 100  # anti-aliased, not thresholded
    # The label and the title change the picture.
    assert generate(book().meta, Edition("x", ["epub"], {"label": "大字版"})) != first
    assert generate(book("另一本书").meta, edition) != first


def test_long_titles_wrap_inside_the_margins():
    font = _font(Edition("e", ["epub"], {}), "heading", "zh-Hans", 132)
    lines = wrap("这是一个非常非常长的书名需要折行才能放得下", font, 1300)
    assert len(lines) > 1 and all(font.getlength(line) <= 1300 for line in lines)
    assert wrap("牢记嘱托 善作善成", font, 700) == ["牢记嘱托", "善作善成"]


def test_sample_cover_is_packaged_and_reachable(sample_build):
    epub = sample_build / "tianjin-ebook.epub"
    with zipfile.ZipFile(epub) as zf:
        opf = etree.fromstring(zf.read("EPUB/content.opf"))
        nav = etree.fromstring(zf.read("EPUB/nav.xhtml"))
        page = etree.fromstring(zf.read("EPUB/cover.xhtml"))
        image = zf.read("EPUB/images/cover.png")
    item = opf.find(".//opf:item[@properties='cover-image']", NS)
    assert item.get("href") == "images/cover.png" and item.get("media-type") == "image/png"
    assert opf.find(".//opf:spine/opf:itemref", NS).get("idref") == "cover"
    landmarks = nav.find(".//x:nav[@epub:type='landmarks']", NS)
    covers = [a for a in landmarks.iter("{*}a") if a.get(f"{{{NS['epub']}}}type") == "cover"]
    assert covers and covers[0].get("href") == "cover.xhtml"
    assert page.find(".//x:img", NS).get("alt") == "牢记嘱托 善作善成"
    assert Image.open(io.BytesIO(image)).size == (WIDTH, HEIGHT)


def test_cover_image_from_book_toml(tmp_path):
    project = tmp_path / "p"
    shutil.copytree(FIXTURES / "editions" / "layers", project)
    (project / "images").mkdir()
    buffer = io.BytesIO()
    Image.new("RGB", (600, 900), (10, 20, 30)).save(buffer, "JPEG")
    (project / "images/cover.jpg").write_bytes(buffer.getvalue())
    with open(project / "book.toml", "a", encoding="utf-8") as handle:
        handle.write('\n[editions.covered]\nformats = ["epub"]\nembed_fonts = false\n'
                     'cover = "images/cover.jpg"\n')
    result = run_cli("build", str(project), "-e", "covered", "-o", str(tmp_path / "d"), "-j", "1")
    assert result.exit_code == 0, result.output
    epub = next((tmp_path / "d").glob("*-covered.epub"))
    with zipfile.ZipFile(epub) as zf:
        assert zf.read("EPUB/images/cover.jpg") == buffer.getvalue()
        opf = etree.fromstring(zf.read("EPUB/content.opf"))
    item = opf.find(".//opf:item[@properties='cover-image']", NS)
    assert item.get("media-type") == "image/jpeg"
    assert_epubcheck_clean(epub)
