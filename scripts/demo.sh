#!/usr/bin/env bash
# The main job: install what it needs, sync the sample help desk into Milvus Lite (./support.db)
# through the connector's real `write` entry point, then ask both questions with query_sdk.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/bootstrap.sh connector,local,multilingual
exec .venv/bin/python examples/sync_and_search.py "$@"
