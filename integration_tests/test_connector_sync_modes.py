"""The three sync modes on every backend (Milvus Lite path, Lite gRPC server, Milvus 2.3.5), through ``write``."""

import logging

from pymilvus import DataType

from testkit.runner import (
    MilvusReader,
    catalog,
    cursor_of,
    expected_chunk_counts,
    make_config,
    record,
    state,
    stream,
    ticket,
    write_all,
)


def test_append_lands_rows_filterable_by_metadata(milvus_uri, collection_name):
    config = make_config(milvus_uri, collection_name)
    tickets = [
        ticket(1, status="open", organization_id=42),
        ticket(2, status="closed", organization_id=42),
        ticket(3, status="open", organization_id=7),
    ]
    out = write_all(config, catalog(stream("tickets")), [*(record("tickets", t) for t in tickets), state("tickets", 3)])

    assert [cursor_of(s) for s in out.states] == [3]
    with MilvusReader(milvus_uri, collection_name) as reader:
        rows = reader.rows(fields=["_ab_stream", "_ab_record_id", "status", "organization_id"])
        assert {r["_ab_record_id"] for r in rows} == {"tickets_1", "tickets_2", "tickets_3"}
        assert {r["_ab_stream"] for r in rows} == {"tickets"}
        matched = reader.rows('status in ["open"] and organization_id == 42')
        assert {r["_ab_record_id"] for r in matched} == {"tickets_1"}


def test_dedup_replaces_every_chunk_of_a_longer_version(milvus_uri, collection_name):
    config = make_config(milvus_uri, collection_name, chunk_size=5)
    dedup = catalog(stream("tickets", "append_dedup"))
    write_all(config, dedup, [record("tickets", ticket(1, words=60)), record("tickets", ticket(2))])
    with MilvusReader(milvus_uri, collection_name) as reader:
        assert reader.chunks_per_record()["tickets_1"] > 10

    write_all(config, dedup, [record("tickets", ticket(1, words=3, tag="v2"))])

    with MilvusReader(milvus_uri, collection_name) as reader:
        assert sorted(reader.texts("tickets_1")) == ["description: w1x0 w1x1 w1x2", "subject: Printer 1 v2"]
        assert reader.chunks_per_record()["tickets_2"] == 3


def test_dedup_keeps_only_the_last_version_within_one_batch(milvus_uri, collection_name):
    config = make_config(milvus_uri, collection_name, chunk_size=5)
    versions = [ticket(1, words=40, tag="v1"), ticket(1, words=1, tag="v2"), ticket(1, words=2, tag="v3")]
    write_all(config, catalog(stream("tickets", "append_dedup")), [record("tickets", t) for t in versions])

    with MilvusReader(milvus_uri, collection_name) as reader:
        assert sorted(reader.texts("tickets_1")) == ["description: w1x0 w1x1", "subject: Printer 1 v3"]


def test_dedup_on_a_new_stream_replaces_records_seen_in_an_earlier_batch(milvus_uri, collection_name):
    # A stream with no rows skips the dedup delete for records new to the sync: a record met again
    # after its first batch was written must still replace (or, CDC, delete) what that batch wrote.
    config = make_config(milvus_uri, collection_name, chunk_size=5)
    dedup = catalog(stream("tickets", "append_dedup"))
    fillers = [record("tickets", ticket(i, words=100)) for i in range(10, 60)]  # over one batch (1,024 chunks)
    messages = [
        record("tickets", ticket(1, words=60)),
        record("tickets", ticket(2, words=20)),
        *fillers,
        record("tickets", ticket(1, words=3, tag="v2")),
        record("tickets", {**ticket(2), "_ab_cdc_deleted_at": "2024-05-01T00:00:00Z"}),
    ]
    assert sum(expected_chunk_counts(config, dedup, fillers).values()) > 1024

    out = write_all(config, dedup, messages)

    assert any("Stream tickets has no rows yet" in line for line in out.logs)
    with MilvusReader(milvus_uri, collection_name) as reader:
        assert sorted(reader.texts("tickets_1")) == ["description: w1x0 w1x1 w1x2", "subject: Printer 1 v2"]
        chunks = reader.chunks_per_record()
        assert "tickets_2" not in chunks
        assert chunks["tickets_10"] == expected_chunk_counts(config, dedup, fillers[:1])["tickets_10"]

    # The next sync finds rows, so it deletes before writing, as always.
    again = write_all(config, dedup, [record("tickets", ticket(10, words=1))])
    assert not any("has no rows yet" in line for line in again.logs)
    with MilvusReader(milvus_uri, collection_name) as reader:
        assert reader.chunks_per_record()["tickets_10"] == 2


