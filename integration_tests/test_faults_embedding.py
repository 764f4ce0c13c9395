"""The embedding service fails in the middle of a sync: refused for good, or hanging.

Through a real ``python main.py write`` process and the real ``openai`` client against the stub:
an outage ends the sync with one transient_error TRACE and no STATE past what is stored, and the
sync the platform runs next, from the last STATE, completes with nothing doubled and without
embedding the acknowledged records again. A request that hangs is abandoned at the client's
timeout and sent again. (test_connector_embeddings.py and test_connector_embedding_rate.py cover
rate limits, storms and outages of the in-process write.)
"""

from __future__ import annotations

import pytest
from airbyte_cdk.models import FailureType, Type

from testkit.faults import RunningWrite, records_after
from testkit.openai_stub import OpenAIStub
from testkit.runner import (
    MilvusReader,
    catalog,
    catalog_dict,
    cursor_of,
    expected_chunk_counts,
    lean_config,
    main_command,
    records_with_states,
    run_in_process,
    stream,
    stub_embedding,
    to_line,
    write_all,
    write_files,
)

KEY = "sk-embedding-outage-5f3a"
RECORDS = 40
#: The STATE after which the service goes down (151 chunks a record at chunk_size 8: batches of 7 records).
DOWN_AFTER = 13


# 429 with a short Retry-After: the client gives up within seconds. A 503 takes the same path after the
# client's longer backoff (about a minute); test_connector_embedding_rate.py runs it in-process.
@pytest.mark.parametrize("status", [429])
def test_an_embedding_outage_ends_transient_after_the_stored_records_and_the_resume_completes(
    lite_uri, collection_name, tmp_path, status
):
    with OpenAIStub(dimensions=64, api_key=KEY, retry_after="0.01") as stub:
        config = lean_config(
            lite_uri, collection_name, embedding=stub_embedding(stub.base_url, api_key=KEY), chunk_size=8
        )
        configured = stream("tickets", "append_dedup")
        messages = records_with_states("tickets", range(RECORDS))
        expected = expected_chunk_counts(config, catalog(configured), [m for m in messages if m.type == Type.RECORD])
        config_path, catalog_path = write_files(tmp_path, config, catalog_dict(configured))

        run = RunningWrite(main_command("write", config_path, catalog_path))
        run.send(messages)
        run.wait_until(lambda: max(run.cursors(), default=-1) >= DOWN_AFTER)
        stub.state.down = status
        run.send([], close=True)
        out = run.finish(timeout=600)

        assert out.returncode == 1
        [error] = out.errors
        assert error.failure_type == FailureType.transient_error
        assert str(status) in error.message
        assert "Traceback" not in out.stdout + out.stderr and KEY not in out.stdout + out.stderr
        last = cursor_of(out.states[-1])
        assert DOWN_AFTER <= last < RECORDS - 1
        with MilvusReader(lite_uri, collection_name) as reader:
            stored = reader.chunks_per_record()
        assert {f"tickets_{i}": stored.get(f"tickets_{i}") for i in range(last + 1)} == {
            f"tickets_{i}": expected[f"tickets_{i}"] for i in range(last + 1)
        }

        stub.state.down = 0
        embedded_before = stub.state.inputs_embedded
        rest = records_after(messages, last)
        resumed = run_in_process(
            "write", tmp_path, config=config, catalog=catalog_dict(configured), lines=[to_line(m) for m in rest]
        )

        assert resumed.returncode == 0, resumed.stdout[-2000:]
        assert cursor_of(resumed.states[-1]) == RECORDS - 1
        with MilvusReader(lite_uri, collection_name) as reader:
            assert reader.chunks_per_record() == expected
        resent = expected_chunk_counts(config, catalog(configured), [m for m in rest if m.type == Type.RECORD])
        assert stub.state.inputs_embedded - embedded_before <= sum(resent.values())  # acknowledged: not again


def test_an_embedding_request_that_hangs_is_abandoned_at_the_client_timeout_and_sent_again(lite_uri, collection_name):
    # One request hangs longer than the client's 30 s timeout; the client gives up on it and retries.
    with OpenAIStub(dimensions=64, stall_next=1, stall_seconds=45.0) as stub:
        config = lean_config(lite_uri, collection_name, embedding=stub_embedding(stub.base_url))
        configured = catalog(stream("tickets", "append_dedup"))
        messages = records_with_states("tickets", range(3), words=5)
        out = write_all(config, configured, messages)

    assert [cursor_of(s) for s in out.states] == [0, 1, 2]
    assert stub.state.stalled == 1
    assert len(stub.state.requests) >= 2  # the hung request, then its retry
    with MilvusReader(lite_uri, collection_name) as reader:
        assert reader.chunks_per_record() == expected_chunk_counts(
            config, configured, [m for m in messages if m.type == Type.RECORD]
        )


def test_a_service_that_returns_fewer_vectors_than_texts_ends_transient_with_no_state(
    lite_uri, collection_name, tmp_path
):
    """Vectors missing from an answer cannot be matched to their texts: nothing of the batch is stored."""
    with OpenAIStub(dimensions=64, api_key=KEY, short_by=1) as stub:
        config = lean_config(lite_uri, collection_name, embedding=stub_embedding(stub.base_url, api_key=KEY))
        lines = [to_line(m) for m in records_with_states("tickets", range(5))]
        out = run_in_process(
            "write", tmp_path, config=config, catalog=catalog_dict(stream("tickets", "append_dedup")), lines=lines
        )

    [error] = out.errors
    assert error.failure_type == FailureType.transient_error
    assert "returned" in error.message and "vectors for" in error.message, error.message
    assert out.states == []
    assert KEY not in out.stdout and "Traceback" not in out.stdout
    with MilvusReader(lite_uri, collection_name) as reader:
        assert reader.chunks_per_record() == {}
