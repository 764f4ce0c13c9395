"""Write throughput: the connector's write path vs a raw pymilvus insert of the same rows, side by side.

Usage: python -m bench.throughput [--records 20000] [--backends lite,server[,lite_server]] [--repeats 2]

For each backend, phases run in fresh subprocesses (so each peak RSS is that phase's own):
- ours: ``DestinationMilvusSupport().write(config, catalog, generator)`` consuming Zendesk-shaped
  RECORD messages with a STATE every 1,000 records (parse, chunk, fake-embed, dedup bookkeeping, upsert);
- raw: the same rows (same pk, text, metadata and fields; prepared before the clock starts), then
  ``FakeEmbedder.embed`` + ``MilvusClient.insert`` in batches of 1,000 into a collection with the
  same schema and indexes.
Embedding (the pure-Python fake embedder) and the final flush and close are timed in both;
collection creation in neither. Peak RSS is the phase process's VmHWM (see _common.rss_mb).
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

from bench import _common as c

MODULE = "bench.throughput"
RAW_BATCH = 1_000


# -- phases (each in its own process) -------------------------------------------------------------------


def _client(uri: str) -> Any:
    from pymilvus import MilvusClient

    return MilvusClient(uri=uri, timeout=60)


def _signature(client: Any, collection: str) -> dict[str, Any]:
    """Schema and indexes of a collection, to prove ours and raw wrote into the same layout."""
    description = client.describe_collection(collection)
    fields = []
    for f in description["fields"]:
        params = {k: v for k, v in (f.get("params") or {}).items() if k in ("dim", "max_length", "enable_analyzer")}
        fields.append([f["name"], int(f["type"]), bool(f.get("is_primary")), bool(f.get("nullable")), params])
    indexes = {}
    for name in client.list_indexes(collection):
        info = client.describe_index(collection, index_name=name) or {}
        indexes[str(info.get("field_name"))] = [info.get("index_type"), info.get("metric_type")]
    functions = [[fn.get("name"), str(fn.get("type"))] for fn in description.get("functions", [])]
    return {
        "fields": sorted(fields, key=lambda x: str(x[0])),
        "dynamic": bool(description.get("enable_dynamic_field")),
        "functions": functions,
        "indexes": dict(sorted(indexes.items())),
    }


def _count(client: Any, collection: str) -> int:
    result = client.query(collection, filter="", output_fields=["count(*)"], consistency_level="Strong")
    return int(result[0]["count(*)"])


def _landed(uri: str, collection: str) -> tuple[int, dict[str, Any]]:
    """What a phase left in Milvus: the chunk count and the schema signature (compared across phases)."""
    client = _client(uri)
    try:
        return _count(client, collection), _signature(client, collection)
    finally:
        client.close()


def phase_ours(uri: str, collection: str, records: int) -> dict[str, Any]:
    from destination_milvus_support.destination import DestinationMilvusSupport

    cfg = c.config(uri, collection)
    catalog = c.catalog()
    # What the input generator alone costs (the bench's cost, not the connector's), reported apart.
    with c.Stopwatch() as gen:
        for _ in c.ticket_messages(records):
            pass
    destination = DestinationMilvusSupport()
    for _ in destination.write(cfg, catalog, iter([])):  # creates the collection, untimed (as for raw)
        pass
    rss_start = c.current_rss_mb()
    states = 0
    with c.Stopwatch() as sw:
        for message in destination.write(cfg, catalog, c.ticket_messages(records)):
            states += message.state is not None
    peak = c.rss_mb()
    chunks, signature = _landed(uri, collection)
    return {
        "phase": "ours",
        "records": records,
        "chunks": chunks,
        "states": states,
        "seconds": sw.seconds,
        "input_generation_seconds": gen.seconds,
        "rss_start_mb": rss_start,
        "peak_rss_mb": peak,
        "signature": signature,
    }


def _raw_rows(records: int) -> list[dict[str, Any]]:
    """The rows the connector writes for these records (pk, text, metadata, bookkeeping fields)."""
    from destination_milvus_support.config import ProcessingConfig
    from destination_milvus_support.content import record_hash
    from destination_milvus_support.processor import DocumentProcessor
    from query_sdk.embedders import FakeEmbedder

    processor = DocumentProcessor(
        ProcessingConfig.model_validate(c.config("x", "x")["processing"]),
        c.catalog(),
        FakeEmbedder(c.DIMENSIONS).token_counter(),
    )
    rows = []
    for message in c.ticket_messages(records):
        if message.record is None:
            continue
        processed = processor.prepare(message.record)
        for chunk in processor.chunk_many([processed])[0]:
            meta = dict(chunk.metadata)
            row = {
                "pk": chunk.pk,
                "text": chunk.text,
                "_tokens": chunk.tokens,
                "_ab_stream": processed.stream,
                "_ab_record_id": processed.record_id,
                "_ab_record_hash": record_hash(processed.stream, processed.record_id),
                "_ab_generation_id": 1,
            }
            row.update({k: v for k, v in meta.items() if k not in row})
            rows.append(row)
    return rows


def _create_raw_collection(client: Any, collection: str) -> set[str]:
    """The connector's layout, written by hand with plain pymilvus (checked against ours afterwards)."""
    from pymilvus import DataType, Function, FunctionType

    version = str(client.get_server_version()).lower()
    # Milvus Lite: nullable typed metadata, INVERTED scalar indexes, BM25. Milvus 2.3: none of those
    # (it reports "v2.3.5-lite", so the prefix is what tells them apart, as in ServerCapabilities).
    modern = version.startswith(("milvus_lite", "milvus-lite"))
    schema = client.create_schema(auto_id=False, enable_dynamic_field=True)
    schema.add_field("pk", DataType.VARCHAR, is_primary=True, max_length=64)
    schema.add_field("_ab_stream", DataType.VARCHAR, max_length=1024)
    schema.add_field("_ab_record_id", DataType.VARCHAR, max_length=4096)
    schema.add_field("_ab_record_hash", DataType.VARCHAR, max_length=64)
    schema.add_field("_ab_generation_id", DataType.INT64)
    typed: dict[str, Any] = {}
    if modern:
        typed = {
            "id": DataType.INT64,
            "subject": DataType.VARCHAR,
            "status": DataType.VARCHAR,
            "organization_id": DataType.INT64,
            "priority": DataType.VARCHAR,
            "updated_at": DataType.VARCHAR,
            "url": DataType.VARCHAR,
        }
        for name, kind in typed.items():
            extra = {"max_length": 65535} if kind == DataType.VARCHAR else {}
            schema.add_field(name, kind, nullable=True, **extra)
    schema.add_field("text", DataType.VARCHAR, max_length=65535, **({"enable_analyzer": True} if modern else {}))
    schema.add_field("vector", DataType.FLOAT_VECTOR, dim=c.DIMENSIONS)
    index = client.prepare_index_params()
    if modern:
        schema.add_field("text_sparse", DataType.SPARSE_FLOAT_VECTOR)
        schema.add_function(
            Function(
                name="text_bm25",
                function_type=FunctionType.BM25,
                input_field_names=["text"],
                output_field_names=["text_sparse"],
            )
        )
        index.add_index("vector", index_type="AUTOINDEX", metric_type="COSINE")
        for name in ("_ab_stream", "_ab_record_hash", "_ab_generation_id", *[f for f in typed if f != "subject"]):
            index.add_index(name, index_type="INVERTED")
        index.add_index("text_sparse", index_type="SPARSE_INVERTED_INDEX", metric_type="BM25")
    else:
        index.add_index("vector", index_type="HNSW", metric_type="COSINE", params={"M": 16, "efConstruction": 200})
    client.create_collection(collection, schema=schema, index_params=index, consistency_level="Strong")
    client.load_collection(collection)
    return set(typed)


