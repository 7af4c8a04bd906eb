"""Compile the package ahead of time, as installing a wheel would: the
Python modules and the default styles' folder (``compileall``) and the Jinja templates (into
``book/templates/__pycache__``). A build then starts without compiling
anything, even where bytecode is not written (``PYTHONDONTWRITEBYTECODE``,
read-only installs).

    python -m book.precompile

Run by ``scripts/setup.sh``; harmless to run again.
"""
from __future__ import annotations

import compileall
import sys
from pathlib import Path

from book.render.html import precompile_templates


def main() -> int:
    """Compile the package and its templates; 0 when everything compiled."""
    package = Path(__file__).resolve().parent
    ok = compileall.compile_dir(str(package), quiet=1)
    ok = compileall.compile_dir(str(package.parent / "styles"), quiet=1) and ok
    count = precompile_templates()
    print(f"precompiled the package and {count} templates", file=sys.stderr)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
