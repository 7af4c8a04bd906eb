"""Chinese typesetting for the PDF renderer (clreq / GB/T 15834).

``settings_for(edition, language)`` reads an edition's ``punctuation`` and
``autospace``; ``installed(settings)`` extends WeasyPrint for one render:

    with typeset.installed(typeset.settings_for(edition, "zh-Hans")):
        document = HTML(string=typeset.add_break_hints(html), ...).render(...)
        pdf = document.write_pdf()

Inside the block, justified lines of Chinese text are justified between
characters, adjacent marks compressed, Han and Latin spaced by ``autospace`` (default ¼ em) — all as
glyph widths, never as inserted characters. ``add_break_hints`` lets lines
break beside curly quotes where clreq allows it (Pango does not).

The arithmetic is pure and lives in ``plan`` (where a line's width goes)
and ``linebreak`` (which breaks to reconsider); ``weasy`` is the one module
that touches WeasyPrint's internals.
"""
from __future__ import annotations

from book.errors import ConfigError
from book.project.config import Edition
from book.text.script import is_traditional
from book.typeset.breaks import add_break_hints
from book.typeset.weasy import Settings, check_weasyprint, installed

__all__ = ["Settings", "add_break_hints", "check_weasyprint", "installed", "settings_for"]


def settings_for(edition: Edition, language: str) -> Settings:
    """An edition's settings, with the defaults of its script: quanjiao for
    Simplified Chinese, taiwan (no compression) for Traditional."""
    style = edition.get("punctuation") or ("taiwan" if is_traditional(language) else "quanjiao")
    return Settings(punctuation=style, autospace=_em(edition.get("autospace", 0.25)))


def _em(value: object) -> float:
    """``0.25``, ``"0.25"`` or ``"0.25em"`` → 0.25."""
    text = str(value).strip().lower().removesuffix("em").strip()
    try:
        amount = float(text)
    except ValueError:
        raise ConfigError(f"autospace must be a number of em, not {value!r}",
                          hint="e.g. autospace = 0.25, or 0 to turn it off") from None
    if not 0 <= amount <= 1:
        raise ConfigError(f"autospace {amount} em is out of range", hint="use 0 to 1 em")
    return amount
