"""Editions: inheritance, per-format tables, layer order, config errors, the
per-edition model transforms, and the sample's editions as built."""
from __future__ import annotations

import collections
import shutil
import zipfile
from pathlib import Path

import pytest
from lxml import etree
from markupsafe import Markup

from book.project import editions
from book.project.config import Edition, load_project
from book.errors import Reporter
from book.model import Book, Metadata
from book.project.stylesheets import package_styles_dir, stylesheets
from book.render.css import edition_css
from tests.helpers import FIXTURES, REPO, assert_epubcheck_clean, run_cli

EDITIONS = FIXTURES / "editions"
NS = {"x": "http://www.w3.org/1999/xhtml", "epub": "http://www.idpf.org/2007/ops",
      "opf": "http://www.idpf.org/2007/opf"}


def epub_text(path: Path, name: str) -> str:
    with zipfile.ZipFile(path) as zf:
        return zf.read(name).decode("utf-8")


def epub_names(path: Path) -> list[str]:
    with zipfile.ZipFile(path) as zf:
        return zf.namelist()


# --- configuration ---------------------------------------------------------

def test_extends_inherits_through_two_levels_and_merges_tables():
    project = load_project(EDITIONS / "inherit", Reporter(quiet=True))
    large = project.editions["large"]
    assert large.formats == ["epub", "pdf"]
    assert large.get("page_size") == "A4"          # own value wins
    assert large.get("line_height") == 1.8          # from base, two levels up
    assert large.get("embed_fonts") is False
    # Tables merge key by key: body replaced, heading inherited.
    assert large.get("fonts") == {"body": "Noto Sans CJK SC", "heading": "Noto Sans CJK SC"}
    assert "extends" not in large.settings


def test_per_format_table_applies_to_that_format_only():
    project = load_project(EDITIONS / "inherit", Reporter(quiet=True))
    large = project.editions["large"]
    assert large.for_format("epub").get("font_size") == "1.2em"
    assert large.for_format("pdf").get("font_size") == "16pt"
    hant = project.editions["hant"]
    assert hant.for_format("epub").get("writing_mode") == "vertical"
    assert hant.for_format("pdf").get("writing_mode") is None


def test_book_editions_lists_settings_and_sheets_in_cascade_order():
    result = run_cli("editions", str(EDITIONS / "layers"))
    assert result.exit_code == 0, result.output
    sheets = [line.split(": ", 1)[1] for line in result.output.splitlines()
              if "epub stylesheet:" in line]
    assert sheets == [
        "defaults.css (generated: the default faces of the edition's script)",
        "(package) variables.css", "(package) base.css", "(package) epub.css",
        "styles/variables.css", "styles/base.css", "styles/epub.css",
        "styles/editions/first.css", "styles/editions/second.css",
        "edition.css (generated from the edition's settings)",
    ]
    assert "  font_size = '12pt'" in result.output


def write_project(tmp_path: Path, editions_toml: str) -> Path:
    (tmp_path / "book.toml").write_text(
        'title = "t"\nlanguage = "zh-Hans"\n' + editions_toml, encoding="utf-8")
    (tmp_path / "a.md").write_text("# 一\n\n正文。\n", encoding="utf-8")
    return tmp_path


