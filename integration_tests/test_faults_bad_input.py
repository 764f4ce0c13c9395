"""The bad-input corpus: every malformed line, value, key, catalog or config ends in one plain TRACE.

Each case runs the real entry point (``DestinationMilvusSupport().run``) on a fresh Milvus Lite folder
with an OpenAI-compatible stub that requires an API key, and asserts: exit code 1, exactly one error
TRACE of the expected family, no traceback, neither the API key nor any record content in the
output. Records carry a marker string in every text and metadata field, so a message that quoted a
record would show it. The last tests run a few cases as real processes with stdin left open (the
source still sending), where an abort at exit (134) would show.
"""

from __future__ import annotations

import contextlib
import io
import json
import subprocess
import sys
from pathlib import Path
from typing import Any, Iterator

import orjson
import pytest
from airbyte_cdk.models import FailureType

from destination_milvus_support.destination import DestinationMilvusSupport
from destination_milvus_support.validation import MAX_JSON_DEPTH
from testkit.openai_stub import OpenAIStub
from testkit.runner import (
    REPO,
    MilvusReader,
    Output,
    catalog_dict,
    main_command,
    make_config,
    parse_output,
    run_main,
    stream,
    write_files,
)

SECRET = "sk-fault-secret-7c1e9a"
PRIVATE = "PRIVATE-body-4242"
CONFIG_ERROR, TRANSIENT, SYSTEM = FailureType.config_error, FailureType.transient_error, FailureType.system_error

PROPERTIES: dict[str, Any] = {
    "id": {"type": "integer"},
    "subject": {"type": ["null", "string"]},
    "description": {"type": ["null", "string"]},
    "status": {"type": ["null", "string"]},
    "organization_id": {"type": ["null", "integer"]},
    "score": {"type": ["null", "number"]},
    "vip": {"type": ["null", "boolean"]},
}
METADATA = ("status", "organization_id", "score", "vip")


@pytest.fixture(scope="module")
def stub() -> Iterator[OpenAIStub]:
    with OpenAIStub(dimensions=16, api_key=SECRET) as server:
        yield server


def _config(stub: OpenAIStub, lite: str, collection: str = "faults", **changes: Any) -> dict[str, Any]:
    embedding = {
        "mode": "openai_compatible",
        "api_key": SECRET,
        "base_url": stub.base_url,
        "model_name": "text-embedding-3-small",
        "dimensions": 16,
    }
    config = make_config(lite, collection, embedding=embedding, metadata_fields=METADATA, hybrid_search=False)
    for path, value in changes.items():
        *parents, last = path.split("__")
        node = config
        for part in parents:
            node = node[part]
        if value is _DELETE:
            node.pop(last, None)
        else:
            node[last] = value
    return config


_DELETE = object()


def _ticket(ticket_id: Any = 1, **fields: Any) -> dict[str, Any]:
    data = {
        "id": ticket_id,
        "subject": f"{PRIVATE} printer",
        "description": f"{PRIVATE} jams",
        "status": "open",
        "organization_id": 7,
        "score": 0.5,
        "vip": False,
    }
    data.update(fields)
    return {k: v for k, v in data.items() if v is not _DELETE}


def _record(data: Any, stream_name: str = "tickets") -> bytes:
    # json, not orjson: a source may send integers over 64 bits (orjson refuses to write them)
    if isinstance(data, _Deep):  # deeper than json.dumps goes: written by hand
        return f'{{"type":"RECORD","record":{{"stream":"{stream_name}","data":{data.text},"emitted_at":0}}}}'.encode()
    return json.dumps({"type": "RECORD", "record": {"stream": stream_name, "data": data, "emitted_at": 0}}).encode()


class _Deep:
    """A ticket whose description nests ``depth`` levels deep, as JSON text (json.dumps stops near 1,000)."""

    def __init__(self, depth: int) -> None:
        opening = "".join("[" if level % 2 else '{"part":' for level in range(depth))
        closing = "".join("]" if level % 2 else "}" for level in reversed(range(depth)))
        self.text = f'{{"id":2,"subject":"s","description":{opening}"printer jams"{closing}}}'


