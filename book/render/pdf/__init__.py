"""The print PDF: ``renderer`` (the ``pdf`` renderer: layout with the
typesetting, page labels, the preflight, imposition), ``document`` (the HTML,
stylesheets and URL fetcher WeasyPrint reads), ``pagegrid`` (the type area
on the line grid), ``imagefit`` and ``impose``.

Empty on purpose: ``pagegrid`` is what ``book check --pdf`` needs, and
importing this package must not import WeasyPrint (the renderer's import
takes longer than a small book's whole EPUB build).
"""
