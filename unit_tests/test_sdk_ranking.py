import math

import pytest

from query_sdk import FakeEmbedder
from query_sdk._ranking import Hit, best_per_record, cosine, similarity


def _cosine(a, b):
    return sum(x * y for x, y in zip(a, b)) / math.sqrt(sum(x * x for x in a) * sum(y * y for y in b))


def test_squared_l2_becomes_cosine_for_unit_vectors():
    embedder = FakeEmbedder(64)
    a, b = embedder.embed(["card declined at the shop", "my card was declined at a shop"])
    squared_l2 = sum((x - y) ** 2 for x, y in zip(a, b))
    assert similarity(squared_l2, "L2") == pytest.approx(_cosine(a, b))


@pytest.mark.parametrize(
    ("distance", "metric", "expected"), [(0.0, "L2", 1.0), (4.0, "L2", -1.0), (0.3, "COSINE", 0.3)]
)
def test_similarity_is_higher_for_closer_vectors(distance, metric, expected):
    assert similarity(distance, metric) == expected


def test_cosine_of_many_vectors_at_once_equals_the_one_by_one_formula():
    embedder = FakeEmbedder(64)
    query, *others = embedder.embed(["card declined", "card declined at the shop", "password reset", "card"])
    assert cosine(query, others) == pytest.approx([_cosine(query, other) for other in others])
    assert cosine(query, [[0.0] * 64]) == [0.0]
    assert cosine(query, []) == []


def test_fused_ranks_order_hits_while_scores_stay_dense_similarities():
    hits = [Hit("a", {}, score=0.8, rank=0.2), Hit("b", {}, score=0.6, rank=0.9)]
    assert [hit.pk for hit in best_per_record(hits, record_key="_ab_record_id")] == ["b", "a"]


def test_best_per_record_keeps_each_records_best_chunk_best_first():
    hits = [
        Hit(1, {"_ab_record_id": "tickets_1"}, score=0.4),
        Hit(2, {"_ab_record_id": "tickets_1"}, score=0.9),
        Hit(3, {"_ab_record_id": "tickets_2"}, score=0.7),
        Hit(4, {"_ab_record_id": "tickets_1"}, score=0.1),
        Hit(5, {}, score=0.8),  # no record id: the chunk stands for itself
    ]
    ranked = best_per_record(hits, record_key="_ab_record_id")
    assert [hit.pk for hit in ranked] == [2, 5, 3]


def test_with_fused_ranks_a_record_is_ordered_by_its_best_rank_and_scored_by_its_best_similarity():
    hits = [
        Hit(1, {"_ab_record_id": "tickets_1"}, score=0.5, rank=0.033),  # ranked first by BM25
        Hit(2, {"_ab_record_id": "tickets_2"}, score=0.7, rank=0.031),
        Hit(3, {"_ab_record_id": "tickets_1"}, score=0.6, rank=0.016),
    ]
    ranked = best_per_record(hits, record_key="_ab_record_id")
    assert [(hit.pk, hit.score) for hit in ranked] == [(1, 0.6), (2, 0.7)]
