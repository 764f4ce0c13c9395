import pytest

from query_sdk import CollectionContract, EmbeddingSpec
from query_sdk.capabilities import ServerCapabilities
from query_sdk.connection import is_local_path
from query_sdk.contract import CONTRACT_PROPERTY, stream_identifier

CONTRACT = CollectionContract(
    embedding=EmbeddingSpec(mode="openai_compatible", model="m", dimensions=64, options={"base_url": "http://x/v1"}),
    sparse_field="text_sparse",
)


def test_contract_round_trips_through_json():
    assert CollectionContract.from_json(CONTRACT.to_json()) == CONTRACT


def test_contract_is_read_from_the_property_or_else_the_description():
    assert CollectionContract.from_description({"properties": {CONTRACT_PROPERTY: CONTRACT.to_json()}}) == CONTRACT
    assert CollectionContract.from_description({"description": CONTRACT.to_json()}) == CONTRACT


@pytest.mark.parametrize(
    "description",
    [{}, {"description": ""}, {"description": "{not json"}, {"description": '{"a": 1}'}, {"properties": None}],
)
def test_collections_without_a_contract_have_none(description):
    assert CollectionContract.from_description(description) is None


def test_a_newer_contract_with_unknown_keys_still_reads():
    raw = CONTRACT.to_json()[:-1] + ',"future_key":"x"}'
    assert CollectionContract.from_json(raw) == CONTRACT


def test_the_email_cleaning_is_recorded_and_older_contracts_read_as_not_cleaned():
    cleaned = CollectionContract(embedding=CONTRACT.embedding, email_cleaning=1)
    assert CollectionContract.from_json(cleaned.to_json()).email_cleaning == 1
    older = CONTRACT.to_json().replace('"email_cleaning":null,', "")
    assert "email_cleaning" not in older
    assert CollectionContract.from_json(older).email_cleaning is None


def test_stream_identifiers_join_namespace_and_name_as_the_official_destination_does():
    assert stream_identifier("tickets", "zendesk") == "zendesk_tickets"
    assert stream_identifier("tickets") == "tickets"


@pytest.mark.parametrize(
    ("version", "bm25", "hybrid", "templating"),
    [
        ("milvus_lite-3.2.2", True, True, False),
        ("v2.3.5-lite", False, False, False),
        ("v2.4.9", False, True, False),
        ("v2.5.4", True, True, True),
        ("Zilliz Cloud Vector Database(Compatible with Milvus 2.5)", True, True, True),
        ("", True, True, True),  # unknown: assumed modern
    ],
)
def test_capabilities_follow_the_server_version(version, bm25, hybrid, templating):
    capabilities = ServerCapabilities.from_version(version)
    assert (capabilities.bm25, capabilities.hybrid_search, capabilities.filter_templating) == (
        bm25,
        hybrid,
        templating,
    )


@pytest.mark.parametrize(
    ("uri", "local"),
    [
        ("./support.db", True),
        ("/data/milvus.db", True),
        ("http://h:19530", False),
        ("https://x.zillizcloud.com", False),
    ],
)
def test_local_paths_and_server_uris_are_told_apart(uri, local):
    assert is_local_path(uri) is local
