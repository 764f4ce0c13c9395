"""Day-2 syncs pay only for what changed: embeddings counted at the OpenAI-compatible stub, rows read back from Milvus.

Every test runs on Milvus Lite, the Lite gRPC server and Milvus 2.3.5 (``milvus_uri``), with the real
``openai`` client talking to ``testkit/openai_stub.py``.
"""

from __future__ import annotations

import contextlib
import functools
from typing import Any, Iterator

import pytest
from pymilvus import MilvusClient

from destination_milvus_support import destination
from destination_milvus_support.content import chunk_primary_key
from destination_milvus_support.milvus import store as store_module
from destination_milvus_support.milvus.schema import CollectionLayout
from destination_milvus_support.milvus.store import MilvusStore
from destination_milvus_support.writer import Writer
from query_sdk import OpenAIEmbedder, SupportSearch
from query_sdk.contract import CollectionContract
from testkit.openai_stub import OpenAIStub
from testkit.runner import (
    MilvusReader,
    catalog,
    expected_chunk_counts,
    make_config,
    record,
    stream,
    stub_embedding,
    ticket,
    write_all,
)

pytest_plugins = ["integration_tests.connector_fixtures"]

DEDUP = catalog(stream("tickets", "append_dedup"))
CDC = {"_ab_cdc_deleted_at": "2024-05-01T00:00:00Z"}


def embedded_inputs(stub: OpenAIStub) -> int:
    """Inputs the stub has embedded so far (answered requests only)."""
    total = 0
    for request in stub.state.requests:
        if request["failure"] is None and request["path"].rstrip("/").endswith("/embeddings"):
            inputs = request["payload"].get("input", [])
            total += 1 if isinstance(inputs, str) else len(inputs)
    return total


class Desk:
    """A dedup stream synced through the stub; ``sync`` returns (inputs embedded, end-of-sync lines)."""

    def __init__(self, uri: str, collection: str, stub: OpenAIStub, **config: Any) -> None:
        self.uri, self.collection, self.stub = uri, collection, stub
        self.config = make_config(uri, collection, embedding=stub_embedding(stub.base_url), **config)

    def sync(self, tickets: list[dict[str, Any]], configured: Any = DEDUP) -> tuple[int, str]:
        before = embedded_inputs(self.stub)
        out = write_all(self.config, configured, [record("tickets", t) for t in tickets])
        summary = " ".join(line for line in out.logs if line.startswith("Stream tickets:"))
        return embedded_inputs(self.stub) - before, summary


@pytest.fixture
def desk(milvus_uri: str, collection_name: str, openai_stub: OpenAIStub) -> Desk:
    return Desk(milvus_uri, collection_name, openai_stub, chunk_size=5)


def test_a_resync_of_unchanged_records_embeds_nothing_and_writes_nothing(desk):
    tickets = [ticket(i, words=12) for i in range(1, 6)]
    first, _ = desk.sync(tickets)
    with MilvusReader(desk.uri, desk.collection) as reader:
        before = reader.chunks_per_record()

    embedded, summary = desk.sync(tickets)

    assert first == sum(before.values()) > 5
    assert embedded == 0
    assert f"0 embedded (0 tokens), {first} reused (0 rows rewritten with new metadata, {first} unchanged)" in summary
    assert "0 rows written, 0 stale rows deleted" in summary
    with MilvusReader(desk.uri, desk.collection) as reader:
        assert reader.chunks_per_record() == before


def test_a_status_change_embeds_nothing_and_the_sdk_sees_the_new_status(desk):
    desk.sync([ticket(1, words=12, status="open"), ticket(2, words=12, status="open")])
    with MilvusReader(desk.uri, desk.collection) as reader:
        chunks = reader.chunks_per_record()["tickets_1"]

    embedded, summary = desk.sync([ticket(1, words=12, status="solved"), ticket(2, words=12, status="open")])

    assert embedded == 0
    assert f"{chunks} rows rewritten with new metadata" in summary
    with MilvusReader(desk.uri, desk.collection) as reader:
        statuses = {r["_ab_record_id"]: r["status"] for r in reader.rows(fields=["_ab_record_id", "status"])}
    assert statuses == {"tickets_1": "solved", "tickets_2": "open"}
    embedder = OpenAIEmbedder(
        api_key="sk-stub-key",
        model="text-embedding-3-small",
        dimensions=64,
        mode="openai_compatible",
        base_url=desk.stub.base_url,
    )
    with SupportSearch.connect(uri=desk.uri, collection=desk.collection, embedder=embedder) as search:
        text = "subject: Printer 1 v1"
        found = {m.record_id for m in search.find_duplicate_tickets(text, organization_id=42, threshold=-1.0)}
    assert found == {"2"}  # the solved ticket is no longer an open duplicate