def phase_raw(uri: str, collection: str, records: int) -> dict[str, Any]:
    from query_sdk.embedders import FakeEmbedder

    rows = _raw_rows(records)  # untimed: the "same rows"
    client = _client(uri)
    typed = _create_raw_collection(client, collection)
    for row in rows:  # declared fields a record lacks are null; the rest (tags) goes to the dynamic field
        for name in typed:
            row.setdefault(name, None)
    embedder = FakeEmbedder(c.DIMENSIONS)
    rss_start = c.current_rss_mb()
    embed_seconds = insert_seconds = 0.0
    with c.Stopwatch() as sw:
        for start in range(0, len(rows), RAW_BATCH):
            batch = rows[start : start + RAW_BATCH]
            t0 = time.perf_counter()
            vectors = embedder.embed([r["text"] for r in batch], token_counts=[r["_tokens"] for r in batch])
            t1 = time.perf_counter()
            data = [{**{k: v for k, v in r.items() if k != "_tokens"}, "vector": v} for r, v in zip(batch, vectors)]
            client.insert(collection, data)
            t2 = time.perf_counter()
            embed_seconds += t1 - t0
            insert_seconds += t2 - t1
        t0 = time.perf_counter()
        client.flush(collection)  # as the connector does at the end of a sync (since 2026-11-21 14:42)
        client.close()  # and closes its client inside write
        close_seconds = time.perf_counter() - t0
    peak = c.rss_mb()
    chunks, signature = _landed(uri, collection)
    return {
        "phase": "raw",
        "records": records,
        "chunks": chunks,
        "seconds": sw.seconds,
        "embed_seconds": embed_seconds,
        "insert_seconds": insert_seconds,
        "close_seconds": close_seconds,
        "rss_start_mb": rss_start,
        "peak_rss_mb": peak,
        "signature": signature,
    }