def _state(cursor: int) -> bytes:
    return orjson.dumps(
        {
            "type": "STATE",
            "state": {
                "type": "STREAM",
                "stream": {"stream_descriptor": {"name": "tickets"}, "stream_state": {"c": cursor}},
            },
        }
    )


GOOD = [_record(_ticket(1)), _state(1)]  # lines 1 and 2; a bad third line is named "line 3"


def _run(
    tmp_path: Path, config: Any, catalog: Any, stdin: bytes, *, raw_files: dict[str, bytes] | None = None
) -> Output:
    """``DestinationMilvusSupport().run(["write", ...])`` with ``stdin`` as raw bytes."""
    config_path, catalog_path = write_files(tmp_path, config if not isinstance(config, bytes) else None, catalog)
    for name, data in (raw_files or {}).items():
        (tmp_path / name).write_bytes(data)
    config_path = config_path or str(tmp_path / "config.json")
    catalog_path = catalog_path or str(tmp_path / "catalog.json")
    if isinstance(config, bytes):
        Path(config_path).write_bytes(config)
    old_stdin, stdout, code = sys.stdin, io.StringIO(), 0
    sys.stdin = io.TextIOWrapper(io.BytesIO(stdin), encoding="utf-8")
    try:
        with contextlib.redirect_stdout(stdout):
            DestinationMilvusSupport().run(["write", "--config", config_path, "--catalog", catalog_path])
    except SystemExit as exit_:
        code = int(exit_.code or 0)
    finally:
        sys.stdin = old_stdin
    messages, unparsed = parse_output(stdout.getvalue())
    return Output(messages, stdout.getvalue(), "", code, unparsed)


def _namespaced(name: str, namespace: str) -> dict[str, Any]:
    configured = stream(name, properties=PROPERTIES)
    configured["stream"]["namespace"] = namespace
    return configured


def _lines(*lines: bytes) -> bytes:
    return b"".join(line + b"\n" for line in lines)


# -- the corpus: (id, expected family, words the message must contain, how to build the run) -----------

Case = tuple[str, FailureType, tuple[str, ...], dict[str, Any]]


def _line_case(name: str, line: bytes, *words: str) -> Case:
    return (name, CONFIG_ERROR, ("line 3", *words), {"stdin": _lines(*GOOD, line)})


#: Every field of a record kept as metadata (those the catalog does not declare go to the dynamic field).
ALL_FIELDS: dict[str, Any] = {"processing__metadata_fields": []}


def _record_case(name: str, data: Any, *words: str, **config: Any) -> Case:
    return (name, CONFIG_ERROR, words, {"stdin": _lines(*GOOD, _record(data), _state(2)), "config": config})


def _config_case(name: str, *words: str, **config: Any) -> Case:
    return (name, CONFIG_ERROR, words, {"stdin": _lines(*GOOD), "config": config})


def _catalog_case(name: str, catalog: Any, *words: str, stdin: bytes | None = None) -> Case:
    return (name, CONFIG_ERROR, words, {"stdin": stdin or _lines(*GOOD), "catalog": catalog})


BASE_CATALOG = catalog_dict(stream("tickets", properties=PROPERTIES))
DEDUP_CATALOG = catalog_dict(stream("tickets", "append_dedup", properties=PROPERTIES))
COMPOSITE_CATALOG = catalog_dict(
    stream("tickets", "append_dedup", primary_key=(("id",), ("organization_id",)), properties=PROPERTIES)
)
NESTED_KEY_CATALOG = catalog_dict(
    stream("tickets", "append_dedup", primary_key=(("via", "id"),), properties=PROPERTIES)
)
PRIVATE_LINE = f'"{PRIVATE}"'.encode()

