"""Answer quality on Banking77 through the product's real path: connector ``write`` into Milvus Lite, then query_sdk.

Duplicates: every test query is searched against tickets made from the 10,003 train queries
(one organisation, all open); a ticket of the same intent is a duplicate. Articles: every test
query against the bundled help-center articles; the article of its intent is the right one.
Dense, BM25 and hybrid retrieval run side by side, and articles with and without HTML-to-text.

    python bench/quality.py [--queries 3080] [--embedding local] [--out bench/quality_results.json]
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, Iterator

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from airbyte_cdk.models import (  # noqa: E402
    AirbyteMessage,
    AirbyteMessageSerializer,
    ConfiguredAirbyteCatalogSerializer,
    Type,
)

from destination_milvus_support.destination import DestinationMilvusSupport  # noqa: E402
from query_sdk import Embedder, EmbeddingSpec, SupportSearch, calibrate, embedder_from_spec  # noqa: E402
from query_sdk.contract import RECORD_ID_FIELD, STREAM_FIELD  # noqa: E402
from sample_data.build import make_articles, make_tickets_with_labels  # noqa: E402

BANKING77 = ROOT.parent / "shared" / "data" / "banking77"
ORG = 360001


def _collections(db: str) -> list[str]:
    from pymilvus import MilvusClient

    client = MilvusClient(db)
    try:
        return list(client.list_collections())
    finally:
        client.close()


def read_rows(name: str) -> list[tuple[str, str]]:
    with (BANKING77 / name).open(newline="", encoding="utf-8") as handle:
        return [(row["text"], row["category"]) for row in csv.DictReader(handle)]


def messages(records: list[tuple[str, dict[str, Any]]]) -> Iterator[AirbyteMessage]:
    for stream, data in records:
        yield AirbyteMessageSerializer.load(
            {"type": "RECORD", "record": {"stream": stream, "data": data, "emitted_at": 0}}
        )


def sync(
    db: str,
    collection: str,
    records: list[tuple[str, dict[str, Any]]],
    *,
    embedding: dict[str, Any],
    html_to_text: bool,
    omit_field_names: bool = False,
) -> float:
    """Write through the connector; returns seconds taken."""
    catalog = json.loads((ROOT / "sample_data" / "catalog_append_dedup.json").read_text())
    config = {
        "processing": {
            "chunk_size": 200,
            "chunk_overlap": 20,
            "text_fields": ["subject", "description", "title", "body"],
            "metadata_fields": ["id", "subject", "status", "organization_id", "title", "html_url"],
            "html_to_text": html_to_text,
            "omit_field_names_from_embeddings": omit_field_names,
        },
        "embedding": embedding,
        "indexing": {"host": db, "collection": collection, "auth": {"mode": "no_auth"}},
    }
    started = time.monotonic()
    for message in DestinationMilvusSupport().write(
        config, ConfiguredAirbyteCatalogSerializer.load(catalog), messages(records)
    ):
        if message.type == Type.LOG and message.log and message.log.message.startswith("Stream "):
            print("   ", message.log.message)
    return time.monotonic() - started


class CachingEmbedder(Embedder):
    """Wraps the collection's embedder so each query text is embedded once across all runs."""

    def __init__(self, inner: Embedder) -> None:
        self.inner = inner
        self.cache: dict[str, list[float]] = {}
        self.max_input_tokens = inner.max_input_tokens

    @property
    def spec(self) -> EmbeddingSpec:
        return self.inner.spec

    def count_tokens(self, text: str) -> int:
        return self.inner.count_tokens(text)

    def embed_batch(self, texts):
        return self.inner.embed_batch(texts)

    def embed(self, texts, *, token_counts=None):
        missing = list(dict.fromkeys(t for t in texts if t not in self.cache))
        if missing:
            self.cache.update(zip(missing, self.inner.embed(missing)))
        return [self.cache[t] for t in texts]


