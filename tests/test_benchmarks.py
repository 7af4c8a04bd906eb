"""benchmarks/: the baseline script runs on a generated manuscript, and
side-by-side measurement interleaves the tools' runs."""
from __future__ import annotations

import subprocess
import sys

from pypdf import PdfReader

from benchmarks import __main__ as bench
from benchmarks.manuscript import write_manuscript
from tests.helpers import REPO


def test_plain_weasyprint_typesets_the_generated_manuscript(tmp_path):
    source = write_manuscript(tmp_path / "src", 2)
    out = tmp_path / "plain.pdf"
    subprocess.run([sys.executable, str(REPO / "benchmarks" / "plain_weasyprint.py"),
                    str(source), str(out)], check=True, capture_output=True, timeout=300)
    assert len(PdfReader(out).pages) >= 2


def test_side_by_side_runs_alternate_and_summarise_each_tool(tmp_path):
    log = tmp_path / "order"
    cmds = {name: [sys.executable, "-c", f"open({str(log)!r}, 'a').write({name!r})"]
            for name in ("a", "b")}
    results = bench.measure_side_by_side(cmds, 4)
    assert log.read_text() == "abbaabba"
    for seconds, peak_mb, cpu in results.values():
        assert 0 < seconds < 30 and peak_mb > 1 and cpu >= 0
