"""Day-2 syncs: what a re-sync, a partly changed sync and an overwrite cost, ours vs a raw pymilvus baseline.

Usage: python -m bench.day2 [--records 20000] [--backends lite,server] [--dims 384,1536]
                            [--scenarios fresh,resync,...] [--rss 5000,20000,80000]

Embeddings go through the OpenAI-compatible HTTP stub (``testkit/openai_stub.py``) on
127.0.0.1, run by this orchestrating process, which counts the inputs each phase embeds. Every
phase runs in a fresh subprocess (its peak RSS is its own). Per backend and dimension count, in one
interleaved run (ours, then raw, scenario by scenario):

- fresh: ``records`` Zendesk-shaped tickets into an empty stream (append_dedup);
  raw: embed every chunk (openai client, 256 inputs a request) and ``MilvusClient.insert``;
- resync: the same records again; raw (no change detection): embed and upsert every chunk;
- mixed: an incremental sync: 10% of the records with changed text, 10% with only a status
  change, and 10% new ones (what Zendesk's incremental export sends); raw upserts the same
  records' rows, embedding every one (it has no change detection);
- mixed_resend: every record again (as PyAirbyte sends its cache), of which another 10% changed
  text, 10% only status, plus 10% new; raw knows which changed (an oracle) and embeds and upserts
  only those 30%;
- overwrite: the whole help desk as it now is, as an overwrite sync (the stream's rows change keys:
  an overwrite keys a record's chunks by its version); raw: embed and upsert every chunk;
- overwrite_again: the same overwrite once more (a scheduled full refresh); raw as before.

Both sides end by asking the server to seal what they wrote, without waiting for the seal
(``MilvusIndexer.flush``; on Milvus 2.3.5 the wait was 2.5-3.5 s a sync and changed nothing a
reader sees). Ratios are ours/raw speed (raw seconds / our seconds) for the same end state.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any, Iterator

from bench import _common as c

MODULE = "bench.day2"
SCENARIOS = ("fresh", "resync", "mixed", "mixed_resend", "overwrite", "overwrite_again")
RAW_BATCH = 1_000
RAW_INPUTS_PER_REQUEST = 256
MODEL = "text-embedding-3-small"


# -- the data of each scenario ----------------------------------------------------------------------------


def _changed(data: dict[str, Any], number: int, step: str) -> tuple[dict[str, Any], str]:
    """Ticket ``number`` as the ``step`` (mixed or mixed_resend) changes it: 10% text, 10% status only."""
    text, status = (0, 1) if step == "mixed" else (2, 3)
    if number % 10 == text:
        return {**data, "description": data["description"] + f" Update ({step}): still broken."}, "text"
    if number % 10 == status:
        return {**data, "status": "solved" if data["status"] != "solved" else "open"}, "status"
    return data, "unchanged"


def _new(records: int, step: str) -> Iterator[dict[str, Any]]:
    seed, offset = (99, 10_000_000) if step == "mixed" else (98, 20_000_000)
    for data in c.tickets(records // 10, seed=seed):
        yield {**data, "id": data["id"] + offset}


def scenario_tickets(scenario: str, records: int) -> Iterator[tuple[dict[str, Any], str]]:
    """(ticket, kind) pairs: kind is unchanged, text, status or new (what raw has to write).

    Scenarios run in order and each starts from what the one before stored. ``mixed`` sends what
    an incremental Zendesk sync sends: only the changed and the new tickets (10% text, 10% status
    only, 10% new). ``mixed_resend`` sends every ticket again, as PyAirbyte does from its cache,
    with another 10% text, 10% status and 10% new among them. ``overwrite`` and ``overwrite_again``
    send the whole help desk as it now is.
    """
    steps = {"mixed": ["mixed"], "mixed_resend": ["mixed", "mixed_resend"]}.get(scenario, [])
    if scenario.startswith("overwrite"):
        steps = ["mixed", "mixed_resend"]
    for number, data in enumerate(c.tickets(records)):
        kind = "unchanged"
        for step in steps:
            data, kind = _changed(data, number, step)
        if scenario == "mixed" and kind == "unchanged":
            continue
        if scenario.startswith("overwrite"):
            kind = "unchanged"
        yield data, kind
    for step in steps:
        for data in _new(records, step):
            yield data, "new" if step == scenario else "unchanged"


def _catalog(scenario: str) -> Any:
    from airbyte_cdk.models import DestinationSyncMode

    catalog = c.catalog()
    if scenario.startswith("overwrite"):
        catalog.streams[0].destination_sync_mode = DestinationSyncMode.overwrite
    return catalog


def _config(uri: str, collection: str, base_url: str, dims: int) -> dict[str, Any]:
    config = c.config(uri, collection)
    config["embedding"] = {
        "mode": "openai_compatible",
        "api_key": "sk-bench",
        "base_url": base_url,
        "model_name": MODEL,
        "dimensions": dims,
    }
    return config


def _messages(scenario: str, records: int) -> Iterator[Any]:
    for number, (data, _) in enumerate(scenario_tickets(scenario, records), start=1):
        yield c._record("tickets", data)
        if number % 1_000 == 0:
            yield c._state("tickets", data["updated_at"])
    yield c._state("tickets", "end")


# -- phases (each in its own process) -------------------------------------------------------------------


def phase_ours(uri: str, collection: str, scenario: str, records: int, base_url: str, dims: int) -> dict[str, Any]:
    from destination_milvus_support.destination import DestinationMilvusSupport

    config = _config(uri, collection, base_url, dims)
    catalog = _catalog(scenario)
    destination = DestinationMilvusSupport()
    if scenario == "fresh":
        for _ in destination.write(config, catalog, iter([])):  # creates the collection, untimed (as for raw)
            pass
    logs: list[str] = []
    with c.Stopwatch() as sw:
        for message in destination.write(config, catalog, _messages(scenario, records)):
            if message.log is not None and message.log.message.startswith("Stream tickets:"):
                logs.append(message.log.message)
    return {"seconds": sw.seconds, "peak_rss_mb": c.rss_mb(), "summary": logs}


def _raw_rows(scenario: str, records: int, wanted: set[str]) -> list[dict[str, Any]]:
    """The rows the connector writes for these records (same processor, same token counter)."""
    from destination_milvus_support.config import ProcessingConfig
    from destination_milvus_support.content import record_hash
    from destination_milvus_support.processor import DocumentProcessor
    from query_sdk.embedders.openai import count_cl100k_tokens

    processor = DocumentProcessor(
        ProcessingConfig.model_validate(c.config("x", "x")["processing"]), c.catalog(), count_cl100k_tokens
    )
    rows = []
    for data, kind in scenario_tickets(scenario, records):
        if kind not in wanted:
            continue
        processed = processor.prepare(c._record("tickets", data).record)  # type: ignore[arg-type]
        for chunk in processor.chunk_many([processed])[0]:
            row = {
                "pk": chunk.pk,
                "text": chunk.text,
                "_ab_stream": processed.stream,
                "_ab_record_id": processed.record_id,
                "_ab_record_hash": record_hash(processed.stream, processed.record_id),
                "_ab_generation_id": 1,
            }
            row.update({k: v for k, v in chunk.metadata.items() if k not in row})
            rows.append(row)
    return rows


def _create_raw_collection(client: Any, collection: str, dims: int) -> set[str]:
    from bench import throughput

    c.DIMENSIONS = dims  # throughput's raw layout reads the dimension count from _common
    return set(throughput._create_raw_collection(client, collection))


def phase_raw(uri: str, collection: str, scenario: str, records: int, base_url: str, dims: int) -> dict[str, Any]:
    import openai
    from pymilvus import MilvusClient

    everything = {"unchanged", "text", "status", "new"}
    with c.Stopwatch() as building:  # outside raw's clock: what ours does inside its own (chunks, token counts)
        rows = _raw_rows(scenario, records, everything if scenario != "mixed_resend" else {"text", "status", "new"})
    client = MilvusClient(uri=uri, timeout=60)
    if scenario == "fresh":
        typed = _create_raw_collection(client, collection, dims)
    else:
        typed = {f["name"] for f in client.describe_collection(collection)["fields"]}
    for row in rows:
        for name in typed:
            if name not in ("pk", "vector", "text_sparse"):
                row.setdefault(name, None)
    embedder = openai.OpenAI(api_key="sk-bench", base_url=base_url)
    write = client.insert if scenario == "fresh" else client.upsert
    with c.Stopwatch() as sw:
        for start in range(0, len(rows), RAW_BATCH):
            batch = rows[start : start + RAW_BATCH]
            vectors: list[list[float]] = []
            for part in range(0, len(batch), RAW_INPUTS_PER_REQUEST):
                texts = [r["text"] for r in batch[part : part + RAW_INPUTS_PER_REQUEST]]
                answer = embedder.embeddings.create(model=MODEL, input=texts, dimensions=dims)
                vectors += [d.embedding for d in answer.data]
            write(collection, [{**r, "vector": v} for r, v in zip(batch, vectors)])
        client.flush(collection, _async=True)  # as ours: ask the server to seal, do not wait (indexer.flush)
        client.close()
    return {"seconds": sw.seconds, "build_seconds": building.seconds, "peak_rss_mb": c.rss_mb(), "rows": len(rows)}


# -- orchestration ----------------------------------------------------------------------------------------


def _inputs(stub: Any) -> int:
    return sum(len(r["payload"].get("input", [])) for r in stub.state.requests if r["failure"] is None)


def _pair(
    backend: str, uri: str | None, dims: int, records: int, workdir: Path, stub: Any, scenarios: list[str]
) -> list[dict[str, Any]]:
    names = {side: f"day2_{side}_{uuid.uuid4().hex[:8]}" for side in ("ours", "raw")}
    targets = {side: (str(workdir / f"{name}.db") if uri is None else uri) for side, name in names.items()}
    results = []
    try:
        for scenario in scenarios:
            for side in ("ours", "raw"):
                before = _inputs(stub)
                args = ["--phase", side, "--scenario", scenario, "--uri", targets[side], "--collection", names[side]]
                args += ["--records", str(records), "--base-url", stub.base_url, "--dims", str(dims)]
                result = c.run_phase(MODULE, args)
                result.update(backend=backend, dims=dims, scenario=scenario, side=side, inputs=_inputs(stub) - before)
                sent = sum(1 for _ in scenario_tickets(scenario, records))
                result["records_per_s"] = sent / result["seconds"]
                print(
                    f"  {backend:<6} {dims:>5}d {scenario:<9} {side:<4} {result['seconds']:7.2f} s "
                    f"{result['records_per_s']:7.0f} rec/s {result['inputs']:>6} inputs "
                    f"peak RSS {result['peak_rss_mb']:5.0f} MiB",
                    flush=True,
                )
                results.append(result)
    finally:
        for side, name in names.items():
            if uri is None:
                shutil.rmtree(targets[side], ignore_errors=True)
            else:
                from pymilvus import MilvusClient

                client = MilvusClient(uri=uri)
                if client.has_collection(name):
                    client.drop_collection(name)
                client.close()
    return results


def _rss(backend: str, uri: str | None, sizes: list[int], dims: int, workdir: Path, stub: Any) -> list[dict[str, Any]]:
    """Our fresh sync and re-sync at each size, each into a new collection: peak RSS must not grow with input."""
    results = []
    for records in sizes:
        name = f"day2_rss_{uuid.uuid4().hex[:8]}"
        target = str(workdir / f"{name}.db") if uri is None else uri
        try:
            for scenario in ("fresh", "resync"):
                args = ["--phase", "ours", "--scenario", scenario, "--uri", target, "--collection", name]
                args += ["--records", str(records), "--base-url", stub.base_url, "--dims", str(dims)]
                result = c.run_phase(MODULE, args)
                result.update(backend=backend, dims=dims, scenario=scenario, records=records)
                print(
                    f"  rss {backend:<6} {dims:>5}d {records:>6} records {scenario:<7} {result['seconds']:7.2f} s "
                    f"{records / result['seconds']:7.0f} rec/s peak RSS {result['peak_rss_mb']:5.0f} MiB",
                    flush=True,
                )
                results.append(result)
        finally:
            if uri is None:
                shutil.rmtree(target, ignore_errors=True)
            else:
                from pymilvus import MilvusClient

                client = MilvusClient(uri=uri)
                if client.has_collection(name):
                    client.drop_collection(name)
                client.close()
    return results


def _table(results: list[dict[str, Any]]) -> None:
    print()
    print(
        "| backend | dims | scenario | ours s | ours rec/s | ours inputs | raw s | raw inputs | ours/raw "
        "| raw's rows built (untimed) s | ours peak RSS |"
    )
    print("|---|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    for ours in (r for r in results if r["side"] == "ours"):
        raw = next(
            r
            for r in results
            if r["side"] == "raw"
            and (r["backend"], r["dims"], r["scenario"]) == (ours["backend"], ours["dims"], ours["scenario"])
        )
        print(
            f"| {ours['backend']} | {ours['dims']} | {ours['scenario']} | {ours['seconds']:.1f} | "
            f"{ours['records_per_s']:.0f} | {ours['inputs']} | {raw['seconds']:.1f} | {raw['inputs']} | "
            f"{raw['seconds'] / ours['seconds']:.2f} | {raw.get('build_seconds', float('nan')):.1f} | "
            f"{ours['peak_rss_mb']:.0f} MiB |"
        )
    print()
    for ours in (r for r in results if r["side"] == "ours" and r["scenario"] == "resync"):
        fresh = next(
            r
            for r in results
            if r["side"] == "ours"
            and r["scenario"] == "fresh"
            and r["backend"] == ours["backend"]
            and r["dims"] == ours["dims"]
        )
        print(
            f"{ours['backend']} {ours['dims']}d: re-sync {ours['records_per_s'] / fresh['records_per_s']:.1f}x the "
            f"records/s of the fresh sync, {ours['inputs']} inputs embedded"
        )
    for ours in (r for r in results if r["side"] == "ours" and r["scenario"] in ("resync", "mixed", "mixed_resend")):
        print(f"  {ours['backend']} {ours['dims']}d {ours['scenario']}: {' '.join(ours['summary'])}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--records", type=int, default=20_000)
    parser.add_argument("--backends", default="lite,server", help="comma list of lite, server, lite_server")
    parser.add_argument("--dims", default="384,1536")
    parser.add_argument(
        "--scenarios",
        default=",".join(SCENARIOS),
        help="the first scenarios of the chain, in order (each starts from what the one before stored)",
    )
    parser.add_argument("--json", type=Path, default=None, help="write all results here")
    parser.add_argument(
        "--latency", type=float, default=0.0, help="seconds the stub takes per embedding request (0: answer at once)"
    )
    parser.add_argument(
        "--rss", default="", help="instead: our fresh sync and re-sync at these sizes (e.g. 5000,20000,80000)"
    )
    parser.add_argument("--phase", choices=["ours", "raw"], help=argparse.SUPPRESS)
    parser.add_argument("--scenario", choices=SCENARIOS, help=argparse.SUPPRESS)
    parser.add_argument("--uri", help=argparse.SUPPRESS)
    parser.add_argument("--collection", help=argparse.SUPPRESS)
    parser.add_argument("--base-url", help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.phase:
        run = phase_ours if args.phase == "ours" else phase_raw
        print(json.dumps(run(args.uri, args.collection, args.scenario, args.records, args.base_url, int(args.dims))))
        return
    scenarios = args.scenarios.split(",")
    if scenarios != list(SCENARIOS[: len(scenarios)]):
        parser.error(f"--scenarios must be the first ones of {','.join(SCENARIOS)}, in that order")

    from testkit.openai_stub import OpenAIStub

    workdir = Path(tempfile.mkdtemp(prefix="bench-day2-"))
    print(
        f"day2: {args.records} records, backends {args.backends}, dims {args.dims}, stub latency {args.latency} s, "
        f"{time.strftime('%Y-%m-%d %H:%M')}"
    )
    print(f"machine: {c.machine()}", flush=True)
    results: list[dict[str, Any]] = []
    try:
        for backend in args.backends.split(","):
            with c.backend(backend, workdir) as uri:
                for dims in (int(d) for d in args.dims.split(",")):
                    with OpenAIStub(dimensions=dims, latency=args.latency) as stub:
                        if args.rss:
                            sizes = [int(n) for n in args.rss.split(",")]
                            results += _rss(backend, uri, sizes, dims, workdir, stub)
                        else:
                            results += _pair(backend, uri, dims, args.records, workdir, stub, scenarios)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    print(f"machine after: {c.machine()}")
    if not args.rss:
        _table(results)
    if args.json:
        args.json.write_text(json.dumps(results, indent=1, default=str))


if __name__ == "__main__":
    sys.exit(main())
