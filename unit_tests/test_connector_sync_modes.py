"""The sync-mode rules: stream rules from the catalog, finding a record's rows, and what each chunk costs."""

import pytest
from airbyte_cdk.models import ConfiguredAirbyteCatalogSerializer

from destination_milvus_support.content import chunk_hash, chunk_primary_key
from destination_milvus_support.keys import AssignedKeys, DerivedKeys
from destination_milvus_support.planning import plan_record, unchanged_record
from destination_milvus_support.storage import StoredRow
from destination_milvus_support.sync_modes import StreamRules, stream_rules
from query_sdk.contract import EmbeddingSpec

DERIVED, ASSIGNED = DerivedKeys(), AssignedKeys()

SPEC = EmbeddingSpec(mode="fake", model="fake", dimensions=4)
DEDUP = StreamRules("tickets", dedup=True, truncate=False, generation=7)
OVERWRITE = StreamRules("tickets", dedup=False, truncate=True, generation=7)
APPEND = StreamRules("tickets", dedup=False, truncate=False, generation=7)


def _hash(text, status="open", spec=SPEC):
    return chunk_hash(text, spec, {"status": status})


def _stored(pk, chunk_digest, generation=7, digest=None):
    return StoredRow(
        pk=pk,
        stream="tickets",
        record_id="tickets_1",
        chunk_hash=chunk_digest,
        generation=generation,
        record_digest=digest,
    )


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


KEY = "tickets_1"
A, B, C = (chunk_primary_key("tickets", KEY, i) for i in range(3))
DIGEST = "src:1"


def _plan(rules, chunks, stored, keys=DERIVED, **options):
    return plan_record(rules, KEY, chunks, stored, record_digest=DIGEST, keys=keys, **options)


def test_unchanged_chunks_are_neither_embedded_nor_written():
    chunks = [(A, _hash("one")), (B, _hash("two"))]
    stored = [_stored(A, _hash("one"), digest=DIGEST), _stored(B, _hash("two"), digest=DIGEST)]
    plan = _plan(DEDUP, chunks, stored)
    assert (plan.unchanged, plan.reuse, plan.embed, plan.stale, plan.foreign) == ({0, 1}, {}, [], [], [])


def test_a_metadata_change_reuses_the_stored_vector():
    plan = _plan(DEDUP, [(A, _hash("one", "solved"))], [_stored(A, _hash("one", "open"))])
    assert (plan.unchanged, plan.reuse, plan.embed) == (set(), {0: A}, [])


def test_rows_of_an_older_record_digest_are_rewritten_with_their_vectors():
    plan = _plan(DEDUP, [(A, _hash("one"))], [_stored(A, _hash("one"), digest="old:1")])
    assert (plan.unchanged, plan.reuse, plan.embed) == (set(), {0: A}, [])


def test_changed_text_and_another_model_are_embedded():
    other_model = EmbeddingSpec(mode="fake", model="other", dimensions=4)
    chunks = [(A, _hash("one!")), (B, _hash("two", spec=other_model))]
    plan = _plan(DEDUP, chunks, [_stored(A, _hash("one")), _stored(B, _hash("two"))])
    assert plan.embed == [0, 1]


def test_rows_without_a_hash_are_embedded_once():
    plan = _plan(DEDUP, [(A, _hash("one"))], [_stored(A, None)])
    assert plan.embed == [0]


def test_a_shrunk_record_leaves_its_extra_chunks_stale_highest_first_and_moved_text_is_reused():
    stored = [_stored(A, _hash("one")), _stored(B, _hash("two")), _stored(C, _hash("three"))]
    plan = _plan(DEDUP, [(A, _hash("three"))], stored)
    assert plan.reuse == {0: C}
    assert (plan.stale, plan.foreign) == ([C, B], [])


def test_a_cdc_delete_leaves_every_row_stale_highest_first():
    stored = [_stored(A, _hash("one")), _stored(C, _hash("three")), _stored(B, _hash("two"))]
    assert _plan(DEDUP, [], stored).stale == [C, B, A]


def test_rows_under_another_modes_keys_are_foreign_on_a_dedup_stream_only():
    """After append (or overwrite) syncs, a dedup sync deletes the record's other-key rows first."""
    appended = chunk_primary_key("tickets", f"{KEY}#v1", 0)
    stored = [_stored(appended, _hash("one"))]
    plan = _plan(DEDUP, [(A, _hash("one"))], stored)
    assert (plan.reuse, plan.foreign, plan.stale) == ({0: appended}, [appended], [])
    assert (_plan(APPEND, [(A, _hash("one"))], stored).foreign, _plan(APPEND, [], stored).stale) == ([], [])


def test_an_append_version_cut_into_fewer_chunks_leaves_its_extra_chunks_stale():
    """The same version (same key) chunked with other settings: its chunks past the new count go."""
    stored = [_stored(A, _hash("one")), _stored(B, _hash("two")), _stored(C, _hash("three"))]
    plan = _plan(APPEND, [(A, _hash("one two three"))], stored)
    assert (plan.stale, plan.foreign) == ([C, B], [])


