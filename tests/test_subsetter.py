"""The PDF build warns (F010) when WeasyPrint would subset fonts with the
slow fontTools path instead of HarfBuzz-Subset."""
from __future__ import annotations

import weasyprint.text.ffi as ffi

from book.errors import Reporter
from book.render.pdf.renderer import warn_slow_subsetter


def test_no_warning_with_harfbuzz_subset():
    reporter = Reporter(quiet=True)
    warn_slow_subsetter(reporter)
    assert ffi.harfbuzz_subset is not None  # setup.sh installs libharfbuzz-subset0
    assert not reporter.diagnostics


def test_warns_when_weasyprint_falls_back_to_fonttools(monkeypatch):
    monkeypatch.setattr(ffi, "harfbuzz_subset", None)
    reporter = Reporter(quiet=True)
    warn_slow_subsetter(reporter)
    [diag] = reporter.diagnostics
    assert diag.code == "F010" and diag.severity == "warning"
    assert diag.hint == "apt-get install libharfbuzz-subset0"
