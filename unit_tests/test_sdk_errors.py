import json
import logging
import os
import socket
import subprocess
import sys
from pathlib import Path

import grpc
import pytest
from pymilvus.exceptions import (
    ConnectionConfigException,
    DataTypeNotMatchException,
    MilvusException,
    MilvusUnavailableException,
    ParamError,
)

import query_sdk
from query_sdk import (
    CollectionNotFoundError,
    ConfigurationError,
    ContractMismatchError,
    InternalError,
    SupportSearch,
    SupportSearchError,
    TransientError,
    UnsafeFilterValueError,
)
from query_sdk.connection import connect_client, display_uri
from query_sdk.milvus_errors import GRPC_STATUS_CODES, MILVUS_ERROR_TABLE, milvus_call_error, translate_milvus_error

ALL_ERRORS = [
    SupportSearchError,
    ConfigurationError,
    TransientError,
    InternalError,
    ContractMismatchError,
    CollectionNotFoundError,
    UnsafeFilterValueError,
]


@pytest.mark.parametrize("kind", ALL_ERRORS, ids=lambda k: k.__name__)
def test_every_error_carries_a_message_and_guidance(kind):
    error = kind("The collection 'c' is missing.", guidance="Run a sync first.")
    assert isinstance(error, SupportSearchError)
    assert str(error) == "The collection 'c' is missing. Run a sync first."
    assert (error.message, error.guidance) == ("The collection 'c' is missing.", "Run a sync first.")
    assert str(kind("Only a fact.")) == "Only a fact."


def test_user_errors_are_configuration_errors():
    for kind in (ContractMismatchError, CollectionNotFoundError, UnsafeFilterValueError):
        assert issubclass(kind, ConfigurationError)


def test_every_error_is_exported():
    for kind in ALL_ERRORS:
        assert getattr(query_sdk, kind.__name__) is kind
        assert kind.__name__ in query_sdk.__all__


# One case per row of MILVUS_ERROR_TABLE (codes from milvus-io/milvus pkg/util/merr/errors.go), plus
# the rules before and after the table.
MILVUS_CASES = [
    (MilvusException(code=1, message="service not ready"), TransientError),
    (MilvusException(code=2, message="connect failed"), TransientError),
    (MilvusException(code=8, message="rate limit exceeded"), TransientError),
    (MilvusException(code=1807, message="request is rejected by limiter"), TransientError),
    (MilvusException(code=3, message="memory limit exceeded"), TransientError),
    (MilvusException(code=9, message="quota exceeded"), TransientError),
    (MilvusException(code=106, message="collection on recovering"), TransientError),
    (MilvusException(code=10001, message="timeout"), TransientError),
    (MilvusException(code=65535, message="unexpected error"), TransientError),
    (MilvusException(code=100, message="collection not found[collection=x]"), CollectionNotFoundError),
    (MilvusException(code=1600, message="alias not found"), CollectionNotFoundError),
    (MilvusException(code=800, message="database not found[database=x]"), ConfigurationError),
    (MilvusException(code=1400, message="not authenticated"), ConfigurationError),
    (MilvusException(code=1401, message="privilege not permitted"), ConfigurationError),
    (MilvusException(code=1800, message="user hasn't authenticated"), ConfigurationError),
    (MilvusException(code=102, message="exceeded the limit number of collections"), ConfigurationError),
    (MilvusException(code=3000, message="unsupported operation"), ConfigurationError),
    (MilvusException(code=1700, message="field not found"), ConfigurationError),
    (MilvusException(code=1100, message="invalid parameter"), InternalError),
    (MilvusException(code=1806, message="check the primary key"), InternalError),
    (MilvusException(code=4242, message="a code added after this table"), TransientError),
    (MilvusUnavailableException(message="server unavailable"), TransientError),
    (ConnectionConfigException(message="Open local milvus failed"), ConfigurationError),
    (ParamError(message="invalid input"), InternalError),
    (DataTypeNotMatchException(message="wrong type"), InternalError),
]


@pytest.mark.parametrize(("error", "expected"), MILVUS_CASES, ids=lambda v: str(getattr(v, "code", "")) or None)
def test_milvus_errors_are_translated_by_type_and_code(error, expected):
    translated = translate_milvus_error(error, where="http://h:19530")
    assert type(translated) is expected
    assert "\n" not in str(translated)
    assert "http://h:19530" in str(translated)


