#!/usr/bin/env bash
# Set up a fresh Debian/Ubuntu machine for `book`: the system libraries and
# fonts WeasyPrint and EPUBCheck need, then a virtual environment with the
# package and its test extras. Safe to run again: it only installs what is
# missing. `scripts/setup.sh --bench` also installs Pandoc, which the
# benchmark compares against (`make bench`).
set -euo pipefail
cd "$(dirname "$0")/.."
VENV="${VENV:-.venv}"
PYTHON="${PYTHON:-python3}"

# package -> why we need it
declare -A WHY=(
  [fonts-noto-cjk]="Noto Serif/Sans CJK, the book faces"
  [fonts-arphic-ukai]="a Kai face for captions and bylines"
  [libpango-1.0-0]="Pango >= 1.44, WeasyPrint's text layout"
  [libpangoft2-1.0-0]="Pango's fontconfig backend"
  [libharfbuzz-subset0]="fast font subsetting (else 9x slower fontTools)"
  [poppler-utils]="pdftotext/pdftoppm, used by tests to read PDFs back"
  [default-jre-headless]="Java for EPUBCheck"
)
if [ "${1:-}" = --bench ]; then
  WHY[pandoc]="the tool the EPUB benchmark compares against"
fi
missing=()
for pkg in "${!WHY[@]}"; do
  if [ "$pkg" = default-jre-headless ] && command -v java >/dev/null 2>&1; then
    continue
  fi
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" \
    || missing+=("$pkg")
done
if [ ${#missing[@]} -gt 0 ]; then
  IFS=$'\n' missing=($(sort <<<"${missing[*]}")); unset IFS
  echo "setup: missing system packages: ${missing[*]}" >&2
  cmd="apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends ${missing[*]}"
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "setup: $cmd" >&2
    sh -c "$cmd"
  else
    echo "setup: not root; run this, then 'make' again:" >&2
    echo "  sudo sh -c '$cmd'" >&2
    exit 1
  fi
fi

stamp="$VENV/.installed"
if [ ! -x "$VENV/bin/python" ]; then
  "$PYTHON" -m venv "$VENV"
fi
if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ]; then
  "$VENV/bin/python" -m pip install --quiet --upgrade pip
  "$VENV/bin/python" -m pip install --quiet -e '.[test]'
  touch "$stamp"
fi
# Compile the package and its templates now, as a wheel install would: with
# PYTHONDONTWRITEBYTECODE set (as on CI) every build would compile them again.
"$VENV/bin/python" -m book.precompile
