"""PyAirbyte runs source-faker into destination-milvus-support, used as a local executable.

PyAirbyte pins its own airbyte-cdk and pydantic, so it runs from a venv of its own; the destination
runs from the project's ``.venv``. From the repository root::

    .venv/bin/python testkit/pyairbyte_env.py      # creates build/pyairbyte-venv once
    build/pyairbyte-venv/venv/bin/python examples/pyairbyte_faker.py --db /tmp/faker.db
    build/pyairbyte-venv/venv/bin/python examples/pyairbyte_faker.py --db /tmp/faker.db --count 30 --strategy replace

``--strategy auto`` (PyAirbyte's default) sends ``append_dedup`` for faker's streams, which all have a
primary key, so running it twice keeps one copy of each record; ``replace`` sends ``overwrite``, so
the collection ends up holding exactly the last run's records. ``--report FILE`` writes what was
sent as JSON (records per stream, the sync modes of the catalog the destination received).

Records stream straight from the source to the destination (``cache=False``), so a run sends only
what the source read. (With PyAirbyte's default DuckDB cache, every write re-sends every record in
the cache, also those earlier runs read.) Without ``--state-dir`` no state is kept and each run reads
everything again; with it, the next run reads incrementally from where this one ended.
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
FAKER_VERSION = "7.2.1"
STREAMS = ("users", "products", "purchases")

# PyAirbyte reads these at import time: no registry or telemetry calls, and its ``uv`` on PATH.
os.environ.setdefault("AIRBYTE_OFFLINE_MODE", "1")
os.environ.setdefault("DO_NOT_TRACK", "1")
os.environ["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", os.defpath)])


def destination_config(db: str, collection: str) -> dict[str, Any]:
    """Text and metadata fields that faker's three streams really emit (each record has at least one text field)."""
    return {
        "processing": {
            "chunk_size": 256,
            "text_fields": ["name", "title", "email", "occupation", "make", "model", "user_id", "product_id"],
            "metadata_fields": ["id", "age", "nationality", "address.city", "year", "price", "updated_at"],
        },
        "embedding": {"mode": "fake", "dimensions": 64},
        "indexing": {"host": db, "collection": collection, "auth": {"mode": "no_auth"}},
    }


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", default="./faker.db", help="Milvus Lite path or server URI (default: %(default)s)")
    parser.add_argument("--collection", default="faker", help="collection name (default: %(default)s)")
    parser.add_argument("--count", type=int, default=50, help="faker users to generate (default: %(default)s)")
    parser.add_argument("--seed", type=int, default=1, help="faker seed (default: %(default)s)")
    parser.add_argument(
        "--strategy", choices=["auto", "merge", "append", "replace"], default="auto", help="PyAirbyte write strategy"
    )
    parser.add_argument("--destination", default=str(DESTINATION), help="destination executable (default: %(default)s)")
    parser.add_argument(
        "--state-dir",
        help="keep the sync state (only the state, no records) in this folder: the next run reads incrementally",
    )
    parser.add_argument("--report", help="write a JSON report of what was sent to this file")
    parser.add_argument("--skip-check", action="store_true", help="skip the destination's check (e.g. on a re-run)")
    return parser


def main(argv: list[str] | None = None) -> int:
    """Stream faker into the destination (no record cache), print what was sent."""
    args = _parser().parse_args(argv)
    if "://" not in args.db:  # a Milvus Lite path: the destination process may run elsewhere
        args.db = str(Path(args.db).expanduser().absolute())
    import airbyte as ab
    from airbyte import exceptions as ab_exceptions
    from airbyte.shared.catalog_providers import CatalogProvider

    pip_url = f"airbyte-source-faker=={FAKER_VERSION}"
    try:
        source = ab.get_source(
            "source-faker", config={"count": args.count, "seed": args.seed}, pip_url=pip_url, streams=list(STREAMS)
        )
    except ab_exceptions.AirbyteConnectorInstallationError as error:
        detail = (getattr(error.__cause__, "log_text", None) or str(error)).strip().splitlines()[-3:]
        print(f"Could not install {pip_url}: PyAirbyte installs it from PyPI.", *detail, sep="\n  ", file=sys.stderr)
        return 1
    destination = ab.get_destination(
        "destination-milvus-support",
        config=destination_config(args.db, args.collection),
        local_executable=args.destination,
    )
    if not args.skip_check:
        destination.check()

    state_cache = ab.new_local_cache(cache_name="faker_state", cache_dir=args.state_dir) if args.state_dir else False
    started = time.monotonic()
    result = destination.write(source, cache=False, state_cache=state_cache, write_strategy=args.strategy)
    elapsed = time.monotonic() - started
    # PyAirbyte counts records per stream only on the write's progress tracker (the total is public).
    counts = getattr(getattr(result, "_progress_tracker", None), "stream_read_counts", {})
    records = {name: int(counts.get(name, 0)) for name in STREAMS}
    if sum(records.values()) != result.processed_records:
        raise RuntimeError(f"per-stream counts {records} disagree with PyAirbyte's total {result.processed_records}")
    # The catalog the destination was given: PyAirbyte resolves the strategy per stream this way.
    sent = CatalogProvider(source.get_configured_catalog()).with_write_strategy(args.strategy)
    modes = {s.stream.name: s.destination_sync_mode.value for s in sent.configured_catalog.streams}

    total = sum(records.values())
    print(f"PyAirbyte sent {total} records to {args.db} (collection {args.collection}) in {elapsed:.1f} s")
    for name in STREAMS:
        print(f"  {name}: {records[name]} records, destination_sync_mode={modes[name]}")
    if args.report:
        report = {"records": records, "destination_sync_modes": modes, "strategy": args.strategy}
        Path(args.report).write_text(json.dumps(report, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
