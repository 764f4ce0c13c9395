"""A collection the official destination-milvus created (auto_id, dynamic field, L2) is written to compatibly."""

import pytest
from pymilvus import MilvusClient

from integration_tests.connector_runner import (
    MilvusReader,
    catalog,
    expected_chunk_counts,
    make_config,
    record,
    state,
    stream,
    ticket,
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
        ((("org",), ("id",)), {**ticket(1), "org": "acme"}, 'tickets_["acme",1]'),
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

    expected = expected_chunk_counts(config, dedup, [record("tickets", data)])
    with MilvusReader(lite_uri, official_collection) as reader:
        assert reader.chunks_per_record() == {"tickets_900": 1, **expected}
    assert list(expected) == [record_id]