def test_every_row_of_the_table_has_a_test_case():
    tested = {getattr(error, "code", None) for error, _ in MILVUS_CASES}
    for row in MILVUS_ERROR_TABLE:
        assert row.codes & tested, f"no case for the row {sorted(row.codes)}"
        for case, expected in MILVUS_CASES:
            if getattr(case, "code", None) in row.codes and type(case) is MilvusException:
                assert issubclass(expected, row.family)


def test_65535_is_not_a_credentials_error():
    translated = translate_milvus_error(MilvusException(code=65535, message="x"), where="h")
    assert isinstance(translated, TransientError)
    assert "credentials" not in str(translated)


def test_the_server_text_is_never_quoted():
    error = MilvusException(code=1100, message="invalid value CONFIDENTIAL-4242 for field")
    assert "CONFIDENTIAL" not in str(translate_milvus_error(error, where="h"))


def test_codes_appear_in_one_row_only():
    codes = [code for row in MILVUS_ERROR_TABLE for code in row.codes]
    assert len(codes) == len(set(codes))


# -- gRPC statuses: what pymilvus lets through raw (a call's deadline, a refused login, a bad argument),
# or puts in a MilvusException's code when its retries run out

GRPC_CASES = [
    (grpc.StatusCode.DEADLINE_EXCEEDED, TransientError),
    (grpc.StatusCode.UNAVAILABLE, TransientError),
    (grpc.StatusCode.RESOURCE_EXHAUSTED, TransientError),
    (grpc.StatusCode.UNAUTHENTICATED, ConfigurationError),
    (grpc.StatusCode.PERMISSION_DENIED, ConfigurationError),
    (grpc.StatusCode.UNIMPLEMENTED, ConfigurationError),
    (grpc.StatusCode.INVALID_ARGUMENT, InternalError),
    (grpc.StatusCode.CANCELLED, TransientError),
    (grpc.StatusCode.UNKNOWN, TransientError),
]


@pytest.mark.parametrize(("status", "expected"), GRPC_CASES, ids=lambda v: getattr(v, "name", None))
def test_grpc_statuses_in_a_milvus_exception_are_read_as_the_milvus_code_of_the_same_meaning(status, expected):
    translated = translate_milvus_error(MilvusException(status, "Retry timeout: 60s, CONFIDENTIAL"), where="h:1")
    assert type(translated) is expected
    assert f"gRPC {status.name}" in str(translated) and "CONFIDENTIAL" not in str(translated)
    if status in GRPC_STATUS_CODES:
        assert issubclass(expected, next(r.family for r in MILVUS_ERROR_TABLE if GRPC_STATUS_CODES[status] in r.codes))


def _raw_grpc_error(port: int, deadline: float) -> grpc.RpcError:
    """What a real gRPC call raises against 127.0.0.1:``port`` within ``deadline`` seconds."""
    with grpc.insecure_channel(f"127.0.0.1:{port}") as channel:
        call = channel.unary_unary("/milvus.proto.milvus.MilvusService/GetVersion")
        with pytest.raises(grpc.RpcError) as raised:
            call(b"", timeout=deadline)
    return raised.value


def test_raw_grpc_errors_of_a_silent_or_closed_port_are_transient():
    with socket.socket() as silent:  # listening, never accepted or answered
        silent.bind(("127.0.0.1", 0))
        silent.listen(1)
        deadline = _raw_grpc_error(silent.getsockname()[1], 0.3)
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]  # bound, not listening: connections are refused
        refused = _raw_grpc_error(port, 5.0)

    assert deadline.code() == grpc.StatusCode.DEADLINE_EXCEEDED
    assert refused.code() == grpc.StatusCode.UNAVAILABLE
    for error in (deadline, refused, grpc.FutureTimeoutError()):
        assert type(translate_milvus_error(error, where="h:1")) is TransientError


