"""The build's clean-up report: ``dist/<slug>-<edition>.report.json`` with
every change (transform, action, source line, text) and every lint finding
of the raw manuscript, and the one-line stderr summary of what was repaired."""
from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any, Callable

from book.errors import Diagnostic

REPORT_VERSION = 1
# transform -> how the summary line counts its changes
_PHRASES = {"stray_markup": "removed {n} stray markup block(s)",
            "merge_headings": "merged {n} repeated heading(s)",
            "dedupe": "removed {n} repeated paragraph(s)",
            "join_lines": "joined lines in {n} block(s)",
            "spaces": "normalised spaces in {n} block(s)",
            "fix_punctuation": "fixed punctuation in {n} block(s)"}


def report_name(slug: str, edition: str) -> str:
    """The report's file name: ``<slug>-<edition>.report.json``."""
    return f"{slug}-{edition}.report.json"


def report_data(slug: str, edition: str, changes: list[dict[str, Any]],
                findings: list[Diagnostic]) -> dict[str, Any]:
    """The report as plain data (sorted, so rebuilds write identical bytes)."""
    ordered = sorted(changes, key=lambda c: (c["path"], c["line"], c["transform"]))
    return {
        "version": REPORT_VERSION,
        "book": slug,
        "edition": edition,
        "changes": ordered,
        "findings": [f.as_dict() for f in sorted(findings, key=lambda f: f.sort_key())],
        "summary": dict(sorted(Counter(f"{c['transform']}.{c['action']}" for c in changes).items())),
    }


def write_reports(write: Callable[[str, bytes], Path], slug: str, editions: list[str],
                  changes: list[dict[str, Any]], findings: list[Diagnostic]) -> list[Path]:
    """Write one report per edition built, through ``write`` (atomic)."""
    paths = []
    for edition in editions:
        data = report_data(slug, edition, changes, findings)
        paths.append(write(report_name(slug, edition), report_json(data).encode("utf-8")))
    return paths


def report_json(data: dict[str, Any]) -> str:
    """The report as JSON with one change or finding per line: easy to grep
    and to diff. Not ``indent=2``: with an indent ``json`` falls back to its
    pure-Python encoder, many times slower."""
    def dumps(value: Any) -> str:
        return json.dumps(value, ensure_ascii=False)

    fields = []
    for name, value in data.items():
        if isinstance(value, list) and value:
            items = ",\n".join(f"    {dumps(item)}" for item in value)
            fields.append(f"  {dumps(name)}: [\n{items}\n  ]")
        else:
            fields.append(f"  {dumps(name)}: {dumps(value)}")
    return "{\n" + ",\n".join(fields) + "\n}\n"


def summary_line(changes: list[dict[str, Any]], findings: list[Diagnostic],
                 reports: list[Path]) -> str:
    """``clean-up: removed 7 repeated paragraph(s), merged 1 repeated heading(s), …; report: …``."""
    counts = Counter(c["transform"] for c in changes if c["transform"] != "semantic")
    parts = [_PHRASES.get(name, name + " {n}").format(n=n) for name, n in counts.items()]
    marked = Counter(c["kind"] for c in changes if c["transform"] == "semantic")
    if marked:
        parts.append("marked " + ", ".join(f"{n} {kind}(s)" for kind, n in sorted(marked.items())))
    done = ", ".join(parts) if parts else "nothing to repair"
    where = f"; report: {reports[0]}" + (f" (+{len(reports) - 1})" if len(reports) > 1 else "") \
        if reports else ""
    return f"clean-up: {done}; {len(findings)} lint finding(s) in the manuscript{where}"
