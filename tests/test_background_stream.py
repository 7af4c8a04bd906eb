"""book.background_stream: each value a stage yields comes back with its
own diagnostics, before the stage ends; a child that dies is finished here."""
from __future__ import annotations

import os

import pytest

from book import background_stream
from book.errors import Location, Reporter


def steps(reporter: Reporter):
    """A stage in two steps, each with its own diagnostic."""
    reporter.warn("X010", "first step", Location("a.md", 1))
    yield os.getpid()
    reporter.warn("X011", "second step", Location("a.md", 2))
    yield "天" * 300_000


@pytest.mark.parametrize("parallel", [True, False])
def test_a_stream_gives_each_value_with_its_own_diagnostics(parallel):
    reporter = Reporter(quiet=True)
    stream = background_stream.stream(steps, reporter, parallel)
    assert (stream.result(0) != os.getpid()) is parallel
    # The second step's diagnostic is reported with the second value (in a
    # child), or at once (in place, where the whole stage ran at start).
    assert [d.code for d in reporter.diagnostics] == (["X010"] if parallel
                                                      else ["X010", "X011"])
    assert stream.later(1).result() == "天" * 300_000
    assert [d.code for d in reporter.diagnostics] == ["X010", "X011"]


def test_a_stream_whose_child_dies_midway_finishes_here_reporting_once():
    parent = os.getpid()

    def dies_after_the_first(reporter: Reporter):
        reporter.warn("X010", "first step", Location("a.md", 1))
        yield os.getpid()
        reporter.warn("X011", "second step", Location("a.md", 2))
        if os.getpid() != parent:
            os._exit(1)
        yield os.getpid()

    reporter = Reporter(quiet=True)
    stream = background_stream.stream(dies_after_the_first, reporter, True)
    assert stream.result(0) != parent
    assert stream.result(1) == parent  # made here, the first value kept
    assert [d.code for d in reporter.diagnostics] == ["X010", "X011"]


def test_a_stream_child_lowers_its_priority_after_the_first_value():
    def niceness(reporter: Reporter):
        yield os.nice(0)
        yield os.nice(0)

    stream = background_stream.stream(niceness, Reporter(quiet=True), True)
    assert stream.result(1) == stream.result(0) + background_stream.LATER_NICENESS
    assert os.nice(0) == stream.result(0)  # not this process's
