"""Overwrite and refresh generations on Milvus Lite: old rows stay readable until the new sync is complete."""

import pytest
from airbyte_cdk.models import Type

from testkit.runner import (
    Feed,
    MilvusReader,
    catalog,
    catalog_dict,
    lean_config,
    record,
    records_with_states,
    run_in_process,
    stream,
    stream_status,
    ticket,
    to_line,
    write_all,
    write_messages,
)

OLD = {"tickets_100", "tickets_101"}
#: Records (of ~76 chunks at chunk_size 2) that fill three write batches: the writer then must pass on
#: the first batch's STATEs before the input ends.
BATCHES_3 = 45


def _old_sync(config, **generation):
    write_all(config, catalog(stream("tickets", **generation)), [record("tickets", ticket(i)) for i in (100, 101)])


def test_overwrite_keeps_old_rows_readable_while_the_sync_runs(lite_uri, collection_name):
    config = lean_config(lite_uri, collection_name, chunk_size=2)
    _old_sync(config)
    messages = records_with_states("tickets", range(BATCHES_3))
    feed = Feed(messages, pause_at=len(messages) // 2)
    sync = write_messages(config, catalog(stream("tickets", "overwrite")), feed)

    with MilvusReader(lite_uri, collection_name) as reader:
        next(m for m in sync if m.type == Type.STATE)  # the first batch of the new sync is written
        assert not feed.exhausted and not feed.timed_out  # ... while the source is quiet mid-sync
        during = set(reader.chunks_per_record())
        assert during >= OLD
        assert during - OLD  # new rows are already there too
        feed.resume()
        list(sync)
        assert set(reader.chunks_per_record()) == {f"tickets_{i}" for i in range(BATCHES_3)}


def _fail_after_records(messages):
    yield from messages
    raise RuntimeError("the source connection dropped")


@pytest.mark.parametrize("failure", ["malformed_line", "exception"])
def test_failed_overwrite_leaves_the_old_data(lite_uri, collection_name, tmp_path, failure):
    config = lean_config(lite_uri, collection_name)
    _old_sync(config)
    new = [record("tickets", ticket(i)) for i in (1, 2, 3)]
    overwrite = stream("tickets", "overwrite")

    if failure == "malformed_line":
        lines = [to_line(m) for m in new] + ['{"type": "RECORD", "record": ', to_line(record("tickets", ticket(4)))]
        out = run_in_process("write", tmp_path, config=config, catalog=catalog_dict(overwrite), lines=lines)
        assert out.returncode == 1
        assert "line 4" in out.errors[0].message
    else:
        with pytest.raises(RuntimeError):
            list(write_messages(config, catalog(overwrite), _fail_after_records(new)))

    with MilvusReader(lite_uri, collection_name) as reader:
        assert set(reader.chunks_per_record()) >= OLD


@pytest.mark.parametrize(("status", "old_kept"), [("INCOMPLETE", True), ("COMPLETE", False)])
def test_overwrite_commits_only_a_complete_stream(lite_uri, collection_name, status, old_kept):
    config = lean_config(lite_uri, collection_name)
    _old_sync(config)

    out = write_all(
        config,
        catalog(stream("tickets", "overwrite")),
        [stream_status("tickets", "STARTED"), record("tickets", ticket(1)), stream_status("tickets", status)],
    )

    with MilvusReader(lite_uri, collection_name) as reader:
        present = set(reader.chunks_per_record())
    assert "tickets_1" in present
    assert (present >= OLD) is old_kept
    assert any("did not complete" in line for line in out.logs) is old_kept


@pytest.mark.parametrize(
    ("mode", "generation_id", "minimum_generation_id", "old_kept"),
    [
        ("append", 2, 0, True),
        ("append", 2, 2, False),  # minimum == generation: a platform truncate refresh
        ("append_dedup", 2, 2, False),
        ("append_dedup", 1, 1, True),  # 1/1/1 (sync_id 1): PyAirbyte's every sync, not a refresh
        ("overwrite", 2, 2, False),
    ],
)
def test_generations_are_kept_or_truncated_as_the_platform_asks(
    lite_uri, collection_name, mode, generation_id, minimum_generation_id, old_kept
):
    config = lean_config(lite_uri, collection_name)
    _old_sync(config, generation_id=1, minimum_generation_id=0)

    configured = stream("tickets", mode, generation_id=generation_id, minimum_generation_id=minimum_generation_id)
    write_all(config, catalog(configured), [record("tickets", ticket(i)) for i in (1, 2)])

    with MilvusReader(lite_uri, collection_name) as reader:
        rows = reader.rows(fields=["_ab_record_id", "_ab_generation_id"])
    generations = {r["_ab_record_id"]: r["_ab_generation_id"] for r in rows}
    assert generations["tickets_1"] == generations["tickets_2"]
    # Platform generations mark the rows; PyAirbyte's constant 1/1/1 carries none, so the run does.
    assert (generations["tickets_1"] == generation_id) is (generation_id != 1)
    assert (set(generations) >= OLD) is old_kept


def test_a_retried_attempt_of_the_same_generation_replaces_the_failed_one(lite_uri, collection_name):
    config = lean_config(lite_uri, collection_name, chunk_size=2)
    _old_sync(config, generation_id=1, minimum_generation_id=1)
    refresh = catalog(stream("tickets", "append", generation_id=2, minimum_generation_id=2))

    with pytest.raises(RuntimeError):  # attempt 1 writes some batches, then fails
        list(write_messages(config, refresh, _fail_after_records(records_with_states("tickets", range(BATCHES_3)))))
    with MilvusReader(lite_uri, collection_name) as reader:
        first_attempt = set(reader.chunks_per_record()) - OLD
    assert first_attempt

    write_all(config, refresh, [record("tickets", ticket(i)) for i in (100, 200)])  # attempt 2 resumes, completes

    with MilvusReader(lite_uri, collection_name) as reader:
        # Generation 1 is gone; what attempt 1 of generation 2 wrote stays (the platform resumes, not restarts).
        assert set(reader.chunks_per_record()) == first_attempt | {"tickets_100", "tickets_200"}


def test_overwrite_of_a_stream_whose_name_cannot_enter_a_filter(lite_uri, collection_name):
    name = "Sheet1 (copy)"
    config = lean_config(lite_uri, collection_name)
    write_all(config, catalog(stream(name)), [record(name, ticket(i)) for i in (1, 2)])
    write_all(config, catalog(stream("tickets")), [record("tickets", ticket(9))])

    write_all(config, catalog(stream(name, "overwrite")), [record(name, ticket(3))])

    with MilvusReader(lite_uri, collection_name) as reader:
        assert set(reader.chunks_per_record()) == {f"{name}_3", "tickets_9"}


def test_a_pyairbyte_replace_keeps_only_the_last_run(lite_uri, collection_name):
    """PyAirbyte sends generation_id = minimum_generation_id = sync_id = 1 on every sync."""
    config = lean_config(lite_uri, collection_name)
    replace = catalog(stream("tickets", "overwrite", generation_id=1, minimum_generation_id=1))
    write_all(config, replace, [record("tickets", ticket(i)) for i in (1, 2, 3)])
    write_all(config, replace, [record("tickets", ticket(i)) for i in (2, 3)])

    with MilvusReader(lite_uri, collection_name) as reader:
        assert set(reader.chunks_per_record()) == {"tickets_2", "tickets_3"}
