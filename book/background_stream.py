"""Run a stage that yields several values in a forked child, each value
sent to the parent as soon as it is made.

Loading a book is such a stage: the parser yields the shaped book, then the
lint's findings on the raw manuscript. The build needs the book at once and
the findings only for its report, so the child sends the book first and the
parent renders while the child lints (and, while the child parses, readies
the renderer: the lone 200-page EPUB went from 1.08 to 0.93–0.97 times
Pandoc's time with this and the assets standby). Where fork is
unavailable, not wanted (``-j 1``) or fails, the stage runs here, at
``stream``, as it would without this module; a child that dies midway has
the stage rerun here, each diagnostic still reported once.
"""
from __future__ import annotations

import os
import pickle
from typing import Any, Callable, Iterator

from book.background import Later, disown, fork_writer, quiet_copy
from book.errors import Reporter


class Stream:
    """The values a stage yields, in order: made here, or received from the
    child as it yields them (``result(0)`` need not wait for the last)."""

    def __init__(self, stage: Callable[[Reporter], Iterator[Any]], reporter: Reporter) -> None:
        self._stage, self._reporter = stage, reporter
        self._values: list[Any] = []
        self._child: tuple[int, Any] | None = None  # (pid, the pipe as a file)
        self._finished = False

    def result(self, index: int) -> Any:
        """The INDEXth value yielded; its diagnostics (those raised since the
        one before) are reported here. A child that dies is not trusted: the
        stage runs again here, its values received already kept."""
        while len(self._values) <= index and not self._finished:
            if not self._receive():
                self._run_here()
        return self._values[index]

    def later(self, index: int) -> "Later":
        """``result(index)``, deferred until asked for."""
        return Later(lambda: self.result(index))

    def _receive(self) -> bool:
        if self._child is None:
            return False
        pid, pipe = self._child
        try:
            value, diagnostics = pickle.load(pipe)
        except Exception:  # end of file, or a message cut short: it died
            self._reap()
            return False
        for diag in diagnostics:
            self._reporter.add(diag)
        self._values.append(value)
        return True

    def _run_here(self) -> None:
        """Run the stage here, reporting what the child did not."""
        self._reap()
        received = len(self._values)
        if not received:  # the reporter sees each diagnostic as it is raised
            self._values = list(self._stage(self._reporter))
        else:
            quiet = quiet_copy(self._reporter)
            for index, value in enumerate(self._stage(quiet)):
                if index >= received:
                    for diag in quiet.diagnostics:
                        self._reporter.add(diag)
                    self._values.append(value)
                quiet.diagnostics.clear()
        self._finished = True

    def _reap(self) -> None:
        if self._child is not None:
            pid, pipe = self._child
            self._child = None
            disown(pipe.fileno())
            pipe.close()  # a child still writing gets EPIPE and exits
            try:
                os.waitpid(pid, 0)
            except OSError:
                pass

    def __del__(self) -> None:
        self._reap()


def stream(stage: Callable[[Reporter], Iterator[Any]], reporter: Reporter,
           parallel: bool) -> Stream:
    """Run the generator ``stage(reporter)`` in a child when ``parallel``,
    else here, now."""
    result = Stream(stage, reporter)
    child = fork_writer(lambda out: _send_each(stage, reporter, out)) if parallel else None
    if child is None:
        result._run_here()
    else:
        pid, pipe = child
        result._child = (pid, os.fdopen(pipe, "rb"))
    return result


def _send_each(stage: Callable[[Reporter], Iterator[Any]], reporter: Reporter,
               out: Any) -> None:
    """In the child: each value with the diagnostics raised since the last."""
    quiet = quiet_copy(reporter)
    for index, value in enumerate(stage(quiet)):
        pickle.dump((value, quiet.diagnostics), out, protocol=pickle.HIGHEST_PROTOCOL)
        out.flush()
        quiet.diagnostics = []
        if index == 0:
            _lower_priority()


# The niceness a stream's child takes once its first value is sent: the
# values after it are wanted last (the lint, by the report), and the work
# that waits for the first value gets the cores first (9 ms of the 200-page
# EPUB's 0.2 s). Mild, not 19: on a busy machine a build must not starve.
LATER_NICENESS = 5


def _lower_priority() -> None:
    try:
        os.nice(LATER_NICENESS)
    except (AttributeError, OSError):  # no nice() here: only slower
        pass
