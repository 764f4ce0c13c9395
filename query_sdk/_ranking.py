"""Turning raw Milvus hits into one scored result per record: metric conversion, cosine, grouping."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any, Iterable, Mapping, Sequence

__all__ = ["Hit", "best_per_record", "cosine", "order", "similarity"]


@dataclass
class Hit:
    """One chunk that a search returned, with the scores known for it."""

    pk: Any
    entity: Mapping[str, Any]
    score: float = 0.0
    #: Where the server fused dense and BM25 hits (hybrid search): the fused score (higher first), which
    #: orders the hits while ``score`` stays the dense similarity thresholds are set on. None: by ``score``.
    rank: float | None = None


def similarity(distance: float, metric: str) -> float:
    """A similarity where higher is better: COSINE and IP as reported, squared L2 as ``1 - d/2``."""
    if metric == "L2":
        return 1.0 - distance / 2.0
    return float(distance)


def cosine(query: Sequence[float], vectors: Sequence[Sequence[float]]) -> list[float]:
    """The cosine similarity of ``query`` with each of ``vectors`` (0.0 for a zero vector), in one numpy pass."""
    if not vectors:
        return []
    import numpy as np

    matrix = np.asarray(vectors, dtype=np.float64)
    q = np.asarray(query, dtype=np.float64)
    norms = np.linalg.norm(matrix, axis=1) * np.linalg.norm(q)
    dots = matrix @ q
    return [float(d / n) if n else 0.0 for d, n in zip(dots, norms)]


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
