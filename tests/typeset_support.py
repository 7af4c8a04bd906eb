"""Helpers for the typesetting tests: build a fixture book, read its PDFs back
through the preflight, and line the PDF's text up with the manuscript."""
from __future__ import annotations

import collections
import re
import subprocess
from pathlib import Path

from book.errors import Reporter
from book.preflight import Report, preflight
from book.project.config import load_project
from book.render.pdf.pagegrid import edition_area, text_frame
from tests.helpers import run_cli

HAN = r"[\u3400-\u4dbf\u4e00-\u9fff]"


def build(project: Path, out: Path, *args: str) -> Path:
    result = run_cli("-q", "build", str(project), "-o", str(out), *args)
    assert result.exit_code == 0, result.output
    return out


def read(pdf: Path, project: Path) -> Report:
    """The preflight of ``pdf``, held to its edition's real type area."""
    area = edition_area(load_project(project, Reporter(quiet=True)), pdf.name)
    assert area is not None, f"no edition of {project} wrote {pdf.name}"
    return preflight(pdf, pdf.name, text_frame(area))


def source_paragraphs(paths: list[Path]) -> list[str]:
    """Prose paragraphs of Markdown manuscripts, inline markup removed (code
    spans keep their text, links their label); no headings, lists, tables,
    code blocks, footnote definitions or stray markup."""
    out = []
    for path in paths:
        fenced = False
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.startswith("```"):
                fenced = not fenced
                continue
            # Raised and lowered glyphs (sub/sup, footnote marks) are left
            # out on both sides: the PDF's are not on the line's baseline.
            text = re.sub(r"<su([bp])>.*?</su\1>", "", line.strip())
            text = re.sub(r"<[^<>]+>", "", text).replace("~~", "")
            if (fenced or not text or text[0] in "#|-*>[0123456789" or "<" in text):
                continue
            text = re.sub(r"\[\^[^\]]+\]", "", text)
            text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", text)
            out.append(text.replace("`", "").replace("*", ""))
    return out


def body_text(report: Report, body: bool = True) -> str:
    """The PDF's body lines (or all lines), in reading order, whitespace and
    raised glyphs (footnote marks) removed."""
    out = []
    for line in report.lines:
        if line.body or not body:
            base = collections.Counter(round(c.y) for c in line.chars)
            level = base.most_common(1)[0][0]
            out.extend(c.text for c in line.chars
                       if not c.text.isspace() and abs(c.y - level) < 1.5)
    return "".join(out)


def bad_breaks(report: Report, paragraphs: list[str]) -> list[str]:
    """Line breaks inside a Latin word or number, or inside ——/……, found by
    lining the PDF's body lines up with the manuscript (where the manuscript
    has a space, a break between two Latin words is fine)."""
    joined, spaced = [], []
    for para in paragraphs:
        gap = True
        for char in para:
            if char.isspace():
                gap = True
                continue
            joined.append(char)
            spaced.append(gap)
            gap = False
    source = "".join(joined)
    found, cursor = [], 0
    for line in (l for l in report.lines if l.body):
        text = re.sub(r"\s", "", line.text)
        at = source.find(text, cursor)
        if at <= 0 or not text:
            continue
        cursor = at + len(text)
        before, after = source[at - 1], source[at]
        latin = before.isascii() and before.isalnum() and after.isascii() and after.isalnum()
        if (latin and not spaced[at]) or (before == after and before in "—…"):
            found.append(f"page {line.page}: …{source[at - 6:at]}|{source[at:at + 6]}…")
    return found


def pdftotext(pdf: Path) -> str:
    return subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True,
                          check=True).stdout


def han_space_han(text: str) -> set[str]:
    """Every 'Han, space, Han' in ``text`` (what extraction makes of a wide gap)."""
    return set(re.findall(f"{HAN} +{HAN}", text))


def body_lines(extracted: str, body: str) -> str:
    """The lines of an extraction whose text is body text."""
    return "\n".join(line for line in extracted.splitlines()
                     if len(line.strip()) > 3 and "".join(line.split()) in body)