CASES: list[Case] = [
    # malformed lines
    _line_case(
        "invalid_utf8_in_string", b'{"type": "RECORD", "record": {"data": {"subject": "\xff\xfe\xc3("}}}', "UTF-8"
    ),
    _line_case("invalid_utf8_outside_string", b'{"type": "RECORD"\xff}', "UTF-8"),
    _line_case("overlong_utf8", b'{"a": "\xc0\xaf' + PRIVATE_LINE + b'"}', "UTF-8"),
    _line_case("truncated_utf8_at_end", b'{"a": ' + PRIVATE_LINE + b"\xe2\x82", "UTF-8"),
    _line_case("utf8_encoded_surrogate", b'{"a": "\xed\xa0\x80"}', "UTF-8"),
    _line_case("nul_byte_in_string", b'{"type": "RECORD", "record": {"data": {"subject": "a\x00b"}}}', "NUL"),
    _line_case("nul_byte_between_tokens", b'{"type":\x00 "RECORD"}', "NUL"),
    _line_case(
        "lone_high_surrogate",
        b'{"type": "RECORD", "record": {"stream": "tickets", "data": {"subject": "\\ud800"}}}',
        "surrogate",
    ),
    _line_case(
        "lone_low_surrogate",
        b'{"type": "RECORD", "record": {"stream": "tickets", "data": {"subject": "\\udc00"}}}',
        "surrogate",
    ),
    _line_case("reversed_surrogate_pair", b'{"a": "\\udc00\\ud800"}', "surrogate"),
    _line_case("truncated_json", b'{"type": "RECORD", "record": {"stream": "tic', "JSON"),
    _line_case("single_quotes", b"{'type': 'RECORD'}", "JSON"),
    _line_case("trailing_garbage", b'{"type": "STATE"} ' + PRIVATE.encode(), "JSON"),
    _line_case("nan_literal", b'{"type": "RECORD", "record": {"stream": "tickets", "data": {"score": NaN}}}', "JSON"),
    _line_case(
        "number_over_double", b'{"type": "RECORD", "record": {"stream": "tickets", "data": {"score": 1e400}}}', "JSON"
    ),
    _line_case("byte_order_mark", b"\xef\xbb\xbf" + _record(_ticket(3)), "JSON"),
    _line_case("json_array", b"[1, 2]", "Airbyte message"),
    _line_case("json_number", b"42", "Airbyte message"),
    _line_case("json_null", b"null", "Airbyte message"),
    _line_case("unknown_message_type", b'{"type": "NOPE"}', "Airbyte message"),
    _line_case("record_without_body", b'{"type": "RECORD"}', "RECORD message without"),
    _line_case(
        "record_without_stream", b'{"type": "RECORD", "record": {"data": {}, "emitted_at": 0}}', "Airbyte message"
    ),
    _line_case("record_data_a_string", _record(PRIVATE), "Airbyte message"),
    _line_case("state_not_an_object", b'{"type": "STATE", "state": 5}', "Airbyte message"),
    _line_case("huge_garbage_line", b"{" + b"x" * 3_000_000, "JSON"),
    # wrong types for every declared field kind (INT64, DOUBLE, BOOL) and out-of-range values
    _record_case("int64_over_2_pow_70", _ticket(2, organization_id=2**70), "'organization_id'", "INT64"),
    _record_case("int64_2_pow_64_minus_1", _ticket(2, organization_id=2**64 - 1), "'organization_id'", "INT64"),
    _record_case("int64_under_min", _ticket(2, organization_id=-(2**63) - 1), "'organization_id'", "INT64"),
    _record_case("int64_a_string", _ticket(2, organization_id=PRIVATE), "'organization_id'", "INT64"),
    _record_case("int64_a_fraction", _ticket(2, organization_id=1.5), "'organization_id'", "INT64"),
    _record_case("int64_a_boolean", _ticket(2, organization_id=True), "'organization_id'", "INT64"),
    _record_case("int64_a_list", _ticket(2, organization_id=[1]), "'organization_id'", "INT64"),
    _record_case("int64_an_object", _ticket(2, organization_id={"id": 1}), "'organization_id'", "INT64"),
    _record_case("double_a_string", _ticket(2, score=PRIVATE), "'score'", "DOUBLE"),
    _record_case("double_a_boolean", _ticket(2, score=True), "'score'", "DOUBLE"),
    _record_case("double_a_list", _ticket(2, score=[0.5]), "'score'", "DOUBLE"),
    _record_case("double_an_object", _ticket(2, score={"v": 1}), "'score'", "DOUBLE"),
    _record_case("double_infinite_string", _ticket(2, score="inf"), "'score'", "DOUBLE"),
    _record_case("bool_a_string", _ticket(2, vip="yes"), "'vip'", "BOOL"),
    _record_case("bool_a_number", _ticket(2, vip=1), "'vip'", "BOOL"),
    _record_case("bool_a_list", _ticket(2, vip=[True]), "'vip'", "BOOL"),
    _record_case("bool_an_object", _ticket(2, vip={"v": True}), "'vip'", "BOOL"),
    # integers wider than 64 bits bound for the dynamic (JSON) field (all fields kept, none declared):
    # refused, never stored rounded to a float
    *(
        _record_case(f"dynamic_{name}", _ticket(2, **{field: value}), f"'{field}'", "64 bits", **ALL_FIELDS)
        for name, field, value in (
            ("int_over_2_pow_70", "ext_id", 2**70),
            ("int_2_pow_63", "ext_id", 2**63),
            ("int_under_min", "ext_id", -(2**63) - 1),
            ("nested_wide_int", "via", {"source": {"from": {"id": -(2**70)}}}),
            ("wide_int_in_a_list", "collaborator_ids", [1, 2**64]),
        )
    ),
    # records that cannot be processed
    _record_case("no_text_field", _ticket(2, subject=_DELETE, description=_DELETE), "'tickets'", "text fields"),
    _record_case("empty_text_fields", _ticket(2, subject="", description=None), "'tickets'", "text fields"),
    _record_case(
        "configured_text_field_absent", _ticket(2), "'tickets'", "text fields", processing__text_fields=["body"]
    ),
    # reserved field names, configured or arriving in all-fields mode
    *(
        _config_case(
            f"reserved_metadata_{name}", f"'{name}'", "processing.metadata_fields", processing__metadata_fields=[name]
        )
        for name in ("pk", "_ab_stream", "_ab_record_id", "_ab_record_hash", "_ab_generation_id", "text", "vector")
    ),
    _config_case(
        "reserved_metadata_text_sparse",
        "'text_sparse'",
        processing__metadata_fields=["text_sparse"],
        indexing__hybrid_search=True,
    ),
    _config_case(
        "mapping_onto_a_reserved_name",
        "'vector'",
        processing__metadata_fields=["status"],
        processing__field_name_mappings=[{"from_field": "status", "to_field": "vector"}],
    ),
    _record_case(
        "reserved_name_in_all_fields_mode", _ticket(2, pk="x"), "'pk'", "'tickets'", processing__metadata_fields=[]
    ),
    _record_case(
        "reserved_ab_field_in_all_fields_mode",
        _ticket(2, _ab_record_hash="x"),
        "'_ab_record_hash'",
        processing__metadata_fields=[],
    ),
    # primary keys
    (
        "pk_missing",
        CONFIG_ERROR,
        ("'tickets'", "'id'"),
        {"stdin": _lines(*GOOD, _record(_ticket(_DELETE))), "catalog": DEDUP_CATALOG},
    ),
    (
        "pk_null",
        CONFIG_ERROR,
        ("'tickets'", "'id'"),
        {"stdin": _lines(*GOOD, _record(_ticket(None))), "catalog": DEDUP_CATALOG},
    ),
    (
        "composite_pk_part_missing",
        CONFIG_ERROR,
        ("'organization_id'",),
        {"stdin": _lines(_record(_ticket(1, organization_id=None))), "catalog": COMPOSITE_CATALOG},
    ),
    (
        "nested_pk_missing",
        CONFIG_ERROR,
        ("'via.id'",),
        {"stdin": _lines(_record(_ticket(1))), "catalog": NESTED_KEY_CATALOG},
    ),
    # bad catalogs
    _catalog_case(
        "catalog_record_for_unknown_stream",
        BASE_CATALOG,
        "'macros'",
        stdin=_lines(*GOOD, _record(_ticket(2), "macros")),
    ),
    _catalog_case("catalog_without_streams", {"streams": []}, "'tickets'"),
    # namespace and name are joined by "_" in _ab_stream (the official form): these pairs would share rows
    _catalog_case(
        "catalog_streams_that_share_an_ab_stream",
        catalog_dict(
            _namespaced("eu_orders", "sales"),
            _namespaced("orders", "sales_eu"),
        ),
        "'sales.eu_orders'",
        "'sales_eu.orders'",
        "'sales_eu_orders'",
        stdin=b"",
    ),
    _catalog_case(
        "catalog_namespaced_stream_and_prefixed_stream_collide",
        catalog_dict(
            _namespaced("tickets", "acme"),
            stream("acme_tickets", properties=PROPERTIES),
        ),
        "'acme.tickets'",
        "'acme_tickets'",
        stdin=b"",
    ),
    _catalog_case("catalog_not_a_catalog", {"streams": [{"stream": {"name": "tickets"}}]}, "catalog"),
    _catalog_case("catalog_a_list", [1, 2], "catalog"),
    _catalog_case(
        "catalog_unknown_sync_mode",
        {"streams": [{**stream("tickets", properties=PROPERTIES), "destination_sync_mode": "upsert_all"}]},
        "catalog",
    ),
    ("catalog_not_json", CONFIG_ERROR, ("catalog", "JSON"), {"stdin": _lines(*GOOD), "raw_catalog": b"{not json"}),
    # bad configs
    (
        "config_not_json",
        CONFIG_ERROR,
        ("config", "JSON"),
        {"stdin": _lines(*GOOD), "config_bytes": b"{" + SECRET.encode()},
    ),
    _config_case("config_chunk_size_negative", "processing.chunk_size", processing__chunk_size=-5),
    _config_case("config_overlap_over_size", "processing.chunk_overlap", processing__chunk_overlap=500),
    _config_case("config_text_fields_not_a_list", "processing.text_fields", processing__text_fields=5),
    _config_case("config_unknown_embedding_mode", "embedding", embedding__mode="quantum"),
    _config_case("config_without_embedding", "embedding", embedding=_DELETE),
    _config_case("config_without_indexing", "indexing", indexing=_DELETE),
    _config_case("config_dimensions_zero", "embedding", embedding__dimensions=0),
    _config_case("config_collection_name_invalid", "indexing.collection", indexing__collection="bad name!"),
    _config_case("config_lite_folder_parent_missing", "folder", indexing__host="/nonexistent/deeper/milvus.db"),
    (
        "embedding_key_rejected",
        CONFIG_ERROR,
        ("embedding",),
        {"stdin": _lines(*GOOD), "config": {"embedding__api_key": SECRET + "-wrong"}},
    ),
]


