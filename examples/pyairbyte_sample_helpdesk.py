"""PyAirbyte syncs the bundled sample help desk into destination-milvus-support, then the project's CLI searches it.

PyAirbyte has no source that replays Airbyte messages from a file, so this script is also that source:
run as ``python pyairbyte_sample_helpdesk.py source spec|check|discover|read ...`` it speaks the
Airbyte protocol with the standard library only (``discover`` returns the streams of
``sample_data/catalog_append_dedup.json``; ``read`` replays the RECORD and STATE lines of
``sample_data/messages.jsonl``). PyAirbyte runs it through ``get_source(..., local_executable=...)``
and the destination through ``get_destination(..., local_executable=...)``. From the repository root::

    .venv/bin/python testkit/pyairbyte_env.py      # creates build/pyairbyte-venv once
    build/pyairbyte-venv/venv/bin/python examples/pyairbyte_sample_helpdesk.py --db /tmp/helpdesk.db

The source's messages stream straight to the destination (``cache=False``): a run sends only what
the source read. ``--cache`` goes through PyAirbyte's DuckDB cache instead (PyAirbyte's default), so
each record reaches the destination with ``_airbyte_raw_id``, ``_airbyte_extracted_at`` and
``_airbyte_meta`` added; with an incremental source and a kept cache, that path re-sends every
cached record on every run, which is why the examples use ``cache=False``.
"""

from __future__ import annotations

import argparse
import json
import os
import shlex
import stat
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, Iterator

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "sample_data"
DESTINATION = ROOT / ".venv" / "bin" / "destination-milvus-support"
SEARCH_CLI = ROOT / ".venv" / "bin" / "support-search"
SOURCE_NAME = "source-sample-helpdesk"
NEW_REQUEST = "I ordered a new card two weeks ago and it still has not arrived. Where is it?"
ORGANIZATION = 360001

# PyAirbyte reads these at import time: no registry or telemetry calls, and its ``uv`` on PATH.
os.environ.setdefault("AIRBYTE_OFFLINE_MODE", "1")
os.environ.setdefault("DO_NOT_TRACK", "1")
os.environ["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", os.defpath)])

# -- the source: the Airbyte protocol over sample_data, standard library only ------------------------

SOURCE_SPEC = {
    "connectionSpecification": {
        "$schema": "http://json-schema.org/draft-07/schema#",
        "title": "Sample help desk",
        "type": "object",
        "required": ["messages", "catalog"],
        "properties": {
            "messages": {"type": "string", "description": "A JSON-lines file of Airbyte RECORD and STATE messages."},
            "catalog": {"type": "string", "description": "A configured catalog whose streams describe them."},
        },
    }
}


def source_config() -> dict[str, str]:
    """The sample's messages and the catalog describing its streams."""
    return {"messages": str(SAMPLE / "messages.jsonl"), "catalog": str(SAMPLE / "catalog_append_dedup.json")}


def _option(args: list[str], name: str) -> str | None:
    return args[args.index(name) + 1] if name in args and args.index(name) + 1 < len(args) else None


def _load(path: str | None) -> Any:
    with open(path or "", encoding="utf-8") as handle:
        return json.load(handle)


def _streams(config: dict[str, Any]) -> list[dict[str, Any]]:
    streams = []
    for configured in _load(config["catalog"])["streams"]:
        stream = dict(configured["stream"])
        if configured.get("cursor_field"):
            stream.setdefault("source_defined_cursor", True)
            stream.setdefault("default_cursor_field", configured["cursor_field"])
        streams.append(stream)
    return streams


def _source_messages(args: list[str]) -> Iterator[dict[str, Any]]:
    command = args[0] if args else ""
    if command == "spec":
        yield {"type": "SPEC", "spec": SOURCE_SPEC}
        return
    config = _load(_option(args, "--config"))
    if command == "check":
        missing = [key for key in ("messages", "catalog") if not Path(config.get(key, "")).is_file()]
        status = {"status": "FAILED", "message": f"Missing file: {', '.join(missing)}"} if missing else {}
        yield {"type": "CONNECTION_STATUS", "connectionStatus": status or {"status": "SUCCEEDED"}}
    elif command == "discover":
        yield {"type": "CATALOG", "catalog": {"streams": _streams(config)}}
    elif command == "read":
        selected = {s["stream"]["name"] for s in _load(_option(args, "--catalog"))["streams"]}
        with open(config["messages"], encoding="utf-8") as lines:
            for line in lines:
                message = json.loads(line)
                if message["type"] == "RECORD":
                    name = message["record"]["stream"]
                elif message["type"] == "STATE":
                    name = message["state"]["stream"]["stream_descriptor"]["name"]
                else:
                    name = None
                if name in selected:
                    yield message
    else:
        raise SystemExit(f"{SOURCE_NAME}: unknown command {command!r} (spec, check, discover or read)")


