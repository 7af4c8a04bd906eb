"""Benchmark ``book`` against the tools users would pick instead.

    python -m benchmarks [--pages 10,200,1000] [--runs 3] [--out DIR]

For each generated manuscript (deterministic; see manuscript.py) it prints the
median wall time and the peak RSS of: our EPUB build, Pandoc's EPUB of the same
Markdown (when pandoc is installed), our typeset PDF build, and plain
WeasyPrint on the same HTML and stylesheets without our typesetting; then the
ratios side by side, all from this one run (absolute times drift on shared
machines; ratios drift less). Each measurement is a fresh process, so Python
start-up and imports count, as they do for a user.

The cold rows build with ``--no-cache``. The rebuild rows are what an editor
sees after a correction: the same manuscript built once with the cache in
``<out>/.cache``, then rebuilt with no change ("warm") and after a
one-paragraph edit ("edit"; the PDF still lays out every page).
"""
from __future__ import annotations

import argparse
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.manuscript import write_manuscript

HERE = Path(__file__).resolve().parent


def measure(cmd: list[str], runs: int) -> tuple[float, float, float]:
    """Median seconds, max peak RSS (MB) and median CPU seconds (user +
    system, of the command and the processes it waited for) of ``runs`` runs."""
    times, peaks, cpus = [], [], []
    for _ in range(runs):
        before = os.times()
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        _, status, usage = os.wait4(proc.pid, 0)
        times.append(time.perf_counter() - start)
        peaks.append(usage.ru_maxrss / 1024)
        # wait4's usage leaves out the command's own children; os.times()
        # counts every descendant reaped, so its difference is the whole tree.
        after = os.times()
        cpus.append(after.children_user - before.children_user
                    + after.children_system - before.children_system)
        if os.waitstatus_to_exitcode(status) != 0:
            raise SystemExit(f"benchmark command failed: {' '.join(cmd)}\n"
                             f"{proc.stderr.read().decode()}")
    return statistics.median(times), max(peaks), statistics.median(cpus)


def book_cmd(source: Path, out: Path, fmt: str, cache: bool = False) -> list[str]:
    return ([sys.executable, "-m", "book", "-q", "build", str(source), "-o", str(out),
             "-f", fmt] + ([] if cache else ["--no-cache"]))


def edit_paragraph(source: Path) -> None:
    """Add a sentence to the paragraph in the middle of the book (each call
    adds another, so no edit restores a text the cache has seen)."""
    lines = source.read_text(encoding="utf-8").split("\n")
    middle = next(i for i in range(len(lines) // 2, len(lines))
                  if lines[i] and not lines[i].startswith("#"))
    lines[middle] += "编辑又改了一句。"
    source.write_text("\n".join(lines), encoding="utf-8")


def measure_rebuilds(source: Path, out: Path, fmt: str, runs: int) -> dict[str, tuple]:
    """Warm (no change) and one-paragraph-edit rebuild times with the cache."""
    copy = out / "rebuild" / source.name
    copy.parent.mkdir(parents=True, exist_ok=True)
    copy.write_text(source.read_text(encoding="utf-8"), encoding="utf-8")
    cmd = book_cmd(copy, out / "rebuild", fmt, cache=True)
    measure(cmd, 1)  # fills the cache
    warm = measure(cmd, runs)
    edits = []
    for _ in range(runs):
        edit_paragraph(copy)
        edits.append(measure(cmd, 1))
    return {f"book {fmt} warm": warm,
            f"book {fmt} edit": (statistics.median(t for t, _, _ in edits),
                                 max(m for _, m, _ in edits),
                                 statistics.median(c for _, _, c in edits))}


def commands(source: Path, out: Path) -> dict[str, list[str] | None]:
    pandoc = shutil.which("pandoc")
    return {
        "book epub": book_cmd(source, out, "epub"),
        "pandoc epub": ([pandoc, str(source), "-o", str(out / "pandoc.epub"),
                         "--metadata", "title=bench"] if pandoc else None),
        "book pdf": book_cmd(source, out, "pdf"),
        "plain weasyprint": [sys.executable, str(HERE / "plain_weasyprint.py"), str(source),
                             str(out / "plain.pdf")],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", default="10,200,1000")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args()
    work = args.out or Path(tempfile.mkdtemp(prefix="book-bench-"))
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python "
          f"{platform.python_version()}, {platform.platform()}")
    print(f"{'pages':>5}  {'tool':<17} {'median s':>9} {'peak MB':>8} {'cpu s':>6}")
    for pages in [int(p) for p in args.pages.split(",")]:
        source = write_manuscript(work / "src", pages)
        runs = args.runs if pages <= 200 else 1
        results = {}
        for name, cmd in commands(source, work / f"out-{pages}").items():
            if cmd is None:
                print(f"{pages:>5}  {name:<17} {'(not installed)':>18}")
                continue
            results[name] = measure(cmd, runs)
            seconds, peak, cpu = results[name]
            print(f"{pages:>5}  {name:<17} {seconds:>9.2f} {peak:>8.0f} {cpu:>6.2f}", flush=True)
        rebuilds = measure_rebuilds(source, work / f"out-{pages}", "epub", runs)
        if pages <= 200:  # a full PDF layout per edit: minutes at 1,000 pages
            rebuilds.update(measure_rebuilds(source, work / f"out-{pages}", "pdf", runs))
        for name, (seconds, peak, cpu) in rebuilds.items():
            print(f"{pages:>5}  {name:<17} {seconds:>9.2f} {peak:>8.0f} {cpu:>6.2f}", flush=True)
        results.update(rebuilds)
        if "pandoc epub" in results:
            ratio = results["book epub"][0] / results["pandoc epub"][0]
            print(f"{pages:>5}  ratio book/pandoc epub: {ratio:.2f} (target <= 1.0)")
            ratio = results["book epub edit"][0] / results["pandoc epub"][0]
            print(f"{pages:>5}  ratio book epub edit rebuild/pandoc: {ratio:.2f}")
        ratio = results["book pdf"][0] / results["plain weasyprint"][0]
        print(f"{pages:>5}  ratio typeset/plain pdf: {ratio:.2f} (target <= 1.25)")


if __name__ == "__main__":
    main()