@pytest.mark.parametrize("table, key", [
    ('[editions.e]\nfont_size = "big"', "editions.e.font_size"),
    ('[editions.e]\nline_height = "1.5; color: red"', "editions.e.line_height"),
    ('[editions.e]\nmargins = "1cm } body { color: red"', "editions.e.margins"),
    ('[editions.e]\nfonts = { body = "X\\"; }" }', "editions.e.fonts.body"),
    ('[editions.e]\nfonts = { footer = "Noto Sans CJK SC" }', "editions.e.fonts.footer"),
    ('[editions.e]\nfonts = { body = "fonts/none.otf" }', "editions.e.fonts.body"),
    ('[editions.e]\npage_size = "huge"', "editions.e.page_size"),
    ('[editions.e]\npunctuation = "german"', "editions.e.punctuation"),
    ('[editions.e]\nopencc = "s2x"', "editions.e.opencc"),
    ('[editions.e]\nscript = "latin"', "editions.e.script"),
    ('[editions.e]\nlanguage = "zh_CN!"', "editions.e.language"),
    ('[editions.e]\ncover = "nope.png"', "editions.e.cover"),
    ('[editions.e]\nbleed = "lots"', "editions.e.bleed"),
    ('[editions.e]\nformats = ["pdf"]\nwriting_mode = "vertical"', "editions.e.writing_mode"),
    ('[editions.e]\n[editions.e.pdf]\nwriting_mode = "vertical"', "editions.e.writing_mode"),
    ('[editions.e]\nextends = "ghost"', "editions.e.extends"),
    ('[editions.a]\nextends = "b"\n[editions.b]\nextends = "a"', "a -> b -> a"),
    ('[editions.e]\nembed_fonts = "yes"', "editions.e.embed_fonts"),
    ('[editions.e]\nstyles = ["styles/x.txt"]', "editions.e.styles"),
])
def test_bad_edition_config_is_one_line_naming_the_key(tmp_path, table, key):
    project = write_project(tmp_path, table + "\n")
    result = run_cli("editions", str(project))
    assert result.exit_code == 2, result.output
    message = result.output.strip()
    assert "\n" not in message and key in message, message
    assert "(" in message  # every error carries a hint


def test_vertical_pdf_error_says_why(tmp_path):
    project = write_project(tmp_path, '[editions.e]\nwriting_mode = "vertical"\n')
    result = run_cli("editions", str(project))
    assert "EPUB-only" in result.output and "WeasyPrint" in result.output


# --- layer order -------------------------------------------------------------

def test_layer_order_package_then_project_then_edition(tmp_path):
    project = load_project(EDITIONS / "layers", Reporter(quiet=True))
    edition = project.editions["ebook"]
    paths = stylesheets(project, edition, "epub")
    package = package_styles_dir().resolve()
    assert [p.resolve().parent == package for p in paths[:3]] == [True, True, True]
    assert [p.name for p in paths] == ["variables.css", "base.css", "epub.css"] * 2 + [
        "first.css", "second.css"]
    # The EPUB carries them in that order, with the generated sheet last.
    result = run_cli("build", str(EDITIONS / "layers"), "-o", str(tmp_path), "-j", "1")
    assert result.exit_code == 0, result.output
    epub = next(tmp_path.glob("*-ebook.epub"))
    doc = etree.fromstring(epub_text(epub, "EPUB/ch01.xhtml").encode())  # a chapter
    hrefs = [link.get("href") for link in doc.iterfind(".//x:link", NS)]
    assert hrefs[-1].endswith("-edition.css")
    bodies = [epub_text(epub, "EPUB/" + href) for href in hrefs]
    assert "--font-body: \"Noto Serif CJK SC\"" in bodies[0]  # the script's defaults first
    assert bodies[4].startswith("/* layer: project variables */")
    assert bodies[7].startswith("/* layer: edition first */")
    assert bodies[8].startswith("/* layer: edition second */")
    assert "--font-size: 12pt;" in bodies[9]


def test_settings_are_written_as_custom_properties_and_page_rules():
    edition = Edition("x", ["pdf"], {"page_size": "32开", "margins": "20mm 15mm",
                                     "font_size": 16, "line_height": 1.9,
                                     "fonts": {"body": ["Noto Sans CJK SC", "sans-serif"]}})
    css = edition_css(edition, "pdf")
    assert "size: 130mm 184mm;" in css
    assert "margin: 20mm 15mm;" in css
    assert "--font-size: 16pt;" in css and "--line-height: 1.9;" in css
    assert '--font-body: "Noto Sans CJK SC", sans-serif' in css
    assert "@page" not in edition_css(edition, "epub")  # readers own the page


# --- the per-edition model transform ------------------------------------------

