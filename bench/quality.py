"""Answer quality on Banking77 through the product's real path: connector ``write`` into Milvus Lite, then query_sdk.

Duplicates: every test query is searched against tickets made from the 10,003 train queries
(``sample_data/banking77``; one organisation, all open); a ticket of the same intent is a duplicate. Articles: every test
query against the bundled help-center articles; the article of its intent is the right one.
Dense, BM25 and hybrid retrieval run side by side, and articles with and without HTML-to-text.

The duplicate flag (``--part flag``) is measured on two data sets of different shape
(``bench/flag_sets.py``): Banking77's short queries and long Zendesk-style email threads, each with
held-out intents whose requests have no duplicate. Each is synced through the connector into its
own collection; every request is searched with ``find_duplicate_tickets`` and flagged when its top
ticket scores at least the default threshold. Reported: precision, recall, F1 and the false-flag
rate at the default; the strictest threshold reaching recall 0.95 and its false-flag rate; and a
calibration on half the requests (``calibrate(min_recall=0.95)``, an app's own history) measured on
the other half.

Hybrid ranking (``--modes``): ``hybrid`` is query_sdk's fusion on the server (``hybrid_search``,
WeightedRanker). The flag part can clean e-mail boilerplate (``--cleaning``:
``off``, ``requests`` only, or ``both`` the tickets at sync and the requests).

    python -m bench.quality [--queries 3080] [--tickets 10003] [--embedding local] [--part all|ranking|flag]
                            [--modes dense,hybrid] [--modes-only] [--field-names]
                            [--flag-sets short,long] [--cleaning off,both] [--flag-detail FILE]
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path
from typing import Any, Iterator

from airbyte_cdk.models import (
    AirbyteMessage,
    AirbyteMessageSerializer,
    ConfiguredAirbyteCatalogSerializer,
    Type,
)

from bench.flag_sets import ORG as FLAG_ORG
from bench.flag_sets import FlagSet, long_set, short_set
from destination_milvus_support.destination import DestinationMilvusSupport
from query_sdk import Embedder, EmbeddingSpec, SupportSearch, calibrate, embedder_from_spec
from query_sdk.contract import RECORD_ID_FIELD, STREAM_FIELD
from query_sdk.email_text import clean_email
from sample_data.build import load_banking77, make_articles, make_tickets_with_labels

ROOT = Path(__file__).resolve().parents[1]
ORG = 360001


def _collections(db: str) -> list[str]:
    from pymilvus import MilvusClient

    client = MilvusClient(db)
    try:
        return list(client.list_collections())
    finally:
        client.close()


def read_rows(split: str) -> list[tuple[str, str]]:
    """Banking77's ``train`` or ``test`` split (``sample_data/banking77``) as ``(text, category)`` pairs."""
    return load_banking77(split=split)


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
    email_text_fields: list[str] | None = None,
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
            "email_text_fields": email_text_fields or [],
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


def flag_metrics(scored: list[tuple[float, bool]], threshold: float) -> dict[str, float]:
    """Precision, recall, F1 and false-flag rate of ``score >= threshold`` over ``(top score, has duplicate)``."""
    flagged = [has for score, has in scored if score >= threshold]
    positives = sum(has for _, has in scored)
    negatives = len(scored) - positives
    tp = sum(flagged)
    precision = tp / len(flagged) if flagged else 0.0
    recall = tp / positives if positives else 0.0
    f1 = 2 * precision * recall / (precision + recall) if tp else 0.0
    false_flags = (len(flagged) - tp) / negatives if negatives else 0.0
    return {"threshold": round(threshold, 4), "precision": round(precision, 4), "recall": round(recall, 4),
            "f1": round(f1, 4), "false_flag_rate": round(false_flags, 4)}  # fmt: skip


