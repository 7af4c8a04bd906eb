"""book: Markdown manuscripts to EPUB 3 and Chinese-typeset PDF editions."""

__version__ = "0.1.0"
