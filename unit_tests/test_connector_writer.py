"""The writer's invariants without Milvus: STATE order, dedup planning, sync modes, crash and resume (``InMemoryStorage``).

The same writer runs against Milvus in ``integration_tests/test_connector_day2.py`` and the fault
suite; here each invariant is checked on many shapes of input in seconds.
"""

from __future__ import annotations

import random
from typing import Any, Iterable

import pytest
from airbyte_cdk.models import (
    AirbyteMessage,
    AirbyteRecordMessage,
    AirbyteStateBlob,
    AirbyteStateMessage,
    AirbyteStateType,
    AirbyteStreamState,
    AirbyteStreamStatus,
    AirbyteStreamStatusTraceMessage,
    AirbyteTraceMessage,
    ConfiguredAirbyteCatalogSerializer,
    StreamDescriptor,
    TraceType,
    Type,
)

from destination_milvus_support.config import ProcessingConfig
from destination_milvus_support.keys import OWN_COLLECTION, official_collection
from destination_milvus_support.memory_storage import InMemoryStorage
from destination_milvus_support.processor import DocumentProcessor
from destination_milvus_support.sync_modes import stream_rules
from destination_milvus_support.writer import Writer
from query_sdk.embedders import FakeEmbedder

DIMS = 16
WORDS = ["printer", "card", "refund", "password", "invoice", "login", "shipping", "delay", "screen", "battery"]


class CountingEmbedder(FakeEmbedder):
    """The fake embedder, counting the texts it embeds (what a sync pays)."""

    def __init__(self) -> None:
        super().__init__(DIMS)
        self.embedded = 0

    def embed_batch(self, texts):
        self.embedded += len(texts)
        return super().embed_batch(texts)


class Crash(Exception):
    """A storage call that never returns: the process was killed, the server lost."""


def _catalog(mode: str = "append_dedup", *, generation: dict[str, int] | None = None):
    return ConfiguredAirbyteCatalogSerializer.load(
        {
            "streams": [
                {
                    "stream": {"name": "tickets", "json_schema": {}, "supported_sync_modes": ["incremental"]},
                    "sync_mode": "incremental",
                    "destination_sync_mode": mode,
                    "primary_key": [["id"]],
                    **(generation or {}),
                }
            ]
        }
    )


def ticket(number: int, words: int = 4, version: int = 0, **fields: Any) -> AirbyteMessage:
    rng = random.Random(number * 1000 + version)
    text = " ".join(rng.choice(WORDS) for _ in range(words))
    data = {"id": number, "subject": f"ticket {number}", "description": text, "status": "open", **fields}
    return AirbyteMessage(type=Type.RECORD, record=AirbyteRecordMessage(stream="tickets", data=data, emitted_at=0))


def state(position: int) -> AirbyteMessage:
    return AirbyteMessage(
        type=Type.STATE,
        state=AirbyteStateMessage(
            type=AirbyteStateType.STREAM,
            stream=AirbyteStreamState(
                stream_descriptor=StreamDescriptor(name="tickets"),
                stream_state=AirbyteStateBlob(position=position),
            ),
        ),
    )


def status(value: AirbyteStreamStatus) -> AirbyteMessage:
    return AirbyteMessage(
        type=Type.TRACE,
        trace=AirbyteTraceMessage(
            type=TraceType.STREAM_STATUS,
            emitted_at=0,
            stream_status=AirbyteStreamStatusTraceMessage(
                stream_descriptor=StreamDescriptor(name="tickets"), status=value
            ),
        ),
    )


def with_states(records: list[AirbyteMessage], every: int = 3) -> list[AirbyteMessage]:
    messages = []
    for position, message in enumerate(records, start=1):
        messages.append(message)
        if position % every == 0 or position == len(records):
            messages.append(state(position))
    return messages


