"""The sync-mode rules: stream rules from the catalog, finding a record's rows, and what each chunk costs."""

import pytest
from airbyte_cdk.models import ConfiguredAirbyteCatalogSerializer

from destination_milvus_support.sync_modes import (
    StoredRow,
    StreamRules,
    deletion_order,
    find_stored_rows,
    plan_record,
    stream_rules,
    unchanged_record,
)
from query_sdk.contract import EmbeddingSpec, chunk_primary_key
from query_sdk.layout import chunk_hash

SPEC = EmbeddingSpec(mode="fake", model="fake", dimensions=4)
DEDUP = StreamRules("tickets", dedup=True, truncate=False, generation=7)
OVERWRITE = StreamRules("tickets", dedup=False, truncate=True, generation=7)


def _hash(text, status="open", spec=SPEC):
    return chunk_hash(text, spec, {"status": status})


def _stored(pk, digest, generation=7):
    return StoredRow(pk=pk, stream="tickets", record_id="tickets_1", chunk_hash=digest, generation=generation)


def _catalog(mode, **generations):
    stream = {
        "stream": {"name": "tickets", "json_schema": {}, "supported_sync_modes": ["full_refresh"]},
        "sync_mode": "full_refresh",
        "destination_sync_mode": mode,
        **generations,
    }
    return ConfiguredAirbyteCatalogSerializer.load({"streams": [stream]})


@pytest.mark.parametrize(
    ("mode", "generations", "dedup", "truncate", "generation"),
    [
        ("append", {}, False, False, 99),
        ("append_dedup", {}, True, False, 99),
        ("overwrite", {}, False, True, 99),
        ("append_dedup", {"generation_id": 5, "minimum_generation_id": 5, "sync_id": 3}, True, True, 5),
        ("append_dedup", {"generation_id": 5, "minimum_generation_id": 0, "sync_id": 3}, True, False, 5),
        ("overwrite", {"generation_id": 1, "minimum_generation_id": 1, "sync_id": 1}, False, True, 99),  # PyAirbyte
    ],
)
def test_stream_rules_follow_the_catalog(mode, generations, dedup, truncate, generation):
    rules = stream_rules(_catalog(mode, **generations), run_id=99)["tickets"]
    assert (rules.dedup, rules.truncate, rules.generation) == (dedup, truncate, generation)


def test_unchanged_chunks_are_neither_embedded_nor_written():
    chunks = [("a", _hash("one")), ("b", _hash("two"))]
    plan = plan_record(DEDUP, chunks, [_stored("a", _hash("one")), _stored("b", _hash("two"))])
    assert (plan.unchanged, plan.reuse, plan.embed, plan.stale) == ({0, 1}, {}, [], [])


def test_a_metadata_change_reuses_the_stored_vector():
    plan = plan_record(DEDUP, [("a", _hash("one", "solved"))], [_stored("a", _hash("one", "open"))])
    assert (plan.unchanged, plan.reuse, plan.embed) == (set(), {0: "a"}, [])


def test_changed_text_and_another_model_are_embedded():
    other_model = EmbeddingSpec(mode="fake", model="other", dimensions=4)
    chunks = [("a", _hash("one!")), ("b", _hash("two", spec=other_model))]
    plan = plan_record(DEDUP, chunks, [_stored("a", _hash("one")), _stored("b", _hash("two"))])
    assert plan.embed == [0, 1]


def test_rows_without_a_hash_are_embedded_once():
    plan = plan_record(DEDUP, [("a", _hash("one"))], [_stored("a", None)])
    assert plan.embed == [0]


def test_a_shrunk_record_leaves_its_extra_chunks_stale_and_moved_text_is_reused():
    stored = [_stored("a", _hash("one")), _stored("b", _hash("two")), _stored("c", _hash("three"))]
    plan = plan_record(DEDUP, [("a", _hash("three"))], stored)
    assert plan.reuse == {0: "c"}
    assert plan.stale == ["b", "c"]


def test_a_cdc_delete_leaves_every_row_stale():
    assert plan_record(DEDUP, [], [_stored("a", _hash("one"))]).stale == ["a"]