# -- orchestration ----------------------------------------------------------------------------------------


def _run(phase: str, backend: str, uri: str | None, records: int, workdir: Path) -> dict[str, Any]:
    collection = f"bench_{phase}_{uuid.uuid4().hex[:8]}"
    local = uri is None
    target = str(workdir / f"{collection}.db") if local else uri
    assert target is not None
    try:
        result = c.run_phase(
            MODULE, ["--phase", phase, "--uri", target, "--collection", collection, "--records", str(records)]
        )
    finally:
        if local:
            shutil.rmtree(target, ignore_errors=True)
        else:
            client = _client(target)
            if client.has_collection(collection):
                client.drop_collection(collection)
            client.close()
    result["backend"] = backend
    result["records_per_s"] = records / result["seconds"]
    result["chunks_per_s"] = result["chunks"] / result["seconds"]
    print(
        f"  {backend:<11} {phase:<4} {records:>6} records {result['chunks']:>6} chunks "
        f"{result['seconds']:7.2f} s  {result['records_per_s']:7.0f} rec/s  peak RSS {result['peak_rss_mb']:6.0f} MiB",
        flush=True,
    )
    return result


def _summary(backend: str, results: list[dict[str, Any]], records: int, flat: int) -> dict[str, Any]:
    def pick(phase: str, n: int) -> list[dict[str, Any]]:
        return [r for r in results if r["phase"] == phase and r["records"] == n]

    ours, raw = pick("ours", records), pick("raw", records)
    mean = statistics.mean
    row = {
        "backend": backend,
        "ours_records_per_s": mean(r["records_per_s"] for r in ours),
        "ours_chunks_per_s": mean(r["chunks_per_s"] for r in ours),
        "raw_records_per_s": mean(r["records_per_s"] for r in raw),
        "raw_chunks_per_s": mean(r["chunks_per_s"] for r in raw),
        "ours_runs": [round(r["records_per_s"]) for r in ours],
        "raw_runs": [round(r["records_per_s"]) for r in raw],
        "ours_peak_rss_mb": max(r["peak_rss_mb"] for r in ours),
        "raw_peak_rss_mb": max(r["peak_rss_mb"] for r in raw),
        "input_generation_s": mean(r["input_generation_seconds"] for r in ours),
        "raw_embed_s": mean(r["embed_seconds"] for r in raw),
        "raw_insert_s": mean(r["insert_seconds"] for r in raw),
        "raw_close_s": mean(r["close_seconds"] for r in raw),
        "ours_s": mean(r["seconds"] for r in ours),
        "raw_s": mean(r["seconds"] for r in raw),
        "chunks": ours[0]["chunks"],
        "same_rows": {r["chunks"] for r in ours + raw} == {ours[0]["chunks"]},
        "same_schema": ours[0]["signature"] == raw[0]["signature"],
    }
    row["ratio"] = row["ours_records_per_s"] / row["raw_records_per_s"]
    # Ours with the bench's own input generation taken out (the generator runs inside ours' clock).
    row["ratio_net_of_input"] = row["raw_s"] / (row["ours_s"] - row["input_generation_s"])
    if flat:
        small_ours, small_raw = pick("ours", flat), pick("raw", flat)
        row["ours_peak_rss_small_mb"] = small_ours[0]["peak_rss_mb"]
        row["raw_peak_rss_small_mb"] = small_raw[0]["peak_rss_mb"]
        row["ours_rss_start_mb"] = mean(r["rss_start_mb"] for r in ours)
        row["ours_rss_start_small_mb"] = small_ours[0]["rss_start_mb"]
    if not row["same_schema"]:
        print(f"  WARNING: schemas differ on {backend}:\n   ours {ours[0]['signature']}\n   raw  {raw[0]['signature']}")
    return row


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--records", type=int, default=20_000)
    parser.add_argument("--backends", default="lite,server", help="comma list of lite, server, lite_server")
    parser.add_argument("--repeats", type=int, default=2, help="ours/raw pairs per backend (order alternates)")
    parser.add_argument("--flat-records", type=int, default=5_000, help="smaller run for the RSS flatness check")
    parser.add_argument("--workdir", type=Path, default=None)
    parser.add_argument("--json", type=Path, default=None, help="write all results here")
    parser.add_argument("--phase", choices=["ours", "raw"], help=argparse.SUPPRESS)
    parser.add_argument("--uri", help=argparse.SUPPRESS)
    parser.add_argument("--collection", help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.phase:
        run = phase_ours if args.phase == "ours" else phase_raw
        print(json.dumps(run(args.uri, args.collection, args.records)))
        return

    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="bench-throughput-"))
    workdir.mkdir(parents=True, exist_ok=True)
    print(f"throughput: {args.records} records, backends {args.backends}, {time.strftime('%Y-%m-%d %H:%M')}")
    print(f"machine: {c.machine()}", flush=True)
    summaries, everything = [], []
    for backend in args.backends.split(","):
        print(f"{c.BACKEND_LABELS[backend]}:", flush=True)
        results: list[dict[str, Any]] = []
        with c.backend(backend, workdir) as uri:
            for repeat in range(args.repeats):
                order = ["ours", "raw"] if repeat % 2 == 0 else ["raw", "ours"]
                for phase in order:
                    results.append(_run(phase, backend, uri, args.records, workdir))
            if args.flat_records:
                for phase in ("ours", "raw"):
                    results.append(_run(phase, backend, uri, args.flat_records, workdir))
        everything.extend(results)
        summaries.append(_summary(backend, results, args.records, args.flat_records))
    print(f"machine after: {c.machine()}")
    _print_table(summaries, args.records, args.flat_records)
    if args.json:
        args.json.write_text(json.dumps({"summaries": summaries, "runs": everything}, indent=1, default=str))
    if args.workdir is None:
        shutil.rmtree(workdir, ignore_errors=True)


