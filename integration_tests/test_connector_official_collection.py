"""A collection the official destination-milvus created and wrote (auto_id, dynamic field, L2) is continued compatibly.

The collections and rows come from ``official_milvus.py``, the official destination reproduced from
its source; an official config is used exactly as the official spec takes it.
"""

import logging

import pytest
from airbyte_cdk.models import FailureType, Status
from pymilvus import MilvusClient

from destination_milvus_support.destination import DestinationMilvusSupport
from query_sdk import SupportSearch
from query_sdk.embedders import OpenAIEmbedder
from testkit.official_milvus import OfficialDestination
from testkit.openai_stub import OpenAIStub
from testkit.runner import (
    MilvusReader,
    catalog,
    catalog_dict,
    expected_chunk_counts,
    make_config,
    record,
    run_in_process,
    state,
    stream,
    ticket,
    to_line,
    write_all,
)

pytest_plugins = ["integration_tests.connector_fixtures"]

FIELDS = ["_ab_stream", "_ab_record_id", "status", "organization_id", "text"]


def _config(uri, collection, **kwargs):
    return make_config(uri, collection, chunk_size=5, **kwargs)


def test_append_writes_metadata_into_the_dynamic_field(lite_uri, official_collection):
    out = write_all(
        _config(lite_uri, official_collection),
        catalog(stream("tickets")),
        [
            record("tickets", ticket(1, status="open")),
            record("tickets", ticket(2, status="solved")),
            state("tickets", 2),
        ],
    )

    assert len(out.states) == 1
    with MilvusReader(lite_uri, official_collection) as reader:
        assert set(reader.chunks_per_record()) == {"tickets_900", "tickets_1", "tickets_2"}
        matched = reader.rows('status in ["open"] and organization_id == 42', fields=FIELDS)
        assert {r["_ab_record_id"] for r in matched} == {"tickets_900", "tickets_1"}
        assert all(r["text"] for r in matched)
    client = MilvusClient(lite_uri)
    try:
        declared = [f["name"] for f in client.describe_collection(official_collection)["fields"]]
        assert declared == ["pk", "vector"]  # no schema change
    finally:
        client.close()


def test_dedup_replaces_rows_the_official_connector_wrote(lite_uri, official_collection):
    config = _config(lite_uri, official_collection)
    dedup = catalog(stream("tickets", "append_dedup"))
    with MilvusReader(lite_uri, official_collection) as reader:
        assert reader.texts("tickets_900") == ["subject: Legacy printer"]  # the official row
    write_all(config, dedup, [record("tickets", ticket(900, words=30, tag="v2")), record("tickets", ticket(1))])
    write_all(config, dedup, [record("tickets", ticket(900, words=2, tag="v3"))])

    with MilvusReader(lite_uri, official_collection) as reader:
        assert sorted(reader.texts("tickets_900")) == ["description: w900x0 w900x1", "subject: Printer 900 v3"]
        assert set(reader.chunks_per_record()) == {"tickets_900", "tickets_1"}


@pytest.mark.parametrize("other_stream", ["articles", "Sheet1 (copy)"])
def test_overwrite_removes_the_official_connectors_rows_of_the_stream(lite_uri, official_collection, other_stream):
    config = _config(lite_uri, official_collection)
    write_all(config, catalog(stream(other_stream)), [record(other_stream, ticket(5))])

    write_all(config, catalog(stream("tickets", "overwrite")), [record("tickets", ticket(1))])
    write_all(config, catalog(stream(other_stream, "append_dedup")), [record(other_stream, ticket(5, tag="v2"))])

    with MilvusReader(lite_uri, official_collection) as reader:
        assert set(reader.chunks_per_record()) == {"tickets_1", f"{other_stream}_5"}
        assert "subject: Printer 5 v2" in reader.texts(f"{other_stream}_5")
        assert "subject: Printer 5 v1" not in reader.texts(f"{other_stream}_5")


