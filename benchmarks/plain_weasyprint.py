"""Plain WeasyPrint on the same HTML and stylesheets as ``book``'s PDF, with
none of our typesetting: the baseline the typeset PDF is compared against.

    python benchmarks/plain_weasyprint.py MANUSCRIPT OUT.pdf
"""
from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from book.build import load_book  # noqa: E402
from book.config import load_project  # noqa: E402
from book.errors import Reporter  # noqa: E402
from book.render import RenderContext  # noqa: E402
from book.render.pdf import print_html, print_stylesheets  # noqa: E402
from book.stylesheets import stylesheets  # noqa: E402


def main(source: str, target: str) -> None:
    from weasyprint import HTML

    reporter = Reporter(quiet=True)
    project = load_project(source, reporter)
    edition = next(e for e in project.editions.values() if "pdf" in e.formats)
    book = load_book(project, reporter).book
    ctx = RenderContext(book=book, edition=edition, project=project, reporter=reporter,
                        stylesheets=stylesheets(project, edition, "pdf"))
    document = HTML(string=print_html(ctx), base_url=str(project.root.resolve()) + "/")
    Path(target).write_bytes(document.render(stylesheets=print_stylesheets(ctx)).write_pdf())


if __name__ == "__main__":
    main(*sys.argv[1:3])
