"""check: creates nothing, and lists every problem (server, API key, collection) in one status, without secrets."""

import logging

import pytest
from airbyte_cdk.models import Status
from pymilvus import MilvusClient

from destination_milvus_support.destination import DestinationMilvusSupport
from query_sdk.embedders import FakeEmbedder
from testkit.official_milvus import OfficialDestination
from testkit.runner import (
    catalog,
    fake_embedding,
    make_config,
    record,
    run_main,
    stream,
    stub_embedding,
    ticket,
    write_all,
)
from testkit.servers import free_port

GOOD_KEY = "sk-stub-good-0123456789"
BAD_KEY = "sk-stub-bad-9876543210"
MILVUS_TOKEN = "root:milvus-secret-0123456789"


def _check(config):
    return DestinationMilvusSupport().check(logging.getLogger("test"), config)


def test_check_succeeds_on_a_collection_written_with_the_same_config(lite_uri, collection_name):
    config = make_config(lite_uri, collection_name)
    write_all(config, catalog(stream("tickets")), [record("tickets", ticket(1))])

    assert _check(config).status == Status.SUCCEEDED


def test_check_succeeds_with_the_fake_embedder_and_creates_no_collection(lite_uri, collection_name):
    status = _check(make_config(lite_uri, collection_name))

    assert status.status == Status.SUCCEEDED
    client = MilvusClient(lite_uri)
    try:
        assert client.list_collections() == []
    finally:
        client.close()


@pytest.mark.parametrize("problem", ["unreachable_server", "bad_api_key", "vector_dimensions", "other_model"])
def test_check_names_each_problem(lite_uri, collection_name, openai_stub, problem):
    openai_stub.state.api_key = GOOD_KEY
    host, key = lite_uri, GOOD_KEY
    if problem == "unreachable_server":
        host = f"http://127.0.0.1:{free_port()}"
    elif problem == "bad_api_key":
        key = BAD_KEY
    elif problem == "vector_dimensions":
        OfficialDestination(lite_uri, collection_name, embed=FakeEmbedder(32).embed, dimensions=32).create_collection()
    else:  # a collection of fake-embedder vectors of the same size
        config = make_config(lite_uri, collection_name, embedding=fake_embedding(64))
        write_all(config, catalog(stream("tickets")), [record("tickets", ticket(1))])

    status = _check(make_config(host, collection_name, embedding=stub_embedding(openai_stub.base_url, api_key=key)))

    assert status.status == Status.FAILED
    expected = {
        "unreachable_server": "Milvus: Milvus at http://127.0.0.1",
        "bad_api_key": "Embedding: The embedding service rejected the API key",
        "vector_dimensions": "holds vectors of 32 dimensions, but the embedding model gives 64",
        "other_model": "was built with fake model 'hashed-bag-of-words', not 'text-embedding-3-small'",
    }[problem]
    assert expected in status.message
    assert " | " not in status.message  # nothing else is wrong
    assert key not in status.message


def test_check_lists_every_problem_in_one_status_without_secrets(tmp_path, openai_stub):
    openai_stub.state.api_key = GOOD_KEY
    config = make_config(
        f"http://127.0.0.1:{free_port()}",
        "tickets",
        embedding=stub_embedding(openai_stub.base_url, api_key=BAD_KEY),
        auth={"mode": "token", "token": MILVUS_TOKEN},
    )

    out = run_main("check", tmp_path, config=config)

    assert out.returncode == 0
    status = out.connection_status
    assert status.status == Status.FAILED
    assert status.message.count(" | ") == 1
    assert "rejected the API key" in status.message
    assert "unreachable" in status.message
    for secret in (BAD_KEY, MILVUS_TOKEN, "milvus-secret"):
        assert secret not in out.stdout + out.stderr
    assert "Traceback" not in out.stdout + out.stderr


@pytest.mark.parametrize("built_with", [[], ["description"]])
def test_a_collection_keeps_the_email_cleaning_it_was_built_with(lite_uri, collection_name, built_with):
    config = make_config(lite_uri, collection_name)
    config["processing"]["email_text_fields"] = built_with
    write_all(config, catalog(stream("tickets")), [record("tickets", ticket(1))])
    assert _check(config).status == Status.SUCCEEDED

    config["processing"]["email_text_fields"] = [] if built_with else ["description"]
    status = _check(config)

    assert status.status == Status.FAILED
    built = "with e-mail cleaning" if built_with else "without e-mail cleaning"
    assert f"was built {built}" in status.message
    assert "processing.email_text_fields" in status.message


@pytest.mark.parametrize(
    ("field", "hybrid"), [("pk", False), ("_ab_record_id", False), ("vector", False), ("text_sparse", True)]
)
@pytest.mark.parametrize("existing", [False, True], ids=["new_folder", "existing_collection"])
def test_check_fails_on_metadata_fields_every_sync_would_refuse(lite_uri, collection_name, field, hybrid, existing):
    """What ``write`` refuses before writing (a name the collection reserves), ``check`` reports first."""
    if existing:
        write_all(make_config(lite_uri, "other"), catalog(stream("tickets")), [record("tickets", ticket(1))])
    config = make_config(lite_uri, collection_name, metadata_fields=("status", field), hybrid_search=hybrid)

    status = _check(config)

    assert status.status == Status.FAILED
    assert f"processing.metadata_fields: {field!r}" in status.message, status.message
    assert "reserves for itself" in status.message
