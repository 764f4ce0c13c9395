#!/usr/bin/env bash
# The test suite: installs what it needs, then lint, type check, unit and integration tests.
#
# Usage: scripts/test.sh [--fast] [pytest args]
#   (default)  everything: every Milvus backend, the fault suites, PyAirbyte, the real Zendesk source,
#              the browser test and the Docker image test (SKIP_DOCKER_TESTS=1 leaves the image out)
#   --fast     lint, types, unit tests and the Milvus Lite integration tests: the inner loop
# Tests run in three pytest-xdist workers (most integration tests wait on servers, not the CPU);
# tests that share a machine-wide resource (the 2.3.5 server, the source venvs) stay in one worker.
set -euo pipefail
cd "$(dirname "$0")/.."
fast=0
if [ "${1:-}" = "--fast" ]; then fast=1; shift; fi
bash scripts/bootstrap.sh connector,local,multilingual,form,dev
echo "== ruff"; .venv/bin/ruff check . && .venv/bin/ruff format --check .
echo "== mypy"; .venv/bin/mypy
select=()
if [ "$fast" = "1" ]; then
    select=(-m "not slow and not server and not docker and not browser")
elif [ "${SKIP_DOCKER_TESTS:-0}" = "1" ]; then
    select=(-m "not docker")
fi
echo "== pytest"; exec .venv/bin/python -m pytest -n "${TEST_WORKERS:-3}" --dist loadgroup "${select[@]}" "$@"
