"""SupportSearch on the Milvus Lite help desk: typed ids, hybrid ranking, thresholds, results, calibration."""

import dataclasses
import random

import pytest

from integration_tests.sdk_fixtures import (
    CARD_QUERY,
    ORG,
    RARE_WORD,
    lite_helpdesk,  # noqa: F401  (fixture)
    org_of,
    sync_in_subprocess,
)
from query_sdk import Calibration, ConfigurationError, SupportSearch, TicketMatch, UnsafeFilterValueError

EVERYTHING = {"threshold": -1.0, "limit": 50}


@pytest.fixture(scope="module")
def search(lite_helpdesk):  # noqa: F811
    with SupportSearch.connect(uri=lite_helpdesk.uri, collection=lite_helpdesk.collection) as client:
        yield client


@pytest.fixture(scope="module")
def hybrid_search(lite_helpdesk):  # noqa: F811
    with SupportSearch.connect(uri=lite_helpdesk.uri, collection=lite_helpdesk.collection, hybrid=True) as client:
        yield client


@pytest.fixture(scope="module")
def dense_search(lite_helpdesk):  # noqa: F811
    with SupportSearch.connect(uri=lite_helpdesk.uri, collection=lite_helpdesk.collection, hybrid=False) as client:
        yield client


def _ids(matches):
    return [m.record_id for m in matches]


def test_org_id_as_a_string_finds_the_int64_field(search):
    assert "organization_id" in search.info.scalar_types  # declared as INT64 by the connector
    as_int = search.find_duplicate_tickets(CARD_QUERY, organization_id=ORG, **EVERYTHING)
    as_text = search.find_duplicate_tickets(CARD_QUERY, organization_id=str(ORG), **EVERYTHING)
    assert as_text == as_int
    assert {org_of(m) for m in as_text} == {ORG}


@pytest.mark.parametrize("value", ["\u00b2", "\uff14\uff12", "42 ", "4.2", "0x2a", "1e3"], ids=repr)
def test_org_strings_that_are_not_ascii_integers_are_refused_on_an_int64_field(search, value):
    with pytest.raises(ConfigurationError, match="organization_id"):
        search.find_duplicate_tickets(CARD_QUERY, organization_id=value)


def test_org_ids_beyond_64_bits_are_refused(search):
    with pytest.raises(UnsafeFilterValueError):
        search.find_duplicate_tickets(CARD_QUERY, organization_id="9223372036854775808")  # 2**63


def test_an_org_without_tickets_gets_nothing(search):
    assert search.find_duplicate_tickets(CARD_QUERY, organization_id=123456, **EVERYTHING) == []


def test_nothing_above_the_threshold_gives_an_empty_list(search):
    assert search.find_duplicate_tickets(CARD_QUERY, organization_id=ORG, threshold=0.9999) == []
    assert search.recommend_articles(CARD_QUERY, threshold=0.9999) == []


@pytest.mark.parametrize(
    ("threshold", "says"),
    [(1.01, "above 1"), (2, "above 1"), (float("nan"), "finite"), (float("inf"), "finite"), ("0.5", "number"),
     (True, "number")],
)  # fmt: skip
def test_a_threshold_no_score_can_reach_is_refused_not_answered_with_nothing(search, threshold, says):
    # A cosine similarity is at most 1: threshold=2 or NaN used to return [] as if nothing matched.
    with pytest.raises(ConfigurationError, match=f"threshold.*{says}|{says}.*threshold|threshold is {says}"):
        search.find_duplicate_tickets(CARD_QUERY, organization_id=ORG, threshold=threshold)
    with pytest.raises(ConfigurationError, match="threshold"):
        search.recommend_articles(CARD_QUERY, threshold=threshold)


def test_the_threshold_cuts_results(search):
    everything = search.find_duplicate_tickets(CARD_QUERY, organization_id=ORG, **EVERYTHING)
    cut = everything[2].score
    above = search.find_duplicate_tickets(CARD_QUERY, organization_id=ORG, threshold=cut, limit=50)
    assert _ids(above) == _ids(everything)[:3]


def test_the_default_threshold_is_the_models(search):
    assert search.default_threshold("duplicate") == 0.45
    found = search.find_duplicate_tickets(CARD_QUERY, organization_id=ORG, limit=50)
    assert found
    assert all(m.score >= 0.45 for m in found)


