"""Embedding at the service's limit, through the real ``write`` entry point and ``openai`` client against the stub.

Base64 vectors (and the float fallback), a 429 storm that completes, a tokens-per-minute limit used
near its rate without being overrun, and a service that stays down failing transient and bounded.
"""

import time

import pytest
from airbyte_cdk.models import FailureType, Type

from destination_milvus_support.errors import to_traced_exception
from query_sdk.embedders import FakeEmbedder
from testkit.openai_stub import OpenAIStub
from testkit.runner import (
    MilvusReader,
    catalog,
    cursor_of,
    expected_chunk_counts,
    lean_config,
    record,
    records_with_states,
    stream,
    stub_embedding,
    ticket,
    write_all,
    write_messages,
)

#: 60 records of 64 chunks (chunk_size 6, 61 words): 3,840 chunks, 15 requests of 256 inputs.
RECORDS, WORDS, CHUNK_SIZE = 60, 61, 6
#: Batches are sized from an estimate (36-41 such records a batch): with 240 records the service
#: goes down after the first batch is durable and with several batches yet to embed.
DOWN_RECORDS = 240


def _sync(uri, collection, stub, messages):
    config = lean_config(uri, collection, embedding=stub_embedding(stub.base_url), chunk_size=CHUNK_SIZE)
    configured = catalog(stream("tickets"))
    return config, configured, write_all(config, configured, messages)


def _assert_complete(uri, collection, config, configured, messages, out, stub, records=RECORDS):
    """Every STATE passed on, every chunk stored once, every chunk embedded once."""
    assert cursor_of(out.states[-1]) == records - 1
    expected = expected_chunk_counts(config, configured, [m for m in messages if m.type == Type.RECORD])
    with MilvusReader(uri, collection) as reader:
        assert reader.chunks_per_record() == expected
    assert stub.state.inputs_embedded == sum(expected.values())


def test_vectors_are_asked_for_as_base64_and_stored_exactly(lite_uri, collection_name, openai_stub):
    text = "printer jammed on floor three"
    _sync(lite_uri, collection_name, openai_stub, [record("tickets", {"id": 1, "subject": text, "description": ""})])

    assert {r["payload"].get("encoding_format") for r in openai_stub.state.requests} == {"base64"}
    with MilvusReader(lite_uri, collection_name) as reader:
        rows = reader.rows(fields=["vector", "text"])
    assert rows
    for row in rows:
        assert row["vector"] == pytest.approx(FakeEmbedder(64).embed_batch([row["text"]])[0], abs=1e-6)


@pytest.mark.parametrize("support, formats", [("reject", {"base64", "float"}), ("ignore", {"base64"})])
def test_a_service_without_base64_still_gets_every_vector(lite_uri, collection_name, support, formats):
    messages = [record("tickets", ticket(i, words=20)) for i in range(RECORDS)]
    with OpenAIStub(dimensions=64, base64_support=support) as stub:
        config, configured, _ = _sync(lite_uri, collection_name, stub, messages)

    expected = expected_chunk_counts(config, configured, messages)
    with MilvusReader(lite_uri, collection_name) as reader:
        assert reader.chunks_per_record() == expected
    assert {r["payload"].get("encoding_format") for r in stub.state.requests} == formats
    if support == "reject":  # one refusal per request in flight at most, then floats only
        assert sum(r["payload"].get("encoding_format") == "base64" for r in stub.state.requests) <= 4


def test_a_storm_of_429s_on_every_other_request_completes(lite_uri, collection_name):
    messages = records_with_states("tickets", range(RECORDS), words=WORDS)
    with OpenAIStub(dimensions=64, storm_every=2, storm_retry_after=0.05) as stub:
        config, configured, out = _sync(lite_uri, collection_name, stub, messages)

    _assert_complete(lite_uri, collection_name, config, configured, messages, out, stub)
    served = sum(1 for r in stub.state.requests if r["failure"] is None) - stub.state.rate_limited
    assert stub.state.rate_limited >= served - 1  # half the requests were refused


def test_a_flapping_service_that_refuses_everything_half_the_time_completes(lite_uri, collection_name):
    # Down 1.5 s of every 3 s from the first request on, Retry-After 0.1 s: the client's six attempts
    # (about 0.6 s) alone do not span a down window.
    messages = records_with_states("tickets", range(RECORDS), words=WORDS)
    with OpenAIStub(dimensions=64, storm_period=3.0, storm_retry_after=0.1) as stub:
        config, configured, out = _sync(lite_uri, collection_name, stub, messages)

    _assert_complete(lite_uri, collection_name, config, configured, messages, out, stub)
    assert stub.state.rate_limited >= 6


def test_a_tokens_per_minute_limit_is_used_near_its_rate_without_being_overrun(lite_uri, collection_name):
    records = RECORDS // 2
    messages = records_with_states("tickets", range(records), words=WORDS)
    # About 11,500 tokens at 1,000 tokens/s out of a bucket of 6,000: about 6 s, paced by the headers
    # (slow enough that the sync is bound by the limit even on a loaded machine).
    with OpenAIStub(dimensions=64, tokens_per_minute=60_000, burst_seconds=6.0) as stub:
        config, configured, out = _sync(lite_uri, collection_name, stub, messages)

    _assert_complete(lite_uri, collection_name, config, configured, messages, out, stub, records)
    assert stub.state.token_utilisation() >= 0.6  # bench/embedding_rate.py measures the real number
    served = len(stub.state.requests) - stub.state.rate_limited
    assert stub.state.rate_limited <= served / 4  # paced, not retried into the limit


@pytest.mark.parametrize("status", [429, 503])
def test_a_service_that_stays_down_fails_transient_after_the_last_durable_state(lite_uri, collection_name, status):
    with OpenAIStub(dimensions=64, retry_after="0.01") as stub:
        config = lean_config(lite_uri, collection_name, embedding=stub_embedding(stub.base_url), chunk_size=CHUNK_SIZE)
        sync = write_messages(
            config, catalog(stream("tickets")), records_with_states("tickets", range(DOWN_RECORDS), words=WORDS)
        )
        states = [cursor_of(next(m for m in sync if m.type == Type.STATE))]
        stub.state.down = status
        started = time.monotonic()
        with pytest.raises(Exception) as error:
            states += [cursor_of(m) for m in sync if m.type == Type.STATE]
        failed_after = time.monotonic() - started

    assert to_traced_exception(error.value).failure_type == FailureType.transient_error
    assert failed_after < 300  # bounded: the client's retry schedule, not for ever
    with MilvusReader(lite_uri, collection_name) as reader:
        present = set(reader.chunks_per_record())
    assert {f"tickets_{i}" for i in range(states[-1] + 1)} <= present
    assert f"tickets_{DOWN_RECORDS - 1}" not in present
