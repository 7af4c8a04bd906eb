"""The rebuild cache in dist/.cache: a rebuild after an edit redoes only what
the edit touched, cached builds are byte-identical to uncached ones, a
corrupt entry is a miss, and warnings are replayed on hits."""
from __future__ import annotations

from pathlib import Path

import pytest

from book.build import build
from book.load import load_book
from book.cache import Cache
from book.project.config import load_project
from book.errors import Reporter

BOOK_TOML = 'title = "缓存测试"\nlanguage = "zh-Hans"\nsources = ["a.md", "b.md"]\n'
A = "## 第一章\n\n天津港口物流发展迅速，中欧班列开行数量创新高。\n\n## 第二章\n\n人工智能与生物制造。\n"
B = "## 第三章\n\n改革开放先行区建设取得新进展。\n\n另一段：<span onclick=\"x()\">科技成果</span>转化平台。\n"


@pytest.fixture
def two_files(project: Path) -> Path:
    (project / "book.toml").write_text(BOOK_TOML, encoding="utf-8")
    (project / "a.md").write_text(A, encoding="utf-8")
    (project / "b.md").write_text(B, encoding="utf-8")
    return project


def load(root: Path, cache: Cache) -> Reporter:
    reporter = Reporter(quiet=True)
    load_book(load_project(root, reporter), reporter, cache)
    return reporter


def counts(cache: Cache, stage: str) -> tuple[int, int]:
    return cache.stats[stage, "hit"], cache.stats[stage, "miss"]


def test_rebuild_after_an_edit_reparses_only_that_file(two_files):
    folder = two_files / "dist" / ".cache"
    first = Cache(folder)
    load(two_files, first)
    assert counts(first, "parse") == (0, 2) and counts(first, "shape") == (0, 1)

    unchanged = Cache(folder)
    load(two_files, unchanged)
    assert counts(unchanged, "parse") == (2, 0) and counts(unchanged, "shape") == (1, 0)

    (two_files / "b.md").write_text(B.replace("新进展", "新的进展"), encoding="utf-8")
    edited = Cache(folder)
    load(two_files, edited)
    assert counts(edited, "parse") == (1, 1)
    assert counts(edited, "shape") == (0, 1)  # lint and structure read the whole book


def test_rebuild_renders_only_the_edited_chapter(two_files):
    reporter = Reporter(quiet=True)
    build(load_project(two_files, reporter), reporter, formats=("epub",), jobs=1)
    chapters = two_files / "dist" / ".cache" / "epub-chapter"
    before = set(chapters.iterdir())
    (two_files / "b.md").write_text(B.replace("新进展", "新的进展"), encoding="utf-8")
    reporter = Reporter(quiet=True)
    build(load_project(two_files, reporter), reporter, formats=("epub",), jobs=1)
    assert len(set(chapters.iterdir()) - before) == 1  # 第三章 only


def outputs(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir()) if p.is_file()}


def build_into(root: Path, out: Path, use_cache: bool) -> Reporter:
    reporter = Reporter(quiet=True)
    project = load_project(root, reporter, out_dir=out)
    build(project, reporter, jobs=1, use_cache=use_cache)
    return reporter


def test_cached_build_is_byte_identical(two_files):
    build_into(two_files, two_files / "fresh", use_cache=False)
    build_into(two_files, two_files / "cached", use_cache=True)  # fills the cache
    build_into(two_files, two_files / "cached", use_cache=True)  # all hits
    fresh, cached = outputs(two_files / "fresh"), outputs(two_files / "cached")
    assert {Path(name).suffix for name in fresh} >= {".epub", ".pdf"}
    assert fresh == cached
    assert not (two_files / "fresh" / ".cache").exists()


def test_corrupt_cache_entries_are_ignored(two_files):
    out = two_files / "out"
    build_into(two_files, out, use_cache=True)
    expected = outputs(out)
    entries = [p for p in (out / ".cache").rglob("*.pickle")]
    assert entries
    for n, entry in enumerate(entries):
        # Truncated, garbage, and empty entries: each must read as a miss.
        data = entry.read_bytes()
        entry.write_bytes([data[: len(data) // 2], b"not a pickle", b""][n % 3])
    build_into(two_files, out, use_cache=True)
    assert outputs(out) == expected


def test_warnings_are_replayed_on_cache_hits(two_files):
    out = two_files / "out"
    first = build_into(two_files, out, use_cache=True)
    second = build_into(two_files, out, use_cache=True)
    codes = [d.code for d in first.diagnostics]
    assert "H002" in codes  # the onclick attribute, found while parsing b.md
    assert [str(d) for d in second.diagnostics] == [str(d) for d in first.diagnostics]


def test_prune_keeps_the_most_recently_used_entries(tmp_path):
    import os

    cache = Cache(tmp_path)
    reporter = Reporter(quiet=True)
    for n in range(4):
        cache.get_or_make("stage", lambda n=n: f"entry {n}", lambda n=n: b"x" * 1000 * (n + 1), reporter)
    paths = sorted((tmp_path / "stage").iterdir(), key=lambda p: p.stat().st_size)
    for age, path in enumerate(reversed(paths)):  # the biggest entry is the oldest
        os.utime(path, ns=(10**18 - age * 10**12, 10**18 - age * 10**12))
    cache.get_or_make("stage", lambda: "entry 0", lambda: b"", reporter)  # a hit: now the newest
    cache.prune(max_bytes=2500)
    left = {p.stat().st_size // 1000 for p in (tmp_path / "stage").iterdir()}
    assert left == {1}  # entry 0 (used last) survives; the older ones went, oldest first


def test_loading_writes_its_entries_even_when_it_fails(project):
    from book.errors import BuildError

    (project / "empty.md").write_text("\n", encoding="utf-8")
    reporter = Reporter(quiet=True)
    cache = Cache(project / "dist" / ".cache")
    with pytest.raises(BuildError):
        load_book(load_project(project / "empty.md", reporter), reporter, cache)
    assert list((project / "dist" / ".cache" / "parse").iterdir())