def run_source(args: list[str]) -> int:
    """The source's entry point: one JSON message per line on stdout."""
    for message in _source_messages(args):
        sys.stdout.write(json.dumps(message) + "\n")
    return 0


def source_executable(folder: Path) -> Path:
    """A launcher PyAirbyte can execute: this script, in source mode, with this interpreter."""
    launcher = folder / SOURCE_NAME
    launcher.write_text(f'#!/bin/sh\nexec {shlex.quote(sys.executable)} {shlex.quote(__file__)} source "$@"\n')
    launcher.chmod(launcher.stat().st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)
    return launcher


# -- the sync -----------------------------------------------------------------------------------------


def destination_config(db: str, collection: str) -> dict[str, Any]:
    """The sample's own connector config (fake 384-dimension embedding), pointed at ``db``/``collection``."""
    config: dict[str, Any] = json.loads((SAMPLE / "config_fake.json").read_text())
    config["indexing"].update(host=db, collection=collection)
    return config


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", default="./helpdesk.db", help="Milvus Lite path or server URI (default: %(default)s)")
    parser.add_argument("--collection", default="zendesk", help="collection name (default: %(default)s)")
    parser.add_argument(
        "--strategy", choices=["auto", "merge", "append", "replace"], default="auto", help="PyAirbyte write strategy"
    )
    parser.add_argument(
        "--cache", action="store_true", help="go through a (fresh) PyAirbyte DuckDB cache instead of streaming"
    )
    parser.add_argument("--destination", default=str(DESTINATION), help="destination executable (default: %(default)s)")
    parser.add_argument("--no-search", action="store_true", help="only sync; skip the search with support-search")
    return parser


def sync(args: argparse.Namespace) -> None:
    """Run the sample source into the destination through PyAirbyte."""
    import airbyte as ab

    with tempfile.TemporaryDirectory(prefix="pyairbyte-helpdesk-") as scratch:
        source = ab.get_source(
            SOURCE_NAME, config=source_config(), local_executable=source_executable(Path(scratch)), streams="*"
        )
        destination = ab.get_destination(
            "destination-milvus-support",
            config=destination_config(args.db, args.collection),
            local_executable=args.destination,
        )
        started = time.monotonic()
        if args.cache:
            cache = ab.new_local_cache(cache_name="helpdesk", cache_dir=Path(scratch) / "cache")
            destination.write(source, cache=cache, write_strategy=args.strategy)
        else:  # the sample replays the same messages each run, so no state is kept
            destination.write(source, cache=False, state_cache=False, write_strategy=args.strategy)
        print(f"PyAirbyte synced the sample help desk to {args.db} in {time.monotonic() - started:.1f} s")


def search(args: argparse.Namespace) -> int:
    """Ask the synced collection for duplicates with the project's ``support-search`` command."""
    if not SEARCH_CLI.exists():
        print(f"(No {SEARCH_CLI}: install the project to search the result.)")
        return 0
    print(f'\nOpen tickets of organisation {ORGANIZATION} that look like:\n  "{NEW_REQUEST}"\n', flush=True)
    # The three closest, whatever their score: this example syncs with the fake embedder, whose
    # scores sit below any duplicate threshold (a real model's default threshold applies without it).
    command = [str(SEARCH_CLI), "duplicates", NEW_REQUEST, "--org", str(ORGANIZATION), "--uri", args.db,
               "--threshold", "-1", "--limit", "3"]  # fmt: skip
    return subprocess.run([*command, "--collection", args.collection], check=False).returncode


def main(argv: list[str] | None = None) -> int:
    """Sync, then search (or act as the source when called with ``source``)."""
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["source"]:
        return run_source(argv[1:])
    args = _parser().parse_args(argv)
    if "://" not in args.db:  # a Milvus Lite path: the destination process may run elsewhere
        args.db = str(Path(args.db).expanduser().absolute())
    sync(args)
    return 0 if args.no_search else search(args)


if __name__ == "__main__":
    sys.exit(main())
