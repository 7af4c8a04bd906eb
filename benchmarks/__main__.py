"""Benchmark ``book`` against the tools users would pick instead.

    python -m benchmarks [--pages 10,200,1000] [--runs 3] [--out DIR]

For each generated manuscript (deterministic; see manuscript.py) it prints the
median wall time and the peak RSS of: our EPUB build, Pandoc's EPUB of the same
Markdown (when pandoc is installed), our typeset PDF build, and plain
WeasyPrint on the same HTML and stylesheets without our typesetting; then the
ratios side by side, all from this one run, the runs of the two tools of a
ratio interleaved (absolute times drift on shared machines; ratios drift
less). Each measurement is a fresh process, so Python
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


def run_once(cmd: list[str]) -> tuple[float, float, float]:
    """Seconds, peak RSS (MB) and CPU seconds (user + system, of the command
    and the processes it waited for) of one run of ``cmd``."""
    before = os.times()
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - start
    # wait4's usage leaves out the command's own children; os.times()
    # counts every descendant reaped, so its difference is the whole tree.
    after = os.times()
    cpu = (after.children_user - before.children_user
           + after.children_system - before.children_system)
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"benchmark command failed: {' '.join(cmd)}\n"
                         f"{proc.stderr.read().decode()}")
    return seconds, usage.ru_maxrss / 1024, cpu


def summary(samples: list[tuple[float, float, float]]) -> tuple[float, float, float]:
    """Median seconds, max peak RSS (MB) and median CPU seconds."""
    return (statistics.median(s for s, _, _ in samples), max(m for _, m, _ in samples),
            statistics.median(c for _, _, c in samples))


def measure(cmd: list[str], runs: int) -> tuple[float, float, float]:
    """``summary`` of ``runs`` runs of ``cmd``."""
    return summary([run_once(cmd) for _ in range(runs)])


def measure_side_by_side(cmds: dict[str, list[str]], runs: int) -> dict[str, tuple]:
    """``measure`` each command, their runs interleaved (round i runs them in
    turn, every other round in reverse order): the machine's speed drifts
    over seconds on shared hosts, and a ratio of two medians taken a minute
    apart measured the drift as much as the tools."""
    samples: dict[str, list] = {name: [] for name in cmds}
    for round_ in range(runs):
        for name in (list(cmds) if round_ % 2 == 0 else list(reversed(cmds))):
            samples[name].append(run_once(cmds[name]))
    return {name: summary(runs_) for name, runs_ in samples.items()}


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
        edits.append(run_once(cmd))
    return {f"book {fmt} warm": warm, f"book {fmt} edit": summary(edits)}


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
        cmds = commands(source, work / f"out-{pages}")
        results = {}
        for pair in (("book epub", "pandoc epub"), ("book pdf", "plain weasyprint")):
            results.update(measure_side_by_side(
                {name: cmds[name] for name in pair if cmds[name] is not None}, runs))
        for name in cmds:
            if name not in results:
                print(f"{pages:>5}  {name:<17} {'(not installed)':>18}")
                continue
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
