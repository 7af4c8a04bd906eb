"""Which Chinese script a BCP 47 language tag names: the one answer to "is
this book Traditional?" that the fonts (TC or SC faces), the interface
labels (目錄 or 目录), the typesetting (the default punctuation style) and
the OpenCC conversion all use.

In: a language tag as ``book.toml`` or the metadata give it (any case:
``zh-hant``, ``zh-TW``, ``zh-Hant-TW``, ``yue-HK``). Out: ``"Hant"`` or
``"Hans"`` for Chinese, None for other languages.

An explicit script subtag wins (``zh-Hans-HK`` is Simplified); otherwise the
likely script of the language and region, per CLDR's likelySubtags (``zh``,
``zh-CN``, ``zh-SG`` → Hans; ``zh-TW``, ``zh-HK``, ``zh-MO`` and the other
regions below → Hant; Cantonese → Hant unless in mainland China). Written
here, not asked of langcodes: its likely-subtags tables take longer to
import than a small book's whole EPUB build. tests/test_text.py checks these
answers against langcodes.
"""
from __future__ import annotations

import functools

HANS, HANT = "Hans", "Hant"
# Languages written in Han characters, by their likely script without a
# region: Chinese (``zh`` and the ISO 639-3 members of the macrolanguage)
# and Literary Chinese.
CHINESE = {"zh": HANS, "cmn": HANS, "wuu": HANS, "hak": HANS, "nan": HANS, "gan": HANS,
           "hsn": HANS, "lzh": HANS, "yue": HANT}
# CLDR likelySubtags: the regions where Chinese is written in Traditional
# characters (zh-XX → zh-Hant-XX).
HANT_REGIONS = {"AU", "BN", "GB", "GF", "HK", "ID", "MO", "PA", "PF", "PH", "SR", "TH",
                "TW", "US", "VN"}


@functools.cache
def chinese_script(language: str) -> str | None:
    """``"Hant"``, ``"Hans"``, or None when LANGUAGE is not Chinese."""
    parts = language.replace("_", "-").split("-")
    primary = parts[0].lower()
    if primary == "zh" and len(parts) > 1 and parts[1].lower() in CHINESE:
        primary = parts.pop(1).lower()  # extended language subtag: zh-yue, zh-cmn
    if primary not in CHINESE:
        return None
    script = next((p.title() for p in parts[1:] if len(p) == 4 and p.isalpha()), None)
    if script is not None:
        return script if script in (HANS, HANT) else None  # zh-Latn (pinyin): not Han
    region = next((p.upper() for p in parts[1:] if len(p) == 2 and p.isalpha()), None)
    if primary == "yue":
        return HANS if region == "CN" else HANT
    if primary in ("zh", "cmn") and region in HANT_REGIONS:
        return HANT
    return CHINESE[primary]


def is_chinese(language: str) -> bool:
    """Is LANGUAGE a Chinese language written in Han characters?"""
    return chinese_script(language) is not None


def is_traditional(language: str) -> bool:
    """Is LANGUAGE Chinese written in Traditional characters?"""
    return chinese_script(language) == HANT
