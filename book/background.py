"""Run one stage in a forked child process while the build goes on.

A lone EPUB build is one process doing one thing after another, on a machine
with cores to spare: the lint of the raw manuscript (only the report reads
its findings) and the cover and font subsets (only the packaging reads them)
need not wait for the rest, nor it for them. ``start`` forks a child that
runs the stage and sends back its value and the diagnostics it raised; the
parent collects them with ``result()`` when it needs them.

Written with ``os.fork`` and a pipe rather than ``concurrent.futures``: a
process pool costs 20 ms to import and start, more than some stages take;
a fork of the build costs about 1 ms and the child already has everything
imported and the book in memory. Where fork is unavailable, not wanted
(``-j 1``) or fails, the stage runs in the parent, at ``start``, exactly as
it would without this module.
"""
from __future__ import annotations

import gc
import os
import pickle
from typing import Callable, Generic, TypeVar

from book.errors import Diagnostic, Reporter

T = TypeVar("T")
Stage = Callable[[Reporter], T]


class Pending(Generic[T]):
    """A stage's value: computed already, or coming from a child."""

    def __init__(self, stage: Stage, reporter: Reporter) -> None:
        self._stage, self._reporter = stage, reporter
        self._pid = 0
        self._pipe = -1
        self._value: tuple[T] | None = None

    def result(self) -> T:
        """The stage's value; its diagnostics are reported here, in the
        parent, as if it had run in place. A child that failed is not
        trusted: the stage runs again here, so an error is raised (and
        worded) as it would be without the child."""
        if self._value is None:
            received = self._collect() if self._pid else None
            if received is None:
                self._value = (self._stage(self._reporter),)
            else:
                value, diagnostics = received
                for diag in diagnostics:
                    self._reporter.add(diag)
                self._value = (value,)
        return self._value[0]

    def __del__(self) -> None:
        # Never collected (an error elsewhere ended the build): close the pipe,
        # so a child blocked writing to it gets EPIPE and exits, and reap it.
        if self._pid:
            try:
                os.close(self._pipe)
                os.waitpid(self._pid, 0)
            except OSError:
                pass

    def _collect(self) -> tuple[T, list[Diagnostic]] | None:
        chunks = []
        with os.fdopen(self._pipe, "rb") as pipe:  # read all before waiting: a full pipe blocks the child
            while chunk := pipe.read(1 << 20):
                chunks.append(chunk)
        _, status = os.waitpid(self._pid, 0)
        self._pid = 0
        if os.waitstatus_to_exitcode(status) != 0 or not chunks:
            return None
        try:
            return pickle.loads(b"".join(chunks))
        except Exception:
            return None


def start(stage: Stage, reporter: Reporter, parallel: bool) -> Pending[T]:
    """Run ``stage(reporter)`` in a child when ``parallel``, else now."""
    pending: Pending[T] = Pending(stage, reporter)
    if not parallel or not hasattr(os, "fork"):
        pending.result()
        return pending
    try:
        read_end, write_end = os.pipe()
        pid = os.fork()
    except OSError:
        pending.result()
        return pending
    if pid == 0:  # the child: never returns
        os.close(read_end)
        _run_child(stage, reporter, write_end)
    os.close(write_end)
    pending._pid, pending._pipe = pid, read_end
    return pending


def _run_child(stage: Stage, reporter: Reporter, pipe: int) -> None:
    # A short-lived child needs no garbage collection, and a collection would
    # touch (and so copy) every page of the parent's objects.
    gc.disable()
    status = 1
    try:
        quiet = Reporter(quiet=True, verbose=False, ignore=reporter.ignore,
                         strict=reporter.strict)
        data = pickle.dumps((stage(quiet), quiet.diagnostics),
                            protocol=pickle.HIGHEST_PROTOCOL)
        with os.fdopen(pipe, "wb") as out:
            out.write(data)
        status = 0
    except BaseException:  # the parent runs the stage again and reports
        pass
    finally:
        os._exit(status)  # no atexit handlers, no flushing the parent's buffers