def test_changed_text_embeds_only_the_changed_chunks(desk):
    long = ticket(1, words=20)
    desk.sync([long])
    with MilvusReader(desk.uri, desk.collection) as reader:
        old_texts = set(reader.texts("tickets_1"))

    changed = {**long, "description": long["description"].replace("w1x19", "CHANGED")}
    embedded, summary = desk.sync([changed])

    with MilvusReader(desk.uri, desk.collection) as reader:
        new_texts = reader.texts("tickets_1")
    assert any("CHANGED" in t for t in new_texts)
    assert embedded == len(set(new_texts) - old_texts) == 1
    assert "1 embedded (" in summary


def test_a_record_that_shrank_loses_its_stale_chunks(desk):
    desk.sync([ticket(1, words=40), ticket(2, words=3)])
    with MilvusReader(desk.uri, desk.collection) as reader:
        before = reader.chunks_per_record()
    short = [record("tickets", ticket(1, words=3))]
    expected = expected_chunk_counts(desk.config, DEDUP, short)["tickets_1"]

    embedded, summary = desk.sync([ticket(1, words=3)])

    with MilvusReader(desk.uri, desk.collection) as reader:
        after = reader.chunks_per_record()
        texts = reader.texts("tickets_1")
    assert after == {"tickets_1": expected, "tickets_2": before["tickets_2"]}
    assert not any("w1x3" in t for t in texts)
    assert embedded <= expected  # chunks whose text already existed in the long version are reused
    assert f"{before['tickets_1'] - expected} stale rows deleted" in summary


def test_a_cdc_delete_removes_the_record_by_key(desk):
    desk.sync([ticket(1, words=12), ticket(2, words=12)])
    with MilvusReader(desk.uri, desk.collection) as reader:
        chunks = reader.chunks_per_record()["tickets_2"]

    embedded, summary = desk.sync([{**ticket(2, words=12), **CDC}])

    assert embedded == 0
    assert "1 CDC deletes" in summary and f"{chunks} stale rows deleted" in summary
    with MilvusReader(desk.uri, desk.collection) as reader:
        assert set(reader.chunks_per_record()) == {"tickets_1"}


@pytest.mark.parametrize("before", ["overwrite", "append_dedup"])
def test_an_overwrite_of_the_same_records_reuses_every_vector(desk, before):
    tickets = [ticket(i, words=12) for i in range(1, 4)]
    overwrite = catalog(stream("tickets", "overwrite"))
    first, _ = desk.sync(tickets, catalog(stream("tickets", before)))  # dedup rows have other keys

    embedded, _ = desk.sync(tickets, overwrite)

    assert first > 0 and embedded == 0
    with MilvusReader(desk.uri, desk.collection) as reader:
        assert sum(reader.chunks_per_record().values()) == first  # the new generation, complete


@pytest.mark.parametrize("server", ["_lite_server_uri", "_standalone_uri"])
def test_a_collection_is_left_loaded_for_any_client(request, server, collection_name, openai_stub):
    # On a Milvus Lite path the load state lives in the process that opened it, so only servers can show this.
    uri = str(request.getfixturevalue(server))
    Desk(uri, collection_name, openai_stub).sync([ticket(1)])

    client = MilvusClient(uri)  # a plain client that never calls load()
    try:
        hits = client.search(collection_name, data=[[0.1] * 64], limit=1, output_fields=["_ab_record_id"])
    finally:
        client.close()
    assert hits[0][0]["entity"]["_ab_record_id"] == "tickets_1"


def test_an_official_collection_pays_the_embedding_once_then_reuses(lite_uri, official_collection):
    with OpenAIStub(dimensions=16) as stub:
        desk = Desk(lite_uri, official_collection, stub, chunk_size=5)
        desk.config["embedding"]["dimensions"] = 16
        first, _ = desk.sync([ticket(900, words=12)])
        embedded, summary = desk.sync([ticket(900, words=12, status="solved")])

    assert first > 0 and embedded == 0
    assert f"{first} rows rewritten with new metadata" in summary
    with MilvusReader(lite_uri, official_collection) as reader:
        rows = reader.rows('_ab_record_id == "tickets_900"', fields=["status"])
    assert len(rows) == first and {r["status"] for r in rows} == {"solved"}  # the legacy row is gone


def test_a_change_outside_the_configured_fields_writes_nothing(desk):
    # Zendesk's incremental export re-sends a ticket when any field changes, configured or not.
    tickets = [{**ticket(i, words=12), "updated_at": "2024-05-01T00:00:00Z"} for i in range(1, 4)]
    first, _ = desk.sync(tickets)

    embedded, summary = desk.sync([{**t, "updated_at": "2024-05-02T00:00:00Z", "via": "web"} for t in tickets])

    assert first > 0 and embedded == 0
    assert f"{first} unchanged); 0 rows written, 0 stale rows deleted" in summary


