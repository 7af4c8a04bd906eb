"""book.background: a stage run in a forked child gives the same value and
diagnostics as in place; a failing child is not trusted."""
from __future__ import annotations

import os

import pytest

from book import background
from book.errors import BuildError, Location, Reporter


def stage(reporter: Reporter) -> dict:
    reporter.warn("X001", "from the stage", Location("a.md", 3), "a hint")
    return {"pid": os.getpid(), "big": "天" * 300_000}  # more than a pipe holds


@pytest.mark.parametrize("parallel", [True, False])
def test_value_and_diagnostics_come_back(parallel):
    reporter = Reporter(quiet=True)
    pending = background.start(stage, reporter, parallel)
    value = pending.result()
    assert (value["pid"] != os.getpid()) is parallel
    assert value["big"] == "天" * 300_000
    assert [(d.code, d.location.line, d.hint) for d in reporter.diagnostics] == [
        ("X001", 3, "a hint")]
    assert pending.result() is value  # collected once


def test_in_place_stages_run_at_start():
    calls = []
    background.start(lambda reporter: calls.append(1), Reporter(quiet=True), False)
    assert calls == [1]


def test_a_failing_child_is_rerun_here_so_the_error_is_the_real_one():
    parent = os.getpid()

    def failing(reporter: Reporter) -> int:
        if os.getpid() != parent:
            raise RuntimeError("a crash in the child")
        raise BuildError("the stage's own error")

    pending = background.start(failing, Reporter(quiet=True), True)
    with pytest.raises(BuildError, match="the stage's own error"):
        pending.result()


def test_ignored_codes_and_strictness_apply_in_the_child():
    reporter = Reporter(quiet=True, ignore={"X001"}, strict=True)
    background.start(stage, reporter, True).result()
    assert reporter.diagnostics == []
    strict = Reporter(quiet=True, strict=True)

    def warns(rep: Reporter) -> None:
        rep.warn("X002", "w", Location("a.md", 1))

    background.start(warns, strict, True).result()
    assert [d.severity for d in strict.diagnostics] == ["error"]


def test_an_uncollected_child_is_reaped():
    pending = background.start(stage, Reporter(quiet=True), True)
    pid = pending._child._pid
    del pending  # never collected: the pipe closes, the child exits and is reaped
    with pytest.raises(ChildProcessError):
        os.waitpid(pid, os.WNOHANG)


def test_fork_gives_the_value_or_none_when_the_child_fails():
    child = background.fork(lambda: [os.getpid(), "値"])
    pid, text = child.collect()
    assert pid != os.getpid() and text == "値"
    assert background.fork(lambda: 1 / 0).collect() is None
    assert background.fork(lambda: os._exit(3)).collect() is None