def test_a_search_call_past_its_deadline_says_so_and_other_failures_keep_their_translation():
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(1)
        raw_deadline = _raw_grpc_error(silent.getsockname()[1], 0.3)
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        refused = _raw_grpc_error(closed.getsockname()[1], 5.0)
    deadlines = [
        raw_deadline,
        grpc.FutureTimeoutError(),
        MilvusException(grpc.StatusCode.DEADLINE_EXCEEDED, "Retry timeout: 2s, CONFIDENTIAL"),
        MilvusException(10001, "CONFIDENTIAL"),
    ]
    for error in deadlines:
        translated = milvus_call_error(error, where="collection 'c'", timeout=2.5)
        assert type(translated) is TransientError
        assert translated.message == "Milvus at collection 'c' did not answer within 2.5 s (the call's deadline)."
        assert "call_timeout" in str(translated) and "CONFIDENTIAL" not in str(translated)
    for error in (refused, MilvusException(100, "CONFIDENTIAL")):
        assert str(milvus_call_error(error, where="h:1", timeout=2.5)) == str(
            translate_milvus_error(error, where="h:1")
        )
    assert "did not answer" not in str(milvus_call_error(raw_deadline, where="h:1", timeout=None))


@pytest.mark.parametrize("seconds", [0, -1, float("nan"), float("inf"), True, "30"], ids=repr)
def test_a_call_timeout_that_is_not_a_positive_number_of_seconds_is_refused_before_connecting(seconds):
    with pytest.raises(ConfigurationError, match="call_timeout"):
        SupportSearch.connect(uri="http://127.0.0.1:1", collection="c", call_timeout=seconds)


# -- importing query_sdk changes nothing global -----------------------------------------------------

_IMPORT_PROBE = """
import importlib, json, logging, os, sys
before = dict(os.environ)
module = importlib.import_module(sys.argv[1])
levels = {n: logging.getLogger(n).level for n in ("pymilvus", "grpc", "milvus_lite")}
same_environ = dict(os.environ) == before
quiet = None
if sys.argv[1] == "query_sdk":
    module.quiet_milvus_logging()
    quiet = {n: logging.getLogger(n).level for n in levels}
print(json.dumps([levels, same_environ, quiet, os.environ.get("MILVUS_URI")]))
"""


def _probe(module: str, folder: Path, milvus_uri: str | None) -> list:
    env = {k: v for k, v in os.environ.items() if k not in ("MILVUS_URI", "GRPC_VERBOSITY")}
    env["PYTHONPATH"] = str(Path(__file__).resolve().parents[1])
    if milvus_uri:
        env["MILVUS_URI"] = milvus_uri
    done = subprocess.run(
        [sys.executable, "-c", _IMPORT_PROBE, module], cwd=folder, env=env, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(done.stdout)


@pytest.mark.parametrize("milvus_uri", [None, "./some/lite.db"], ids=["no_milvus_uri", "lite_path_milvus_uri"])
def test_importing_query_sdk_leaves_logging_and_environment_alone(tmp_path, milvus_uri):
    (tmp_path / ".env").write_text("FROM_DOTENV=1\n")  # pymilvus loads a .env file into os.environ
    plain_levels = _probe("pymilvus", tmp_path, None)[0]  # what importing pymilvus itself sets
    levels, same_environ, quiet, uri = _probe("query_sdk", tmp_path, milvus_uri)

    assert levels == plain_levels  # query_sdk's import forces no logger to another level
    assert logging.CRITICAL not in levels.values()
    assert same_environ  # no GRPC_VERBOSITY, no FROM_DOTENV, MILVUS_URI as it was
    assert uri == milvus_uri
    assert set(quiet.values()) == {logging.CRITICAL}  # the one documented call does it


@pytest.mark.parametrize(
    ("uri", "shown"),
    [
        ("https://admin:s3cret@milvus.example.com:19530/?token=abc", "https://milvus.example.com:19530/"),
        ("http://127.0.0.1:19530", "http://127.0.0.1:19530"),
        ("tcp://user@[::1]:19530", "tcp://[::1]:19530"),
        ("http://host:notaport", "the configured Milvus URI"),
        ("./support.db", "./support.db"),
    ],
)
def test_messages_show_a_server_uri_without_its_credentials(uri, shown):
    assert display_uri(uri) == shown


def test_a_refused_connection_names_the_server_but_not_the_password_in_its_uri():
    with socket.socket() as closed:  # a port nothing listens on
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
    with pytest.raises(SupportSearchError) as raised:
        connect_client(f"http://admin:s3cret@127.0.0.1:{port}", timeout=2.0)
    assert "s3cret" not in str(raised.value) and "admin" not in str(raised.value)
