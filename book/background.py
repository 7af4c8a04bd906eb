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

``standby`` forks before the stage's input exists: at the start of the
build, a child readies itself (imports, font lookups) on the idle core while
the parent reads the manuscript, then waits for the few values its stage
needs from the book. ``book.background_stream`` runs a stage that yields
several values, each sent as soon as it is made.
"""
from __future__ import annotations

import gc
import os
import pickle
from typing import Any, Callable, Generic, TypeVar

from book.errors import Diagnostic, Reporter

T = TypeVar("T")
Stage = Callable[[Reporter], T]

# The pipe ends this process holds to talk to its children. A child forked
# later closes its copies: a standby child must see end-of-file when the
# parent drops its request (a failed build), and a child writing must get
# EPIPE when the parent stops reading, not wait on a sibling's copy.
_PARENT_PIPES: set[int] = set()


def disown(fd: int) -> None:
    """The pipe end FD is closed by its new owner, not by later children."""
    _PARENT_PIPES.discard(fd)


def _release(fd: int) -> None:
    """Close one of the parent's pipe ends."""
    _PARENT_PIPES.discard(fd)
    try:
        os.close(fd)
    except OSError:
        pass


class Child(Generic[T]):
    """A forked child process computing one value, sent back pickled through
    a pipe (a full pipe only blocks it until the parent reads)."""

    def __init__(self, pid: int, pipe: int) -> None:
        self._pid, self._pipe = pid, pipe

    def collect(self) -> T | None:
        """The child's value, or None when it failed or died."""
        chunks = []
        _PARENT_PIPES.discard(self._pipe)
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
            _release(self._pipe)
            try:
                os.waitpid(self._pid, 0)
            except OSError:
                pass
            self._pid = 0

    def __del__(self) -> None:  # never collected: an error elsewhere ended the caller
        self.close()


def fork(produce: Callable[[], T]) -> Child[T] | None:
    """Run ``produce()`` in a forked child; None where there is no ``fork``
    or it fails (the caller then does the work itself)."""
    child = fork_writer(lambda out: out.write(
        pickle.dumps(produce(), protocol=pickle.HIGHEST_PROTOCOL)))
    return None if child is None else Child(*child)


def fork_writer(write: Callable[[Any], None]) -> tuple[int, int] | None:
    """Fork a child that runs ``write(pipe)`` (a binary file) and exits,
    with status 0 only when it returned; (pid, the pipe's read end), or None
    where there is no ``fork`` or it fails."""
    if not hasattr(os, "fork"):
        return None
    try:
        read_end, write_end = os.pipe()
        pid = os.fork()
    except OSError:
        return None
    if pid == 0:  # the child: never returns
        os.close(read_end)
        _close_parent_pipes()
        _run_child(write, write_end)
    os.close(write_end)
    _PARENT_PIPES.add(read_end)
    return pid, read_end


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


class Standby(Generic[T]):
    """A stage whose child was forked before its input existed (``standby``).

    ``start`` sends the input and returns the stage's ``Pending`` value;
    without a child (no fork, ``-j 1``) the stage runs in the parent there."""

    def __init__(self, stage: Callable[..., T], child: Child | None = None,
                 request: int | None = None) -> None:
        self._stage, self._child, self._request = stage, child, request

    def start(self, reporter: Reporter, *args: object) -> Pending[T]:
        """Run ``stage(reporter, *args)``: the ARGS (pickled, so keep them
        small) go to the waiting child."""
        pending: Pending[T] = Pending(lambda rep: self._stage(rep, *args), reporter)
        request, self._request = self._request, None
        if request is not None and self._child is not None:
            _PARENT_PIPES.discard(request)
            try:
                with os.fdopen(request, "wb") as pipe:
                    pipe.write(pickle.dumps(((reporter.ignore, reporter.strict), args),
                                            protocol=pickle.HIGHEST_PROTOCOL))
                pending._child, self._child = self._child, None
            except (OSError, pickle.PicklingError):  # the child died: work here
                self.close()
        if pending._child is None:
            pending.result()
        return pending

    def close(self) -> None:
        """Let the child go unused: it reads end-of-file and exits."""
        if self._request is not None:
            _release(self._request)
            self._request = None
        if self._child is not None:
            self._child.close()
            self._child = None

    def __del__(self) -> None:
        self.close()


def standby(prepare: Callable[[], object], stage: Callable[..., T],
            parallel: bool) -> Standby[T]:
    """Fork a child that runs ``prepare()`` now (work that needs nothing of
    the book: imports, lookups, whose results it keeps in its memory), then
    waits for ``Standby.start``'s arguments and runs ``stage`` on them."""
    if not parallel or not hasattr(os, "fork"):
        return Standby(stage)
    opened: list[int] = []
    try:
        opened += os.pipe()
        opened += os.pipe()
        pid = os.fork()
    except OSError:
        for fd in opened:
            os.close(fd)
        return Standby(stage)
    request_read, request_write, result_read, result_write = opened
    if pid == 0:  # the child: never returns
        os.close(request_write)
        os.close(result_read)
        _close_parent_pipes()
        _serve(prepare, stage, request_read, result_write)
    os.close(request_read)
    os.close(result_write)
    _PARENT_PIPES.update((request_write, result_read))
    return Standby(stage, Child(pid, result_read), request_write)


def _serve(prepare: Callable[[], object], stage: Callable[..., T], request: int,
           result: int) -> None:
    """In a standby child: prepare, wait for the arguments, run the stage."""
    gc.disable()  # see _run_child; prepare's imports make garbage no one collects
    try:
        prepare()
    except BaseException:  # only a head start: the stage does the work anyway
        pass
    try:
        with os.fdopen(request, "rb") as pipe:
            (ignore, strict), args = pickle.load(pipe)
    except BaseException:  # end-of-file: the parent did not need us
        os._exit(0)
    quiet = Reporter(quiet=True, verbose=False, ignore=ignore, strict=strict)
    _run_child(lambda out: out.write(pickle.dumps((stage(quiet, *args), quiet.diagnostics),
                                                  protocol=pickle.HIGHEST_PROTOCOL)), result)


def _close_parent_pipes() -> None:
    """In a new child: close the parent's pipe ends it inherited."""
    for fd in _PARENT_PIPES:
        try:
            os.close(fd)
        except OSError:
            pass
    _PARENT_PIPES.clear()


class Later:
    """A value computed when first asked for (``Pending``'s interface)."""

    def __init__(self, compute: Callable[[], Any]) -> None:
        self._compute = compute

    def result(self) -> Any:
        return self._compute()


def quiet_copy(reporter: Reporter) -> Reporter:
    """A reporter that keeps, and does not print, what a child raises."""
    return Reporter(quiet=True, verbose=False, ignore=reporter.ignore, strict=reporter.strict)


def _quietly(stage: Stage, reporter: Reporter) -> tuple[T, list[Diagnostic]]:
    """In the child: the stage's value and the diagnostics it raised, kept
    for the parent to report."""
    quiet = quiet_copy(reporter)
    return stage(quiet), quiet.diagnostics


def _run_child(write: Callable[[Any], None], pipe: int) -> None:
    # A short-lived child needs no garbage collection, and a collection would
    # touch (and so copy) every page of the parent's objects.
    gc.disable()
    status = 1
    try:
        with os.fdopen(pipe, "wb") as out:
            write(out)
        status = 0
    except BaseException:  # the parent does the work again, and reports
        pass
    finally:
        os._exit(status)  # no atexit handlers, no flushing the parent's buffers
