"""Render the book model to an EPUB 3 (the ``epub`` renderer).

``package`` builds it: the chapters as XHTML documents from the shared
chapter template (``xhtml``: fragments made well-formed; ``links``: links
across chapters; ``images``: the project's images), the cover (``cover``),
the stylesheets (``css``: nothing that loads a file), the faces subset to
the text (``fonts``, ``woff2``) and the navigation, zipped reproducibly.
"""
from __future__ import annotations

from book.render import Output, RenderContext
from book.render.epub.package import package
from book.render.html import labels


def render(ctx: RenderContext) -> list[Output]:
    """The edition's EPUB, ``<slug>-<edition>.epub``."""
    return [Output(f"{ctx.book.meta.slug}-{ctx.edition.name}.epub",
                   package(ctx, labels(ctx.book.meta.language)))]
