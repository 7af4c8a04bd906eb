"""Chinese punctuation (GB/T 15834-2011): find half-width punctuation in
Chinese context, unbalanced paired marks, wrong ellipses and dashes, spaces
between Han characters, and full-width digits and letters.

The matchers are pure functions over text returning offsets, shared by
``book check`` (to report) and the ``fix_punctuation`` clean-up (to repair).
"""
from __future__ import annotations

import re
from typing import Iterator

from book.lint.findings import Finding, finding, source_of, where
from book.lint.numbers import mixed_numbers
from book.lint.semantic import semantic_kind
from book.lint.text import prose_text
from book.text.chars import has_han, is_cjk_punct, is_han
from book.model import Block

FULL_WIDTH = {",": "，", ".": "。", ";": "；", ":": "：", "?": "？", "!": "！",
              "(": "（", ")": "）"}
PAIRS = {"“": "”", "‘": "’", "「": "」", "『": "』", "《": "》", "（": "）", "【": "】"}
_CLOSERS = {close: open_ for open_, close in PAIRS.items()}
# Only the paired marks, found in C: a Python loop over every character was
# the lint's largest cost.
_PAIRED_RE = re.compile("[" + "".join(PAIRS) + "".join(_CLOSERS) + "]")

# Candidates for W201 and W205, found in C; whether a Han character touches
# them is asked of is_han, not of a Han class in the pattern: `re` compiles a
# Han class by visiting each of its code points, a cost every build paid.
_HALF_CANDIDATE_RE = re.compile(r"[,;:?!.]")
_SPACES_RE = re.compile("[ \t\u3000\u00a0]+")
_PAREN_RE = re.compile(r"\(([^()\n]*)\)")
_ELLIPSIS_RE = re.compile(r"\.{3,}|。{2,}|·{3,}|(?<!…)…(?!…)|…{3,}")
_DASH_RE = re.compile(r"(?<![-A-Za-z0-9_])--(?![-A-Za-z0-9_>])|――|－－|(?<!—)—(?!—)")
_FULL_ALNUM_RE = re.compile(r"[０-９Ａ-Ｚａ-ｚ]+")

# Blocks whose text is running prose; headings, bylines and captions use a
# space as a separator ("记者 胡萌伟", "创新引领 行业首单频现") by convention.
PROSE_KINDS = ("paragraph", "quote", "list", "table", "dateline")
TEXT_KINDS = PROSE_KINDS + ("heading", "byline", "caption")


# Each scan runs only on a text holding its marks: a membership test is a C
# memchr, while these patterns, which start with a look-behind, try every
# position of text that mostly has none of them.
_HALF_MARKS = tuple(",;:?!.")
_ELLIPSIS_MARKS = ("...", "。。", "···", "…")
_DASH_MARKS = ("--", "――", "－－", "—")


def _holds(text: str, marks: tuple[str, ...]) -> bool:
    return any(mark in text for mark in marks)


def halfwidth_punctuation(text: str) -> Iterator[tuple[int, str, str]]:
    """``(offset, mark, full-width mark)`` for half-width marks in Chinese context."""
    if not _holds(text, _HALF_MARKS + ("(",)):
        return
    for match in _HALF_CANDIDATE_RE.finditer(text):
        at, mark = match.start(), match.group(0)
        before = text[at - 1] if at else ""
        after = text[at + 1] if at + 1 < len(text) else ""
        # , ; : ? ! touching a Han character; "." only after Han at a sentence
        # end or between Han (so "3.5", "v1.2" and "example.com" stay).
        if (mark == "." and is_han(before) and (not after or after.isspace() or is_han(after))
                or mark != "." and (is_han(before) and after not in ("/", "\\") or is_han(after))):
            yield at, mark, FULL_WIDTH[mark]
    for match in _PAREN_RE.finditer(text):
        if has_han(match.group(1)):
            yield match.start(), "(", "（"
            yield match.end() - 1, ")", "）"


def unbalanced(text: str) -> Iterator[tuple[int, str]]:
    """``(offset, mark)`` for paired marks with no partner in the text."""
    stack: list[tuple[int, str]] = []
    for match in _PAIRED_RE.finditer(text):
        offset, char = match.start(), match.group()
        if char == "’" and offset and text[offset - 1].isascii() and text[offset - 1].isalpha():
            continue  # an apostrophe (don’t), not a closing quote
        if char in PAIRS:
            stack.append((offset, char))
        elif char in _CLOSERS:
            if stack and stack[-1][1] == _CLOSERS[char]:
                stack.pop()
            else:
                yield offset, char
    yield from stack


