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


READY = {"faces": None}


def prepare() -> None:
    READY["faces"] = f"looked up in {os.getpid()}"


def use(reporter: Reporter, text: str, count: int) -> tuple:
    reporter.warn("X020", "from the standby", Location("b.md", 4))
    return READY["faces"], text * count


@pytest.mark.parametrize("parallel", [True, False])
def test_a_standby_child_prepares_then_runs_on_what_it_is_sent(parallel):
    READY["faces"] = None
    standby = background.standby(prepare, use, parallel)
    reporter = Reporter(quiet=True)
    faces, text = standby.start(reporter, "字", 100_000).result()
    assert text == "字" * 100_000
    # Prepared in the child, before the arguments existed; in place nothing
    # prepares, and the stage does all the work itself.
    assert (faces is not None and str(os.getpid()) not in faces) if parallel else faces is None
    assert [d.code for d in reporter.diagnostics] == ["X020"]


def test_a_standby_child_that_dies_leaves_the_work_to_the_parent():
    standby = background.standby(lambda: os._exit(1), use, True)
    assert standby.start(Reporter(quiet=True), "a", 2).result() == (READY["faces"], "aa")


def test_an_unused_standby_exits_even_when_a_later_child_holds_on():
    import signal

    # A child forked after the standby, blocked until released: were the
    # request pipe still open in it, the standby would never see end-of-file
    # and close() would wait for it for ever.
    release_read, release_write = os.pipe()
    standby = background.standby(prepare, use, True)
    later = background.fork(lambda: os.read(release_read, 1))
    pid = standby._child._pid
    def hang(signum, frame):
        raise TimeoutError("the standby child did not exit")

    previous = signal.signal(signal.SIGALRM, hang)  # a hang fails, not stalls, the suite
    signal.alarm(5)
    try:
        standby.close()
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)
    with pytest.raises(ChildProcessError):
        os.waitpid(pid, os.WNOHANG)  # reaped
    os.write(release_write, b"x")
    assert later.collect() == b"x"
    os.close(release_read)
    os.close(release_write)
