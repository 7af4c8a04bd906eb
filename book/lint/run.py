"""What ``book check`` and the build need around the linter: the options it
reads from a project, and the findings as a summary line or JSON."""
from __future__ import annotations

import json
from collections import Counter
from typing import Any

from book.project.config import Project
from book.errors import Diagnostic
from book.lint.findings import CODES

JSON_SCHEMA_VERSION = 1


def lint_options(project: Project, sources: dict[str, str] | None = None) -> dict[str, Any]:
    """The ``[check]`` table plus the structure rules the checks must follow,
    the ``[clean]`` switches (so hints say what a build will do) and the
    source texts by display path (so columns count the Markdown as written)."""
    return {**project.check, "structure": project.structure, "clean": project.clean,
            "sources": sources or {}}


def summary(findings: list[Diagnostic]) -> dict[str, int]:
    """The number of errors, warnings and notes."""
    counts = {"errors": 0, "warnings": 0, "info": 0}
    for item in findings:
        counts[{"error": "errors", "warning": "warnings"}.get(item.severity, "info")] += 1
    return counts


def summary_line(findings: list[Diagnostic]) -> str:
    """``5 finding(s): 0 error(s), 5 warning(s) (duplicates 2, headings 1, …)``."""
    counts = summary(findings)
    if not findings:
        return "no findings"
    by_check = Counter(CODES.get(f.code, ("other", ""))[0] for f in findings)
    checks = ", ".join(f"{name} {n}" for name, n in sorted(by_check.items()))
    return (f"{len(findings)} finding(s): {counts['errors']} error(s), "
            f"{counts['warnings']} warning(s) ({checks})")


def as_json(findings: list[Diagnostic]) -> str:
    """``{"version", "findings": [...], "summary": {...}}`` — see docs in README."""
    by_code: dict[str, int] = {}
    for item in findings:
        by_code[item.code] = by_code.get(item.code, 0) + 1
    return json.dumps({
        "version": JSON_SCHEMA_VERSION,
        "findings": [_as_dict(item) for item in findings],
        "summary": {**summary(findings), "total": len(findings), "by_code": by_code},
    }, ensure_ascii=False, indent=2)


def _as_dict(item: Diagnostic) -> dict[str, Any]:
    """One finding for JSON; diagnostics from the build get the same keys."""
    data = item.as_dict()
    data.setdefault("check", "build")
    data.setdefault("related", [])
    return data
