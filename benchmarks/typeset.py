"""What Chinese typesetting costs: the typeset PDF against plain WeasyPrint on
the same HTML and stylesheets, in one process, for the sample and for a
generated ~200-page manuscript.

    .venv/bin/python benchmarks/typeset.py [--runs 3] [--pages 200]

Each render is HTML → layout → PDF bytes (``render`` + ``write_pdf``); the
runs alternate plain/typeset after a warm-up so font caches and CPU noise hit
both alike; medians of CPU time are printed, with the ratio (target: ≤ 1.25). The
preflight read-back the build also does is timed on its own line.
"""
from __future__ import annotations

import argparse
import io
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from weasyprint.text.fonts import FontConfiguration  # noqa: E402

from benchmarks.manuscript import write_manuscript  # noqa: E402
from benchmarks.plain_weasyprint import context  # noqa: E402
from book import preflight, typeset  # noqa: E402
from book.render import RenderContext  # noqa: E402
from book.render.pdf.document import print_document, print_html, print_stylesheets  # noqa: E402
from book.render.pdf.pagegrid import area, text_frame  # noqa: E402


def render(ctx: RenderContext, typeset_on: bool) -> tuple[float, bytes, int]:
    """Seconds for one HTML → PDF render, the PDF and its page count."""
    fonts = FontConfiguration()
    html = print_html(ctx)
    sheets = print_stylesheets(ctx, fonts)
    # CPU time of this process: on a shared machine wall time would measure
    # the other processes as much as ours.
    start = time.process_time()
    if typeset_on:
        with typeset.installed(typeset.settings_for(ctx.edition, ctx.book.meta.language)):
            document = print_document(ctx, typeset.add_break_hints(html)).render(
                stylesheets=sheets, font_config=fonts)
            data = document.write_pdf()
    else:
        document = print_document(ctx, html).render(stylesheets=sheets, font_config=fonts)
        data = document.write_pdf()
    return time.process_time() - start, data, len(document.pages)


def bench(label: str, ctx: RenderContext, runs: int) -> None:
    render(ctx, True)  # warm-up: fonts, caches, imports
    plain, ours = [], []
    for _ in range(runs):
        plain.append(render(ctx, False)[0])
        seconds, data, pages = render(ctx, True)
        ours.append(seconds)
    start = time.perf_counter()
    report = preflight.preflight(io.BytesIO(data), f"{label}.pdf",
                                 text_frame(area(ctx.edition, ctx.stylesheets)))
    check = time.perf_counter() - start
    p, o = statistics.median(plain), statistics.median(ours)
    print(f"{label}: {pages} pages; CPU time plain WeasyPrint {p:.2f} s, typeset {o:.2f} s, "
          f"ratio {o / p:.3f} (+{100 * (o / p - 1):.1f}%), median of {runs}")
    print(f"{label}: preflight read-back {check:.2f} s; {report.summary()}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--pages", type=int, default=200)
    args = parser.parse_args()
    bench("sample", context(ROOT, "booklet"), args.runs)
    with tempfile.TemporaryDirectory() as tmp:
        source = write_manuscript(Path(tmp), args.pages)
        bench(f"generated-{args.pages}", context(source, None), args.runs)


if __name__ == "__main__":
    main()
