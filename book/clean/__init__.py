"""Clean-up transforms: repair what extraction damage left in a manuscript,
one small module per transform, registered in order in ``book/transforms.py``.

Every transform is ``(blocks, context) -> blocks``. Each change is recorded
in ``context.changes`` (for ``dist/<slug>-<edition>.report.json``) and
reported through ``context.reporter``: removals as warnings carrying the same
code and message as ``book check``, markup changes as notes. The detection
itself lives in ``book.lint`` so lint and clean-up never disagree.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from book.errors import Diagnostic
from book.model import Block

if TYPE_CHECKING:  # transforms.py imports this package; avoid the cycle at run time
    from book.transforms import CleanContext

# Notes (info) for repairs that change markup but lose no text.
NOTES = {
    "C301": "marked as a byline",
    "C302": "marked as a photo caption",
    "C303": "marked as a dateline",
    "C311": "joined line breaks inside Chinese text",
    "C312": "normalised no-break or ideographic spaces",
    "C313": "replaced half-width punctuation in Chinese text",
}


def record(context: "CleanContext", transform: str, action: str, block: Block,
           detail: str, code: str, before: str = "", after: str = "") -> None:
    """Add one change (with its source line) to the build report."""
    entry: dict[str, Any] = {
        "transform": transform, "action": action, "code": code,
        "path": block.loc.path, "line": block.loc.line, "kind": block.kind,
        "detail": detail, "text": block.text,
    }
    if before or after:
        entry["before"], entry["after"] = before, after
    context.changes.append(entry)


def warn(context: "CleanContext", diagnostic: Diagnostic) -> None:
    """Report a removal (a warning, silenced like its ``book check`` code)."""
    context.reporter.add(diagnostic)


def note(context: "CleanContext", code: str, block: Block, detail: str = "") -> None:
    """Report a markup repair as a note (shown with ``-v``)."""
    context.reporter.info(code, detail or NOTES[code], block.loc)


def inner_paragraph(html: str) -> str | None:
    """The content of ``<p>…</p>`` markup, or None if the block is not one paragraph."""
    text = html.strip()
    if text.startswith("<p>") and text.endswith("</p>") and text.count("<p>") == 1:
        return text[3:-4]
    return None