def sync(
    storage: InMemoryStorage,
    messages: Iterable[AirbyteMessage],
    *,
    mode: str = "append_dedup",
    embedder: CountingEmbedder | None = None,
    batch_chunks: int = 4,
    chunk_size: int = 6,
    run_id: int = 1,
    observe: Any = None,
) -> list[AirbyteMessage]:
    """One sync through the real writer and processor; returns the STATEs passed on, in order."""
    catalog = _catalog(mode)
    embedder = embedder or CountingEmbedder()
    processing = ProcessingConfig.model_validate(
        {"chunk_size": chunk_size, "text_fields": ["subject", "description"], "metadata_fields": ["status"]}
    )
    processor = DocumentProcessor(processing, catalog, embedder.count_tokens, record_ids=storage.kind.record_id)
    writer = Writer(
        stream_rules(catalog, run_id=run_id), processor, embedder, storage, embedder.spec, batch_chunks=batch_chunks
    )
    states = []
    for message in writer.write(messages):
        if message.type == Type.STATE:
            states.append(message)
            if observe:
                observe(message)
    return states


def position(message: AirbyteMessage) -> int:
    return message.state.stream.stream_state.position  # type: ignore[union-attr]


def _ids(storage: InMemoryStorage) -> set[str]:
    return {record_id for _, record_id in storage.records()}


# -- STATE order -------------------------------------------------------------------------------------


@pytest.mark.parametrize("batch_chunks", [1, 3, 8, 1000])
def test_a_state_is_passed_on_only_once_every_record_before_it_is_stored(batch_chunks):
    storage = InMemoryStorage()
    records = [ticket(i, words=3 + i % 9) for i in range(1, 30)]

    def every_record_before_is_stored(message):
        assert {f"tickets_{i}" for i in range(1, position(message) + 1)} <= _ids(storage)

    states = sync(storage, with_states(records), batch_chunks=batch_chunks, observe=every_record_before_is_stored)
    assert [position(s) for s in states] == [3 * i for i in range(1, 10)] + [29]


def test_states_without_records_between_them_keep_their_order():
    storage = InMemoryStorage()
    messages = [state(0), ticket(1), state(1), state(2), ticket(2), ticket(3), state(3), state(4)]
    assert [position(s) for s in sync(storage, messages)] == [0, 1, 2, 3, 4]


# -- dedup planning ----------------------------------------------------------------------------------


def test_an_unchanged_resync_embeds_and_writes_nothing():
    storage = InMemoryStorage()
    records = [ticket(i, words=2 + i % 12) for i in range(1, 25)]
    sync(storage, with_states(records))
    before = dict(storage.rows)
    embedder = CountingEmbedder()
    sync(storage, with_states(records), embedder=embedder, run_id=2)
    assert embedder.embedded == 0
    assert storage.rows == before


def test_a_status_change_reuses_vectors_and_a_text_change_embeds_only_its_new_chunks():
    storage = InMemoryStorage()
    sync(storage, [ticket(1, words=20), ticket(2, words=20)])
    vectors = {pk: chunk.vector for pk, chunk in storage.rows.items()}
    embedder = CountingEmbedder()
    changed = ticket(2, words=20, version=1)
    sync(storage, [ticket(1, words=20, status="solved"), changed], embedder=embedder, run_id=2)
    assert {chunk.metadata["status"] for chunk in storage.rows.values() if chunk.row.record_id == "tickets_1"} == {
        "solved"
    }
    assert all(storage.rows[pk].vector == vector for pk, vector in vectors.items() if pk in storage.rows and
               storage.rows[pk].row.record_id == "tickets_1")  # fmt: skip
    assert 0 < embedder.embedded <= len([c for c in storage.rows.values() if c.row.record_id == "tickets_2"])


@pytest.mark.parametrize("kind", [OWN_COLLECTION, official_collection(assigned_keys=True)], ids=["own", "official"])
def test_a_record_that_shrinks_or_is_deleted_leaves_no_stale_rows(kind):
    storage = InMemoryStorage(kind)
    sync(storage, [ticket(1, words=30), ticket(2, words=30)])
    long_rows = len(storage.rows)
    cdc = ticket(2, _ab_cdc_deleted_at="2024-05-01T00:00:00Z")
    sync(storage, [ticket(1, words=3), cdc], run_id=2)
    expected = InMemoryStorage(kind)
    sync(expected, [ticket(1, words=3)])
    assert storage.records() == expected.records()
    assert len(storage.rows) == len(expected.rows) < long_rows / 2


