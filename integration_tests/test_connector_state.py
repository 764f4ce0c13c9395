"""STATE messages are passed on only once every record before them is in Milvus (Milvus Lite)."""

from airbyte_cdk.models import Type

from destination_milvus_support import writer as writer_module
from testkit.runner import (
    Feed,
    MilvusReader,
    catalog,
    cursor_of,
    lean_config,
    records_with_states,
    stream,
    write_messages,
)

RECORDS = 45  # ~76 chunks each at chunk_size 2: three write batches before the input ends


def test_every_state_follows_its_records_into_milvus(lite_uri, collection_name):
    config = lean_config(lite_uri, collection_name, chunk_size=2)
    messages = records_with_states("tickets", range(RECORDS))
    feed = Feed(messages, pause_at=len(messages) // 2)  # the source goes quiet mid-sync
    snapshots = {}
    passed_on_mid_sync = 0

    with MilvusReader(lite_uri, collection_name) as reader:
        for message in write_messages(config, catalog(stream("tickets", "append_dedup")), feed):
            if message.type == Type.STATE:
                cursor = cursor_of(message)
                acknowledged = ", ".join(f'"tickets_{i}"' for i in range(cursor + 1))
                snapshots[cursor] = reader.count(f"_ab_record_id in [{acknowledged}]")
                passed_on_mid_sync += not feed.exhausted
                feed.resume()
        final = reader.chunks_per_record()

    assert list(snapshots) == list(range(RECORDS))  # every STATE, in order
    assert passed_on_mid_sync > 0
    assert not feed.timed_out  # a written batch's STATEs did not wait for the source's next message
    for cursor, rows in snapshots.items():
        assert rows == sum(final[f"tickets_{i}"] for i in range(cursor + 1)), f"STATE {cursor} came too early"


def test_a_quiet_source_gets_its_checkpoint_without_sending_more(lite_uri, collection_name, monkeypatch):
    """A STATE that has waited ``_MAX_BATCH_SECONDS`` for its batch to fill is written and passed on
    while the source is still quiet (a rate-limited help desk), not when its next message comes."""
    monkeypatch.setattr(writer_module, "_MAX_BATCH_SECONDS", 0.3)
    config = lean_config(lite_uri, collection_name, chunk_size=2)
    feed = Feed(records_with_states("tickets", range(2)), pause_at=2)  # quiet after record 0 and STATE 0
    states = []

    with MilvusReader(lite_uri, collection_name) as reader:
        for message in write_messages(config, catalog(stream("tickets", "append_dedup")), feed):
            if message.type == Type.STATE:
                states.append(cursor_of(message))
                if len(states) == 1:
                    assert not feed.exhausted
                    assert reader.chunks_per_record().keys() == {"tickets_0"}
                feed.resume()

    assert states == [0, 1]
    assert not feed.timed_out
