"""Query latency: query_sdk (find_duplicate_tickets, recommend_articles) vs raw MilvusClient.search, interleaved.

Usage: python -m bench.latency [--tickets 88000] [--articles 3080] [--queries 200] [--backends lite,server]
                               [--workdir DIR (keeps the built collections for the next run)]

Per backend, the connector writes ~100k chunks (Zendesk-shaped tickets over 40 organisations and six
statuses, plus Help Center articles; fake 384-dim embedder) into one collection, which is then
flushed, indexed and loaded. Each query then runs through every variant, in rotating order:
- sdk_dense:  SupportSearch(hybrid=False), its default Bounded consistency: embed, one dense search,
  scoring, one result per ticket;
- raw_bounded: FakeEmbedder.embed + MilvusClient.search with the SDK's exact request (same filter
  expression, limit, group_by_field, output fields, metric, consistency_level="Bounded"), and on
  Milvus Lite the SDK's ef 1,024 and its second search with ef 4,096 when the answer came back short;
- sdk_strong: SupportSearch(consistency="strong") (reads its own writes);
- raw_strong: raw_bounded with consistency_level="Strong" (the collection's default, as created);
- raw_once: raw_bounded with Lite's default ef and no second search (what they cost; short answers);
- sdk_hybrid: SupportSearch(hybrid=True) where the server has BM25 (Lite): one hybrid_search, the
  dense and BM25 requests fused on the server by WeightedRanker(0.7, 0.3), scored by the hits' dense
  similarity computed from the vectors returned with them;
- server_weighted: the same hybrid_search written by hand (same requests, ranker, group_by_field,
  output fields with the vector, ef 1,024 on Lite), without the SDK's scoring;
- server_rrf: server_weighted with RRFRanker(60) instead (measured, not used);
- raw_hybrid: raw_bounded plus the SDK's BM25 request, both raw (two searches, no fusion).
Like-for-like: sdk_dense vs raw_bounded (target 1.15x), sdk_strong vs raw_strong, sdk_hybrid vs
server_weighted; sdk_hybrid vs raw_hybrid is one fused search against two plain ones. raw_strong vs raw_bounded is what Strong consistency costs.
"""

from __future__ import annotations

import argparse
import itertools
import json
import random
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, Callable

from bench import _common as c

COLLECTION = "bench_latency"
LIMIT = 5
WARMUP = 20