def test_the_corpus_has_at_least_60_cases():
    assert len(CASES) >= 60
    assert len({case[0] for case in CASES}) == len(CASES)


@pytest.mark.parametrize(("name", "family", "words", "run"), CASES, ids=[c[0] for c in CASES])
def test_bad_input_ends_in_one_plain_trace(stub, tmp_path, name, family, words, run):
    lite = str(tmp_path / "milvus.db")
    config: Any = _config(stub, lite, **run.get("config", {}))
    if "config_bytes" in run:
        config = run["config_bytes"]
    catalog = run.get("catalog", BASE_CATALOG)
    raw = {"catalog.json": run["raw_catalog"]} if "raw_catalog" in run else None
    out = _run(tmp_path, config, None if raw else catalog, run["stdin"], raw_files=raw)

    assert out.returncode == 1, out.stdout[-1500:]
    assert out.unparsed == []
    [error] = out.errors
    assert error.failure_type == family, error.message
    for word in words:
        assert word in error.message, error.message
    assert "Traceback" not in out.stdout
    assert SECRET not in out.stdout
    assert PRIVATE not in out.stdout
    if name.startswith("reserved_metadata_") and name != "reserved_metadata_text_sparse":
        assert not Path(lite).exists()  # refused before connecting (BM25's field needs the server's answer)
    if name.startswith("catalog_streams_") or name.endswith("_collide"):
        assert not Path(lite).exists()  # refused before the collection is created from the catalog