@pytest.mark.parametrize("limit", [0, -1, 2.5, "5", None, True])
def test_a_limit_that_is_not_a_count_is_a_configuration_error(search, limit):
    # 2.5 used to reach pymilvus (an "internal" error and its traceback on stderr); "5" a raw TypeError.
    with pytest.raises(ConfigurationError, match="limit"):
        search.find_duplicate_tickets(CARD_QUERY, organization_id=ORG, limit=limit)
    with pytest.raises(ConfigurationError, match="limit"):
        search.recommend_articles(CARD_QUERY, limit=limit)


def test_a_ticket_without_subject_is_found_without_one(search):
    found = search.find_duplicate_tickets(
        "Debit card declined at the petrol station when paying", organization_id=ORG, threshold=0.5
    )
    assert _ids(found)[0] == "108"
    assert found[0].subject is None
    assert "subject" not in found[0].fields
    assert found[0].status == "open"


@pytest.mark.parametrize("text", ["", "   \n\t "])
def test_an_empty_request_is_a_configuration_error_not_no_duplicate(search, text):
    with pytest.raises(ConfigurationError, match="empty"):
        search.find_duplicate_tickets(text, organization_id=ORG, **EVERYTHING)
    with pytest.raises(ConfigurationError, match="empty"):
        search.recommend_articles(text)
    with pytest.raises(ConfigurationError, match="empty"):
        search.find_duplicate_tickets_many([CARD_QUERY, text], organization_id=ORG)


@pytest.mark.parametrize("text", [None, b"my card was declined", 42])
def test_a_request_that_is_not_a_string_is_a_configuration_error(search, text):
    with pytest.raises(ConfigurationError, match="must be a string"):
        search.find_duplicate_tickets(text, organization_id=ORG)
    with pytest.raises(ConfigurationError, match="must be a string"):
        search.recommend_articles(text)


def test_many_takes_a_list_not_one_string(search):
    # A bare string would be searched letter by letter.
    with pytest.raises(ConfigurationError, match="list of strings"):
        search.find_duplicate_tickets_many(CARD_QUERY, organization_id=ORG)
    with pytest.raises(ConfigurationError, match="list of strings"):
        search.recommend_articles_many(CARD_QUERY)
    assert search.find_duplicate_tickets_many([], organization_id=ORG) == []


@pytest.mark.parametrize(
    "pairs",
    [[], [("My card was declined", None, True)], [("My card was declined", "", True)], [(0.9, True)], "text"],
)
def test_calibrate_on_text_pairs_refuses_what_it_cannot_score(search, pairs):
    with pytest.raises(ConfigurationError):
        search.calibrate(pairs)


def test_search_is_dense_unless_hybrid_is_asked_for(search, hybrid_search, dense_search):
    query = f"my debit card shows {RARE_WORD}"
    assert search.hybrid is False
    default = search.find_duplicate_tickets(query, organization_id=ORG, **EVERYTHING)
    dense = dense_search.find_duplicate_tickets(query, organization_id=ORG, **EVERYTHING)
    assert [(m.record_id, m.score) for m in default] == [(m.record_id, m.score) for m in dense]
    assert search.recommend_articles(query, threshold=-1.0) == dense_search.recommend_articles(query, threshold=-1.0)
    assert hybrid_search.recommend_articles(query, threshold=-1.0) != search.recommend_articles(query, threshold=-1.0)


def test_a_rare_keyword_ranks_higher_with_hybrid_search(hybrid_search, dense_search):
    search = hybrid_search
    assert search.hybrid is True
    assert dense_search.hybrid is False
    query = f"my debit card shows {RARE_WORD}"  # only ticket 109 (and org 7's copy) has the word
    hybrid = _ids(search.find_duplicate_tickets(query, organization_id=ORG, **EVERYTHING))
    dense = _ids(dense_search.find_duplicate_tickets(query, organization_id=ORG, **EVERYTHING))
    # Lite's BM25 statistics differ before and after a reload, so only the direction is asserted.
    assert hybrid.index("109") < dense.index("109")
    # BM25 moves the ticket up; its score stays its dense similarity, the scale thresholds are set on.
    boosted = {m.record_id: m.score for m in search.find_duplicate_tickets(query, organization_id=ORG, **EVERYTHING)}
    plain = {
        m.record_id: m.score for m in dense_search.find_duplicate_tickets(query, organization_id=ORG, **EVERYTHING)
    }
    assert boosted["109"] == pytest.approx(plain["109"], abs=1e-5)


