"""Embedding through the real ``openai`` client against the stub: batching, concurrency, retries, failures."""

import pytest
from airbyte_cdk.models import FailureType, Type

from destination_milvus_support.errors import to_traced_exception
from query_sdk.embedders import FakeEmbedder, OpenAIEmbedder
from testkit.runner import (
    MilvusReader,
    catalog,
    catalog_dict,
    cursor_of,
    lean_config,
    record,
    records_with_states,
    run_in_process,
    state,
    stream,
    stub_embedding,
    ticket,
    to_line,
    write_all,
    write_messages,
)


def _config(uri, collection, stub, **kwargs):
    return lean_config(uri, collection, embedding=stub_embedding(stub.base_url), **kwargs)


def _embedded_inputs(stub):
    return [len(r["payload"]["input"]) for r in stub.state.requests if r["failure"] is None]


def test_chunks_are_embedded_in_batched_requests(lite_uri, collection_name, openai_stub):
    config = _config(lite_uri, collection_name, openai_stub, chunk_size=6)
    write_all(config, catalog(stream("tickets")), [record("tickets", ticket(i, words=20)) for i in range(20)])

    with MilvusReader(lite_uri, collection_name) as reader:
        rows = reader.count()
    sizes = _embedded_inputs(openai_stub)
    assert sum(sizes) == rows
    assert max(sizes) > 1 and len(sizes) < rows


def test_a_large_batch_is_embedded_by_concurrent_requests(lite_uri, collection_name, openai_stub):
    openai_stub.state.latency = 0.2
    config = _config(lite_uri, collection_name, openai_stub, chunk_size=6)
    write_all(config, catalog(stream("tickets")), [record("tickets", ticket(i, words=45)) for i in range(14)])

    assert len(_embedded_inputs(openai_stub)) >= 2  # the 256-input limit splits the batch
    assert openai_stub.state.max_in_flight > 1


def test_openai_embedder_keeps_requests_in_flight_and_order(openai_stub):
    openai_stub.state.latency = 0.2
    texts = [f"ticket {i} printer jammed" for i in range(8)]
    with OpenAIEmbedder(
        api_key="k",
        model="text-embedding-3-small",
        dimensions=64,
        mode="openai_compatible",
        base_url=openai_stub.base_url,
        max_batch_inputs=2,
        concurrency=4,
    ) as embedder:
        vectors = embedder.embed(texts)

    expected = FakeEmbedder(64).embed_batch(texts)
    assert [v == pytest.approx(e) for v, e in zip(vectors, expected)] == [True] * len(texts)
    assert openai_stub.state.max_in_flight > 1
    assert len(openai_stub.state.requests) == 4


@pytest.mark.parametrize("failures", [[429], [500], [429, 500, 429]])
def test_rate_limits_and_server_errors_are_retried(lite_uri, collection_name, openai_stub, failures):
    openai_stub.state.failures.extend(failures)
    config = _config(lite_uri, collection_name, openai_stub)
    out = write_all(config, catalog(stream("tickets")), [record("tickets", ticket(1)), state("tickets", 1)])

    assert [cursor_of(s) for s in out.states] == [1]
    assert [r["failure"] for r in openai_stub.state.requests] == [*failures, None]
    with MilvusReader(lite_uri, collection_name) as reader:
        assert set(reader.chunks_per_record()) == {"tickets_1"}


@pytest.mark.slow  # waits out the client's retries (30 s)
@pytest.mark.parametrize("status", [500, 429])
def test_persistent_failure_stops_the_sync_after_the_last_durable_state(lite_uri, collection_name, openai_stub, status):
    openai_stub.state.retry_after = "0.01"  # honoured for 429; 500s back off exponentially
    config = _config(lite_uri, collection_name, openai_stub, chunk_size=6)
    # 64 chunks a record; batches are sized from an estimate (36-41 such records a batch), so the
    # service fails after the first batch is durable with several batches yet to embed.
    sync = write_messages(config, catalog(stream("tickets")), records_with_states("tickets", range(240), words=61))
    states = [cursor_of(next(m for m in sync if m.type == Type.STATE))]
    openai_stub.state.failures.extend([status] * 100)  # every later request fails, retries included

    with pytest.raises(Exception) as error:
        states += [cursor_of(m) for m in sync if m.type == Type.STATE]

    assert to_traced_exception(error.value).failure_type == FailureType.transient_error
    with MilvusReader(lite_uri, collection_name) as reader:
        present = set(reader.chunks_per_record())
    assert {f"tickets_{i}" for i in range(states[-1] + 1)} <= present
    assert "tickets_239" not in present


def test_embedding_service_that_keeps_failing_ends_the_sync_with_a_transient_trace(
    lite_uri, collection_name, openai_stub, tmp_path
):
    openai_stub.state.retry_after = "0.01"
    openai_stub.state.failures.extend([429] * 50)
    config = _config(lite_uri, collection_name, openai_stub)
    lines = [to_line(record("tickets", ticket(1))), to_line(state("tickets", 1))]

    out = run_in_process("write", tmp_path, config=config, catalog=catalog_dict(stream("tickets")), lines=lines)

    assert out.returncode == 1
    assert out.states == []
    [error] = out.errors
    assert error.failure_type == FailureType.transient_error
    assert "429" in error.message