def _nested(depth: int) -> Any:
    """A value nested ``depth`` levels deep, lists and objects in turn (the input parser allows 1,024)."""
    value: Any = "printer jams"
    for level in range(depth):
        value = [value] if level % 2 else {"part": value}
    return value


def _assert_kept(lite: str, expected: int) -> None:
    with MilvusReader(lite, "faults") as reader:
        assert len(reader.chunks_per_record()) == expected


@pytest.mark.parametrize(
    ("name", "data", "catalog"),
    [
        ("pk_over_4096_characters", _ticket("k" * 5000), DEDUP_CATALOG),
        ("pk_over_4096_bytes_of_utf8", _ticket("é" * 2100), DEDUP_CATALOG),
        ("composite_pk", _ticket(2, organization_id=9), COMPOSITE_CATALOG),
        ("varchar_over_64k", _ticket(2, status="s" * 100_000), BASE_CATALOG),
        ("varchar_given_a_list", _ticket(2, status=["open", 1]), BASE_CATALOG),
        ("int64_at_max", _ticket(2, organization_id=2**63 - 1), BASE_CATALOG),
        ("escaped_nul_in_text", _ticket(2, subject="a\u0000b"), BASE_CATALOG),
        ("big_text", _ticket(2, description="word " * 20_000), BASE_CATALOG),
        ("text_nested_300_deep", _ticket(2, description=_nested(300)), BASE_CATALOG),
        ("text_nested_1000_deep", _Deep(1000), BASE_CATALOG),
        ("metadata_nested_300_deep", _ticket(2, status=_nested(300)), BASE_CATALOG),
    ],
    ids=lambda v: v if isinstance(v, str) else "",
)
def test_odd_but_valid_records_are_stored(stub, tmp_path, name, data, catalog):
    lite = str(tmp_path / "milvus.db")
    out = _run(tmp_path, _config(stub, lite, processing__chunk_size=2000), catalog, _lines(_record(data), _state(1)))
    assert out.returncode == 0, out.stdout[-1500:]
    assert len(out.states) == 1
    _assert_kept(lite, 1)