def _wait_indexed(client: Any, collection: str, timeout: float = 900.0) -> None:
    """Wait until every index of the collection covers all rows (Milvus 2.3 builds them after flush)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        pending = 0
        for name in client.list_indexes(collection):
            info = client.describe_index(collection, index_name=name) or {}
            pending += int(info.get("pending_index_rows", 0) or 0)
            pending += int(info.get("total_rows", 0) or 0) - int(info.get("indexed_rows", 0) or 0)
        if not pending:
            return
        time.sleep(2)
    raise TimeoutError(f"indexes of {collection} not finished after {timeout}s")


def _load(client: Any, collection: str, attempts: int = 10) -> None:
    """Load the collection, again (up to ``attempts`` times, a second apart) when the load fails.

    Milvus Lite 3.2.2 builds indexes in a background thread and writes each index file in place, so a
    load that meets one half-written fails: pyarrow's "File is too small: 0" or "Not an Arrow file" for
    a scalar index, numpy's or FAISS's read errors for a vector index (seen under CPU contention).
    """
    for attempt in range(attempts):
        try:
            client.load_collection(collection)
            return
        except Exception as error:  # pymilvus' MilvusException, whatever the engine raised
            if attempt == attempts - 1:
                raise
            print(f"  load of {collection} failed ({str(error)[:200]}); again in 1 s", flush=True)
            time.sleep(1)


def _count(client: Any, collection: str) -> int:
    return int(
        client.query(collection, filter="", output_fields=["count(*)"], consistency_level="Strong")[0]["count(*)"]
    )


def build(uri: str, tickets: int, articles: int) -> dict[str, Any]:
    """Write the collection through the connector (unless it already holds the rows); flush, index, load."""
    from pymilvus import MilvusClient

    from destination_milvus_support.destination import DestinationMilvusSupport

    client = MilvusClient(uri=uri, timeout=120)
    existing = 0
    if client.has_collection(COLLECTION):  # kept from an earlier run (--workdir): a restarted server unloads it
        _load(client, COLLECTION)
        existing = _count(client, COLLECTION)
    info: dict[str, Any] = {"reused": existing > 0}
    if not existing:
        client.close()
        cfg = c.config(
            uri,
            COLLECTION,
            text_fields=[*c.TEXT_FIELDS, "title", "body"],
            metadata_fields=[*c.METADATA_FIELDS, "title"],
            html_to_text=True,
        )
        messages = itertools.chain(c.ticket_messages(tickets), c.article_messages(articles))
        started = time.perf_counter()
        for message in DestinationMilvusSupport().write(cfg, c.catalog(("tickets", "articles")), messages):
            if message.log and message.log.message.startswith(("Stream ", "Progress")):
                print("   ", message.log.message, flush=True)
        info["write_seconds"] = time.perf_counter() - started
        client = MilvusClient(uri=uri, timeout=120)
    started = time.perf_counter()
    client.flush(COLLECTION)
    _wait_indexed(client, COLLECTION)
    client.release_collection(COLLECTION)
    _load(client, COLLECTION)
    info["flush_index_load_seconds"] = time.perf_counter() - started
    info["rows"] = _count(client, COLLECTION)
    client.close()
    return info


def _queries(count: int, orgs: list[int], seed: int = 99) -> list[tuple[str, int]]:
    """Query texts (Banking77 queries phrased differently from the stored tickets) and an organisation."""
    rng = random.Random(seed)
    texts = c.banking77()
    weights = [1.0 / (i + 1) for i in range(len(orgs))]
    picked = rng.sample(texts, count)
    return [
        (f"{rng.choice(['Hello, ', 'Hi. ', ''])}{text} {rng.choice(['', 'Thanks!', 'Any idea?'])}".strip(), org)
        for (text, _), org in zip(picked, rng.choices(orgs, weights, k=count))
    ]


def measure(uri: str, queries: int) -> dict[str, Any]:
    """Interleaved SDK and raw calls on the built collection; returns per-variant latencies in ms."""
    from pymilvus import MilvusClient

    from query_sdk import SupportSearch
    from query_sdk.contract import RECORD_ID_FIELD, STREAM_FIELD
    from query_sdk.embedders import FakeEmbedder
    from query_sdk.filters import Condition, NotTrue, build_filter

    # The bench's articles carry no user_segment_id (all public): the SDK is told so, and adds no audience
    # clause to its article filter, which the raw requests below copy.
    public = {"all_articles_public": True}
    dense_sdk = SupportSearch.connect(uri=uri, collection=COLLECTION, hybrid=False, **public)
    strong_sdk = SupportSearch.connect(uri=uri, collection=COLLECTION, hybrid=False, consistency="strong", **public)
    hybrid_sdk = SupportSearch.connect(uri=uri, collection=COLLECTION, hybrid=True, **public)
    has_hybrid = hybrid_sdk.hybrid
    raw = MilvusClient(uri=uri, timeout=60)
    embedder = FakeEmbedder(c.DIMENSIONS)
    info = dense_sdk.info

    # The request a user would write by hand, with the SDK's parameters (checked against the SDK below).
    output = [f for f in info.scalar_types if f != info.pk_field] + (["$meta"] if info.dynamic else [])
    statuses = ", ".join(f'"{s}"' for s in c.OPEN_STATUSES)

    def ticket_filter(org: int) -> str:
        return f'(_ab_stream == "tickets") and (organization_id == {org}) and (status in [{statuses}])'

    # What a user writes for published articles (the SDK leaves drafts out); on 2.3 `not (draft == true)`.
    published = "(draft == false) or (draft is null)" if info.capabilities.nullable_fields else "not (draft == true)"
    article_filter = f'(_ab_stream == "articles") and ({published})'
    sdk_articles, _ = build_filter(
        [Condition(STREAM_FIELD, "articles"), NotTrue("draft")],
        templating=False,
        null_checks=info.capabilities.nullable_fields,
    )
    assert sdk_articles == article_filter, (sdk_articles, article_filter)
    sdk_expression, _ = build_filter(
        [
            Condition(STREAM_FIELD, "tickets"),
            Condition("organization_id", 360_000_000),
            Condition("status", c.OPEN_STATUSES),
        ],
        templating=False,
    )
    assert sdk_expression == ticket_filter(360_000_000), (sdk_expression, ticket_filter(360_000_000))
    grouped = {"group_by_field": RECORD_ID_FIELD} if info.record_id_declared else {}
    dense_limit = LIMIT * 3 if grouped else LIMIT * 10

    def raw_dense(text: str, expression: str, *, widen: bool = True, level: str = "Bounded") -> Any:
        vectors = embedder.embed([text])
        lite_ef = widen and info.capabilities.narrow_filter_misses
        request = dict(
            data=vectors,
            anns_field=info.vector_field,
            limit=dense_limit,
            filter=expression,
            output_fields=output,
            search_params={"metric_type": info.metric, **({"params": {"ef": 1024}} if lite_ef else {})},
            consistency_level=level,
            **grouped,
        )
        found = raw.search(COLLECTION, **request)
        if lite_ef and len(found[0]) < dense_limit:
            # What the SDK does on Milvus Lite (and a careful raw user must): ef 1,024, and a short
            # answer searched again with 4,096, since Lite's filtered HNSW walk misses rows.
            wide = {"metric_type": info.metric, "params": {"ef": 4096}}
            again = raw.search(COLLECTION, **{**request, "search_params": wide})
            if len(again[0]) > len(found[0]):
                found = again
        return found

    def raw_hybrid(text: str, expression: str) -> Any:
        dense = raw_dense(text, expression)
        lexical = raw.search(
            COLLECTION,
            data=[text],
            anns_field=info.sparse_field,
            limit=LIMIT * 3,
            filter=expression,
            output_fields=[*output, info.vector_field],
            search_params={"metric_type": "BM25"},
            consistency_level="Bounded",
        )
        return dense, lexical

    def server_hybrid(text: str, expression: str, ranker: Any) -> Any:
        from pymilvus import AnnSearchRequest

        params = {"ef": 1024} if info.capabilities.narrow_filter_misses else {}
        requests = [
            AnnSearchRequest(
                data=embedder.embed([text]),
                anns_field=info.vector_field,
                param={"metric_type": info.metric, "params": params},
                limit=dense_limit,
                expr=expression,
            ),
            AnnSearchRequest(
                data=[text],
                anns_field=info.sparse_field,
                param={"metric_type": "BM25"},
                limit=LIMIT * 3,
                expr=expression,
            ),
        ]
        return raw.hybrid_search(
            COLLECTION,
            requests,
            ranker,
            limit=dense_limit,
            output_fields=[*output, info.text_field, info.vector_field],
            consistency_level="Bounded",
            **grouped,
        )

    variants: dict[str, dict[str, Callable[[str, int], Any]]] = {
        "find_duplicate_tickets": {
            "sdk_dense": lambda t, o: dense_sdk.find_duplicate_tickets(t, organization_id=o, limit=LIMIT),
            "raw_bounded": lambda t, o: raw_dense(t, ticket_filter(o)),
            "sdk_strong": lambda t, o: strong_sdk.find_duplicate_tickets(t, organization_id=o, limit=LIMIT),
            "raw_strong": lambda t, o: raw_dense(t, ticket_filter(o), level="Strong"),
            "raw_once": lambda t, o: raw_dense(t, ticket_filter(o), widen=False),
        },
        "recommend_articles": {
            "sdk_dense": lambda t, o: dense_sdk.recommend_articles(t, limit=LIMIT),
            "raw_bounded": lambda t, o: raw_dense(t, article_filter),
            "sdk_strong": lambda t, o: strong_sdk.recommend_articles(t, limit=LIMIT),
            "raw_strong": lambda t, o: raw_dense(t, article_filter, level="Strong"),
            "raw_once": lambda t, o: raw_dense(t, article_filter, widen=False),
        },
    }
    if has_hybrid:
        variants["find_duplicate_tickets"]["sdk_hybrid"] = lambda t, o: hybrid_sdk.find_duplicate_tickets(
            t, organization_id=o, limit=LIMIT
        )
        variants["find_duplicate_tickets"]["raw_hybrid"] = lambda t, o: raw_hybrid(t, ticket_filter(o))
        variants["recommend_articles"]["sdk_hybrid"] = lambda t, o: hybrid_sdk.recommend_articles(t, limit=LIMIT)
        variants["recommend_articles"]["raw_hybrid"] = lambda t, o: raw_hybrid(t, article_filter)
        from pymilvus import RRFRanker, WeightedRanker

        for name, ranker in (("server_rrf", RRFRanker(60)), ("server_weighted", WeightedRanker(0.7, 0.3))):
            variants["find_duplicate_tickets"][name] = lambda t, o, r=ranker: server_hybrid(t, ticket_filter(o), r)
            variants["recommend_articles"][name] = lambda t, o, r=ranker: server_hybrid(t, article_filter, r)

    orgs = [360_000_000 + 1_000 * i for i in range(40)]
    work = _queries(WARMUP + queries, orgs)
    timings: dict[str, dict[str, list[float]]] = {op: {v: [] for v in vs} for op, vs in variants.items()}
    hits: dict[str, dict[str, int]] = {op: {v: 0 for v in vs} for op, vs in variants.items()}
    for number, (text, org) in enumerate(work):
        for op, calls in variants.items():
            names = list(calls)
            shift = number % len(names)
            for name in names[shift:] + names[:shift]:  # rotate the order: no variant always goes first
                started = time.perf_counter()
                result = calls[name](text, org)
                elapsed = (time.perf_counter() - started) * 1000
                if number >= WARMUP:
                    timings[op][name].append(elapsed)
                    hits[op][name] += _nonempty(result)
    dense_sdk.close()
    strong_sdk.close()
    hybrid_sdk.close()
    raw.close()
    return {"timings": timings, "nonempty": hits, "hybrid_available": has_hybrid, "dense_limit": dense_limit}


def _nonempty(result: Any) -> bool:
    """Whether a call found anything: SDK matches, or the dense hits of a raw search (list per query)."""
    if isinstance(result, tuple):  # raw hybrid: (dense, lexical)
        result = result[0]
    if result and isinstance(result[0], list):  # raw search: one hit list per query vector
        result = result[0]
    return bool(result)


def _stats(values: list[float]) -> dict[str, float]:
    return {"p50": c.percentile(values, 50), "p95": c.percentile(values, 95), "mean": sum(values) / len(values)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tickets", type=int, default=88_000)
    parser.add_argument("--articles", type=int, default=3_080)
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--backends", default="lite,server", help="comma list of lite, server, lite_server")
    parser.add_argument("--workdir", type=Path, default=None, help="keep the built collections here for reuse")
    parser.add_argument("--json", type=Path, default=None, help="write all results here")
    args = parser.parse_args()

    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="bench-latency-"))
    workdir.mkdir(parents=True, exist_ok=True)
    print(f"latency: {args.tickets} tickets + {args.articles} articles, {args.queries} queries per variant, ", end="")
    print(f"backends {args.backends}, {time.strftime('%Y-%m-%d %H:%M')}")
    print(f"machine: {c.machine()}", flush=True)
    results: dict[str, Any] = {}
    for backend in args.backends.split(","):
        print(f"{c.BACKEND_LABELS[backend]}:", flush=True)
        with c.backend(backend, workdir) as server_uri:
            uri = server_uri or str(workdir / "latency-lite.db")
            setup = build(uri, args.tickets, args.articles)
            print(f"  setup: {json.dumps({k: round(v, 1) if isinstance(v, float) else v for k, v in setup.items()})}")
            measured = measure(uri, args.queries)
        stats = {op: {v: _stats(ts) for v, ts in vs.items()} for op, vs in measured["timings"].items()}
        results[backend] = {"setup": setup, "stats": stats, "nonempty": measured["nonempty"]}
        for op, vs in stats.items():
            for name, s in vs.items():
                print(f"  {op:<23} {name:<10} p50 {s['p50']:7.1f} ms  p95 {s['p95']:7.1f} ms", flush=True)
    print(f"machine after: {c.machine()}")
    _print_table(results)
    if args.json:
        args.json.write_text(json.dumps(results, indent=1))
    if args.workdir is None:
        shutil.rmtree(workdir, ignore_errors=True)


#: (SDK variant, raw variant, target ratio or None): the like-for-like pairs the table compares.
PAIRS = [
    ("sdk_dense", "raw_bounded", 1.15),
    ("sdk_strong", "raw_strong", 1.15),
    ("sdk_hybrid", "server_weighted", 1.15),
    ("sdk_hybrid", "raw_hybrid", None),
    ("server_rrf", "server_weighted", None),
]


def _print_table(results: dict[str, Any]) -> None:
    print()
    header = ["backend", "query", "rows"]
    for sdk, raw, _ in PAIRS:
        header += [f"{sdk} p50/p95", f"{raw} p50/p95", f"{sdk}/{raw} p50 (p95)"]
    header += ["raw_strong/raw_bounded p50", "raw_once p50/p95"]
    print("| " + " | ".join(header) + " |")
    print("|" + "---|" * len(header))
    verdicts = []
    for backend, r in results.items():
        for op, s in r["stats"].items():
            cells = [backend, op, str(r["setup"]["rows"])]
            for sdk, raw, target in PAIRS:
                if sdk not in s:
                    cells += ["n/a (no BM25)"] * 3
                    continue
                a, b = s[sdk], s[raw]
                cells += [
                    f"{a['p50']:.1f} / {a['p95']:.1f} ms",
                    f"{b['p50']:.1f} / {b['p95']:.1f} ms",
                    f"{a['p50'] / b['p50']:.2f} ({a['p95'] / b['p95']:.2f})",
                ]
                verdicts.append((f"{backend} {op} {sdk}/{raw}", a["p50"] / b["p50"], target))
            cells.append(f"{s['raw_strong']['p50'] / s['raw_bounded']['p50']:.1f}")
            cells.append(f"{s['raw_once']['p50']:.1f} / {s['raw_once']['p95']:.1f} ms")
            print("| " + " | ".join(cells) + " |")
    print()
    print(
        "target: SDK p50 within 1.15x of raw (like-for-like) -> "
        + ", ".join(
            f"{name} {ratio:.2f} {'met' if ratio <= target else 'MISSED'}"
            for name, ratio, target in verdicts
            if target is not None
        )
    )


if __name__ == "__main__":
    sys.exit(main())
