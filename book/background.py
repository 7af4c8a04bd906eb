"""Run one stage in a forked child process while the build goes on.

A lone EPUB build is one process doing one thing after another, on a machine
with cores to spare: the lint of the raw manuscript (only the report reads
its findings) and the cover and font subsets (only the packaging reads them)
need not wait for the rest, nor it for them. ``start`` forks a child that
runs the stage and sends back its value and the diagnostics it raised; the
parent collects them with ``result()`` when it needs them. ``fork`` is the
bare tool under it, for work that has its own fallback (the PDF preflight
reads pages in a child, see ``book.preflight_split``).

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


class Child(Generic[T]):
    """A forked child process computing one value, sent back pickled through
    a pipe (a full pipe only blocks it until the parent reads)."""

    def __init__(self, pid: int, pipe: int) -> None:
        self._pid, self._pipe = pid, pipe

    def collect(self) -> T | None:
        """The child's value, or None when it failed or died."""
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

    def close(self) -> None:
        """Reap the child without its value: with the pipe closed, a child
        still writing gets EPIPE and exits."""
        if self._pid:
            try:
                os.close(self._pipe)
                os.waitpid(self._pid, 0)
            except OSError:
                pass
            self._pid = 0

    def __del__(self) -> None:  # never collected: an error elsewhere ended the caller
        self.close()


def fork(produce: Callable[[], T]) -> Child[T] | None:
    """Run ``produce()`` in a forked child; None where there is no ``fork``
    or it fails (the caller then does the work itself)."""
    if not hasattr(os, "fork"):
        return None
    try:
        read_end, write_end = os.pipe()
        pid = os.fork()
    except OSError:
        return None
    if pid == 0:  # the child: never returns
        os.close(read_end)
        _run_child(produce, write_end)
    os.close(write_end)
    return Child(pid, read_end)


class Pending(Generic[T]):
    """A stage's value: computed already, or coming from a child."""

    def __init__(self, stage: Stage, reporter: Reporter) -> None:
        self._stage, self._reporter = stage, reporter
        self._child: Child[tuple[T, list[Diagnostic]]] | None = None
        self._value: tuple[T] | None = None

    def result(self) -> T:
        """The stage's value; its diagnostics are reported here, in the
        parent, as if it had run in place. A child that failed is not
        trusted: the stage runs again here, so an error is raised (and
        worded) as it would be without the child."""
        if self._value is None:
            received = self._child.collect() if self._child else None
            self._child = None
            if received is None:
                self._value = (self._stage(self._reporter),)
            else:
                value, diagnostics = received
                for diag in diagnostics:
                    self._reporter.add(diag)
                self._value = (value,)
        return self._value[0]


def start(stage: Stage, reporter: Reporter, parallel: bool) -> Pending[T]:
    """Run ``stage(reporter)`` in a child when ``parallel``, else now."""
    pending: Pending[T] = Pending(stage, reporter)
    if parallel:
        pending._child = fork(lambda: _quietly(stage, reporter))
    if pending._child is None:
        pending.result()
    return pending


def _quietly(stage: Stage, reporter: Reporter) -> tuple[T, list[Diagnostic]]:
    """In the child: the stage's value and the diagnostics it raised, kept
    for the parent to report."""
    quiet = Reporter(quiet=True, verbose=False, ignore=reporter.ignore, strict=reporter.strict)
    return stage(quiet), quiet.diagnostics


def _run_child(produce: Callable[[], T], pipe: int) -> None:
    # A short-lived child needs no garbage collection, and a collection would
    # touch (and so copy) every page of the parent's objects.
    gc.disable()
    status = 1
    try:
        data = pickle.dumps(produce(), protocol=pickle.HIGHEST_PROTOCOL)
        with os.fdopen(pipe, "wb") as out:
            out.write(data)
        status = 0
    except BaseException:  # the parent does the work again, and reports
        pass
    finally:
        os._exit(status)  # no atexit handlers, no flushing the parent's buffers