def test_a_metadata_string_cut_to_the_varchar_limit_is_warned_about_once_without_its_content(stub, tmp_path):
    lite = str(tmp_path / "milvus.db")
    tickets = [_record(_ticket(n, status="s" * 100_000)) for n in (1, 2, 3)]
    # A child process: the connector's own log lines reach its stdout (in-process, pytest holds the handler).
    out = run_main(
        "write",
        tmp_path,
        config=_config(stub, lite, processing__chunk_size=2000),
        catalog=BASE_CATALOG,
        lines=_lines(*tickets, _state(1)).decode().splitlines(),
    )
    assert out.returncode == 0, out.stdout[-1500:]
    cut = [line for line in out.logs if "VARCHAR limit" in line]
    assert len(cut) == 1, out.logs
    assert "'status'" in cut[0] and "tickets" in cut[0]
    assert "sss" not in out.stdout
    with MilvusReader(lite, "faults") as reader:
        stored = [row["status"] for row in reader.rows(fields=["status"])]
    assert [len(value) for value in stored] == [65_535] * 3


# -- as real processes, with stdin left open: a clean exit 1, never an abort (134) --------------------

PROCESS_CASES = [
    ("unknown_stream", _record(_ticket(2), "macros"), "'macros'"),
    ("missing_text_fields", _record(_ticket(2, subject=_DELETE, description=_DELETE)), "text fields"),
    ("primary_key_missing", _record(_ticket(_DELETE)), "'id'"),
    ("invalid_utf8", b'{"type": "RECORD", "record": {"data": {"subject": "\xff\xfe\xc3("}}}', "UTF-8"),
]


