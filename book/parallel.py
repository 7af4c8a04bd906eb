"""One process pool over independent tasks (a build's edition × format
renders): ``concurrent.futures.ProcessPoolExecutor`` with the platform's
default start method (fork on Linux, spawn on macOS and Windows), so the
calls and their results must be plain picklable data.

Workers never outlive the build: each watches, in a thread, its parent
process and the pool's ``abandon`` flag, and leaves at once when the parent
is gone (killed: it could not say so) or the build gives up (an error in
another task, Ctrl-C, SIGTERM). Ctrl-C is the parent's to handle.
"""
from __future__ import annotations

import concurrent.futures
import concurrent.futures.process
import ctypes
import multiprocessing
import multiprocessing.process
import os
import signal
import threading
import time
from typing import Any, Callable, TypeVar

from book.errors import BuildError

T = TypeVar("T")
M = TypeVar("M")
# How often a worker checks that its build still wants it, in seconds.
WATCH_INTERVAL = 0.25


def run_in_pool(function: Callable[..., T], calls: list[tuple], workers: int,
                meanwhile: Callable[[], M]) -> tuple[list[T], M]:
    """``function(*args)`` for each ARGS of CALLS in a pool of WORKERS
    processes, and ``meanwhile()`` here while they run; the results in the
    order of CALLS, and ``meanwhile``'s value. An exception in a call or in
    ``meanwhile`` (or an interrupt) stops every worker and is raised here; a
    worker that dies is a ``BuildError``."""
    context = multiprocessing.get_context()  # the platform's default start method
    # A flag in shared memory, not an Event: a worker killed while waiting on
    # an Event's condition would leave the parent's set() waiting for it.
    abandon = context.RawValue(ctypes.c_bool, False)
    pool = concurrent.futures.ProcessPoolExecutor(
        workers, mp_context=context, initializer=_start_worker, initargs=(abandon,))
    try:
        futures = [pool.submit(function, *args) for args in calls]
        found = meanwhile()
        results = [future.result() for future in futures]
    except concurrent.futures.process.BrokenProcessPool as exc:
        # A worker died (killed, out of memory, a crash in a C library):
        # one line, not the pool's traceback.
        _stop(pool, abandon)
        raise BuildError("a render worker process died before finishing",
                         hint="run again with -j 1 to render in one process") from exc
    except BaseException:
        _stop(pool, abandon)
        raise
    pool.shutdown()
    return results, found


def _stop(pool: concurrent.futures.ProcessPoolExecutor, abandon: Any) -> None:
    """Drop the queued calls and end the workers, even in the middle of one."""
    abandon.value = True
    pool.shutdown(wait=True, cancel_futures=True)


def _start_worker(abandon: Any) -> None:
    """In a new worker: leave Ctrl-C to the parent, and watch in a thread for
    the parent to end or to abandon the work."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    threading.Thread(target=_watch, args=(abandon, os.getppid(),
                                          multiprocessing.parent_process()),
                     name="book-watch", daemon=True).start()


def _watch(abandon: Any, parent_pid: int,
           parent: multiprocessing.process.BaseProcess | None) -> None:
    """End this worker when ``abandon`` is set or its parent is gone: on
    POSIX an orphan gets a new parent; on Windows the parent's handle is
    signalled."""
    while not abandon.value:
        if os.getppid() != parent_pid or (parent is not None and not parent.is_alive()):
            break
        time.sleep(WATCH_INTERVAL)
    os._exit(1)
