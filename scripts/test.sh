#!/usr/bin/env bash
# The whole test suite: installs what it needs, then lint, type check, unit and integration tests.
# Usage: scripts/test.sh [pytest args]
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/bootstrap.sh connector,local,form,dev
echo "== ruff"; .venv/bin/ruff check . && .venv/bin/ruff format --check .
echo "== mypy"; .venv/bin/mypy
# The Docker image test builds a base image and the connector image (about 11 minutes cold):
# opt in with RUN_DOCKER_TESTS=1.
select=(-m "not docker")
if [ "${RUN_DOCKER_TESTS:-0}" = "1" ]; then select=(); fi
echo "== pytest"; .venv/bin/python -m pytest "${select[@]}" "$@"