def rank_metrics(ranked_labels: list[list[str]], truth: list[str]) -> dict[str, float]:
    p1 = sum(1 for ranks, t in zip(ranked_labels, truth) if ranks[:1] == [t]) / len(truth)
    mrr = 0.0
    recall5 = 0.0
    for ranks, t in zip(ranked_labels, truth):
        for position, label in enumerate(ranks[:10], start=1):
            if label == t:
                mrr += 1 / position
                break
        recall5 += t in ranks[:5]
    return {"p@1": round(p1, 4), "mrr@10": round(mrr / len(truth), 4), "recall@5": round(recall5 / len(truth), 4)}


def bm25_ranked(search: SupportSearch, texts: list[str], stream: str, limit: int) -> list[list[str]]:
    """BM25 alone, straight from pymilvus on the BM25 field the connector created (a baseline)."""
    info = search.info
    assert info.sparse_field, "the collection has no BM25 field"
    out: list[list[str]] = []
    for start in range(0, len(texts), 200):
        hits = search._client.search(
            info.name,
            data=texts[start : start + 200],
            anns_field=info.sparse_field,
            limit=limit * 3,
            filter=f'{STREAM_FIELD} == "{stream}"',
            output_fields=[RECORD_ID_FIELD],
            search_params={"metric_type": "BM25"},
        )
        for query_hits in hits:
            seen: list[str] = []
            for hit in query_hits:
                rid = str(hit["entity"][RECORD_ID_FIELD]).removeprefix(f"{stream}_")
                if rid not in seen:
                    seen.append(rid)
            out.append(seen[:limit])
    return out


def evaluate(
    search: SupportSearch, queries: list[tuple[str, str]], labels: dict[str, str], kind: str
) -> dict[str, Any]:
    texts = [t for t, _ in queries]
    truth = [c for _, c in queries]
    results: list[Any] = []
    for start in range(0, len(texts), 200):
        part = texts[start : start + 200]
        if kind == "tickets":
            results += search.find_duplicate_tickets_many(part, organization_id=ORG, limit=10, threshold=-1.0)
        else:
            results += search.recommend_articles_many(part, limit=10, threshold=-1.0)
    ranked = [[labels[m.record_id] for m in matches] for matches in results]
    metrics: dict[str, Any] = rank_metrics(ranked, truth)
    if kind == "tickets":
        scored = [(m[0].score, labels[m[0].record_id] == t) for m, t in zip(results, truth) if m]
        default = search.default_threshold("duplicate")
        flagged = [(s, ok) for s, ok in scored if s >= default]
        tp = sum(ok for _, ok in flagged)
        correct = sum(ok for _, ok in scored)
        precision = tp / len(flagged) if flagged else 0.0
        recall = tp / correct if correct else 0.0
        f1 = 2 * precision * recall / (precision + recall) if tp else 0.0
        best = calibrate(scored)
        metrics["flag_at_default"] = {
            "threshold": default, "precision": round(precision, 4), "recall": round(recall, 4), "f1": round(f1, 4),
        }  # fmt: skip
        metrics["best_threshold"] = {"threshold": best.threshold, "f1": round(best.f1, 4)}
    return metrics


