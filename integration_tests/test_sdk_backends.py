"""Core guarantees on every backend (Milvus Lite, its gRPC server, Milvus 2.3.5): tenants, statuses, grouping."""

import logging

import pytest
from pymilvus import MilvusClient

from integration_tests.sdk_fixtures import (
    CARD_QUERY,
    OPEN,
    ORG,
    OTHER_ORG,
    PASSPORT_QUERY,
    REFUND_QUERY,
    TICKETS,
    helpdesk,  # noqa: F401  (fixture)
    org_of,
)
from query_sdk import ConfigurationError, SupportSearch, UnsafeFilterValueError
from query_sdk._snippets import plain_snippet

QUERIES = [CARD_QUERY, REFUND_QUERY, PASSPORT_QUERY, "Debit card declined at the petrol station when paying"]
IDS_BY_ORG = {org: {str(t["id"]) for t in TICKETS if t["organization_id"] == org} for org in (ORG, OTHER_ORG)}
EVERYTHING = {"threshold": -1.0, "limit": 50}

# organization_id values that try to widen the filter: each must be refused before reaching Milvus.
REFUSED_ORGS = [
    "2 or organization_id >= 0",
    '42" or "1"=="1',
    "42) or (1==1",
    "42\\",
    '42\\" or organization_id == 7 or "',
    "'42'",
    "42\u201d or \u201c1\u201d==\u201c1",
    "42\n",
    "42\nor organization_id == 7",
    "[1,2]",
    "42 || organization_id == 7",
    42.0,
    True,
    None,
    [42, 7],
    2**63,
]
# Plain strings pass validation; they may only ever match that exact organisation (or fail as non-integers).
PLAIN_ORGS = ["42", "7", "0042", "42 or 1", "organization_id", "acme", "-1", "9223372036854775808", "\u00b2"]


@pytest.fixture(scope="module")
def search(helpdesk):  # noqa: F811
    with SupportSearch.connect(uri=helpdesk.uri, collection=helpdesk.collection) as client:
        yield client


@pytest.mark.parametrize("query", QUERIES)
def test_an_org_only_ever_sees_its_own_tickets(search, query):
    for org, other in ((ORG, OTHER_ORG), (OTHER_ORG, ORG)):
        found = search.find_duplicate_tickets(query, organization_id=org, **EVERYTHING)
        assert found, "the query should find tickets of its own organisation"
        assert {org_of(m) for m in found} == {org}
        assert not {m.record_id for m in found} & IDS_BY_ORG[other]


def test_batched_searches_stay_within_the_org(search):
    batches = search.find_duplicate_tickets_many(QUERIES, organization_id=ORG, **EVERYTHING)
    assert len(batches) == len(QUERIES)
    assert all(found and {org_of(m) for m in found} == {ORG} for found in batches)


@pytest.mark.parametrize("value", REFUSED_ORGS, ids=repr)
def test_injection_attempts_in_organization_id_are_refused(search, value):
    with pytest.raises(UnsafeFilterValueError):
        search.find_duplicate_tickets(CARD_QUERY, organization_id=value, **EVERYTHING)


@pytest.mark.parametrize("value", PLAIN_ORGS, ids=repr)
def test_plain_string_org_ids_match_only_that_exact_org(search, helpdesk, value):  # noqa: F811
    try:
        found = search.find_duplicate_tickets(CARD_QUERY, organization_id=value, **EVERYTHING)
    except ConfigurationError as error:  # a non-integer for an INT64 field (Lite declares the field)
        assert helpdesk.backend != "milvus_2_3"
        assert "organization_id" in str(error)
        return
    # Milvus 2.3 keeps organization_id in the dynamic field: a string never equals the stored int.
    expected = int(value) if value.isascii() and value.isdigit() and helpdesk.backend != "milvus_2_3" else None
    assert {org_of(m) for m in found} == ({expected} if expected in (ORG, OTHER_ORG) else set())


