"""Plain WeasyPrint on the same HTML and stylesheets as ``book``'s PDF, with
none of our typesetting: the baseline the typeset PDF is compared against.

    python benchmarks/plain_weasyprint.py MANUSCRIPT OUT.pdf

Same model, same ``print_html``, same ``print_stylesheets`` (with the same
shared FontConfiguration and project-only URL fetcher) as
``book.render.pdf.renderer.render``; left out are only what typesetting adds:
``typeset.installed(...)``, the ``add_break_hints`` HTML pre-pass, the
page-label finisher and the preflight read-back. ``context()`` is shared with
benchmarks/typeset.py.
"""
from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from weasyprint.text.fonts import FontConfiguration  # noqa: E402

from book.errors import Reporter  # noqa: E402
from book.load import load_book  # noqa: E402
from book.project import editions  # noqa: E402
from book.project.config import load_project  # noqa: E402
from book.project.stylesheets import stylesheets  # noqa: E402
from book.render import RenderContext  # noqa: E402
from book.render.pdf.document import print_document, print_html, print_stylesheets  # noqa: E402


def context(source: Path | str, edition_name: str | None = None) -> RenderContext:
    """The PDF render context ``book build`` would use for ``source``: the
    named edition, else the first edition with a PDF (``print`` for a bare
    manuscript), with the edition's view of the model."""
    reporter = Reporter(quiet=True)
    project = load_project(source, reporter)
    edition = (project.editions[edition_name] if edition_name else
               next(e for e in project.editions.values() if "pdf" in e.formats))
    edition = edition.for_format("pdf")
    book = editions.apply(load_book(project, reporter).book, edition)
    return RenderContext(book=book, edition=edition, project=project, reporter=reporter,
                         stylesheets=stylesheets(project, edition, "pdf"))


def main(source: str, target: str) -> None:
    ctx = context(source)
    fonts = FontConfiguration()
    document = print_document(ctx, print_html(ctx)).render(
        stylesheets=print_stylesheets(ctx, fonts), font_config=fonts)
    Path(target).write_bytes(document.write_pdf())


if __name__ == "__main__":
    main(*sys.argv[1:3])
