"""Collections made the way the official Airbyte Milvus destination makes them: L2, auto_id, all metadata dynamic."""

import math

import pytest
from pymilvus import DataType, MilvusClient

from integration_tests.sdk_fixtures import DIMS, ORG, OTHER_ORG, org_of
from query_sdk import ConfigurationError, ContractMismatchError, FakeEmbedder, SupportSearch
from query_sdk._snippets import plain_snippet

# (record id, org, status, chunk texts); ticket 1 has two chunks.
ROWS = [
    (
        "tickets_1",
        ORG,
        "open",
        ["subject: Card declined\nmy card was declined at the shop", "the shop staff were rude"],
    ),
    ("tickets_2", ORG, "new", ["subject: Password reset\nthe reset email never arrives"]),
    ("tickets_3", ORG, "solved", ["subject: Card declined\nmy card was declined at the shop"]),
    ("tickets_4", OTHER_ORG, "open", ["subject: Card declined\nmy card was declined at the shop"]),
]
QUERY = "my card was declined at the shop"


@pytest.fixture(scope="module")
def official(tmp_path_factory):
    """pk INT64 auto_id + vector (IVF_FLAT, L2) + dynamic field holding text and all metadata."""
    uri = str(tmp_path_factory.mktemp("official") / "milvus.db")
    client = MilvusClient(uri)
    schema = MilvusClient.create_schema(auto_id=True, enable_dynamic_field=True)
    schema.add_field("pk", DataType.INT64, is_primary=True)
    schema.add_field("vector", DataType.FLOAT_VECTOR, dim=DIMS)
    index = client.prepare_index_params()
    index.add_index("vector", index_type="IVF_FLAT", metric_type="L2", params={"nlist": 1024})
    client.create_collection("official", schema=schema, index_params=index, consistency_level="Strong")
    embedder = FakeEmbedder(DIMS)
    rows = [
        {"vector": embedder.embed([text])[0], "text": text, "_ab_stream": "tickets", "_ab_record_id": rid,
         "organization_id": org, "status": status}
        for rid, org, status, texts in ROWS
        for text in texts
    ]  # fmt: skip
    client.insert("official", rows)
    client.close()
    return uri


def _cosine(a, b):
    return sum(x * y for x, y in zip(a, b)) / math.sqrt(sum(x * x for x in a) * sum(y * y for y in b))


def test_without_a_contract_an_embedder_must_be_given(official):
    with pytest.raises(ConfigurationError, match="embedder="):
        SupportSearch.connect(uri=official, collection="official")


def test_an_embedder_of_the_wrong_size_is_refused(official):
    with pytest.raises(ContractMismatchError):
        SupportSearch.connect(uri=official, collection="official", embedder=FakeEmbedder(DIMS * 2))


def test_l2_distances_become_similarities_on_the_cosine_scale(official):
    embedder = FakeEmbedder(DIMS)
    with SupportSearch.connect(uri=official, collection="official", embedder=embedder) as search:
        assert search.info.metric == "L2"
        assert search.hybrid is False
        found = search.find_duplicate_tickets(QUERY, organization_id=ORG, threshold=-1.0)
    assert [m.record_id for m in found] == ["1", "2"]  # one per ticket; solved and org 7 left out
    query = embedder.embed([QUERY])[0]
    stored = {plain_snippet(text): text for *_, texts in ROWS for text in texts}  # snippets drop "subject: "
    for match in found:
        assert match.score == pytest.approx(_cosine(query, embedder.embed([stored[match.snippet]])[0]), abs=1e-4)
    assert found[0].snippet == plain_snippet(ROWS[0][3][0])  # ticket 1's best chunk
    assert found[0].score > found[1].score


def test_dynamic_metadata_filters_and_is_returned(official):
    with SupportSearch.connect(uri=official, collection="official", embedder=FakeEmbedder(DIMS)) as search:
        mine = search.find_duplicate_tickets(QUERY, organization_id=ORG, threshold=-1.0)
        theirs = search.find_duplicate_tickets(QUERY, organization_id=OTHER_ORG, threshold=-1.0)
    assert {org_of(m) for m in mine} == {ORG}
    assert [(m.record_id, org_of(m), m.status) for m in theirs] == [("4", OTHER_ORG, "open")]
    assert theirs[0].score == pytest.approx(mine[0].score, abs=1e-6)  # same text, same score
    assert "text" not in theirs[0].fields
