"""Turning raw Milvus hits into one scored result per record: metric conversion, fusion, grouping."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterable, Mapping

__all__ = ["Hit", "best_per_record", "fuse", "similarity"]


@dataclass
class Hit:
    """One chunk that a search returned, with the scores known for it."""

    pk: Any
    entity: Mapping[str, Any]
    dense: float | None = None
    lexical: float = 0.0
    score: float = 0.0


def similarity(distance: float, metric: str) -> float:
    """A similarity where higher is better: COSINE and IP as reported, squared L2 as ``1 - d/2``."""
    if metric == "L2":
        return 1.0 - distance / 2.0
    return float(distance)


def fuse(dense: Iterable[Hit], lexical: Iterable[Hit], *, dense_weight: float) -> list[Hit]:
    """Combine dense and BM25 hits by a convex sum of dense similarity and normalised BM25.

    BM25 scores are divided by the best one of the query, so both parts lie in [0, 1] and the
    fused score stays a similarity a threshold can be set on. Chunks that only BM25 found must
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
        hit.score = dense_weight * (hit.dense or 0.0) + (1.0 - dense_weight) * lexical_part
    return list(merged.values())


def best_per_record(hits: Iterable[Hit], *, record_key: str) -> list[Hit]:
    """Keep each record's best chunk, sorted by score (highest first)."""
    best: dict[str, Hit] = {}
    for hit in hits:
        key = str(hit.entity.get(record_key, hit.pk))
        if key not in best or hit.score > best[key].score:
            best[key] = hit
    return sorted(best.values(), key=lambda h: h.score, reverse=True)