def test_a_repeated_record_is_always_written():
    plan = _plan(DEDUP, [(A, _hash("one"))], [_stored(A, _hash("one"), digest=DIGEST)], repeated=True)
    assert (plan.unchanged, plan.reuse) == (set(), {0: A})


def test_an_overwrite_rewrites_rows_of_another_generation_and_keeps_none_stale():
    chunks = [(A, _hash("one")), (B, _hash("two"))]
    stored = [_stored(A, _hash("one"), generation=6, digest=DIGEST), _stored(B, _hash("two"), digest=DIGEST)]
    plan = _plan(OVERWRITE, chunks, stored)
    assert (plan.unchanged, plan.reuse, plan.stale) == ({1}, {0: A}, [])


def test_auto_id_collections_replace_every_stored_row_after_the_insert():
    plan = _plan(DEDUP, [("new", _hash("one"))], [_stored(11, _hash("one"))], keys=ASSIGNED)
    assert (plan.unchanged, plan.reuse, plan.stale, plan.foreign) == (set(), {0: 11}, [11], [])
    assert _plan(APPEND, [("new", _hash("one"))], [_stored(11, _hash("one"))], keys=ASSIGNED).stale == []


# -- finding a record's rows by key, and leaving it untouched ------------------------------------------


class _Stored:
    """Rows held in memory, read the two ways ``DerivedKeys.find`` reads them; counts the scans."""

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
    ref = ("tickets", "tickets_1", "tickets_1")
    found = DERIVED.find([ref], by_pk=stored.by_pk, by_record=stored.by_record)
    assert sorted(r.pk for r in found.get(ref, [])) == sorted(r.pk for r in rows)
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
    assert unchanged_record(DEDUP, "tickets_1", "src", rows, keys=DERIVED) == unchanged


def test_an_overwrite_rewrites_rows_of_an_older_generation():
    rows = _rows("tickets_1", "src:3", 3, generation=6)
    assert unchanged_record(OVERWRITE, "tickets_1", "src", rows, keys=DERIVED) is None
    assert unchanged_record(OVERWRITE, "tickets_1", "src", _rows("tickets_1", "src:3", 3), keys=DERIVED) == 3


def test_several_append_versions_of_a_record_are_each_found_by_their_own_key():
    """Two versions of one record in one batch (append): each is looked up, neither hides the other."""
    v1, v2 = _rows("tickets_1#v1", "one:2", 2), _rows("tickets_1#v2", "two:1", 1)
    stored = _Stored(v1 + v2)
    refs = [("tickets", "tickets_1", "tickets_1#v1"), ("tickets", "tickets_1", "tickets_1#v2")]
    found = DERIVED.find(refs, by_pk=stored.by_pk, by_record=stored.by_record)
    assert [sorted(r.pk for r in found[ref]) for ref in refs] == [sorted(r.pk for r in v) for v in (v1, v2)]
    assert not stored.scanned


def test_a_repeated_record_is_never_left_as_it_is():
    assert (
        unchanged_record(DEDUP, "tickets_1", "src", _rows("tickets_1", "src:3", 3), keys=DERIVED, repeated=True) is None
    )


@pytest.mark.parametrize(
    ("rules", "rows", "unchanged"),
    [
        (DEDUP, _rows("x", "src:2", 2), 2),
        (DEDUP, _rows("x", "src:2", 3), None),  # a third row of the record: it must go
        (DEDUP, _rows("x", "src:2", 1), None),  # a sync killed mid-insert
        (APPEND, _rows("x", "src:2", 4), 2),  # the same version sent twice earlier: kept twice
        (APPEND, _rows("x", "src:2", 1), None),
    ],
)
def test_auto_id_records_are_left_as_they_are_by_their_row_count(rules, rows, unchanged):
    assert unchanged_record(rules, "tickets_1", "src", rows, keys=ASSIGNED) == unchanged


def test_an_overwrite_after_dedup_syncs_finds_the_dedup_rows_by_key_without_a_scan():
    """The first overwrite after dedup syncs: its keys name versions, the stored rows the record."""
    dedup_rows = _rows("tickets_1", "src:2", 2)
    stored = _Stored(dedup_rows)
    ref = ("tickets", "tickets_1", "tickets_1#v9")
    found = DERIVED.find([ref], by_pk=stored.by_pk, by_record=stored.by_record)
    assert sorted(r.pk for r in found[ref]) == sorted(r.pk for r in dedup_rows)
    assert not stored.scanned
    plan = plan_record(OVERWRITE, ref[2], [], found[ref], record_digest="src:0", keys=DERIVED)
    assert (plan.stale, plan.foreign) == ([], [])  # vectors to reuse, nothing to delete
