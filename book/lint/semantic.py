"""Recognise the semantic lines of Chinese news copy: bylines, photo captions
and datelines. Pure functions over plain text; the clean-up marks the blocks
up, the repeat finder leaves them alone (two articles by one reporter share a
byline — that is not a duplicate)."""
from __future__ import annotations

import functools
import re

_SP = r"[ \t\u3000\u00a0]"
# A letter that is not ASCII: Han in practice. Written as Unicode categories,
# not the Han ranges of book.text.chars: `re` compiles a range class by
# visiting each of its code points, and these patterns repeat it ~30 times
# (a large part of every build's start-up); the two classes differ only for
# kana, Hangul and accented letters, harmless in a credit line.
_LETTER = r"[^\W\d_A-Za-z]"
# A personal name: 2–6 letters (·/• for transliterated names) or a Latin name.
_NAME = rf"(?:{_LETTER}(?:{_LETTER}|[·•]){{1,5}}|[A-Z][A-Za-z.\- ]{{1,30}})"
_NAMES = rf"{_NAME}(?:(?:{_SP}+|[、，,]{_SP}*){_NAME})*"
_ROLE = r"(?:本报|本刊|新华社|中新社|人民日报)?(?:特约|实习|见习|首席)?(?:记者|通讯员|实习生|摄影|撰文|编辑|作者)"
_CREDIT = rf"{_ROLE}{_SP}*[:：]?{_SP}*{_NAMES}(?:{_SP}*摄)?"
# 文/张三, 图｜李四, 文/图：王五, and 文/图 王五 (the pair needs no separator)
_SLASH = r"[/／|｜]"
_SLASH_CREDIT = (rf"(?:(?:[文图](?:{_SLASH}[文图])?){_SP}*(?:{_SLASH}|[:：]){_SP}*"
                 rf"|[文图]{_SLASH}[文图]{_SP}+){_NAMES}")
# 记者 胡萌伟 / 本报记者 张三 李四 通讯员 王五 / 文/张三 / 文／张三 图／李四 / （记者 胡萌伟）
# Compiled on first use (by a paragraph short enough to be a byline): it is
# the costliest pattern to compile of the whole start-up.
@functools.cache
def byline_re() -> re.Pattern[str]:
    """The byline pattern (``_CREDIT`` or ``_SLASH_CREDIT``, optionally in parentheses)."""
    return re.compile(
        rf"^(?:{_CREDIT}(?:{_SP}+{_CREDIT})*"
        rf"|[（(]{_SP}*{_CREDIT}(?:{_SP}+{_CREDIT})*{_SP}*[）)]"
        rf"|{_SLASH_CREDIT}(?:{_SP}+{_SLASH_CREDIT})*)$")


# 左图 … / 右图 … / 上图 … / 下图 … / 中图 … / 图为 … / 图1 …
CAPTION_RE = re.compile(rf"^(?:[左右上下中]图(?:{_SP}|[:：])|图为|图\d+{_SP}|图{_SP})")
# 本报讯 / 本报天津6月30日电 / 新华社北京6月30日电 — a date is required, so
# "新华社北京电视台……" is not one — optionally followed by （记者 …）.
_DATE = r"[^\W_A-Za-z]{0,12}[月日][^\W_A-Za-z]{0,4}"  # letters and digits
DATELINE_RE = re.compile(
    rf"^(?:(?:本报|本刊)(?:讯|{_DATE}[讯电])"
    rf"|(?:新华社|中新社|中新网|新华网|人民网){_DATE}电)"
    rf"(?:{_SP}*[（(](?:{_CREDIT}|{_SP})+[）)])?")

MAX_BYLINE = 40
MAX_CAPTION = 200


def is_byline(text: str) -> bool:
    """A whole paragraph crediting reporters, e.g. ``记者 胡萌伟``."""
    text = text.strip()
    return 0 < len(text) <= MAX_BYLINE and byline_re().match(text) is not None


def is_caption(text: str) -> bool:
    """A whole paragraph captioning a photo, e.g. ``左图 天津工业……``."""
    text = text.strip()
    return 0 < len(text) <= MAX_CAPTION and CAPTION_RE.match(text) is not None


def dateline_prefix(text: str) -> str:
    """The dateline opening a paragraph (``本报讯（记者 张三）``), or ``""``."""
    match = DATELINE_RE.match(text.strip())
    return match.group(0) if match else ""


def semantic_kind(text: str) -> str:
    """``byline``, ``caption``, ``dateline`` (a paragraph that is only a
    dateline) or ``""`` for ordinary text."""
    if is_byline(text):
        return "byline"
    if is_caption(text):
        return "caption"
    prefix = dateline_prefix(text)
    if prefix and prefix == text.strip():
        return "dateline"
    return ""
