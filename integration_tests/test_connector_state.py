"""STATE messages are passed on only once every record before them is in Milvus (Milvus Lite)."""

from airbyte_cdk.models import Type

from integration_tests.connector_runner import (
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
    feed = Feed(records_with_states("tickets", range(RECORDS)))
    snapshots = {}
    passed_on_mid_sync = 0

    with MilvusReader(lite_uri, collection_name) as reader:
        for message in write_messages(config, catalog(stream("tickets", "append_dedup")), feed):
            if message.type == Type.STATE:
                cursor = cursor_of(message)
                acknowledged = ", ".join(f'"tickets_{i}"' for i in range(cursor + 1))
                snapshots[cursor] = reader.count(f"_ab_record_id in [{acknowledged}]")
                passed_on_mid_sync += not feed.exhausted
        final = reader.chunks_per_record()

    assert list(snapshots) == list(range(RECORDS))  # every STATE, in order
    assert passed_on_mid_sync > 0
    for cursor, rows in snapshots.items():
        assert rows == sum(final[f"tickets_{i}"] for i in range(cursor + 1)), f"STATE {cursor} came too early"
