"""book.text: one answer to "is this Traditional Chinese?" for every stage
(fonts, labels, typesetting, OpenCC), checked against langcodes; the
character classes; the one walker over the text outside code."""
from __future__ import annotations

import langcodes
import pytest

from book.project.config import Edition
from book.project.editions import text_converter
from book.render.css import defaults_css
from book.render.fonts import role_family
from book.render.html import labels
from book.text import chars
from book.text.markup import map_text
from book.text.script import chinese_script, is_chinese, is_traditional
from book.typeset import settings_for

TRADITIONAL = ["zh-hant", "zh-TW", "zh-HK", "zh-Hant-TW", "zh-MO", "zh-Hant", "yue"]
SIMPLIFIED = ["zh-Hans", "zh", "zh-CN", "zh-SG", "zh-hans-hk", "cmn"]


@pytest.mark.parametrize("tag", TRADITIONAL + SIMPLIFIED)
def test_every_stage_gives_the_same_answer(tag):
    traditional = tag in TRADITIONAL
    edition = Edition("e", ["epub", "pdf"], {})
    # Fonts: the faces embedded in the EPUB, and the PDF's (the defaults sheet).
    assert role_family(edition, "body", tag) == (
        "Noto Serif CJK TC" if traditional else "Noto Serif CJK SC")
    assert ("Noto Sans CJK TC" in defaults_css(tag)) == traditional
    assert ("Noto Sans CJK SC" in defaults_css(tag)) == (not traditional)
    # Labels: the navigation's words.
    assert labels(tag)["toc"] == ("目錄" if traditional else "目录")
    # Typesetting: Taiwan's centred, uncompressed marks by default.
    assert settings_for(edition, tag).punctuation == ("taiwan" if traditional else "quanjiao")
    # OpenCC: an edition converts a book only into the other script.
    to_hans = Edition("s", ["epub"], {"script": "zh-Hans"})
    to_hant = Edition("t", ["epub"], {"script": "zh-Hant"})
    assert (text_converter(to_hans, tag) is not None) == traditional
    assert (text_converter(to_hant, tag) is not None) == (not traditional)


@pytest.mark.parametrize("tag", [
    *TRADITIONAL, *SIMPLIFIED, "zh-AU", "zh-US", "zh-VN", "zh-MY", "zh-Latn", "zh-Hans-TW",
    "zh-Hant-CN", "yue-CN", "yue-HK", "cmn-TW", "zh-yue", "lzh", "wuu", "ZH_tw", "en", "ja",
    "ko-KR", "en-HK"])
def test_scripts_are_those_of_cldr_likely_subtags(tag):
    maximized = langcodes.Language.get(tag.replace("_", "-")).maximize()
    expected = maximized.script if maximized.script in ("Hans", "Hant") else None
    assert chinese_script(tag) == expected
    assert is_traditional(tag) == (expected == "Hant")
    assert is_chinese(tag) == (expected is not None)


def test_a_book_in_zh_hant_gets_traditional_faces_and_labels_in_both_formats(tmp_path):
    # The bug this module fixed: "zh-hant" got Taiwan punctuation from the
    # typesetter but Simplified faces and labels (目录) from the rest.
    import io
    import zipfile

    from fontTools.ttLib import TTFont
    from pypdf import PdfReader

    from tests.helpers import run_cli

    (tmp_path / "book.toml").write_text('title = "軟體"\nlanguage = "zh-hant"\n'
                                        'sources = ["a.md"]\n', encoding="utf-8")
    (tmp_path / "a.md").write_text("## 第一章\n\n「軟體」開發，歷史悠久。\n", encoding="utf-8")
    result = run_cli("-q", "build", str(tmp_path), "-o", str(tmp_path / "out"), "-j", "1")
    assert result.exit_code == 0, result.output
    with zipfile.ZipFile(next((tmp_path / "out").glob("*.epub"))) as epub:
        assert "目錄" in epub.read("EPUB/nav.xhtml").decode()
        body = TTFont(io.BytesIO(epub.read("EPUB/fonts/body.woff2")))
        assert body["name"].getDebugName(1) == "Noto Serif CJK TC"
    pdf = PdfReader(next((tmp_path / "out").glob("*.pdf")))
    fonts = {str(font.get_object()["/BaseFont"]) for page in pdf.pages
             for font in page["/Resources"]["/Font"].values()}
    assert any("CJK-TC" in name for name in fonts), fonts
    assert not any("CJK-SC" in name for name in fonts), fonts


def test_han_is_one_class_for_functions_and_patterns():
    for char in "中㐀\U00020000\U0003134a豈":
        assert chars.is_han(char) and chars.has_han(char) and chars.HAN_RE.fullmatch(char)
    for char in "a1，。ぁ가\u3000":
        assert not chars.is_han(char) and not chars.HAN_RE.fullmatch(char)
    assert chars.is_cjk_punct("，") and chars.is_cjk_punct("“") and not chars.is_cjk_punct(",")


def test_text_outside_code_is_mapped_and_code_tags_and_entities_are_not():
    html = ('<p>发展<code>发展</code> <kbd>发展</kbd>&amp;发展<a href="发展">发展</a></p>'
            '<pre>发展</pre><li>发展</li>')
    out = str(map_text(html, lambda text: text.replace("发展", "X")))
    assert out == ('<p>X<code>发展</code> <kbd>发展</kbd>&amp;X<a href="发展">X</a></p>'
                   '<pre>发展</pre><li>X</li>')
    only = str(map_text(html, lambda text: text.replace("发展", "X"), only_inside=("li",)))
    assert only.endswith("<li>X</li>") and only.count("X") == 1
