"""A false "seen" never skips or loses a record: the writer with its record memory made small and saturated.

Past its capacity the Bloom filter (``seen.SeenRecords``) answers "maybe written earlier in this
sync" for records it never met. Such a record must then be written as one that was (looked up,
planned against what is stored now, rewritten with its vectors), never skipped on the strength of
rows read before the sync began. Every sync below ends with exactly the rows a sync with the full
filter leaves, embedding no more.
"""

from __future__ import annotations

import functools

import pytest

from destination_milvus_support import writer as writer_module
from destination_milvus_support.keys import OWN_COLLECTION, official_collection
from destination_milvus_support.memory_storage import InMemoryStorage
from destination_milvus_support.seen import SeenRecords
from unit_tests.test_connector_writer import CountingEmbedder, sync, ticket, with_states

#: 8 + 16 bytes and no more: saturated after a few dozen records, so nearly every answer is "maybe".
SATURATED = functools.partial(SeenRecords, first_bits_log2=6, max_bytes=24)
CDC = {"_ab_cdc_deleted_at": "2024-05-01T00:00:00Z"}


def _day(number: int) -> list:
    """The records of one day of a help desk: day 0 every ticket, then changes, new tickets and deletions."""
    if number == 0:
        return [ticket(i, words=3 + i % 25) for i in range(1, 80)]
    if number == 1:  # nothing changed: a scheduled re-sync
        return [ticket(i, words=3 + i % 25) for i in range(1, 80)]
    if number == 2:  # an incremental sync: changed text, status only, new, deleted, shrunk
        return (
            [ticket(i, words=3 + i % 25, version=1) for i in range(1, 10)]
            + [ticket(i, words=3 + i % 25, status="solved") for i in range(10, 20)]
            + [ticket(i, words=9) for i in range(80, 95)]
            + [ticket(i, **CDC) for i in range(20, 25)]
            + [ticket(i, words=2) for i in range(25, 30)]
        )
    # the same record several times in one sync, spread over batches, ending in its first form
    return [
        ticket(40, words=30, version=2),
        *[ticket(i, words=5) for i in range(100, 130)],
        ticket(40, words=3 + 40 % 25),
    ]


def _contents(storage: InMemoryStorage) -> list[tuple]:
    """Every row's record, text, vector and metadata (keys aside: Milvus assigns them in an official collection)."""
    return sorted((c.row.record_id, c.text, c.vector, repr(sorted(c.metadata.items()))) for c in storage.rows.values())


@pytest.mark.parametrize("kind", [OWN_COLLECTION, official_collection(assigned_keys=True)], ids=["own", "official"])
def test_a_saturated_record_memory_ends_every_sync_with_the_rows_of_a_full_one(kind, monkeypatch):
    full, small = InMemoryStorage(kind), InMemoryStorage(kind)
    for day in range(4):
        monkeypatch.setattr(writer_module, "SeenRecords", SeenRecords)
        counted_full = CountingEmbedder()
        sync(full, with_states(_day(day)), embedder=counted_full, run_id=day + 1)

        monkeypatch.setattr(writer_module, "SeenRecords", SATURATED)
        counted_small = CountingEmbedder()
        sync(small, with_states(_day(day)), embedder=counted_small, run_id=day + 1)

        assert small.records() == full.records(), f"day {day}"
        assert _contents(small) == _contents(full), f"day {day}"
        if not kind.assigned_keys:
            assert small.rows.keys() == full.rows.keys()
        assert counted_small.embedded == counted_full.embedded, f"day {day}"  # a false "seen" reuses vectors
    assert counted_full.embedded > 0


def test_a_saturated_record_memory_costs_rewrites_not_records(monkeypatch):
    """The unchanged re-sync: with the full filter nothing is written; saturated, rows are rewritten as they were."""
    storage = InMemoryStorage()
    sync(storage, with_states(_day(0)))
    before = dict(storage.rows)
    monkeypatch.setattr(writer_module, "SeenRecords", SATURATED)
    writes: list[int] = []
    original = storage.write

    def counted(rows, *, generation):
        writes.append(len(rows))
        return original(rows, generation=generation)

    monkeypatch.setattr(storage, "write", counted)
    embedder = CountingEmbedder()
    sync(storage, with_states(_day(1)), embedder=embedder, run_id=2)

    assert embedder.embedded == 0
    assert sum(writes) > 0  # records answered "seen" were rewritten with their stored vectors
    assert storage.rows.keys() == before.keys()
    assert _contents(storage) == sorted(
        (c.row.record_id, c.text, c.vector, repr(sorted(c.metadata.items()))) for c in before.values()
    )