@pytest.mark.parametrize(
    ("primary_key", "data", "record_id"),
    [
        ((("org",), ("id",)), {**ticket(1), "org": "acme"}, "tickets_acme_1"),
        ((("id",),), ticket("a(b)'c"), "tickets_a(b)'c"),
    ],
    ids=["composite_key", "id_with_quotes_and_brackets"],
)
def test_dedup_replaces_records_whose_ids_cannot_enter_a_filter(
    lite_uri, official_collection, primary_key, data, record_id
):
    config = _config(lite_uri, official_collection)
    dedup = catalog(stream("tickets", "append_dedup", primary_key=primary_key))
    write_all(config, dedup, [record("tickets", {**data, "description": "long " * 40})])
    write_all(config, dedup, [record("tickets", data)])

    expected = expected_chunk_counts(config, dedup, [record("tickets", data)], official_ids=True)
    with MilvusReader(lite_uri, official_collection) as reader:
        assert reader.chunks_per_record() == {"tickets_900": 1, **expected}
    assert list(expected) == [record_id]


def test_an_official_collection_refuses_email_cleaning_it_could_not_record(lite_uri, official_collection, tmp_path):
    # Only a contract records the cleaning: without one, query_sdk would not clean requests to match
    # the cleaned chunks, and a later sync that cleans none could not be refused.
    config = _config(lite_uri, official_collection)
    config["processing"]["email_text_fields"] = ["description"]

    status = DestinationMilvusSupport().check(logging.getLogger("test"), config)
    out = run_in_process(
        "write",
        tmp_path,
        config=config,
        catalog=catalog_dict(stream("tickets", "append_dedup")),
        lines=[to_line(record("tickets", ticket(1))), to_line(state("tickets", 1))],
    )

    assert status.status == Status.FAILED
    assert out.returncode == 1
    assert out.states == []
    [error] = out.errors
    assert error.failure_type == FailureType.config_error
    for message in (status.message, error.message):
        assert f"collection {official_collection!r} holds no contract" in message
        assert "leave processing.email_text_fields empty for this collection" in message
        assert "sync into a new collection (indexing.collection)" in message
        assert "Traceback" not in message
    with MilvusReader(lite_uri, official_collection) as reader:
        assert reader.chunks_per_record() == {"tickets_900": 1}  # nothing written
    del config["processing"]["email_text_fields"]
    assert DestinationMilvusSupport().check(logging.getLogger("test"), config).status == Status.SUCCEEDED


# -- an official config, unchanged, continues an official collection ---------------------------------

KEY = "sk-official-config-0123456789"
ADA = "text-embedding-ada-002"
#: A composite-key stream next to the tickets: (org, id), as ``macros_acme_1``.
MACROS = stream("macros", "append_dedup", primary_key=(("org",), ("id",)))
CATALOG = catalog(stream("tickets", "append_dedup"), MACROS)


def _official_config(host, collection):
    """A config exactly as the official destination's spec takes it: none of this connector's own keys."""
    return {
        "processing": {
            "chunk_size": 1000,
            "chunk_overlap": 0,
            "text_fields": ["subject", "description"],
            "metadata_fields": ["status", "organization_id"],
            "field_name_mappings": [],
        },
        "embedding": {"mode": "openai", "openai_key": KEY},
        "indexing": {
            "host": host,
            "db": "",
            "collection": collection,
            "auth": {"mode": "no_auth"},
            "vector_field": "vector",
            "text_field": "text",
        },
        "omit_raw_text": False,
    }


def _macro(macro_id, subject):
    return {"org": "acme", "id": macro_id, "subject": subject, "description": "Reply template", "status": "active"}


@pytest.fixture
def ada_stub(monkeypatch):
    """The OpenAI API (1536-dimension vectors) at the stub: the official config has no base URL, so the
    ``openai`` client's own ``OPENAI_BASE_URL`` points it there, for the official destination and ours."""
    with OpenAIStub(dimensions=1536) as stub:
        monkeypatch.setenv("OPENAI_BASE_URL", stub.base_url)
        yield stub


