"""Turning raw Milvus hits into one scored result per record: metric conversion, fusion, grouping."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any, Iterable, Mapping

__all__ = ["Hit", "best_per_record", "fuse", "order", "similarity"]


@dataclass
class Hit:
    """One chunk that a search returned, with the scores known for it."""

    pk: Any
    entity: Mapping[str, Any]
    dense: float | None = None
    lexical: float = 0.0
    score: float = 0.0
    #: Where hybrid search fused dense and BM25 hits: the fused rank score (higher first), which orders
    #: the hits while ``score`` stays the dense similarity thresholds are set on. None: ordered by ``score``.
    rank: float | None = None


def similarity(distance: float, metric: str) -> float:
    """A similarity where higher is better: COSINE and IP as reported, squared L2 as ``1 - d/2``."""
    if metric == "L2":
        return 1.0 - distance / 2.0
    return float(distance)


def fuse(dense: Iterable[Hit], lexical: Iterable[Hit], *, dense_weight: float) -> list[Hit]:
    """Rank dense and BM25 hits by a convex sum of dense similarity and normalised BM25.

    The fusion where the server has no ``hybrid_search``. BM25 scores are divided by the best one of
    the query, so both parts lie in [0, 1]; the sum becomes each hit's ``rank`` and its ``score``
    stays its dense similarity (as with the server's fusion). Chunks that only BM25 found must
    already carry their dense similarity (the caller computes it from their vectors).
    """
    merged: dict[Any, Hit] = {hit.pk: hit for hit in dense}
    for hit in lexical:
        if hit.pk in merged:
            merged[hit.pk].lexical = hit.lexical
        else:
            merged[hit.pk] = hit
    best = max((h.lexical for h in merged.values()), default=0.0)
    for hit in merged.values():
        lexical_part = hit.lexical / best if best > 0 else 0.0
        hit.score = hit.dense or 0.0
        hit.rank = dense_weight * hit.score + (1.0 - dense_weight) * lexical_part
    return list(merged.values())


def order(hit: Hit) -> float:
    """What hits are sorted by: the fused rank where hybrid search made one, else the score."""
    return hit.score if hit.rank is None else hit.rank


def best_per_record(hits: Iterable[Hit], *, record_key: str) -> list[Hit]:
    """Keep each record's best chunk, best first (by ``order``).

    With fused ranks, a record's score is the best dense similarity among its chunks, its snippet
    the best-ranked chunk.
    """
    best: dict[str, Hit] = {}
    top_score: dict[str, float] = {}
    for hit in hits:
        key = str(hit.entity.get(record_key, hit.pk))
        if key not in best or order(hit) > order(best[key]):
            best[key] = hit
        top_score[key] = max(top_score.get(key, hit.score), hit.score)
    kept = [replace(hit, score=top_score[key]) for key, hit in best.items()]
    return sorted(kept, key=order, reverse=True)