def test_dedup_cdc_delete_removes_the_record(milvus_uri, collection_name):
    config = make_config(milvus_uri, collection_name)
    dedup = catalog(stream("tickets", "append_dedup"))
    write_all(config, dedup, [record("tickets", ticket(i)) for i in (1, 2, 3)])

    deleted = {**ticket(2), "_ab_cdc_deleted_at": "2024-05-01T00:00:00Z"}
    write_all(config, dedup, [record("tickets", deleted)])

    with MilvusReader(milvus_uri, collection_name) as reader:
        assert set(reader.chunks_per_record()) == {"tickets_1", "tickets_3"}


def test_overwrite_leaves_only_the_new_sync(milvus_uri, collection_name):
    config = make_config(milvus_uri, collection_name)
    write_all(config, catalog(stream("tickets")), [record("tickets", ticket(i)) for i in (1, 2, 3)])
    write_all(config, catalog(stream("other")), [record("other", ticket(9))])

    out = write_all(
        config, catalog(stream("tickets", "overwrite")), [record("tickets", ticket(4)), state("tickets", 4)]
    )

    assert [cursor_of(s) for s in out.states] == [4]
    with MilvusReader(milvus_uri, collection_name) as reader:
        assert set(reader.chunks_per_record()) == {"tickets_4", "other_9"}


def test_lite_declares_metadata_fields_with_catalog_types(lite_uri, collection_name):
    write_all(make_config(lite_uri, collection_name), catalog(stream("tickets")), [record("tickets", ticket(1))])

    with MilvusReader(lite_uri, collection_name) as reader:
        fields = {f["name"]: f["type"] for f in reader.client.describe_collection(collection_name)["fields"]}
    assert fields["_ab_stream"] == fields["_ab_record_id"] == fields["status"] == DataType.VARCHAR
    assert fields["organization_id"] == DataType.INT64
    assert fields["text_sparse"] == DataType.SPARSE_FLOAT_VECTOR  # BM25


def test_milvus_2_3_degrades_with_a_log_line_for_each_missing_feature(_standalone_uri, collection_name, caplog):
    caplog.set_level(logging.INFO, logger="airbyte")
    config = make_config(_standalone_uri, collection_name)
    write_all(config, catalog(stream("tickets")), [record("tickets", ticket(1))])

    logged = " ".join(r.getMessage() for r in caplog.records)
    for missing in ("no BM25", "no INVERTED index", "no nullable fields"):
        assert missing in logged
    with MilvusReader(_standalone_uri, collection_name) as reader:
        fields = {f["name"] for f in reader.client.describe_collection(collection_name)["fields"]}
        assert {"status", "organization_id", "text_sparse"}.isdisjoint(fields)
        assert reader.rows("organization_id == 42")


def test_dedup_composite_keys_that_join_alike_do_not_collide(lite_uri, collection_name):
    config = make_config(lite_uri, collection_name)
    composite = catalog(stream("tickets", "append_dedup", primary_key=(("a",), ("b",))))
    first, second = {**ticket(1), "a": "a_b", "b": "c"}, {**ticket(2), "a": "a", "b": "b_c"}
    write_all(config, composite, [record("tickets", first), record("tickets", second)])
    write_all(config, composite, [record("tickets", {**first, "_ab_cdc_deleted_at": "2024-05-01T00:00:00Z"})])

    with MilvusReader(lite_uri, collection_name) as reader:
        assert set(reader.chunks_per_record()) == {'tickets_["a","b_c"]'}


def test_append_keeps_every_version_whole_and_resent_records_once(lite_uri, collection_name):
    config = make_config(lite_uri, collection_name, chunk_size=5)
    append = catalog(stream("tickets"))
    long, short = ticket(1, words=30, tag="v1"), ticket(1, words=2, tag="v2")
    write_all(config, append, [record("tickets", long)])
    write_all(config, append, [record("tickets", short), record("tickets", long)])  # a new version, and a resend

    expected = sum(expected_chunk_counts(config, append, [record("tickets", t)])["tickets_1"] for t in (long, short))
    with MilvusReader(lite_uri, collection_name) as reader:
        texts = reader.texts("tickets_1")
    assert len(texts) == expected
    assert {"subject: Printer 1 v1", "subject: Printer 1 v2", "w1x29"} <= set(texts)