def main() -> None:
    parser = argparse.ArgumentParser(description="Banking77 quality evaluation through connector + query_sdk")
    parser.add_argument("--queries", type=int, default=3080, help="test queries to use (fixed order)")
    parser.add_argument("--embedding", choices=["local", "fake"], default="local")
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "quality_results.json")
    parser.add_argument("--db", type=Path, help="Milvus Lite folder to (re)use; synced only if empty")
    parser.add_argument(
        "--field-names", action="store_true", help="also sync without field names and compare dense search side by side"
    )
    args = parser.parse_args()
    embedding = {"mode": "local"} if args.embedding == "local" else {"mode": "fake", "dimensions": 384}

    train, test = read_rows("train.csv"), read_rows("test.csv")
    queries = test[:: max(1, len(test) // args.queries)][: args.queries]
    tickets, ticket_intents = make_tickets_with_labels(train, start_id=1)
    for ticket in tickets:
        ticket["organization_id"], ticket["status"] = ORG, "open"
    articles, article_intents = make_articles()
    db = str(args.db or Path(tempfile.mkdtemp(prefix="quality-")) / "milvus.db")
    if not Path(db).exists():
        print(f"Syncing {len(tickets)} tickets and {len(articles)} articles ({args.embedding}) into {db} ...")
        seconds = sync(db, "eval", [("tickets", t) for t in tickets] + [("articles", a) for a in articles],
                       embedding=embedding, html_to_text=True)  # fmt: skip
        print(f"  synced in {seconds:.0f}s")
        sync(db, "eval_raw_html", [("articles", a) for a in articles], embedding=embedding, html_to_text=False)

    ticket_labels = {str(k): v for k, v in ticket_intents.items()}
    article_labels = {str(k): v for k, v in article_intents.items()}
    report: dict[str, Any] = {"queries": len(queries), "tickets": len(tickets), "articles": len(articles),
                              "embedding": args.embedding, "date": time.strftime("%Y-%m-%d")}  # fmt: skip
    embedder = None
    for mode, hybrid in (("dense", False), ("hybrid", True)):
        with SupportSearch.connect(uri=db, collection="eval", hybrid=hybrid, embedder=embedder) as search:
            if embedder is None:
                embedder = CachingEmbedder(embedder_from_spec(search.info.contract.embedding))
                search._embedder = embedder
            started = time.monotonic()
            report[f"duplicates_{mode}"] = evaluate(search, queries, ticket_labels, "tickets")
            report[f"articles_{mode}"] = evaluate(search, queries, article_labels, "articles")
            report[f"seconds_{mode}"] = round(time.monotonic() - started, 1)
            print(
                f"  {mode}: {json.dumps(report[f'duplicates_{mode}'])} | articles {json.dumps(report[f'articles_{mode}'])}",
                flush=True,
            )
    with SupportSearch.connect(uri=db, collection="eval", hybrid=False) as search:
        texts, truth = [t for t, _ in queries], [c for _, c in queries]
        report["duplicates_bm25"] = rank_metrics(
            [[ticket_labels[r] for r in ranks] for ranks in bm25_ranked(search, texts, "tickets", 10)], truth
        )
        report["articles_bm25"] = rank_metrics(
            [[article_labels[r] for r in ranks] for ranks in bm25_ranked(search, texts, "articles", 10)], truth
        )
    with SupportSearch.connect(uri=db, collection="eval_raw_html", hybrid=False, embedder=embedder) as search:
        report["articles_dense_raw_html"] = evaluate(search, queries, article_labels, "articles")
    if args.field_names:  # the same records embedded as values only (processing.omit_field_names_from_embeddings)
        if "eval_values_only" not in _collections(db):
            sync(db, "eval_values_only", [("tickets", t) for t in tickets] + [("articles", a) for a in articles],
                 embedding=embedding, html_to_text=True, omit_field_names=True)  # fmt: skip
        with SupportSearch.connect(uri=db, collection="eval_values_only", hybrid=False, embedder=embedder) as search:
            report["duplicates_dense_values_only"] = evaluate(search, queries, ticket_labels, "tickets")
            report["articles_dense_values_only"] = evaluate(search, queries, article_labels, "articles")
        for kind in ("duplicates", "articles"):
            ratio = report[f"{kind}_dense_values_only"]["p@1"] / max(report[f"{kind}_dense"]["p@1"], 1e-9)
            print(f"  {kind} P@1 values only / with names: {ratio:.3f}")
    print(json.dumps(report, indent=2))
    args.out.write_text(json.dumps(report, indent=2) + "\n")


if __name__ == "__main__":
    main()