def bad_dashes(text: str) -> Iterator[tuple[int, str]]:
    """``--``, ``――``, ``－－`` and a single ``—`` that is not a connector between words
    (a lone ``—`` between two Han characters or digits is the 连接号, and correct)."""
    if not _holds(text, _DASH_MARKS):
        return
    for match in _DASH_RE.finditer(text):
        mark, start, end = match.group(0), match.start(), match.end()
        if mark == "—":
            before = text[start - 1] if start else ""
            after = text[end] if end < len(text) else ""
            if before and after and not before.isspace() and not after.isspace() \
                    and not is_cjk_punct(before) and not is_cjk_punct(after):
                continue
        yield start, mark


def text_kind(block: Block) -> str:
    """The block's kind for text checks: a byline or caption parses as a
    paragraph, but is judged as what it is."""
    if block.kind == "paragraph":
        return semantic_kind(block.text) or "paragraph"
    return block.kind


def check(blocks: list[Block], options: dict) -> list[Finding]:
    """W201–W206 for the Chinese text in ``blocks``."""
    fixing = bool(options.get("clean", {}).get("fix_punctuation", False))
    found: list[Finding] = []
    for n, block in enumerate(blocks):
        following = blocks[n + 1] if n + 1 < len(blocks) else None
        found.extend(_check_block(block, following, fixing, source_of(options, block.loc)))
    return found


def _continues_quote(mark: str, following: Block | None) -> bool:
    """A quotation over several paragraphs opens each one and closes only in
    the last (GB/T 15834 4.1.3.4): an opening mark left open is fine when the
    next paragraph opens with the same mark."""
    return (mark in ("“", "「", "『") and following is not None
            and following.kind == "paragraph" and following.text.lstrip().startswith(mark))


def _check_block(block: Block, following: Block | None, fixing: bool,
                 source: str | None) -> list[Finding]:
    text = prose_text(block.text, block.html) if block.kind != "code" else block.text
    kind = text_kind(block)
    if kind not in TEXT_KINDS or not has_han(text):
        return []
    found: list[Finding] = []

    def add(code: str, offset: int, message: str, hint: str) -> None:
        # ``text`` has inline code masked; offsets are the same in block.text,
        # which is what the source holds.
        found.append(finding(code, message, where(block.loc, block.text, offset, source), hint))

    fix_hint = ("fixed in builds, as clean.fix_punctuation = true" if fixing
                else "fixed in builds with clean.fix_punctuation = true")
    for offset, mark, full in halfwidth_punctuation(text):
        add("W201", offset, f"half-width '{mark}' in Chinese text", f"use '{full}'; {fix_hint}")
    open_marks = list(unbalanced(text))
    for offset, mark in open_marks:
        if (offset, mark) == open_marks[-1] and _continues_quote(mark, following):
            continue
        partner = PAIRS.get(mark) or _CLOSERS[mark]
        add("W202", offset, f"'{mark}' has no matching '{partner}'",
            f"add the missing '{partner}' or delete this one")
    for match in _ELLIPSIS_RE.finditer(text) if _holds(text, _ELLIPSIS_MARKS) else ():
        add("W203", match.start(), f"ellipsis written '{match.group(0)}'",
            "write '……', two U+2026")
    for offset, mark in bad_dashes(text):
        add("W204", offset, f"dash written '{mark}'", "write '——', two U+2014, for a 破折号")
    if kind in PROSE_KINDS:
        for match in _SPACES_RE.finditer(text):
            start, end = match.span()
            if start and end < len(text) and is_han(text[start - 1]) and is_han(text[end]):
                add("W205", start, "space between Han characters",
                    "delete it: Chinese text has no word spaces")
    # A number mixing widths is the numbers check's W211, not also W206.
    mixed = [range(offset, offset + len(number)) for offset, number in mixed_numbers(text)]
    for match in _FULL_ALNUM_RE.finditer(text):
        if not any(match.start() in span for span in mixed):
            add("W206", match.start(), f"full-width '{match.group(0)}'",
                "write digits and Latin letters half-width, GB/T 15835")
    return found