def small_book() -> Book:
    from book.errors import Location
    from book.model import Block, Chapter

    loc = Location("a.md", 1)
    block = Block("paragraph", Markup('<p id="发展">他说：“‘发展’很重要。”Don’t <code>“x”发展</code></p>'),
                  "他说：“‘发展’很重要。”Don’t “x”发展", loc)
    code = Block("code", Markup("<pre><code>发展 “q”</code></pre>"), "发展 “q”", loc, )
    chapter = Chapter(id="ch01", title="发展", title_html=Markup("发展"), loc=loc, number=1,
                      blocks=[block, code])
    meta = Metadata(title="软件发展", language="zh-Hans", identifier="urn:x", modified="",
                    description="信息发展")
    return Book(meta=meta, chapters=[chapter])


def test_traditional_converts_text_titles_and_metadata_not_code_or_ids():
    book = small_book()
    edition = Edition("t", ["epub"], {"script": "zh-Hant"})
    out = editions.apply(book, edition)
    block, code = out.chapters[0].blocks
    assert block.html == '<p id="发展">他說：「『發展』很重要。」Don’t <code>“x”发展</code></p>'
    assert block.text.startswith("他說：「『發展』很重要。」Don’t")
    assert code.html == "<pre><code>发展 “q”</code></pre>"
    assert out.chapters[0].title == "發展"
    assert out.meta.title == "軟體發展"  # s2twp: Taiwan phrases too
    assert out.meta.description == "資訊發展"
    assert out.meta.language == "zh-Hant-TW"
    # The shared model is untouched.
    assert book.chapters[0].title == "发展" and book.meta.language == "zh-Hans"


def test_metadata_overrides_and_isbn_identifier():
    edition = Edition("l", ["pdf"], {"title": "大字版", "subtitle": "副", "isbn": "978-7-111-11111-1"})
    out = editions.apply(small_book(), edition)
    assert (out.meta.title, out.meta.subtitle) == ("大字版", "副")
    assert out.meta.identifier == "urn:isbn:9787111111111"
    plain = Edition("p", ["pdf"], {})
    assert editions.apply(small_book(), plain).meta.title == "软件发展"


def test_simplified_edition_of_a_traditional_manuscript():
    book = small_book()
    book.meta.language = "zh-Hant"
    book.chapters[0].title = "發展「軟體」"
    out = editions.apply(book, Edition("s", ["epub"], {"script": "zh-Hans"}))
    assert out.chapters[0].title == "发展“软体”"  # t2s: characters only
    assert out.meta.language == "zh-Hans"
    phrases = Edition("s", ["epub"], {"script": "zh-Hans", "opencc": "tw2sp"})
    assert editions.apply(book, phrases).chapters[0].title == "发展“软件”"
    assert editions.apply(small_book(), Edition("s", ["epub"], {"script": "zh-Hans"})
                          ).chapters[0].title == "发展"  # already Simplified: unchanged


def test_opencc_profile_is_configurable():
    edition = Edition("hk", ["epub"], {"script": "zh-Hant", "opencc": "s2hk"})
    assert editions.apply(small_book(), edition).meta.language == "zh-Hant-TW"
    assert editions.text_converter(edition)("软件") == "軟件"  # HK usage, not 軟體


# --- the sample's editions ------------------------------------------------------

SAMPLE_OUTPUTS = ["tianjin-ebook.epub", "tianjin-booklet.pdf", "tianjin-booklet-imposed.pdf",
                  "tianjin-large-print.pdf", "tianjin-large-print.epub",
                  "tianjin-traditional.epub", "tianjin-traditional.pdf"]


def test_every_sample_edition_builds(sample_build):
    for name in SAMPLE_OUTPUTS:
        assert (sample_build / name).stat().st_size > 10_000, name


@pytest.mark.parametrize("name", ["tianjin-ebook.epub", "tianjin-large-print.epub",
                                  "tianjin-traditional.epub"])
def test_sample_epubs_pass_epubcheck(sample_build, name):
    assert_epubcheck_clean(sample_build / name)