def test_a_record_missing_a_chunk_is_completed_on_the_next_sync(desk):
    # A sync killed between two upsert calls can leave part of a record; its rows all carry the new digest.
    tickets = [ticket(1, words=20), ticket(2, words=3)]
    desk.sync(tickets)
    with MilvusReader(desk.uri, desk.collection) as reader:
        before = reader.chunks_per_record()
        (lost,) = [
            r for r in reader.rows('_ab_record_id == "tickets_1"', fields=["pk", "text"]) if "w1x19" in r["text"]
        ]
        reader.client.delete(desk.collection, ids=[lost["pk"]])

    embedded, summary = desk.sync(tickets)

    assert embedded == 1 and "1 rows written" in summary
    with MilvusReader(desk.uri, desk.collection) as reader:
        assert reader.chunks_per_record() == before
        assert sum("w1x19" in text for text in reader.texts("tickets_1")) == 1


def test_rows_written_before_record_digests_existed_are_rewritten_once_then_skipped(desk):
    tickets = [ticket(i, words=12) for i in range(1, 4)]
    first, _ = desk.sync(tickets)
    with MilvusReader(desk.uri, desk.collection) as reader:  # make them rows of the previous version
        rows = [{k: v for k, v in row.items() if k != "text_sparse"} for row in reader.rows(fields=["*"])]
        reader.client.upsert(desk.collection, [{**row, "_ab_record_digest": ""} for row in rows])

    converted, summary = desk.sync(tickets)
    again, quiet = desk.sync(tickets)

    assert first == len(rows) > 0 and converted == 0 and again == 0
    assert f"{first} rows rewritten with new metadata" in summary and f"{first} rows written" in summary
    assert "0 rows written" in quiet
    with MilvusReader(desk.uri, desk.collection) as reader:
        digests: dict[str, set[str]] = {}
        for row in reader.rows(fields=["_ab_record_id", "_ab_record_digest"]):
            digests.setdefault(row["_ab_record_id"], set()).add(row["_ab_record_digest"])
        counts = reader.chunks_per_record()
    assert {rid: [d.split(":")[1] for d in found] for rid, found in digests.items()} == {
        rid: [str(count)] for rid, count in counts.items()
    }


def test_rows_digested_by_an_earlier_recipe_are_rewritten_once_embedding_nothing_then_skipped(desk):
    """A collection written before records were digested from raw values: every row names another source.

    Its chunk hashes still name the same texts, so the first sync after the upgrade embeds nothing and
    writes every row once (with the new digest); the next one writes nothing.
    """
    tickets = [ticket(i, words=12) for i in range(1, 6)]
    first, _ = desk.sync(tickets)
    with MilvusReader(desk.uri, desk.collection) as reader:  # digests of the earlier (rendered-text) recipe
        rows = [{k: v for k, v in row.items() if k != "text_sparse"} for row in reader.rows(fields=["*"])]
        old = [{**row, "_ab_record_digest": "0" * 31 + "1:" + row["_ab_record_digest"].split(":")[1]} for row in rows]
        reader.client.upsert(desk.collection, old)

    converted, summary = desk.sync(tickets)
    again, quiet = desk.sync(tickets)

    assert first == len(rows) > 0 and converted == 0 and again == 0
    assert f"{first} rows rewritten with new metadata" in summary and f"{first} rows written" in summary
    assert "0 rows written" in quiet and "0 stale rows deleted" in quiet
    with MilvusReader(desk.uri, desk.collection) as reader:
        assert not any(row["_ab_record_digest"].startswith("0" * 31) for row in reader.rows(fields=["*"]))
        assert len(reader.rows(fields=["pk"])) == len(rows)


class _KilledAfterTheUpsert(Exception):
    """Stands for a sync killed right after its first upsert landed."""


def test_a_switch_to_dedup_killed_after_the_upsert_leaves_no_rows_under_the_old_keys(desk, monkeypatch):
    """append -> append_dedup: rows under the append keys go before the dedup rows are written.

    Once the dedup rows exist, the next sync finds the record by key and never looks for other
    keys, so a sync killed between the upsert and a later delete would leave them for good.
    """
    tickets = [ticket(i, words=12) for i in range(1, 4)]
    first, _ = desk.sync(tickets, catalog(stream("tickets", "append")))

    class KilledStore(MilvusStore):
        def write(self, rows, *, generation):
            super().write(rows, generation=generation)
            raise _KilledAfterTheUpsert

    monkeypatch.setattr(destination, "_store", lambda config, *, timeout: KilledStore(**_store_args(config)))
    with pytest.raises(_KilledAfterTheUpsert):
        desk.sync(tickets)
    monkeypatch.undo()
    embedded, _ = desk.sync(tickets)

    assert first > 0 and embedded == 0
    with MilvusReader(desk.uri, desk.collection) as reader:
        pks = {row["pk"] for row in reader.rows(fields=["pk"])}
        counts = reader.chunks_per_record()
    assert sum(counts.values()) == first
    assert pks == {chunk_primary_key("tickets", rid, c) for rid, count in counts.items() for c in range(count)}


