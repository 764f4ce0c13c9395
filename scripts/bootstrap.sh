#!/usr/bin/env bash
# Create .venv (if missing) and install the project with the given extras; skipped when nothing changed.
# Usage: scripts/bootstrap.sh [extras]   e.g. scripts/bootstrap.sh connector,local
set -euo pipefail
cd "$(dirname "$0")/.."
extras="${1:-connector,local}"
python="${PYTHON:-python3}"
if [ ! -x .venv/bin/python ]; then
    "$python" -m venv .venv
    .venv/bin/python -m pip install --quiet --upgrade pip
fi
stamp=".venv/.installed-$(cat setup.py | sha256sum | cut -c1-16)-${extras//,/_}"
if [ ! -f "$stamp" ]; then
    echo "Installing destination-milvus-support[$extras] into .venv ..."
    .venv/bin/python -m pip install --quiet --disable-pip-version-check -e ".[$extras]"
    touch "$stamp"
fi