def _print_table(summaries: list[dict[str, Any]], records: int, flat: int) -> None:
    print()
    print("| backend | ours rec/s | ours chunks/s | raw rec/s | raw chunks/s | ours/raw | ours/raw net of input gen |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for s in summaries:
        print(
            f"| {s['backend']} | {s['ours_records_per_s']:.0f} | {s['ours_chunks_per_s']:.0f} | "
            f"{s['raw_records_per_s']:.0f} | {s['raw_chunks_per_s']:.0f} | {s['ratio']:.2f} | "
            f"{s['ratio_net_of_input']:.2f} |"
        )
    print()
    print(
        "| backend | raw: embed s | raw: insert s | raw: flush+close s | input generation s (in ours) | same rows | same schema |"
    )
    print("|---|---:|---:|---:|---:|---|---|")
    for s in summaries:
        print(
            f"| {s['backend']} | {s['raw_embed_s']:.2f} | {s['raw_insert_s']:.2f} | {s['raw_close_s']:.2f} | "
            f"{s['input_generation_s']:.2f} | "
            f"{s['same_rows']} ({s['chunks']} chunks) | {s['same_schema']} |"
        )
    if flat:
        print()
        print(
            f"| backend | ours peak RSS {flat} rec | ours peak RSS {records} rec "
            f"| raw peak RSS {flat} rec | raw peak RSS {records} rec |"
        )
        print("|---|---:|---:|---:|---:|")
        for s in summaries:
            print(
                f"| {s['backend']} | {s['ours_peak_rss_small_mb']:.0f} MiB | {s['ours_peak_rss_mb']:.0f} MiB | "
                f"{s['raw_peak_rss_small_mb']:.0f} MiB | {s['raw_peak_rss_mb']:.0f} MiB |"
            )
    print()
    print(
        "target: ours >= 0.60 x raw -> "
        + ", ".join(f"{s['backend']} {'met' if s['ratio'] >= 0.6 else 'MISSED'}" for s in summaries)
    )


if __name__ == "__main__":
    sys.exit(main())