def _store_args(config: Any) -> dict[str, Any]:
    indexing = config.indexing
    return {"uri": indexing.host, "token": indexing.token(), "db": indexing.db, "collection": indexing.collection}


def test_a_record_changed_then_changed_back_in_one_sync_ends_as_last_sent(desk, monkeypatch):
    """A record in two batches of one sync, the second a revert: the later batch wins.

    The second batch's lookup may run before the first batch is written, and then sees the rows
    as they were before the sync: exactly what the revert makes, yet the changed rows land later.
    """
    tickets = [ticket(i, words=12) for i in range(1, 40)]
    desk.sync(tickets)
    with MilvusReader(desk.uri, desk.collection) as reader:
        before = sorted(reader.texts("tickets_1"))
    changed = {**tickets[0], "description": "a wholly new description of the printer fault"}
    monkeypatch.setattr(destination, "Writer", functools.partial(Writer, batch_chunks=8))

    desk.sync([changed, *tickets[1:20], tickets[0], *tickets[20:]])

    with MilvusReader(desk.uri, desk.collection) as reader:
        assert sorted(reader.texts("tickets_1")) == before


def test_several_versions_of_a_record_in_one_append_batch_are_embedded_once(desk):
    append = catalog(stream("tickets", "append"))
    versions = [ticket(1, words=12, status=status) for status in ("new", "open", "pending")]
    first, _ = desk.sync(versions, append)

    embedded, summary = desk.sync(versions, append)

    assert first > 0 and embedded == 0
    assert "0 rows written" in summary
    with MilvusReader(desk.uri, desk.collection) as reader:
        statuses = sorted(row["status"] for row in reader.rows(fields=["status"]))
    assert statuses == sorted(["new", "open", "pending"] * (len(statuses) // 3)) and len(statuses) % 3 == 0


@pytest.mark.parametrize("server", ["lite_uri", "_lite_server_uri", "_standalone_uri"])
def test_lookups_see_a_row_written_just_before_the_sync_began(request, server, collection_name):
    """Milvus Lite and 2.3.5 give a no-op delete no timestamp: lookups read at a guarantee timestamp instead.

    (Session reads there would read "eventually", and could miss what a sync that just ended wrote.)
    """
    uri = str(request.getfixturevalue(server))
    with _indexer_on(uri, collection_name) as indexer:
        pk = chunk_primary_key("tickets", "tickets_1", 0)
        with MilvusReader(uri, collection_name) as reader:  # another client writes, then the sync begins
            (row,) = [{k: v for k, v in r.items() if k != "text_sparse"} for r in reader.rows(f'pk == "{pk}"', ["*"])]
            reader.client.upsert(collection_name, [{**row, "_ab_record_digest": "written-just-now:1"}])
        indexer.begin_sync()
        (found,) = indexer.rows_by_pk([pk])
    assert indexer.snapshot.level == "Customized"
    assert found.record_digest == "written-just-now:1"


def test_a_record_lookup_pages_past_the_query_row_limit(milvus_uri, collection_name, monkeypatch):
    """More rows than one query returns (16,384; here 4): the lookup pages through all of them."""
    with _indexer_on(milvus_uri, collection_name, words=60) as indexer:
        whole = indexer.rows_by_record([("tickets", "tickets_1"), ("tickets", "tickets_2")])
        monkeypatch.setattr(store_module, "_LOOKUP_LIMIT", 4)
        indexer.begin_sync()  # as in a sync: at the snapshot the sync's lookups read
        paged = indexer.rows_by_record([("tickets", "tickets_1"), ("tickets", "tickets_2")])
    assert len(whole) > 4
    assert sorted(row.pk for row in paged) == sorted(row.pk for row in whole)


@contextlib.contextmanager
def _indexer_on(uri: str, collection: str, *, words: int = 3) -> Iterator[MilvusStore]:
    """A prepared ``MilvusStore`` on a collection a sync made, with tickets 1 (``words`` long) and 2."""
    config = make_config(uri, collection, embedding={"mode": "fake", "dimensions": 8}, chunk_size=5)
    write_all(config, DEDUP, [record("tickets", ticket(1, words=words)), record("tickets", ticket(2, words=1))])
    indexer = MilvusStore(uri=uri, token="", db="", collection=collection)
    try:
        description = indexer.describe()
        assert description is not None
        contract = CollectionContract.from_description(description)
        assert contract is not None
        indexer.prepare(CollectionLayout(contract=contract, metadata_types={}, with_bm25=False))
        yield indexer
    finally:
        indexer.close()
