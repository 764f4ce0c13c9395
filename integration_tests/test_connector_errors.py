"""Failed syncs end in one plain TRACE naming what to fix: stream, field or line, never record content."""

import pytest
from airbyte_cdk.models import FailureType

from testkit.runner import (
    MilvusReader,
    catalog_dict,
    lean_config,
    make_config,
    record,
    run_in_process,
    run_main,
    state,
    stream,
    ticket,
    to_line,
)
from testkit.servers import free_port

PRIVATE = "CONFIDENTIAL-card-4242"


def _lines(*data):
    return [*(to_line(record("tickets", d)) for d in data), to_line(state("tickets", 1))]


@pytest.mark.parametrize(
    ("config_change", "bad_record", "named"),
    [
        ({}, {"id": 2, "status": PRIVATE, "organization_id": 1}, ["'tickets'", "subject", "description"]),
        (
            {"embedding": {"mode": "from_field", "field_name": "embedding", "dimensions": 4}},
            {**ticket(2), "subject": PRIVATE, "embedding": [0.5, 0.5]},
            ["'tickets'", "'embedding'"],
        ),
        ({}, {**ticket(2), "organization_id": PRIVATE}, ["'tickets'", "'organization_id'", "INT64"]),
    ],
    ids=["no_text_field", "vector_of_wrong_length", "metadata_not_of_its_declared_type"],
)
def test_bad_record_fails_with_a_config_error_naming_stream_and_field(
    lite_uri, collection_name, tmp_path, config_change, bad_record, named
):
    config = {**make_config(lite_uri, collection_name), **config_change}
    good = {**ticket(1), "embedding": [0.5] * 4}
    out = run_in_process(
        "write", tmp_path, config=config, catalog=catalog_dict(stream("tickets")), lines=_lines(good, bad_record)
    )

    assert out.returncode == 1
    assert out.states == []
    [error] = out.errors
    assert error.failure_type == FailureType.config_error
    for name in named:
        assert name in error.message
    assert PRIVATE not in out.stdout


def test_malformed_input_line_is_named_by_number(lite_uri, collection_name, tmp_path):
    lines = [to_line(record("tickets", ticket(1))), to_line(state("tickets", 1)), "{'type': 'RECORD'", "{}"]
    out = run_in_process(
        "write",
        tmp_path,
        config=lean_config(lite_uri, collection_name),
        catalog=catalog_dict(stream("tickets")),
        lines=lines,
    )

    assert out.returncode == 1
    assert out.unparsed == []
    [error] = out.errors
    assert "line 3" in error.message
    assert error.failure_type == FailureType.config_error  # the source's fault, not ours
    with MilvusReader(lite_uri, collection_name) as reader:
        assert reader.count() == 0  # nothing past the bad line, and no STATE was acknowledged
    assert out.states == []


def test_unreachable_milvus_is_a_plain_trace_without_traceback(tmp_path):
    config = make_config(f"http://127.0.0.1:{free_port()}", "tickets")
    out = run_main("write", tmp_path, config=config, catalog=catalog_dict(stream("tickets")), lines=_lines(ticket(1)))

    assert out.returncode == 1
    [error] = out.errors
    assert error.failure_type in (FailureType.transient_error, FailureType.config_error)
    assert "indexing.host" in error.message
    assert "Traceback" not in out.stdout
    assert out.unparsed == []


def test_lite_folder_held_by_another_process_is_a_config_error_without_traceback(lite_uri, collection_name, tmp_path):
    with MilvusReader(lite_uri, collection_name):  # this test process now holds the folder's lock
        out = run_main(
            "write",
            tmp_path,
            config=lean_config(lite_uri, collection_name),
            catalog=catalog_dict(stream("tickets")),
            lines=_lines(ticket(1)),
        )

    assert out.returncode == 1
    [error] = out.errors
    assert error.failure_type == FailureType.config_error
    assert "one process per folder" in error.message
    assert "Traceback" not in out.stdout


def test_invalid_config_fails_write_with_a_config_error_naming_the_field(lite_uri, collection_name, tmp_path):
    config = lean_config(lite_uri, collection_name, chunk_size=10)
    config["processing"]["chunk_overlap"] = 10
    config["embedding"] = {"mode": "openai", "openai_key": "sk-write-secret-0123456789"}
    out = run_in_process(
        "write", tmp_path, config=config, catalog=catalog_dict(stream("tickets")), lines=_lines(ticket(1))
    )

    assert out.returncode == 1
    [error] = out.errors
    assert error.failure_type == FailureType.config_error
    assert "processing.chunk_overlap" in error.message
    assert "sk-write-secret" not in out.stdout