def _official_history(uri, collection):
    """What the official destination wrote: three tickets and two macros, each as a dedup record."""
    with OpenAIEmbedder(api_key=KEY, model=ADA) as ada:
        official = OfficialDestination(uri, collection, embed=ada.embed, dimensions=1536)
        official.write(
            CATALOG,
            [
                record("tickets", ticket(1, words=3)).record,
                record("tickets", ticket(2, words=3)).record,
                record("tickets", ticket(3, words=3)).record,
                record("macros", _macro(1, "Refund policy")).record,
                record("macros", _macro(2, "Password reset")).record,
            ],
        )


def test_an_official_config_unchanged_continues_an_official_collection(milvus_uri, collection_name, ada_stub):
    _official_history(milvus_uri, collection_name)
    config = _official_config(milvus_uri, collection_name)
    assert DestinationMilvusSupport().check(logging.getLogger("test"), config).status == Status.SUCCEEDED

    new_ticket = {**ticket(2, words=3), "subject": "Refund for a double charge never arrived"}
    gone = {**ticket(3, words=3), "_ab_cdc_deleted_at": "2024-05-01T00:00:00Z"}
    new_macro = _macro(1, "Refund policy for double charges")
    sync = [record("tickets", new_ticket), record("tickets", gone), record("macros", new_macro), state("tickets", 1)]
    out = write_all(config, CATALOG, sync)

    assert len(out.states) == 1
    assert {r["payload"]["model"] for r in ada_stub.state.requests} == {ADA}  # one model in the collection
    with MilvusReader(milvus_uri, collection_name) as reader:
        # single and composite keys: the official rows of the re-sent records are replaced, the others kept
        assert reader.chunks_per_record() == {"tickets_1": 1, "tickets_2": 1, "macros_acme_1": 1, "macros_acme_2": 1}
        assert reader.texts("tickets_2") == [f"subject: {new_ticket['subject']}\ndescription: w2x0 w2x1 w2x2"]
        assert reader.texts("macros_acme_1") == [f"subject: {new_macro['subject']}\ndescription: Reply template"]
        assert reader.texts("tickets_1") == ["subject: Printer 1 v1\ndescription: w1x0 w1x1 w1x2"]  # untouched
    with (
        OpenAIEmbedder(api_key=KEY, model=ADA) as ada,
        SupportSearch.connect(uri=milvus_uri, collection=collection_name, embedder=ada, consistency="strong") as search,
    ):
        found = search.find_duplicate_tickets(new_ticket["subject"], organization_id=42, threshold=-1.0)
    assert [m.record_id for m in found] == ["2", "1"]
    assert found[0].snippet.startswith(new_ticket["subject"])


def test_an_official_collection_refuses_a_model_the_official_destination_did_not_use(
    lite_uri, collection_name, ada_stub, tmp_path
):
    _official_history(lite_uri, collection_name)
    config = _official_config(lite_uri, collection_name)
    config["embedding"]["model"] = "text-embedding-3-small"  # 1536 dimensions too: only the contract could tell
    requests_before = len(ada_stub.state.requests)

    status = DestinationMilvusSupport().check(logging.getLogger("test"), config)
    out = run_in_process(
        "write",
        tmp_path,
        config=config,
        catalog=catalog_dict(stream("tickets", "append_dedup")),
        lines=[to_line(record("tickets", ticket(2, tag="v2")))],
    )

    assert status.status == Status.FAILED
    assert "set embedding.model to 'text-embedding-ada-002'" in status.message
    assert out.returncode == 1
    [error] = out.errors
    assert error.failure_type == FailureType.config_error
    assert "set embedding.model to 'text-embedding-ada-002'" in error.message
    assert KEY not in out.stdout + status.message
    assert len(ada_stub.state.requests) == requests_before + 1  # check's one probe; the sync embedded nothing
    with MilvusReader(lite_uri, collection_name) as reader:
        assert reader.texts("tickets_2") == ["subject: Printer 2 v1\ndescription: w2x0 w2x1 w2x2"]
