"""Collections the official Airbyte Milvus destination made and wrote (``official_milvus.py``): L2, auto_id, all metadata dynamic."""

import math

import pytest
from airbyte_cdk.models import AirbyteRecordMessage

from integration_tests.sdk_fixtures import DIMS, ORG, OTHER_ORG, org_of
from query_sdk import ConfigurationError, ContractMismatchError, FakeEmbedder, SupportSearch
from query_sdk._snippets import plain_snippet
from testkit.official_milvus import OfficialDestination, official_chunks
from testkit.runner import catalog, stream

# (id, org, status, subject, description); at the official's chunk size, ticket 1 is two chunks.
TICKETS = [
    (1, ORG, "open", "Card declined", "my card was declined at the shop\n\nthe shop staff were rude"),
    (2, ORG, "new", "Password reset", "the reset email never arrives"),
    (3, ORG, "solved", "Card declined", "my card was declined at the shop"),
    (4, OTHER_ORG, "open", "Card declined", "my card was declined at the shop"),
]
CHUNK_SIZE = 16
QUERY = "my card was declined at the shop"
DEDUP = catalog(stream("tickets", "append_dedup"))
RECORDS = [
    AirbyteRecordMessage(
        stream="tickets",
        data={"id": i, "organization_id": org, "status": status, "subject": subject, "description": description},
        emitted_at=0,
    )
    for i, org, status, subject, description in TICKETS
]


def _chunk_texts():
    return [
        chunk.page_content
        for message in RECORDS
        for chunk in official_chunks(
            message,
            DEDUP.streams[0],
            text_fields=("subject", "description"),
            metadata_fields=("status", "organization_id"),
            chunk_size=CHUNK_SIZE,
        )
    ]


@pytest.fixture(scope="module")
def official(tmp_path_factory):
    """The official destination's collection (pk INT64 auto_id, vector IVF_FLAT/L2, dynamic field) and its rows."""
    uri = str(tmp_path_factory.mktemp("official") / "milvus.db")
    destination = OfficialDestination(
        uri, "official", embed=FakeEmbedder(DIMS).embed, dimensions=DIMS, chunk_size=CHUNK_SIZE
    )
    destination.write(DEDUP, RECORDS)
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
    texts = _chunk_texts()
    assert len(texts) == len(TICKETS) + 1  # ticket 1 is two chunks
    stored = {plain_snippet(text): text for text in texts}  # snippets drop "subject: "
    for match in found:
        assert match.score == pytest.approx(_cosine(query, embedder.embed([stored[match.snippet]])[0]), abs=1e-4)
    assert found[0].snippet == plain_snippet(texts[0])  # ticket 1's best chunk
    assert found[0].score > found[1].score


def test_dynamic_metadata_filters_and_is_returned(official):
    with SupportSearch.connect(uri=official, collection="official", embedder=FakeEmbedder(DIMS)) as search:
        mine = search.find_duplicate_tickets(QUERY, organization_id=ORG, threshold=-1.0)
        theirs = search.find_duplicate_tickets(QUERY, organization_id=OTHER_ORG, threshold=-1.0)
    assert {org_of(m) for m in mine} == {ORG}
    assert [(m.record_id, org_of(m), m.status) for m in theirs] == [("4", OTHER_ORG, "open")]
    assert theirs[0].score == pytest.approx(mine[0].score, abs=1e-6)  # same text, same score
    assert "text" not in theirs[0].fields