def test_failing_processes_exit_1_with_their_trace_and_never_abort(stub, tmp_path):
    children = []
    for name, line, _ in PROCESS_CASES:
        folder = tmp_path / name
        folder.mkdir()
        config_path, catalog_path = write_files(folder, _config(stub, str(folder / "milvus.db")), DEDUP_CATALOG)
        child = subprocess.Popen(
            main_command("write", config_path, catalog_path),
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            cwd=REPO,
        )
        assert child.stdin is not None
        child.stdin.write(_lines(*GOOD, line))
        child.stdin.flush()  # stdin stays open: the source has more to send
        children.append(child)
    for (name, _, word), child in zip(PROCESS_CASES, children):
        assert child.stdout is not None and child.stderr is not None and child.stdin is not None
        stdout, stderr = child.stdout.read(), child.stderr.read()  # both end when the process exits
        code = child.wait(timeout=300)
        child.stdin.close()
        assert code == 1, (name, code, stderr.decode(errors="replace")[-800:])
        [error] = Output(parse_output(stdout.decode())[0]).errors
        assert error.failure_type == CONFIG_ERROR and word in error.message, (name, error.message)
        assert b"Traceback" not in stdout + stderr and b"Fatal Python error" not in stderr
        assert SECRET.encode() not in stdout + stderr and PRIVATE.encode() not in stdout


def test_a_wide_integer_in_a_text_field_is_kept_exact(stub, tmp_path):
    """orjson reads integers beyond 64 bits as rounded floats; such lines are parsed exactly instead."""
    lite = str(tmp_path / "milvus.db")
    config = _config(stub, lite, processing__text_fields=["subject", "ext_id"], processing__chunk_size=2000)
    out = _run(tmp_path, config, BASE_CATALOG, _lines(_record(_ticket(1, ext_id=2**70)), _state(1)))

    assert out.returncode == 0, out.stdout[-1500:]
    with MilvusReader(lite, "faults") as reader:
        [row] = reader.rows(fields=["text"])
    assert str(2**70) in row["text"]


def test_wide_integers_outside_the_dynamic_field_are_kept_or_ignored(stub, tmp_path):
    """In a declared VARCHAR field: stored as exact text; in a field not kept: ignored; in a STATE: passed on exact."""
    lite = str(tmp_path / "milvus.db")
    state = json.dumps(
        {
            "type": "STATE",
            "state": {
                "type": "STREAM",
                "stream": {"stream_descriptor": {"name": "tickets"}, "stream_state": {"c": 2**70}},
            },
        }
    ).encode()
    records = [_record(_ticket(1, status=2**70)), _record(_ticket(2, ignored_id=2**70))]
    out = _run(tmp_path, _config(stub, lite, processing__chunk_size=2000), BASE_CATALOG, _lines(*records, state))

    assert out.returncode == 0, out.stdout[-1500:]
    [passed] = out.states
    assert passed.state.stream.stream_state.c == 2**70
    with MilvusReader(lite, "faults") as reader:
        statuses = {row["_ab_record_id"]: row["status"] for row in reader.rows(fields=["_ab_record_id", "status"])}
    assert sorted(statuses.values(), key=str) == [str(2**70), "open"]


@pytest.mark.parametrize("depth", [300, 1000])
def test_a_deeply_nested_value_outside_the_schema_is_stored_or_named(stub, tmp_path, depth):
    """An undeclared metadata field goes to the dynamic (JSON) field: 300 levels are stored, past 512 it is named."""
    lite = str(tmp_path / "milvus.db")
    config = _config(stub, lite, processing__chunk_size=2000, processing__metadata_fields=[*METADATA, "note"])
    line = _record(_ticket(2, note=_nested(depth))) if depth < 900 else _deep_note(depth)
    out = _run(tmp_path, config, BASE_CATALOG, _lines(line, _state(1)))
    if depth <= MAX_JSON_DEPTH:
        assert out.returncode == 0 and len(out.states) == 1, out.stdout[-1500:]
        _assert_kept(lite, 1)
    else:
        assert len(out.errors) == 1 and out.errors[0].failure_type == CONFIG_ERROR, out.stdout[-1500:]
        assert "'note'" in out.errors[0].message and "512 levels" in out.errors[0].message
        assert PRIVATE not in out.stdout


def _deep_note(depth: int) -> bytes:
    text = (
        _Deep(depth)
        .text.replace('"description":', '"note":')
        .replace('"subject":"s"', '"subject":"s","description":"d"')
    )
    return f'{{"type":"RECORD","record":{{"stream":"tickets","data":{text},"emitted_at":0}}}}'.encode()