def evaluate_flag(db: str, flag_set: FlagSet, *, embedding: dict[str, Any], cleaning: str = "off") -> dict[str, Any]:
    """Sync ``flag_set``'s tickets into their own collection and measure the duplicate flag on its requests.

    ``cleaning``: ``off`` (nothing cleaned), ``requests`` (only the requests, ``clean_requests=True``)
    or ``both`` (tickets' descriptions at sync, ``processing.email_text_fields``, and the requests).
    """
    collection = f"flag_{flag_set.name}_{'clean' if cleaning == 'both' else 'raw'}"
    if collection not in _collections(db):
        print(f"Syncing {len(flag_set.tickets)} tickets of {flag_set.name} ({collection}) ...", flush=True)
        sync(db, collection, [("tickets", t) for t in flag_set.tickets], embedding=embedding, html_to_text=False,
             email_text_fields=["description"] if cleaning == "both" else None)  # fmt: skip
    texts = [text for text, _ in flag_set.requests]
    has = [flag_set.has_duplicate(intent) for _, intent in flag_set.requests]
    clean = {"off": False, "requests": True, "both": None}[cleaning]  # None: as the collection says (cleaned)
    with SupportSearch.connect(uri=db, collection=collection, clean_requests=clean) as search:
        assert search.clean_requests == (cleaning != "off")
        limit = search.embedder.max_input_tokens
        searched = [clean_email(t) for t in texts] if search.clean_requests else texts
        over_input = [search.embedder.count_tokens(t) > limit for t in searched]
        started = time.monotonic()
        results: list[Any] = []
        for start in range(0, len(texts), 50):
            results += search.find_duplicate_tickets_many(
                texts[start : start + 50], organization_id=FLAG_ORG, limit=5, threshold=-1.0
            )
        seconds = time.monotonic() - started
        default = search.default_threshold("duplicate")
    top = [m[0].score if m else -1.0 for m in results]
    right = [
        bool(m) and flag_set.ticket_intent[int(m[0].record_id)] == i for m, (_, i) in zip(results, flag_set.requests)
    ]
    scored = list(zip(top, has))
    at95 = calibrate(scored, min_recall=0.95)
    half = list(range(0, len(scored), 2)), list(range(1, len(scored), 2))
    own = calibrate([scored[i] for i in half[0]], min_recall=0.95)
    long_scored = [p for p, over in zip(scored, over_input) if over]
    positives = sum(has)
    report: dict[str, Any] = {
        "cleaning": cleaning, "requests": len(texts), "with_duplicate": positives, "held_out_requests": len(texts) - positives,
        "held_out_intents": sorted(flag_set.held_out), "tickets": len(flag_set.tickets),
        "request_chars_median": sorted(len(t) for t in texts)[len(texts) // 2], "longest_request": max(map(len, texts)),
        "searched_chars_median": sorted(len(t) for t in searched)[len(texts) // 2],
        "requests_over_model_input": sum(over_input),
        "right_ticket_first": round(sum(r for r, h in zip(right, has) if h) / positives, 4),
        "at_default": flag_metrics(scored, default),
        "at_recall_0.95": flag_metrics(scored, at95.threshold),
        "calibrated_on_half": {"threshold": own.threshold,
                               "other_half": flag_metrics([scored[i] for i in half[1]], own.threshold)},
        "search_seconds": round(seconds, 1),
    }  # fmt: skip
    if long_scored:
        report["long_requests_at_default"] = flag_metrics(long_scored, default)
    report["detail"] = [  # per request, for offline analysis (left out of the committed JSON)
        {"has": h, "right": r, "chars": len(t), "scores": [m.score for m in ms],
         "intents": [flag_set.ticket_intent[int(m.record_id)] for m in ms], "intent": i, "text": t}
        for h, r, t, ms, (_, i) in zip(has, right, searched, results, flag_set.requests)
    ]  # fmt: skip
    return report


def print_flag_table(flags: dict[str, Any]) -> None:
    """Each set's variants side by side, with the ratio to its uncleaned run."""
    print("set / cleaning | right first | FFR at default | recall at default | FFR at recall 0.95 | vs off (FFR@0.95)")
    for key, report in flags.items():
        if not isinstance(report, dict):
            continue
        base = flags.get(key.split("/")[0] + "/off", report)
        ratio = report["at_recall_0.95"]["false_flag_rate"] / max(base["at_recall_0.95"]["false_flag_rate"], 1e-9)
        print(f"{key} | {report['right_ticket_first']:.3f} | {report['at_default']['false_flag_rate']:.3f} | "
              f"{report['at_default']['recall']:.3f} | {report['at_recall_0.95']['false_flag_rate']:.3f} | {ratio:.2f}")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description="Banking77 quality evaluation through connector + query_sdk")
    parser.add_argument("--queries", type=int, default=3080, help="test queries to use (fixed order)")
    parser.add_argument(
        "--tickets", type=int, default=0, help="train queries made into tickets, spread over the split (0: all 10,003)"
    )
    parser.add_argument("--embedding", choices=["local", "fake"], default="local")
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "quality_results.json")
    parser.add_argument("--db", type=Path, help="Milvus Lite folder to (re)use; synced only if empty")
    parser.add_argument("--part", choices=["all", "ranking", "flag"], default="all")
    parser.add_argument("--flag-out", type=Path, default=ROOT / "bench" / "quality_flag_results.json")
    parser.add_argument(
        "--cleaning", default="off,both", help="for --part flag: e-mail cleaning variants, of off,requests,both"
    )
    parser.add_argument(
        "--modes", default="dense,hybrid",
        help="ranking modes: dense, hybrid (the server's hybrid_search, WeightedRanker)",
    )  # fmt: skip
    parser.add_argument("--modes-only", action="store_true", help="skip BM25 alone, raw HTML and --field-names")
    parser.add_argument("--flag-detail", type=Path, help="for --part flag: also write every request's top scores here")
    parser.add_argument("--flag-sets", default="short,long", help="for --part flag: short, long or both")
    parser.add_argument(
        "--field-names", action="store_true", help="also sync without field names and compare dense search side by side"
    )
    args = parser.parse_args()
    embedding = {"mode": "local"} if args.embedding == "local" else {"mode": "fake", "dimensions": 384}
    if args.part in ("all", "flag"):
        flag_db = str(Path(tempfile.mkdtemp(prefix="quality-flag-")) / "milvus.db")
        flags: dict[str, Any] = {"date": time.strftime("%Y-%m-%d"), "embedding": args.embedding}
        builders = {"short": short_set, "long": long_set}
        for name in args.flag_sets.split(","):
            flag_set = builders[name]()
            for cleaning in args.cleaning.split(","):
                key = f"{flag_set.name}/{cleaning}"
                flags[key] = evaluate_flag(flag_db, flag_set, embedding=embedding, cleaning=cleaning)
                print(json.dumps({key: {k: v for k, v in flags[key].items() if k != "detail"}}, indent=2), flush=True)
        print_flag_table(flags)
        if args.flag_detail:
            args.flag_detail.write_text(json.dumps(flags) + "\n")
        for report in flags.values():
            if isinstance(report, dict):
                report.pop("detail", None)
        args.flag_out.write_text(json.dumps(flags, indent=2) + "\n")
        if args.part == "flag":
            return

    train, test = read_rows("train"), read_rows("test")
    queries = test[:: max(1, len(test) // args.queries)][: args.queries]
    if args.tickets:
        train = train[:: max(1, len(train) // args.tickets)][: args.tickets]
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
    for mode in args.modes.split(","):
        hybrid = mode != "dense"
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
    for kind in ("duplicates", "articles"):
        for server in ("hybrid", "hybrid_rrf"):
            if f"{kind}_{server}" in report and f"{kind}_hybrid_python" in report:
                ratio = report[f"{kind}_{server}"]["p@1"] / max(report[f"{kind}_hybrid_python"]["p@1"], 1e-9)
                print(f"  {kind} P@1 {server} (server) / hybrid_python: {ratio:.3f}")
    if args.modes_only:
        print(json.dumps(report, indent=2))
        args.out.write_text(json.dumps(report, indent=2) + "\n")
        return
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
