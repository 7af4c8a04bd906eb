"""Render tasks in worker processes (-j 2) give the same bytes as in one
process (-j 1): every edition of the sample, EPUB and PDF."""
from __future__ import annotations

import os
from pathlib import Path

from tests.helpers import REPO, run_cli


def build(out: Path, jobs: int) -> dict[str, bytes]:
    result = run_cli("-q", "build", str(REPO), "-o", str(out), "-j", str(jobs), "--no-cache")
    assert result.exit_code == 0, result.output
    return {p.name: p.read_bytes() for p in sorted(out.iterdir()) if p.is_file()}


def test_serial_and_parallel_builds_are_byte_identical(tmp_path):
    serial = build(tmp_path / "j1", 1)
    parallel = build(tmp_path / "j2", 2)
    assert {Path(name).suffix for name in serial} >= {".epub", ".pdf"}
    assert serial.keys() == parallel.keys()
    for name in serial:
        assert serial[name] == parallel[name], name


def _die(*args, **kwargs):
    os._exit(9)  # as if killed, or out of memory


def test_a_dead_worker_is_a_one_line_error(tmp_path, monkeypatch):
    import book.build

    monkeypatch.setattr(book.build, "_render_in_worker", _die)
    result = run_cli("build", str(REPO), "-o", str(tmp_path), "-j", "2", "--no-cache")
    assert result.exit_code == 1
    assert "render worker process died" in result.output
    assert "-j 1" in result.output


def test_a_lone_epub_with_spare_cores_is_byte_identical(tmp_path, monkeypatch):
    # One task and two cores: the book is loaded and linted in one forked
    # child, the cover and the fonts made in another (which forks the cover's
    # own); the files and the report must not change.
    forks = []
    real_fork = os.fork
    monkeypatch.setattr(os, "fork", lambda: forks.append(1) or real_fork())

    def one(out: Path, jobs: int) -> dict[str, bytes]:
        result = run_cli("-q", "build", str(REPO), "-o", str(out), "-j", str(jobs),
                         "-e", "ebook", "--no-cache")
        assert result.exit_code == 0, result.output
        return {p.name: p.read_bytes() for p in sorted(out.iterdir()) if p.is_file()}

    serial = one(tmp_path / "j1", 1)
    assert not forks
    spare = one(tmp_path / "j2", 2)
    assert len(forks) == 2  # the loading, the assets (the cover's is the assets' own)
    assert serial.keys() == spare.keys() and len(serial) == 2  # the EPUB and its report
    for name in serial:
        assert serial[name] == spare[name], name
