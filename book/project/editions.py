"""Per-edition transforms: the shared ``Book`` model → the ``Book`` one edition renders.

The model is built once and shared; an edition never changes it. ``apply``
returns a converted copy:

* metadata overrides (``title``, ``subtitle``, ``isbn``, ``identifier``, ``language``);
* ``script = "zh-Hant"`` on a Simplified manuscript: every text the reader
  sees — metadata, chapter and section titles (so the TOC), paragraphs,
  footnotes — converted with OpenCC
  (profile ``opencc``, default ``s2twp``: Taiwan characters and phrases), and
  the quotes ``“”``/``‘’`` turned into ``「」``/``『』``; the language becomes
  ``zh-Hant-TW`` unless the edition sets its own;
* ``script = "zh-Hans"`` on a Traditional manuscript: the reverse (default
  profile ``t2s``, corner brackets back to “”‘’, language ``zh-Hans``).

HTML is converted between the tags only: element names, ids and links stay as
they are (ids are shared by the TOC and the text), and code is left alone.
"""
from __future__ import annotations

import dataclasses
import functools
import re
from typing import Callable

import opencc
from markupsafe import Markup

from book.errors import ConfigError
from book.model import Book, Metadata
from book.project.config import Edition
from book.text.markup import map_text
from book.text.script import is_traditional

DEFAULT_PROFILE = "s2twp"
DEFAULT_HANS_PROFILE = "t2s"
DEFAULT_HANT_LANGUAGE = "zh-Hant-TW"
# Corner brackets for Traditional text: first-level and second-level quotes.
HANT_QUOTES = str.maketrans({"“": "「", "”": "」", "‘": "『", "’": "』"})
HANS_QUOTES = str.maketrans({"「": "“", "」": "”", "『": "‘", "』": "’"})
# An apostrophe inside a Latin word (don’t) is not a quote.
APOSTROPHE = re.compile(r"(?<=[A-Za-z])’(?=[A-Za-z])")

Convert = Callable[[str], str]


def apply(book: Book, edition: Edition) -> Book:
    """The book as ``edition`` presents it; ``book`` itself is not changed."""
    convert = text_converter(edition, book.meta.language)
    if convert is None and not _meta_overrides(edition):
        return book
    book = book.editable_copy()
    original_title = book.meta.title
    book.meta = _metadata(book.meta, edition, convert)
    if convert is not None:
        _convert_chapters(book, convert)
    for chapter in book.chapters:
        # Text before the first chapter is titled with the book's title (see
        # load.shape): follow the edition's title.
        if chapter.kind == "front" and chapter.title in (original_title, convert and convert(original_title)):
            chapter.title = book.meta.title
            chapter.title_html = Markup.escape(book.meta.title)
    return book


def text_converter(edition: Edition, book_language: str = "zh-Hans") -> Convert | None:
    """The edition's plain-text conversion, or None when it keeps the script
    (no ``script`` setting, or the one the book is written in already)."""
    script = edition.get("script")
    if script == "zh-Hant" and not is_traditional(book_language):
        profile, quotes = DEFAULT_PROFILE, to_corner_quotes
    elif script == "zh-Hans" and is_traditional(book_language):
        profile, quotes = DEFAULT_HANS_PROFILE, lambda text: text.translate(HANS_QUOTES)
    else:
        return None
    characters = _opencc(str(edition.get("opencc", profile)).removesuffix(".json"),
                         edition.name)

    def convert(text: str) -> str:
        return quotes(characters(text)) if text else text

    return convert


def to_corner_quotes(text: str) -> str:
    """“”‘’ → 「」『』, leaving apostrophes inside Latin words."""
    text = APOSTROPHE.sub("\0", text)
    return text.translate(HANT_QUOTES).replace("\0", "’")


def convert_html(fragment: str, convert: Convert) -> Markup:
    """Convert the text of an HTML fragment, not its tags, attributes or code."""
    return map_text(fragment, convert)


def edition_language(edition: Edition, book_language: str) -> str:
    """The language tag an edition's files carry."""
    if edition.get("language"):
        return str(edition.get("language"))
    if edition.get("script") == "zh-Hant" and not is_traditional(book_language):
        return DEFAULT_HANT_LANGUAGE
    if edition.get("script") == "zh-Hans" and is_traditional(book_language):
        return "zh-Hans"
    return book_language


def _meta_overrides(edition: Edition) -> bool:
    return any(edition.get(k) for k in ("title", "subtitle", "isbn", "identifier", "language",
                                        "script"))


def _metadata(meta: Metadata, edition: Edition, convert: Convert | None) -> Metadata:
    """Overrides from the edition's table win; everything else is converted."""
    keep = convert or (lambda text: text)
    changes = {
        "title": edition.get("title") or keep(meta.title),
        "subtitle": edition.get("subtitle") or keep(meta.subtitle),
        "description": keep(meta.description),
        "publisher": keep(meta.publisher),
        "rights": keep(meta.rights),
        "authors": [keep(a) for a in meta.authors],
        "language": edition_language(edition, meta.language),
    }
    isbn = edition.get("isbn")
    if isbn:
        changes["isbn"] = isbn
        changes["identifier"] = f"urn:isbn:{isbn.replace('-', '')}"
    if edition.get("identifier"):
        changes["identifier"] = edition.get("identifier")
    return dataclasses.replace(meta, **changes)


def _convert_chapters(book: Book, convert: Convert) -> None:
    """Titles (hence the TOC), blocks and footnotes, in place on the copy."""
    for chapter in book.chapters:
        chapter.title = convert(chapter.title)
        chapter.title_html = convert_html(chapter.title_html, convert)
        chapter.subtitle = convert(chapter.subtitle)
        chapter.subtitle_html = convert_html(chapter.subtitle_html, convert)
        for section in chapter.all_sections():
            section.title = convert(section.title)
            section.title_html = convert_html(section.title_html, convert)
        for block in chapter.all_blocks():
            verbatim = block.kind == "code"
            block.text = block.text if verbatim else convert(block.text)
            block.html = block.html if verbatim else convert_html(block.html, convert)
        for note in chapter.footnotes:
            note.html = convert_html(note.html, convert)


@functools.cache
def _opencc(profile: str, edition_name: str) -> Convert:
    try:
        return opencc.OpenCC(f"{profile}.json").convert
    except Exception as exc:  # OpenCC raises bare RuntimeErrors
        raise ConfigError(f"editions.{edition_name}.opencc = '{profile}' cannot be loaded: {exc}",
                          hint="valid profiles include s2twp, s2tw, s2hk, s2t") from None
