"""Images and other resources (issue 6): only files inside the project are
used; escapes, absolute paths, outside symlinks, remote and missing images are
left out with a warning (missing: an error with --strict); good images are
packaged into the EPUB (scaled down when huge) and drawn in the PDF."""
from __future__ import annotations

import hashlib
import io
import os
import zipfile
from pathlib import Path

import pytest
from PIL import Image

from book.render.epub.images import MAX_PIXELS
from tests.robust_support import assert_clean, build, epubcheck_many, write_project


def png(size=(40, 30), color=(200, 30, 30)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, color).save(out, "PNG")
    return out.getvalue()


def jpeg(size=(3000, 2000)) -> bytes:
    out = io.BytesIO()
    Image.linear_gradient("L").resize(size).convert("RGB").save(out, "JPEG", quality=80)
    return out.getvalue()


MANUSCRIPT = """# 图片

好的图：![红色方块](img/红色.png)

子目录里的稿子引用上级目录的图：见 chapters/two.md。

大图：![大图](img/huge.jpg)

逃逸：![passwd](../../../../etc/passwd) 绝对：![abs](/etc/hostname)
符号链接：![link](img/outside.png) 缺失：![missing](img/nope.png)
远程：![remote](https://example.com/x.png) 协议相对：![pr](//example.com/y.png)
坏图：![broken](img/broken.png) 矢量：![svg](img/logo.svg)

数据：![data](data:image/png;base64,iVBORw0KGgo=)

原始 HTML：<img src="img/红色.png" alt="同一张图"> <img src="file:///etc/passwd" alt="f">

本地链接 [另一章](two.md) 网页链接 [网站](https://example.com/) [锚点](#top)
"""


@pytest.fixture(scope="module")
def project(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("images")
    outside = tmp_path_factory.mktemp("outside") / "secret.png"
    outside.write_bytes(png(color=(0, 0, 255)))
    write_project(root, {
        "book.toml": 'title = "图片"\nsources = ["book.md", "chapters/two.md"]\n',
        "book.md": MANUSCRIPT,
        "chapters/two.md": "# 第二章\n\n上级目录的图：![上级](../img/红色.png)\n",
        "img/红色.png": png(),
        "img/huge.jpg": jpeg(),
        "img/broken.png": b"\x89PNG\r\n\x1a\nnot really",
        "img/logo.svg": '<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
    })
    os.symlink(outside, root / "img" / "outside.png")
    return root


@pytest.fixture(scope="module")
def built(project: Path):
    return build(project)


def test_refused_and_missing_images_warn(built) -> None:
    assert built.exit_code == 0, built.stderr
    lines = built.stderr.splitlines()

    def warned(code: str, text: str) -> bool:
        return any(f"[{code}]" in line and text in line and "book.md:" in line
                   for line in lines)

    assert warned("M002", "'../../../../etc/passwd' is outside the project folder")
    assert warned("M002", "absolute image path '/etc/hostname'")
    assert warned("M002", "'img/outside.png' is a link to a file outside")
    assert warned("M003", "'img/nope.png' not found")
    assert warned("M001", "remote image 'https://example.com/x.png' not fetched")
    assert warned("M001", "remote image '//example.com/y.png'")
    assert warned("M004", "'img/broken.png' cannot be read")
    assert warned("M004", "'img/logo.svg' is SVG")
    assert warned("M004", "embedded data: image")
    assert warned("M007", "link to '#top' points at no id")
    assert warned("H003", "removed file: source from <img>")
    assert warned("M005", "link to 'two.md'")


def test_epub_packages_only_project_images(built, project: Path) -> None:
    assert_clean(epubcheck_many([built.epub])[built.epub])
    with zipfile.ZipFile(built.epub) as zf:
        names = zf.namelist()
        images = [n for n in names if n.startswith("EPUB/images/") and "cover" not in n]
        xhtml = "".join(zf.read(n).decode() for n in names if n.endswith(".xhtml"))
        opf = zf.read("EPUB/content.opf").decode()
        red = [n for n in images if zf.read(n) == (project / "img/红色.png").read_bytes()]
        assert len(red) == 1  # one item, though used three times from two files
        assert xhtml.count(red[0].removeprefix("EPUB/")) == 3
        big = [n for n in images if n.endswith(".jpg")]
        assert len(big) == 1
        with Image.open(io.BytesIO(zf.read(big[0]))) as image:
            assert image.width * image.height <= MAX_PIXELS
    for name in images:
        assert name.removeprefix("EPUB/") in opf
    for gone in ("etc/passwd", "etc/hostname", "outside.png", "example.com/x.png", "data:image",
                 "logo.svg", "broken.png", 'href="two.md"', 'href="#top"'):
        assert gone not in xhtml
    assert "红色方块" in xhtml and 'href="https://example.com/"' in xhtml
    assert "passwd" in "".join(built.stderr)  # refused, and said so


def test_strict_makes_a_missing_image_an_error(tmp_path: Path) -> None:
    write_project(tmp_path, {"book.md": "# t\n\n![x](missing.png)\n"})
    result = build(tmp_path, "--strict")
    assert result.exit_code == 1
    assert "book.md:3:1: error[M003]" in result.stderr
    assert not result.epubs


def test_pdf_draws_project_images_only(project: Path) -> None:
    import pdfplumber

    result = build(project, fmt="pdf")
    assert result.exit_code == 0, result.stderr
    pdf = next((project / "dist").glob("*.pdf"))
    with pdfplumber.open(pdf) as doc:
        sizes = sorted((round(i["srcsize"][0]), round(i["srcsize"][1]))
                       for page in doc.pages for i in page.images)
    assert (40, 30) in sizes and (3000, 2000) in sizes  # the PDF keeps full resolution
    assert len([s for s in sizes if s == (40, 30)]) == 3  # not the blue outside one


def test_epub_with_images_is_byte_identical(tmp_path: Path, project: Path) -> None:
    first = build(project).epub.read_bytes()
    second = build(project).epub.read_bytes()
    assert hashlib.sha256(first).digest() == hashlib.sha256(second).digest()