def test_hybrid_ranking_is_the_servers_weighted_fusion(lite_helpdesk, hybrid_search):  # noqa: F811
    """Milvus Lite has hybrid_search: the SDK's order is the server's WeightedRanker order, not the Python fusion's."""
    from pymilvus import AnnSearchRequest, MilvusClient, WeightedRanker

    query = f"my debit card shows {RARE_WORD}"
    sdk = _ids(hybrid_search.find_duplicate_tickets(query, organization_id=ORG, limit=10, threshold=-1.0))
    info = hybrid_search.info
    where = f'_ab_stream == "tickets" and organization_id == {ORG} and status in ["new", "open", "pending", "hold"]'
    requests = [
        AnnSearchRequest(
            data=hybrid_search.embedder.embed([query]),
            anns_field=info.vector_field,
            param={"metric_type": info.metric, "params": {"ef": 1024}},
            limit=30,
            expr=where,
        ),
        AnnSearchRequest(
            data=[query], anns_field=info.sparse_field, param={"metric_type": "BM25"}, limit=30, expr=where
        ),
    ]
    raw = MilvusClient(lite_helpdesk.uri)
    try:
        (hits,) = raw.hybrid_search(
            info.name,
            requests,
            WeightedRanker(0.7, 0.3),
            limit=30,
            output_fields=["_ab_record_id"],
            group_by_field="_ab_record_id",
        )
    finally:
        raw.close()
    server_order = [h["entity"]["_ab_record_id"].removeprefix("tickets_") for h in hits][:10]
    assert sdk == server_order
    with SupportSearch.connect(uri=lite_helpdesk.uri, collection=lite_helpdesk.collection) as dense:
        dense_order = _ids(dense.find_duplicate_tickets(query, organization_id=ORG, limit=10, threshold=-1.0))
    assert dense_order != server_order  # so the first assertion tells fused from dense ranking apart


def test_hybrid_scores_stay_similarities(search, dense_search):
    for client in (search, dense_search):
        found = client.find_duplicate_tickets(CARD_QUERY, organization_id=ORG, **EVERYTHING)
        assert all(-1.0 <= m.score <= 1.0 for m in found)


def test_real_results_are_immutable(search):
    match = search.find_duplicate_tickets(CARD_QUERY, organization_id=ORG, threshold=0.3)[0]
    assert isinstance(match, TicketMatch)
    with pytest.raises(dataclasses.FrozenInstanceError):
        match.record_id = "201"  # type: ignore[misc]
    with pytest.raises(TypeError):
        match.fields["organization_id"] = 7  # type: ignore[index]
    assert org_of(match) == ORG


def test_calibrate_fits_a_threshold_on_labelled_pairs(search):
    pairs = [
        ("My card was declined at the shop", "My card got declined at the shop today", True),
        ("The password reset email never arrives", "Password reset email never arrives", True),
        ("I want a refund for the headphones", "Refund for headphones I sent back", True),
        ("My card was declined at the shop", "The password reset email never arrives", False),
        ("The exchange rate looks wrong", "I want a refund for the headphones", False),
        ("The app crashes on start", "My card was declined at the shop", False),
    ]
    result = search.calibrate(pairs)
    assert search.calibrate(pair for pair in pairs) == result  # any iterable, read once
    assert isinstance(result, Calibration)
    assert result.pairs == len(pairs)
    assert (result.precision, result.recall, result.f1) == (1.0, 1.0, 1.0)
    embed = search.embedder.embed
    scores = [sum(x * y for x, y in zip(*embed([a, b]))) for a, b, _ in pairs]
    assert max(scores[3:]) < result.threshold <= min(scores[:3]) + 1e-6


def test_a_narrow_filter_on_a_large_lite_collection_still_fills_the_answer(tmp_path):
    # Milvus Lite walks its HNSW graph with the filter applied: with few rows passing (here 1%), the
    # default search returns fewer articles than exist. query_sdk searches short answers again wider.
    uri, collection = str(tmp_path / "milvus.db"), "narrow"  # synced by another process, as in production
    words = [f"w{i}" for i in range(400)]
    rng = random.Random(7)

    def text() -> str:
        return " ".join(rng.sample(words, 8))

    tickets = [{"id": i, "organization_id": 1, "status": "open", "description": text()} for i in range(5000)]
    articles = [{"id": 10_000 + i, "title": text(), "body": text()} for i in range(50)]
    sync_in_subprocess(uri, collection, {"tickets": tickets, "articles": articles}, tmp_path)

    queries = [text() for _ in range(40)]
    with SupportSearch.connect(uri=uri, collection=collection, hybrid=False) as client:
        answers = client.recommend_articles_many(queries, limit=10, threshold=-1.0)
    assert [len(a) for a in answers] == [10] * len(queries)