def test_a_repeated_record_is_always_written():
    plan = plan_record(DEDUP, [("a", _hash("one"))], [_stored("a", _hash("one"))], repeated=True)
    assert (plan.unchanged, plan.reuse) == (set(), {0: "a"})


def test_an_overwrite_rewrites_rows_of_another_generation_and_keeps_none_stale():
    chunks = [("a", _hash("one")), ("b", _hash("two"))]
    plan = plan_record(OVERWRITE, chunks, [_stored("a", _hash("one"), generation=6), _stored("b", _hash("two"))])
    assert (plan.unchanged, plan.reuse, plan.stale) == ({1}, {0: "a"}, [])


def test_auto_id_collections_replace_every_stored_row():
    plan = plan_record(DEDUP, [("new", _hash("one"))], [_stored(11, _hash("one"))], auto_id=True)
    assert (plan.unchanged, plan.reuse, plan.stale) == (set(), {0: 11}, [11])


# -- finding a record's rows by key, and leaving it untouched ------------------------------------------


class _Stored:
    """Rows held in memory, read the two ways ``find_stored_rows`` reads them; counts the scans."""

    def __init__(self, rows):
        self.rows = {row.pk: row for row in rows}
        self.scanned: list[tuple[str, str]] = []

    def by_pk(self, pks):
        return [self.rows[pk] for pk in pks if pk in self.rows]

    def by_record(self, records):
        self.scanned += records
        return [row for row in self.rows.values() if (row.stream, row.record_id) in set(records)]


def _rows(key, digest, count, *, record="tickets_1", generation=7):
    return [
        StoredRow(chunk_primary_key("tickets", key, i), "tickets", record, "h", generation, digest)
        for i in range(count)
    ]


@pytest.mark.parametrize(
    ("rows", "scanned"),
    [
        (_rows("tickets_1", "src:3", 3), False),  # complete: read by key only
        (_rows("tickets_1", "src:3", 2), False),  # a sync killed mid-write left a prefix
        (_rows("tickets_1", "new:2", 2) + _rows("tickets_1", "old:4", 4)[2:], True),  # leftovers of a longer version
        (_rows("tickets_1", None, 3), True),  # rows written before record digests existed
        (_rows("other#v1", "src:1", 1), True),  # rows under another sync mode's keys
        ([], True),  # a new record
    ],
)
def test_rows_are_found_by_key_and_scanned_for_only_when_keys_cannot_tell(rows, scanned):
    stored = _Stored(rows)
    found = find_stored_rows([("tickets", "tickets_1", "tickets_1")], by_pk=stored.by_pk, by_record=stored.by_record)
    assert sorted(r.pk for r in found.get(("tickets", "tickets_1"), [])) == sorted(r.pk for r in rows)
    assert bool(stored.scanned) is scanned


@pytest.mark.parametrize(
    ("rows", "unchanged"),
    [
        (_rows("tickets_1", "src:3", 3), 3),
        (_rows("tickets_1", "src:3", 2), None),  # incomplete
        (_rows("tickets_1", "old:3", 3), None),  # another content
        (_rows("tickets_1", "src:2", 2) + _rows("tickets_1", "old:3", 3)[2:], None),  # a stale row remains
        (_rows("tickets_1", "src:3", 3, generation=6), 3),  # generations matter only when truncating
        ([], None),
    ],
)
def test_a_record_is_left_as_it_is_only_when_its_rows_are_complete_and_current(rows, unchanged):
    assert unchanged_record(DEDUP, "tickets_1", "src", rows) == unchanged


def test_an_overwrite_rewrites_rows_of_an_older_generation():
    rows = _rows("tickets_1", "src:3", 3, generation=6)
    assert unchanged_record(OVERWRITE, "tickets_1", "src", rows) is None
    assert unchanged_record(OVERWRITE, "tickets_1", "src", _rows("tickets_1", "src:3", 3)) == 3


def test_stale_chunks_are_deleted_highest_index_first():
    pks = [chunk_primary_key("tickets", "tickets_1", i) for i in range(2, 6)]
    other = chunk_primary_key("tickets", "tickets_1#v1", 0)
    ordered = deletion_order("tickets", "tickets_1", [pks[1], other, pks[3], pks[0], pks[2]], chunks=2)
    assert ordered == [other, pks[3], pks[2], pks[1], pks[0]]
