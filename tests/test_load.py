"""book.load: the book loaded in a child process is the book loaded in
place: the same model, clean-up changes, lint findings and diagnostics, each
reported once; a failure in the child is the same error here."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

from book.config import load_project
from book.errors import BuildError, Reporter
from book.load import load_book, start_loading
from tests.helpers import FIXTURES, SAMPLE


def loaded_in(parallel: bool, path: Path):
    reporter = Reporter(quiet=True)
    project = load_project(path, reporter)
    loaded = start_loading(project, reporter, parallel=parallel).loaded()
    return loaded, reporter


@pytest.mark.parametrize("path", [SAMPLE, FIXTURES / "lint" / "duplicates.md"])
def test_a_child_loads_the_same_book_as_this_process(path):
    here, here_reporter = loaded_in(False, path)
    child, child_reporter = loaded_in(True, path)
    assert child.book == here.book
    assert child.changes == here.changes
    assert child.findings == here.findings and here.findings
    assert child_reporter.diagnostics == here_reporter.diagnostics


def test_an_empty_manuscript_is_the_same_error_from_the_child(tmp_path):
    empty = tmp_path / "empty.md"
    empty.write_text("\n\n", encoding="utf-8")
    reporter = Reporter(quiet=True)
    project = load_project(empty, reporter)
    parent = os.getpid()
    with pytest.raises(BuildError, match="nothing to build") as raised:
        start_loading(project, reporter, parallel=True).loaded()
    assert os.getpid() == parent and "empty.md" in str(raised.value)
    with pytest.raises(BuildError, match="nothing to build"):
        load_book(project, Reporter(quiet=True))
