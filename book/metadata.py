"""Resolve the book's metadata from book.toml, front matter and the text."""
from __future__ import annotations

import collections
import datetime as dt
import os
import re
import unicodedata
import uuid
from typing import Any

import opencc

from book.text.chars import HAN_RE
from book.model import Metadata


def detect_language(text: str) -> str:
    """zh-Hans, zh-Hant or en, from the share of Han characters and whether
    OpenCC's Traditional→Simplified conversion changes them."""
    sample = text[:20000]
    han = HAN_RE.findall(sample)
    letters = sum(map(str.isalpha, sample))
    if not letters or len(han) < 0.2 * letters:
        return "en"
    # Each distinct character converted once, on a line of its own (so no
    # phrase joins two of them), and counted as often as it occurs.
    counts = collections.Counter(han)
    distinct = list(counts)

    def changed(profile: str) -> int:
        converted = opencc.OpenCC(profile).convert("\n".join(distinct)).split("\n")
        return sum(counts[a] for a, b in zip(distinct, converted) if a != b)

    to_simp = changed("t2s")
    if not to_simp:
        # No Traditional character at all: Simplified, whatever s2t would
        # say, without loading s2t's dictionaries.
        return "zh-Hans"
    return "zh-Hant" if to_simp > changed("s2t") else "zh-Hans"


def modified_timestamp(date: str = "") -> str:
    """``dcterms:modified``: SOURCE_DATE_EPOCH, else the book's date, else a
    fixed epoch, so two builds of the same input are identical."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch and epoch.strip().isdigit():
        moment = dt.datetime.fromtimestamp(int(epoch), dt.timezone.utc)
    else:
        match = re.match(r"(\d{4})-(\d{2})-(\d{2})", date or "")
        moment = (dt.datetime(int(match[1]), int(match[2]), int(match[3]), tzinfo=dt.timezone.utc)
                  if match else dt.datetime(2000, 1, 1, tzinfo=dt.timezone.utc))
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def slugify(text: str) -> str:
    """ASCII file-name slug; empty when the text has no Latin letters or digits."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")


def resolve_metadata(config: dict[str, Any], front: dict[str, Any], heading_title: str,
                     fallback_title: str, text: str) -> Metadata:
    """Later sources fill only what earlier ones leave empty:
    book.toml → front matter → the title heading → the folder/file name."""
    def pick(key: str, default: Any = "") -> Any:
        value = config.get(key)
        if value in (None, "", []):
            value = front.get(key)
        return default if value in (None, "", []) else value

    title = str(pick("title", heading_title or fallback_title))
    authors = pick("authors", front.get("author", []))
    if isinstance(authors, str):
        authors = [authors]
    isbn = str(pick("isbn"))
    identifier = str(pick("identifier"))
    if not identifier:
        identifier = (f"urn:isbn:{isbn.replace('-', '')}" if isbn else
                      f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, 'book:' + title + '|' + '|'.join(authors))}")
    date = str(pick("date"))
    slug = str(pick("slug")) or slugify(title) or slugify(fallback_title) or "book"
    return Metadata(
        title=title, subtitle=str(pick("subtitle")), authors=[str(a) for a in authors],
        publisher=str(pick("publisher")), language=str(pick("language")) or detect_language(text),
        identifier=identifier, isbn=isbn, date=date[:10], description=str(pick("description")),
        rights=str(pick("rights")), slug=slug, modified=modified_timestamp(date))
