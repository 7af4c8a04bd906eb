"""Text normalisation shared by the lint and the clean-up: block text →
comparison keys (for repeat detection), and prose with its code masked.
The character classes themselves are ``book.text.chars``."""
from __future__ import annotations

import functools
import html as htmllib
import re
import unicodedata

from book.text.chars import UNIFIED_HAN

# Punctuation that differs only in width or shape between copies of one text
# (after NFKC): curly vs straight quotes, corner brackets, dashes, ellipsis.
_PUNCT_FOLD = str.maketrans({
    "“": '"', "”": '"', "「": '"', "」": '"', "『": "'", "』": "'",
    "‘": "'", "’": "'", "—": "-", "–": "-", "―": "-", "…": "...",
    "、": ",", "。": ".", "《": "<", "》": ">", "【": "[", "】": "]",
})
_SPACE_RE = re.compile(r"\s+")


# Cached: the lint pass and the clean-up each ask for paragraphs' keys, some
# twice.
@functools.lru_cache(maxsize=65536)
def dedupe_key(text: str) -> str:
    """The text as compared for repeats: NFKC (full-width → half-width,
    ideographic space → space), punctuation shapes folded, spaces removed,
    case folded. Two paragraphs with equal keys say the same thing."""
    folded = unicodedata.normalize("NFKC", text).translate(_PUNCT_FOLD)
    return _SPACE_RE.sub("", folded).casefold()


# Runs of anything but unified Han ideographs, and the compatibility
# characters NFKC turns into unified ideographs (radicals, enclosed and
# compatibility ideographs) — the only way text can gain one under NFKC.
_NOT_UNIFIED_HAN_RE = re.compile(f"[^{UNIFIED_HAN}]+")
_BECOMES_HAN_RE = re.compile("[\u2e80-\u2fdf\u3200-\u33ff\uf900-\ufaff"
                             "\U0001f200-\U0001f2ff\U0002f800-\U0002fa1f]")


def han_signature(text: str) -> str:
    """The unified Han ideographs of ``dedupe_key(text)``, in order, found
    without computing that key: two texts with different signatures cannot
    have equal keys. Unified ideographs pass NFKC, the punctuation folding,
    space removal and case folding unchanged, so the signature is theirs in
    the text itself — or in its NFKC form when it holds characters that
    become ideographs. A sixth of the cost of the key (NFKC of all Chinese
    text, as its full-width punctuation is never NFKC-stable)."""
    if _BECOMES_HAN_RE.search(text):
        text = unicodedata.normalize("NFKC", text)
    return _NOT_UNIFIED_HAN_RE.sub("", text)


def exact_key(text: str) -> str:
    """The text with only its line breaks and runs of spaces normalised."""
    return " ".join(text.split())


_CODE_RE = re.compile(r"<code\b[^>]*>(.*?)</code>", re.S)
_TAG_RE = re.compile(r"<[^>]+>")
MASK = "\x00"


def prose_text(text: str, html: str) -> str:
    """``text`` with the content of inline code masked (same length, so offsets
    still point into ``text``): code is not Chinese prose and is never linted."""
    cursor = 0
    for match in _CODE_RE.finditer(html):
        code = htmllib.unescape(_TAG_RE.sub("", match.group(1)))
        at = text.find(code, cursor) if code else -1
        if at >= 0:
            text = text[:at] + MASK * len(code) + text[at + len(code):]
            cursor = at + len(code)
    return text
