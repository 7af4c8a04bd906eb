"""A content-addressed build cache in ``<out>/.cache``.

Keys are hashes of everything a stage's result depends on: the input bytes,
the options, and a fingerprint of the tool itself (its version and the bytes
of its ``.py``, ``.j2`` and ``.css`` files under ``book/``), so editing the
tool — not only bumping its version — invalidates old entries. Values are pickles written
atomically; a corrupt or unreadable entry is a miss, never an error.
"""
from __future__ import annotations

import collections
import functools
import hashlib
import os
import pickle
import tempfile
from pathlib import Path
from typing import Any, Callable, TypeVar

import book
from book.errors import Reporter

T = TypeVar("T")
# Size cap of dist/.cache; least recently used entries go first.
MAX_BYTES = 256 * 1024 * 1024


def _touch(path: Path) -> None:
    try:
        os.utime(path)
    except OSError:
        pass


@functools.cache
def tool_fingerprint() -> str:
    """Hash of the tool's version and of its .py, .j2 and .css files under
    ``book/`` (in a source checkout the default styles, ``styles/``, are
    outside it: no cached stage reads them)."""
    digest = hashlib.sha256(book.__version__.encode())
    root = Path(book.__file__).parent
    names = []
    for folder, subfolders, files in os.walk(root):
        subfolders[:] = [d for d in subfolders if d != "__pycache__"]
        names += [os.path.relpath(os.path.join(folder, f), root) for f in files
                  if f.endswith((".py", ".j2", ".css"))]
    for name in sorted(names):
        digest.update(name.encode())
        digest.update((root / name).read_bytes())
    return digest.hexdigest()


def fingerprint(value: Any) -> bytes:
    """A digest of a model value (parsed blocks, a chapter), for keys of stages
    whose input is an earlier stage's output. Its ``repr``, not its pickle:
    dataclass reprs list every field's value, while pickles also record which
    strings are shared objects, which differs between fresh and cached runs."""
    return hashlib.sha256(repr(value).encode()).digest()


def key(*parts: Any) -> str:
    """A cache key from bytes/str parts plus the tool fingerprint."""
    digest = hashlib.sha256(tool_fingerprint().encode())
    for part in parts:
        data = part if isinstance(part, bytes) else repr(part).encode()
        digest.update(len(data).to_bytes(8, "big"))
        digest.update(data)
    return digest.hexdigest()


# Classes a cache entry may hold besides the book package's own: the cache
# folder comes with the project (a committed or unpacked dist/.cache), and
# unpickling an arbitrary entry would run arbitrary code.
_SAFE_CLASSES = {
    ("builtins", name) for name in ("set", "frozenset", "bytearray", "complex", "slice",
                                    "range", "object")
} | {
    ("markupsafe", "Markup"), ("pathlib", "PosixPath"), ("pathlib", "PurePosixPath"),
    ("pathlib", "WindowsPath"), ("pathlib", "PureWindowsPath"), ("pathlib", "Path"),
    ("collections", "OrderedDict"), ("collections", "defaultdict"),
    ("collections", "Counter"), ("datetime", "datetime"), ("datetime", "date"),
    ("datetime", "timezone"), ("datetime", "timedelta"), ("copyreg", "_reconstructor"),
}


class _ModelUnpickler(pickle.Unpickler):
    """Unpickles only data and the book package's own classes (never a
    function): a planted entry is then a miss, not code execution."""

    def find_class(self, module: str, name: str) -> Any:
        if (module, name) in _SAFE_CLASSES:
            return super().find_class(module, name)
        if module == "book" or module.startswith("book."):
            found = super().find_class(module, name)
            if isinstance(found, type):
                return found
        raise pickle.UnpicklingError(f"refused: {module}.{name} in a cache entry")


class Cache:
    """One folder of pickled stage results; ``None`` folder = disabled."""

    def __init__(self, folder: Path | None) -> None:
        self.folder = folder
        self.hits = 0
        self.misses = 0
        # (stage, "hit" | "miss") -> count: what a rebuild skipped, per stage.
        self.stats: collections.Counter[tuple[str, str]] = collections.Counter()

    @property
    def enabled(self) -> bool:
        """Whether entries are read and written (a folder was given)."""
        return self.folder is not None

    def get_or_make(self, stage: str, cache_key: Callable[[], str], make: Callable[[], T],
                    reporter: Reporter) -> T:
        """The cached value, or ``make()``'s (then stored). Diagnostics that
        ``make`` reported are stored with it and replayed on a hit, so a
        cached stage warns exactly as a fresh one does.

        ``cache_key`` is a function, called only when the cache is on: the
        keys hash whole models, and the tool fingerprint reads every file of
        the package, work a ``--no-cache`` build need not do."""
        if self.folder is None:
            return make()
        cache_key = key(cache_key(), sorted(reporter.ignore), reporter.strict)
        path = self.folder / stage / f"{cache_key}.pickle"
        try:
            with path.open("rb") as handle:
                value, diagnostics = _ModelUnpickler(handle).load()
        except Exception:  # missing, truncated or from another Python: a miss
            pass
        else:
            self.hits += 1
            self.stats[stage, "hit"] += 1
            _touch(path)  # recently used: kept by prune()
            for diag in diagnostics:
                reporter.add(diag)
            return value
        self.misses += 1
        self.stats[stage, "miss"] += 1
        before = len(reporter.diagnostics)
        value = make()
        self._store(path, (value, reporter.diagnostics[before:]))
        return value

    def prune(self, max_bytes: int = MAX_BYTES) -> None:
        """Delete the least recently used entries until the cache holds at
        most ``max_bytes``: every edit adds entries (a 200-page book's model
        is megabytes), and the ones this build used are the newest."""
        if self.folder is None or not self.folder.is_dir():
            return
        entries = []
        for path in self.folder.glob("*/*.pickle"):
            try:
                stat = path.stat()
            except OSError:
                continue
            entries.append((stat.st_mtime_ns, stat.st_size, path))
        total = sum(size for _, size, _ in entries)
        for _, size, path in sorted(entries):
            if total <= max_bytes:
                break
            path.unlink(missing_ok=True)
            total -= size

    def _store(self, path: Path, value: Any) -> None:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".part")
            with os.fdopen(fd, "wb") as handle:
                pickle.dump(value, handle, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(tmp, path)
        except OSError:
            pass  # a cache that cannot be written only costs speed
