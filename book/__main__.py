"""``python -m book``: the ``book`` command (``book.cli``)."""
from book.cli import main

main()