@pytest.mark.parametrize("kind", [OWN_COLLECTION, official_collection(assigned_keys=True)], ids=["own", "official"])
def test_a_record_sent_several_times_in_one_sync_ends_as_last_sent(kind):
    storage = InMemoryStorage(kind)
    sync(storage, [ticket(1, words=12)])
    versions = [ticket(1, words=words, version=v) for v, words in enumerate([30, 2, 17, 12])]
    fresh = [ticket(i) for i in range(2, 40)]  # other records between them spread the versions over batches
    sync(storage, versions[:2] + fresh[:19] + versions[2:] + fresh[19:], run_id=2)
    expected = InMemoryStorage(kind)
    sync(expected, [versions[-1], *fresh])
    assert storage.records() == expected.records()


def test_append_keeps_every_version_and_resending_one_adds_nothing():
    storage = InMemoryStorage()
    sync(storage, [ticket(1), ticket(1, version=1)], mode="append")
    rows = dict(storage.rows)
    one, other = InMemoryStorage(), InMemoryStorage()
    sync(one, [ticket(1)], mode="append")
    sync(other, [ticket(1, version=1)], mode="append")
    assert len(storage.records()) == 1 and len(rows) == len(one.rows) + len(other.rows)
    sync(storage, [ticket(1, version=1)], mode="append", run_id=2)
    assert storage.rows == rows


def test_overwrite_replaces_the_stream_only_once_it_completed():
    storage = InMemoryStorage()
    sync(storage, [ticket(1), ticket(2)], mode="overwrite", run_id=1)
    incomplete = [ticket(3), status(AirbyteStreamStatus.INCOMPLETE)]
    sync(storage, incomplete, mode="overwrite", run_id=2)
    assert _ids(storage) == {"tickets_1", "tickets_2", "tickets_3"}
    sync(storage, [ticket(3), status(AirbyteStreamStatus.COMPLETE)], mode="overwrite", run_id=3)
    assert _ids(storage) == {"tickets_3"}


# -- crash and resume --------------------------------------------------------------------------------


def _crash_at(operation: str, call: int):
    def fail(name: str, number: int) -> None:
        if name == operation and number == call:
            raise Crash

    return fail


@pytest.mark.parametrize("operation", ["write", "delete"])
@pytest.mark.parametrize("call", [1, 2, 3, 5, 8])
def test_a_sync_killed_at_any_write_loses_no_acknowledged_record_and_a_rerun_repairs_it(operation, call):
    """Killed mid-way: every record before the last STATE passed on is stored whole; resending all repairs the rest."""
    start = InMemoryStorage()
    sync(start, with_states([ticket(i, words=5 + i % 20) for i in range(1, 31)]))
    changed = with_states([ticket(i, words=5 + (i * 7) % 23, version=1) for i in range(1, 31)] + [ticket(40, words=9)])
    expected = start.copy()
    sync(expected, changed, run_id=2)

    crashed = start.copy()
    crashed._fail = _crash_at(operation, call)
    passed: list[AirbyteMessage] = []
    with pytest.raises(Crash):
        sync(crashed, changed, run_id=2, observe=passed.append)
    acknowledged = position(passed[-1]) if passed else 0
    for record, texts in expected.records().items():
        number = int(record[1].removeprefix("tickets_"))
        if number <= acknowledged:
            assert crashed.records()[record] == texts, record
    crashed._fail = None
    sync(crashed, changed, run_id=3)
    assert crashed.records() == expected.records()


def test_a_failed_batch_stops_every_later_batch_and_state():
    storage = InMemoryStorage(fail=_crash_at("write", 5))  # a batch is one ticket here, a STATE every three
    passed: list[AirbyteMessage] = []
    with pytest.raises(Crash):
        sync(storage, with_states([ticket(i) for i in range(1, 40)]), batch_chunks=2, observe=passed.append)
    stored = _ids(storage)
    assert [position(s) for s in passed] == [3]
    assert stored == {f"tickets_{i}" for i in range(1, 5)}  # nothing after the failed fifth batch
