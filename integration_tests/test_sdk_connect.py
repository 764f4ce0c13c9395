"""SupportSearch.connect: the stored contract, embedder checks, missing and empty collections, namespaced streams."""

import uuid

import pytest

from integration_tests.sdk_fixtures import CARD_QUERY, DIMS, HELPDESK, ORG, org_of, sync
from query_sdk import (
    CollectionNotFoundError,
    ContractMismatchError,
    FakeEmbedder,
    OpenAIEmbedder,
    SupportSearch,
    TransientError,
)
from testkit.servers import free_port

EVERYTHING = {"threshold": -1.0, "limit": 50}


@pytest.fixture(scope="module")
def lite(tmp_path_factory):
    """One Lite folder with a namespaced help desk (only organization_id and status as metadata) and an empty one."""
    uri = str(tmp_path_factory.mktemp("connect") / "milvus.db")
    names = {"zendesk": f"t_{uuid.uuid4().hex[:12]}", "empty": f"t_{uuid.uuid4().hex[:12]}"}
    sync(uri, names["zendesk"], HELPDESK, namespace="zendesk", metadata_fields=["organization_id", "status"])
    sync(uri, names["empty"], {}, streams=["tickets", "articles"])
    return uri, names


def _connect(lite, which="zendesk", **kwargs):
    uri, names = lite
    namespaced = {"tickets_stream": "zendesk_tickets", "articles_stream": "zendesk_articles"}
    return SupportSearch.connect(
        uri=uri, collection=names[which], **(namespaced if which == "zendesk" else {}), **kwargs
    )


def test_connect_builds_the_embedder_stored_in_the_contract(lite):
    with _connect(lite) as search:
        assert search.info.contract is not None
        assert search.info.contract.embedding.mode == "fake"
        assert isinstance(search.embedder, FakeEmbedder)
        assert search.embedder.spec == search.info.contract.embedding
        assert search.embedder.dimensions == DIMS


def test_an_explicit_embedder_matching_the_contract_gives_the_same_results(lite):
    with _connect(lite) as stored, _connect(lite, embedder=FakeEmbedder(DIMS)) as given:
        expected = stored.find_duplicate_tickets(CARD_QUERY, organization_id=ORG, **EVERYTHING)
        assert expected
        assert given.find_duplicate_tickets(CARD_QUERY, organization_id=ORG, **EVERYTHING) == expected


def test_an_embedder_with_other_dimensions_is_a_contract_mismatch(lite):
    with pytest.raises(ContractMismatchError, match=f"{DIMS}"):
        _connect(lite, embedder=FakeEmbedder(DIMS // 2))


def test_an_embedder_of_another_model_is_a_contract_mismatch(lite):
    other = OpenAIEmbedder(
        api_key="unused", model="text-embedding-3-small", dimensions=DIMS, base_url="http://127.0.0.1:9/v1"
    )
    with pytest.raises(ContractMismatchError, match="hashed-bag-of-words"):
        _connect(lite, embedder=other)


def test_a_missing_collection_is_collection_not_found(lite):
    uri, _ = lite
    with pytest.raises(CollectionNotFoundError, match="no_such_collection"):
        SupportSearch.connect(uri=uri, collection="no_such_collection")


def test_a_missing_lite_folder_is_not_created_by_a_search(tmp_path):
    missing = tmp_path / "nowhere.db"
    with pytest.raises(CollectionNotFoundError):
        SupportSearch.connect(uri=str(missing), collection="zendesk")
    assert not missing.exists()


def test_a_server_that_does_not_answer_is_a_transient_error():
    with pytest.raises(TransientError):
        SupportSearch.connect(uri=f"http://127.0.0.1:{free_port()}", collection="zendesk", timeout=2)


def test_an_empty_collection_gives_empty_lists(lite):
    with _connect(lite, "empty") as search:
        assert search.find_duplicate_tickets(CARD_QUERY, organization_id=ORG, **EVERYTHING) == []
        assert search.recommend_articles(CARD_QUERY, **EVERYTHING) == []
        assert search.find_duplicate_tickets_many([CARD_QUERY, "x"], organization_id=ORG) == [[], []]


def test_namespaced_streams_are_searched_by_their_full_name(lite):
    with _connect(lite) as search:
        found = search.find_duplicate_tickets(CARD_QUERY, organization_id=ORG, threshold=0.5)
        assert [m.record_id for m in found][:1] == ["101"]
        assert {org_of(m) for m in found} == {ORG}
        assert all(m.stream == "zendesk_tickets" for m in found)
        articles = search.recommend_articles("why was my card declined", threshold=0.3)
        assert articles[0].record_id == "301"


def test_the_bare_stream_name_finds_nothing_in_a_namespaced_collection(lite):
    uri, names = lite
    with SupportSearch.connect(uri=uri, collection=names["zendesk"]) as search:
        assert search.find_duplicate_tickets(CARD_QUERY, organization_id=ORG, **EVERYTHING) == []


def test_tickets_stored_without_id_subject_or_title_metadata_still_come_back(lite):
    # Regression: hits were keyed by hit["id"], which pymilvus resolves to the *metadata* field
    # "id" when the primary key is named otherwise, and raised KeyError when no such field existed.
    with _connect(lite) as search:
        found = search.find_duplicate_tickets(CARD_QUERY, organization_id=ORG, **EVERYTHING)
        assert len(found) == 8
        assert all(m.subject is None and set(m.fields) == {"organization_id", "requester_id", "status"} for m in found)
        assert all(m.snippet for m in found)
