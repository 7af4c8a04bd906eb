"""book.load: sources → one Book model, the clean-up's changes and the lint
of the raw manuscript; an empty manuscript is a one-line error; a cached
load is the same book with the same diagnostics."""
from __future__ import annotations

import pytest

from book.cache import Cache
from book.errors import BuildError, Reporter
from book.load import lint_book, load_book
from book.project.config import load_project
from tests.helpers import FIXTURES, SAMPLE


def test_the_sample_loads_into_chapters_with_its_changes_and_findings():
    reporter = Reporter(quiet=True)
    project = load_project(SAMPLE, reporter)
    loaded = load_book(project, reporter)
    assert [c.kind for c in loaded.book.chapters].count("body") >= 2
    assert {c["transform"] for c in loaded.changes} >= {"dedupe", "stray_markup"}
    assert list(loaded.sources) == ["000_2b4917eb708bd915.txt"]
    findings = lint_book(project, loaded, reporter)
    assert {f.code for f in findings} >= {"W102", "W111", "W121"}


def test_a_cached_load_is_the_same_book_and_the_same_diagnostics(tmp_path):
    path = FIXTURES / "lint" / "duplicates.md"
    runs = []
    for _ in range(2):
        reporter = Reporter(quiet=True)
        project = load_project(path, reporter)
        cache = Cache(tmp_path / "cache")
        loaded = load_book(project, reporter, cache)
        runs.append((loaded.book, loaded.changes, lint_book(project, loaded, reporter, cache),
                     reporter.diagnostics, cache.hits))
    (book, changes, findings, diagnostics, hits), again = runs
    assert hits == 0 and again[4] == 3  # parse, shape, lint
    assert (book, changes, findings, diagnostics) == again[:4]
    assert findings and diagnostics


def test_an_empty_manuscript_is_a_one_line_error(tmp_path):
    empty = tmp_path / "empty.md"
    empty.write_text("\n\n", encoding="utf-8")
    reporter = Reporter(quiet=True)
    with pytest.raises(BuildError, match="nothing to build") as raised:
        load_book(load_project(empty, reporter), reporter)
    assert "empty.md" in str(raised.value) and "\n" not in str(raised.value)
