"""book.build: render tasks in worker processes (-j 2, with the platform's
default start method and with spawn) give the same bytes as in one process
(-j 1); a dead worker is a one-line error; and a build that is killed,
terminated or interrupted leaves no worker running and no partial file."""
from __future__ import annotations

import multiprocessing
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.helpers import REPO, run_cli


def build(out: Path, jobs: int) -> dict[str, bytes]:
    result = run_cli("-q", "build", str(REPO), "-o", str(out), "-j", str(jobs), "--no-cache")
    assert result.exit_code == 0, result.output
    return {p.name: p.read_bytes() for p in sorted(out.iterdir()) if p.is_file()}


def test_serial_and_parallel_builds_are_byte_identical(tmp_path):
    serial = build(tmp_path / "j1", 1)
    parallel = build(tmp_path / "j2", 2)
    assert {Path(name).suffix for name in serial} >= {".epub", ".pdf", ".json"}
    assert serial.keys() == parallel.keys()
    for name in serial:
        assert serial[name] == parallel[name], name


def test_workers_started_with_spawn_give_the_same_bytes(tmp_path, monkeypatch):
    # spawn is the default on macOS and Windows: workers import everything
    # afresh and get the model and the tasks only as pickled data.
    spawn = multiprocessing.get_context("spawn")
    monkeypatch.setattr(multiprocessing, "get_context", lambda method=None: spawn)
    serial = build(tmp_path / "j1", 1)
    spawned = build(tmp_path / "spawn", 2)
    assert serial.keys() == spawned.keys() and len(serial) >= 10
    for name in serial:
        assert serial[name] == spawned[name], name


def _die(*args, **kwargs):
    os._exit(9)  # as if killed, or out of memory


def test_a_dead_worker_is_a_one_line_error(tmp_path, monkeypatch):
    import book.build

    monkeypatch.setattr(book.build, "render_task", _die)
    result = run_cli("build", str(REPO), "-o", str(tmp_path), "-j", "2", "--no-cache")
    assert result.exit_code == 1
    assert "render worker process died" in result.output
    assert "-j 1" in result.output
    assert not list(tmp_path.iterdir())


# --- A build that ends early ------------------------------------------------

needs_proc = pytest.mark.skipif(not Path("/proc/self/stat").exists(),
                                reason="reads the process table from /proc")


def children(pid: int) -> set[int]:
    """The processes whose parent is PID (from /proc)."""
    found = set()
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found.add(int(stat.parent.name))
    return found


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"  # a zombie has exited


def start_build(out: Path) -> tuple[subprocess.Popen, set[int]]:
    """``book build`` of the sample with two workers, once both render."""
    proc = subprocess.Popen([sys.executable, "-m", "book", "-q", "build", str(REPO), "-o",
                             str(out), "-j", "2", "--no-cache"], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, start_new_session=True)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        workers = children(proc.pid)
        if len(workers) >= 2:
            time.sleep(1.0)  # well into their renders
            return proc, children(proc.pid)
        assert proc.poll() is None, proc.communicate()
        time.sleep(0.05)
    proc.kill()
    raise AssertionError("the workers never started")


def gone_within(pids: set[int], seconds: float) -> set[int]:
    """The PIDs still running after SECONDS."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and any(alive(p) for p in pids):
        time.sleep(0.05)
    return {p for p in pids if alive(p)}


def left_files(out: Path) -> list[str]:
    return sorted(p.name for p in out.iterdir()) if out.exists() else []


@needs_proc
@pytest.mark.parametrize("how", ["SIGTERM", "SIGINT", "SIGKILL"])
def test_a_build_that_ends_early_leaves_no_worker_and_no_partial_file(tmp_path, how):
    out = tmp_path / "dist"
    proc, workers = start_build(out)
    assert workers
    if how == "SIGINT":  # Ctrl-C: the terminal signals the whole process group
        os.killpg(proc.pid, signal.SIGINT)
    else:
        proc.send_signal(getattr(signal, how))
    stdout, stderr = proc.communicate(timeout=30)
    assert proc.returncode == {"SIGTERM": 143, "SIGINT": 130, "SIGKILL": -9}[how], stderr
    if how != "SIGKILL":
        assert "Traceback" not in stderr and stderr.strip() in ("terminated", "interrupted")
    assert not gone_within(workers, 5.0)
    assert left_files(out) == []  # killed while rendering: nothing written, nothing partial
