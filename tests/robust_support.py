"""Helpers for the robustness, safety and fuzz tests: write a throw-away
project, build it in-process (an unexpected exception fails the test: that
would be a traceback for the user), and check many EPUBs with one Java start.
"""
from __future__ import annotations

import dataclasses
import json
import subprocess
import tempfile
from pathlib import Path

from tests.helpers import FIXTURES, epubcheck_jar, run_cli, summarize

BATCH_LAUNCHER = FIXTURES / "robust" / "EpubCheckBatch.java"


@dataclasses.dataclass
class Built:
    """The outcome of one ``book build``: exit code, streams, EPUB (if any)."""

    exit_code: int
    stdout: str
    stderr: str
    epubs: list[Path]

    @property
    def epub(self) -> Path:
        assert len(self.epubs) == 1, (self.epubs, self.stderr)
        return self.epubs[0]

    def codes(self) -> set[str]:
        """Diagnostic codes printed on stderr (``path:line:col: warning[CODE] …``)."""
        found = set()
        for line in self.stderr.splitlines():
            if "[" in line and "]" in line:
                found.add(line.split("[", 1)[1].split("]", 1)[0])
        return found


def write_project(root: Path, files: dict[str, str | bytes], toml: str | None = None) -> Path:
    """Create ``root`` with the given files (text as UTF-8) and ``book.toml``."""
    root.mkdir(parents=True, exist_ok=True)
    for name, content in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, str):
            content = content.encode("utf-8")
        path.write_bytes(content)
    if toml is not None:
        (root / "book.toml").write_text(toml, encoding="utf-8")
    return root


def build(path: Path, *args: str, fmt: str = "epub") -> Built:
    """``book build PATH -f FMT`` in-process; no output folder clean-up."""
    extra = ["-f", fmt] if fmt else []
    result = run_cli("build", str(path), *extra, *args)
    out = path / "dist" if path.is_dir() else path.parent / "dist"
    epubs = sorted(out.glob("*.epub")) if out.is_dir() else []
    return Built(result.exit_code, result.stdout, result.stderr, epubs)


def epubcheck_many(paths: list[Path]) -> dict[Path, dict]:
    """EPUBCheck every path in one JVM; per path: counts and messages."""
    if not paths:
        return {}
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run(["java", "-cp", str(epubcheck_jar()), str(BATCH_LAUNCHER), tmp,
                        *map(str, paths)], capture_output=True, text=True, timeout=900,
                       check=False)
        results = {}
        for n, path in enumerate(paths, 1):
            report_path = Path(tmp) / f"{n}.json"
            if not report_path.exists():
                results[path] = {"fatal": 1, "error": 0, "warning": 0,
                                 "messages": ["EPUBCheck wrote no report"]}
                continue
            results[path] = summarize(json.loads(report_path.read_text(encoding="utf-8")))
    return results


def assert_clean(report: dict) -> None:
    assert report.get("version", "5.3").startswith("5.3")
    assert (report["fatal"], report["error"], report["warning"]) == (0, 0, 0), \
        "\n".join(report["messages"])
