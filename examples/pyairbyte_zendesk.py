"""PyAirbyte syncs Zendesk Support's ``tickets`` and ``articles`` into destination-milvus-support, sending only what was read.

The tutorial's PyAirbyte path (docs/tutorial.md). It reads incrementally (tickets on
``generated_timestamp``, articles on ``updated_at``) and writes with ``cache=False``: records go
straight from the source to the destination, so a run sends only the records the source read.
(PyAirbyte's default DuckDB cache would send every cached record on every run.) The streams' state
is kept in a small local cache (``--state-dir``), so the next run starts where this one ended. From
the repository root::

    .venv/bin/python testkit/pyairbyte_env.py      # creates build/pyairbyte-venv once
    export ZENDESK_API_TOKEN=...                              # Admin Center > Apps and integrations > Zendesk API
    build/pyairbyte-venv/venv/bin/python examples/pyairbyte_zendesk.py \\
        --subdomain mycompany --email agent@mycompany.com --db ./support.db

PyAirbyte installs ``airbyte-source-zendesk-support`` (pinned) in a venv of its own on first use;
``--source-executable`` runs an installed one instead. ``--report FILE`` writes what was sent as JSON.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
DESTINATION = ROOT / ".venv" / "bin" / "destination-milvus-support"
SOURCE_VERSION = "4.9.1"
STREAMS = ["tickets", "articles"]


def _prepare_pyairbyte() -> None:
    """What PyAirbyte reads at import time: no registry or telemetry calls, and its ``uv`` on PATH.

    Done in ``main`` rather than at import, so importing this module (the tests read its configs) changes nothing.
    """
    os.environ.setdefault("AIRBYTE_OFFLINE_MODE", "1")
    os.environ.setdefault("DO_NOT_TRACK", "1")
    os.environ["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", os.defpath)])


def source_config(subdomain: str, email: str, api_token: str, start_date: str) -> dict[str, Any]:
    """The Zendesk Support source's config: API-token authentication (the tutorial's step 1)."""
    return {
        "subdomain": subdomain,
        "start_date": start_date,
        "credentials": {"credentials": "api_token", "email": email, "api_token": api_token},
    }


def destination_config(db: str, collection: str, embedding: str) -> dict[str, Any]:
    """The tutorial's destination config (step 2): text and metadata fields of tickets and articles."""
    return {
        "processing": {
            "chunk_size": 200,
            "chunk_overlap": 20,
            "text_fields": ["subject", "description", "title", "body"],
            "metadata_fields": [
                "id", "subject", "status", "organization_id", "requester_id", "priority", "tags",
                "updated_at", "url", "title", "html_url", "section_id", "locale", "draft", "label_names",
            ],
            "html_to_text": True,
            "email_text_fields": ["description"],
        },
        "embedding": {"mode": "local"} if embedding == "local" else {"mode": "fake", "dimensions": 384},
        "indexing": {"host": db, "collection": collection, "auth": {"mode": "no_auth"}},
    }  # fmt: skip


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--subdomain", required=True, help="your Zendesk subdomain (MY_SUBDOMAIN.zendesk.com)")
    parser.add_argument("--email", required=True, help="the agent's email the API token belongs to")
    parser.add_argument("--start-date", default="2025-01-01T00:00:00Z", help="replicate from (default: %(default)s)")
    parser.add_argument("--db", default="./support.db", help="Milvus Lite path or server URI (default: %(default)s)")
    parser.add_argument("--collection", default="zendesk", help="collection name (default: %(default)s)")
    parser.add_argument("--embedding", choices=["local", "fake"], default="local", help="embedding (default: local)")
    parser.add_argument("--state-dir", default="./.pyairbyte-zendesk-state", help="where the sync state is kept")
    parser.add_argument(
        "--source-executable", help="an installed source-zendesk-support (default: PyAirbyte installs it)"
    )
    parser.add_argument("--destination", default=str(DESTINATION), help="destination executable (default: %(default)s)")
    parser.add_argument("--report", help="write a JSON report of what was sent to this file")
    return parser


def main(argv: list[str] | None = None) -> int:
    """One incremental sync of tickets and articles; the API token comes from ``ZENDESK_API_TOKEN``."""
    args = _parser().parse_args(argv)
    api_token = os.environ.get("ZENDESK_API_TOKEN", "")
    if not api_token:
        print("Set ZENDESK_API_TOKEN to your Zendesk API token.", file=sys.stderr)
        return 2
    if "://" not in args.db:  # a Milvus Lite path: the destination process may run elsewhere
        args.db = str(Path(args.db).expanduser().absolute())
    _prepare_pyairbyte()
    import airbyte as ab

    config = source_config(args.subdomain, args.email, api_token, args.start_date)
    if args.source_executable:
        source = ab.get_source("source-zendesk-support", config=config, local_executable=args.source_executable)
    else:
        pip_url = f"airbyte-source-zendesk-support=={SOURCE_VERSION}"
        source = ab.get_source("source-zendesk-support", config=config, pip_url=pip_url)
    source.select_streams(STREAMS)
    destination = ab.get_destination(
        "destination-milvus-support",
        config=destination_config(args.db, args.collection, args.embedding),
        local_executable=args.destination,
    )
    # Only the sync state is cached (no records): the next run reads what changed since this one.
    state_cache = ab.new_local_cache(cache_name="zendesk_state", cache_dir=Path(args.state_dir).expanduser())
    started = time.monotonic()
    result = destination.write(source, cache=False, state_cache=state_cache)
    elapsed = time.monotonic() - started
    print(f"PyAirbyte sent {result.processed_records} records to {args.db} (collection {args.collection}) "
          f"in {elapsed:.1f} s")  # fmt: skip
    if args.report:
        Path(args.report).write_text(json.dumps({"records": result.processed_records, "streams": STREAMS}, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