def test_traditional_epub_is_converted_vertical_and_rtl(sample_build):
    epub = sample_build / "tianjin-traditional.epub"
    names = epub_names(epub)
    chapters = "".join(epub_text(epub, n) for n in names if n.endswith(".xhtml"))
    assert "發展" in chapters and "发展" not in chapters
    assert "「" in chapters and "」" in chapters and "“" not in chapters
    assert 'xml:lang="zh-Hant-TW"' in chapters
    nav = epub_text(epub, "EPUB/nav.xhtml")
    assert "創新天津 動能澎湃" in nav  # the TOC too
    opf = etree.fromstring(epub_text(epub, "EPUB/content.opf").encode())
    assert opf.find(".//opf:spine", NS).get("page-progression-direction") == "rtl"
    assert opf.findtext(".//{http://purl.org/dc/elements/1.1/}language") == "zh-Hant-TW"
    assert opf.findtext(".//{http://purl.org/dc/elements/1.1/}title") == "牢記囑託 善作善成"
    css = "".join(epub_text(epub, n) for n in names if n.endswith(".css"))
    assert "writing-mode: vertical-rl" in css
    assert '"Noto Serif CJK TC"' in css


def test_traditional_pdf_is_converted_and_horizontal(sample_build):
    import pdfplumber

    with pdfplumber.open(sample_build / "tianjin-traditional.pdf") as pdf:
        text = "".join(page.extract_text() or "" for page in pdf.pages)
        fonts = collections.Counter(c["fontname"].split("+")[-1]
                                    for page in pdf.pages for c in page.chars)
        page = pdf.pages[len(pdf.pages) // 2]
        lines = page.extract_text_lines()
    assert "發展" in text and "发展" not in text and "「" in text
    assert fonts.most_common(1)[0][0].startswith("Noto-Serif-CJK-TC")
    assert lines and max(l["x1"] - l["x0"] for l in lines) > 5 * max(
        l["bottom"] - l["top"] for l in lines)  # lines run across the page


def test_large_print_body_is_at_least_16pt_sans_on_a4(sample_build):
    import pdfplumber

    with pdfplumber.open(sample_build / "tianjin-large-print.pdf") as pdf:
        assert (round(pdf.pages[0].width), round(pdf.pages[0].height)) == (595, 842)
        chars = [c for page in pdf.pages for c in page.chars if not c["text"].isspace()]
    sizes = collections.Counter(round(c["size"], 1) for c in chars)
    body_size, count = sizes.most_common(1)[0]
    assert body_size >= 16 and count > len(chars) / 2, sizes.most_common(5)
    fonts = collections.Counter(c["fontname"].split("+")[-1] for c in chars
                                if round(c["size"], 1) == body_size)
    assert "Sans" in fonts.most_common(1)[0][0], fonts


# --- a new edition with TOML and CSS only --------------------------------------

NEW_EDITION = '''
[editions.pocket]
extends = "ebook"
formats = ["epub", "pdf"]
page_size = "105mm 148mm"
font_size = "9pt"
label = "口袋版"
styles = ["styles/editions/pocket.css"]
'''


def test_new_edition_with_toml_and_css_only(tmp_path):
    import pdfplumber

    project = tmp_path / "project"
    shutil.copytree(EDITIONS / "layers", project)
    with open(project / "book.toml", "a", encoding="utf-8") as handle:
        handle.write(NEW_EDITION)
    (project / "styles/editions/pocket.css").write_text(
        ".chapter-title { color: rgb(200, 0, 0); }\n", encoding="utf-8")
    out = tmp_path / "dist"
    result = run_cli("build", str(project), "-e", "pocket", "-o", str(out), "-j", "1")
    assert result.exit_code == 0, result.output
    epub, pdf_path = next(out.glob("*-pocket.epub")), next(out.glob("*-pocket.pdf"))
    css = "".join(epub_text(epub, n) for n in epub_names(epub) if n.endswith(".css"))
    assert "rgb(200, 0, 0)" in css
    assert_epubcheck_clean(epub)
    with pdfplumber.open(pdf_path) as pdf:
        page = pdf.pages[0]
        assert (round(page.width), round(page.height)) == (298, 420)  # 105 × 148 mm
        chars = [c for p in pdf.pages for c in p.chars]
    title = [c for c in chars if c["text"] == "层"]
    assert title and any(tuple(round(v, 2) for v in c["non_stroking_color"] or ()) ==
                         (0.78, 0.0, 0.0) for c in title)
    sizes = collections.Counter(round(c["size"], 1) for c in chars)
    assert sizes.most_common(1)[0][0] == 9.0


def test_fixture_edition_overrides_reach_the_epub(tmp_path):
    result = run_cli("build", str(EDITIONS / "inherit"), "-e", "hant", "-o", str(tmp_path),
                     "-j", "1")
    assert result.exit_code == 0, result.output
    epub = next(tmp_path.glob("*-hant.epub"))
    assert_epubcheck_clean(epub)
    opf = etree.fromstring(epub_text(epub, "EPUB/content.opf").encode())
    dc = "{http://purl.org/dc/elements/1.1/}"
    assert opf.findtext(f".//{dc}title") == "繼承測試（繁體）"
    assert opf.findtext(f".//{dc}identifier") == "urn:isbn:9787111111111"
    text = "".join(epub_text(epub, n) for n in epub_names(epub) if n.endswith(".xhtml"))
    assert "他說：「這是『發展』的關鍵。」軟體和資訊在發展。Don’t panic." in text
    assert "发展“不变”" in text  # code is left as written
    assert not any(n.startswith("EPUB/fonts/") for n in epub_names(epub))  # embed_fonts = false


def test_edition_builds_are_byte_reproducible(sample_build, tmp_path):
    result = run_cli("build", str(REPO), "-e", "ebook", "-e", "large-print", "-e", "traditional",
                     "-o", str(tmp_path), "--no-cache")
    assert result.exit_code == 0, result.output
    for name in ["tianjin-ebook.epub", "tianjin-large-print.pdf", "tianjin-large-print.epub",
                 "tianjin-traditional.epub", "tianjin-traditional.pdf"]:
        assert (tmp_path / name).read_bytes() == (sample_build / name).read_bytes(), name


def test_font_file_in_the_project_is_used_by_both_formats(tmp_path):
    import pdfplumber

    project = tmp_path / "p"
    shutil.copytree(EDITIONS / "layers", project)
    (project / "fonts").mkdir()
    shutil.copy("/usr/share/fonts/truetype/dejavu/DejaVuMathTeXGyre.ttf", project / "fonts")
    (project / "chapters/02.md").write_text("# Latin\n\nPlain Latin text 2025.\n", encoding="utf-8")
    with open(project / "book.toml", "a", encoding="utf-8") as handle:
        handle.write('\n[editions.own]\nformats = ["epub", "pdf"]\n'
                     'fonts = { heading = "fonts/DejaVuMathTeXGyre.ttf" }\n')
    out = tmp_path / "d"
    result = run_cli("build", str(project), "-e", "own", "-o", str(out), "-j", "1")
    assert result.exit_code == 0, result.output
    with pdfplumber.open(next(out.glob("*-own.pdf"))) as pdf:
        fonts = {c["fontname"].split("+")[-1] for p in pdf.pages for c in p.chars}
    assert "book-file-heading" in fonts, fonts  # the @font-face of the file
    epub = next(out.glob("*-own.epub"))
    assert_epubcheck_clean(epub)
    from fontTools.ttLib import TTFont
    import io
    with zipfile.ZipFile(epub) as zf:
        heading = TTFont(io.BytesIO(zf.read("EPUB/fonts/heading.woff2")))
    assert heading["name"].getDebugName(1) == "DejaVu Math TeX Gyre"


def test_large_print_epub_keeps_the_settings_in_relative_units(sample_build):
    epub = sample_build / "tianjin-large-print.epub"
    css = "".join(epub_text(epub, n) for n in epub_names(epub) if n.endswith("-edition.css"))
    assert "--font-size: 150%;" in css and "--line-height: 1.9;" in css
    assert '"Noto Sans CJK SC", sans-serif' in css and "@page" not in css
