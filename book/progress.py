"""Progress on stderr for long builds: which stage runs, and for the PDF the
page count so far (from WeasyPrint's progress logger). Quiet when stderr is
not a terminal or with ``-q``."""
from __future__ import annotations

import contextlib
import logging
import re
import sys
from typing import Iterator

PAGE = re.compile(r"Creating layout - Page (\d+)")


class _PageCounter(logging.Handler):
    def __init__(self, label: str) -> None:
        super().__init__(logging.INFO)
        self.label = label
        self.last = 0
        self.passes = 1

    def emit(self, record: logging.LogRecord) -> None:
        match = PAGE.search(record.getMessage())
        if not match:
            return
        page = int(match[1])
        # WeasyPrint lays the pages out again when page counters or running
        # heads changed: say so, rather than count back from 1.
        if page < self.last:
            self.passes += 1
        self.last = page
        if page % 10 == 0:
            again = f" (pass {self.passes})" if self.passes > 1 else ""
            sys.stderr.write(f"\r{self.label}: laid out {page} pages{again} …")
            sys.stderr.flush()


def wanted(quiet: bool) -> bool:
    return not quiet and sys.stderr.isatty()


@contextlib.contextmanager
def page_progress(label: str, enabled: bool) -> Iterator[None]:
    """While active, show WeasyPrint's page count for ``label``."""
    if not enabled:
        yield
        return
    logger = logging.getLogger("weasyprint.progress")
    handler = _PageCounter(label)
    old_level = logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    try:
        yield
    finally:
        logger.removeHandler(handler)
        logger.setLevel(old_level)
        sys.stderr.write("\r\033[K")
        sys.stderr.flush()