@pytest.mark.parametrize(
    "statuses",
    [
        ("open", 'solved" or "1"=="1'),
        ('open") or (organization_id == 7',),
        ("open\n",),
        ("open", ["solved"]),
        ("open", None),
        ("open", 1.5),
    ],
    ids=repr,
)
def test_injection_attempts_in_open_statuses_are_refused(search, statuses):
    with pytest.raises(UnsafeFilterValueError):
        search.find_duplicate_tickets(CARD_QUERY, organization_id=ORG, open_statuses=statuses, **EVERYTHING)


def test_plain_status_strings_are_literal_values(search):
    found = search.find_duplicate_tickets(
        CARD_QUERY, organization_id=ORG, open_statuses=("open", "or", "1 or 1", "solved or 1"), **EVERYTHING
    )
    assert found
    assert {(m.status, org_of(m)) for m in found} == {("open", ORG)}


def test_open_means_new_open_pending_and_hold(search):
    found = search.find_duplicate_tickets(CARD_QUERY, organization_id=ORG, **EVERYTHING)
    assert {m.status for m in found} == set(OPEN)
    assert not {"105", "106"} & {m.record_id for m in found}  # the solved and closed copies of the query


@pytest.mark.parametrize(
    ("statuses", "expected"), [(("solved",), {"105"}), (("solved", "closed"), {"105", "106"}), ("solved", {"105"})]
)
def test_open_statuses_can_be_overridden(search, statuses, expected):
    found = search.find_duplicate_tickets(CARD_QUERY, organization_id=ORG, open_statuses=statuses, **EVERYTHING)
    assert {m.record_id for m in found} == expected


def test_no_statuses_means_no_tickets(search):
    assert search.find_duplicate_tickets(CARD_QUERY, organization_id=ORG, open_statuses=(), **EVERYTHING) == []


def test_a_ticket_split_into_many_chunks_is_one_result_with_its_best_chunk(search, helpdesk):  # noqa: F811
    client = MilvusClient(helpdesk.uri)
    chunks = client.query(helpdesk.collection, filter='_ab_record_id == "tickets_107"', output_fields=["text"])
    assert len(chunks) >= 5  # the long ticket really is split
    found = search.find_duplicate_tickets(PASSPORT_QUERY, organization_id=ORG, **EVERYTHING)
    ids = [m.record_id for m in found]
    assert len(ids) == len(set(ids))
    assert ids[0] == "107"
    assert "passport photo" in found[0].snippet
    assert found[0].snippet in {plain_snippet(c["text"]) for c in chunks}
    assert "description: " not in found[0].snippet


def test_results_are_sorted_by_score_and_limited(search):
    for limit in (1, 3, 5):
        found = search.find_duplicate_tickets(PASSPORT_QUERY, organization_id=ORG, threshold=-1.0, limit=limit)
        assert len(found) == limit
        assert [m.score for m in found] == sorted((m.score for m in found), reverse=True)
        assert len({m.record_id for m in found}) == limit


def test_articles_come_from_the_articles_stream_only(search):
    found = search.recommend_articles("my card was declined at the shop", **EVERYTHING)
    assert {m.record_id for m in found} == {"301", "302", "303", "304", "305"}
    assert found[0].record_id == "301"
    assert found[0].title == "Why was my card declined?"
    assert found[0].html_url == "https://help.example.com/articles/301"


def test_hybrid_search_is_used_where_the_server_has_bm25(helpdesk, caplog):  # noqa: F811
    caplog.set_level(logging.INFO, logger="query_sdk")
    has_bm25 = helpdesk.backend != "milvus_2_3"
    with SupportSearch.connect(uri=helpdesk.uri, collection=helpdesk.collection) as client:
        assert client.hybrid is False
        assert (client.info.sparse_field == "text_sparse") is has_bm25
        assert (client.info.contract.sparse_field == "text_sparse") is has_bm25
        assert "using dense search only" not in caplog.text
        assert client.find_duplicate_tickets(CARD_QUERY, organization_id=ORG, threshold=0.3)[0].record_id == "101"
    with SupportSearch.connect(uri=helpdesk.uri, collection=helpdesk.collection, hybrid=True) as forced:
        assert forced.hybrid is has_bm25
        assert ("using dense search only" in caplog.text) is not has_bm25
        assert forced.find_duplicate_tickets(CARD_QUERY, organization_id=ORG, threshold=0.3)[0].record_id == "101"
