"""The one mapping from errors to Airbyte failure types: by family, type and status, with plain messages."""

import re

import grpc
import httpx
import openai
import pytest
from airbyte_cdk.models import FailureType
from pymilvus import DataType
from pymilvus.exceptions import ConnectionConfigException, MilvusException, MilvusUnavailableException

from destination_milvus_support.errors import (
    ConnectorConfigError,
    RecordError,
    to_traced_exception,
)
from destination_milvus_support.milvus.schema import BOOKKEEPING_FIELDS
from destination_milvus_support.validation import (
    check_metadata_fields,
    check_metadata_names,
    fit_declared_value,
    fit_record_id,
    reserved_field_names,
)
from query_sdk import errors as sdk_errors
from query_sdk.contract import CollectionContract, EmbeddingSpec


def _openai(cls, status):
    response = httpx.Response(status, request=httpx.Request("POST", "http://127.0.0.1/v1/embeddings"))
    return cls("upstream said: secret-bearing text", response=response, body=None)


@pytest.mark.parametrize(
    ("error", "failure"),
    [
        (ConnectorConfigError("Set indexing.collection."), FailureType.config_error),
        (RecordError("A record of stream 's' has no text."), FailureType.config_error),
        (sdk_errors.TransientError("Milvus is busy."), FailureType.transient_error),
        (sdk_errors.InternalError("Input line 3 is not valid JSON."), FailureType.system_error),
        (MilvusException(code=1800, message="auth"), FailureType.config_error),
        (MilvusUnavailableException(code=2, message="down"), FailureType.transient_error),
        (ConnectionConfigException(message="Open local milvus failed"), FailureType.config_error),
        (MilvusException(code=65535, message="unexpected"), FailureType.transient_error),
        (MilvusException(code=65534, message="odd"), FailureType.transient_error),
        (MilvusException(code=800, message="database not found"), FailureType.config_error),
        (MilvusException(code=1100, message="invalid parameter"), FailureType.system_error),
        (MilvusException(grpc.StatusCode.DEADLINE_EXCEEDED, "Retry timeout: 60s"), FailureType.transient_error),
        (grpc.FutureTimeoutError(), FailureType.transient_error),
        (_openai(openai.AuthenticationError, 401), FailureType.config_error),
        (_openai(openai.RateLimitError, 429), FailureType.transient_error),
        (_openai(openai.InternalServerError, 500), FailureType.transient_error),
        (_openai(openai.BadRequestError, 400), FailureType.config_error),
        (KeyError("pk"), FailureType.system_error),
    ],
    ids=lambda value: type(value).__name__ if isinstance(value, BaseException) else str(value),
)
def test_errors_map_to_failure_type_by_family(error, failure):
    traced = to_traced_exception(error)
    assert traced.failure_type == failure
    assert traced.message
    assert "secret-bearing" not in traced.message
    assert "Traceback" not in traced.message


def test_unexpected_errors_say_report_it_without_their_text():
    traced = to_traced_exception(ValueError("record body: CONFIDENTIAL"))
    assert "CONFIDENTIAL" not in traced.message
    assert "ValueError" in traced.message


# -- validation before any write ---------------------------------------------------------------------

RESERVED = reserved_field_names(
    CollectionContract(embedding=EmbeddingSpec(mode="fake", model="fake", dimensions=4), sparse_field="text_sparse")
)


@pytest.mark.parametrize(
    ("value", "kind"),
    [
        (2**70, DataType.INT64),
        (-(2**63) - 1, DataType.INT64),
        (float("inf"), DataType.INT64),
        (1.5, DataType.INT64),
        (True, DataType.INT64),
        ("CONFIDENTIAL", DataType.INT64),
        ([1], DataType.INT64),
        ({"a": 1}, DataType.INT64),
        ("CONFIDENTIAL", DataType.DOUBLE),
        (10**400, DataType.DOUBLE),
        ("nan", DataType.DOUBLE),
        (True, DataType.DOUBLE),
        ([1.0], DataType.DOUBLE),
        ("true", DataType.BOOL),
        (1, DataType.BOOL),
        ([True], DataType.BOOL),
    ],
    ids=lambda v: repr(v)[:20],
)
def test_a_value_that_does_not_fit_its_declared_field_is_a_record_error_naming_it(value, kind):
    with pytest.raises(RecordError) as raised:
        fit_declared_value(value, kind, stream="tickets", field="organization_id")
    assert "'tickets'" in str(raised.value) and "'organization_id'" in str(raised.value)
    assert "CONFIDENTIAL" not in str(raised.value)
    assert to_traced_exception(raised.value).failure_type == FailureType.config_error


@pytest.mark.parametrize(
    ("value", "kind", "stored"),
    [
        (2**63 - 1, DataType.INT64, 2**63 - 1),
        (-(2**63), DataType.INT64, -(2**63)),
        (42.0, DataType.INT64, 42),
        ("7", DataType.INT64, 7),
        (1, DataType.DOUBLE, 1.0),
        ("2.5", DataType.DOUBLE, 2.5),
        (False, DataType.BOOL, False),
        ({"a": [1]}, DataType.VARCHAR, '{"a":[1]}'),
        ("é" * 40_000, DataType.VARCHAR, "é" * 32_767),
        (None, DataType.INT64, None),
    ],
    ids=lambda v: repr(v)[:20],
)
def test_values_that_fit_are_stored(value, kind, stored):
    assert fit_declared_value(value, kind, stream="s", field="f") == stored


def test_every_field_the_schema_reserves_is_refused_as_metadata():
    for name in ("pk", "_ab_stream", "_ab_record_id", "_ab_generation_id", "text", "vector", *BOOKKEEPING_FIELDS):
        assert name in RESERVED
    assert {"_ab_record_hash", "_ab_chunk_hash", "_ab_record_digest"} <= RESERVED
    assert "text_sparse" in RESERVED
    for name in sorted(RESERVED):
        with pytest.raises(RecordError, match=re.escape(f"'{name}'")):
            check_metadata_names("tickets", {"status": "open", name: 1}, RESERVED)
        with pytest.raises(ConnectorConfigError, match=r"processing\.metadata_fields"):
            check_metadata_fields([name], {}, RESERVED)
    check_metadata_names("tickets", {"status": "open", "_ab_source_file_url": "x"}, RESERVED)  # other _ab_ pass


def test_a_mapping_onto_a_reserved_name_is_refused_and_a_mapping_away_is_accepted():
    with pytest.raises(ConnectorConfigError, match="'text_sparse'"):
        check_metadata_fields(["kind"], {"kind": "text_sparse"}, RESERVED)
    check_metadata_fields(["text_sparse"], {"text_sparse": "sparse_label"}, RESERVED)


def test_a_record_id_over_4096_bytes_is_kept_as_a_stable_digest():
    long_id = "tickets_" + "k" * 5000
    fitted = fit_record_id(long_id)
    assert fitted == fit_record_id(long_id) and fitted.startswith("sha256:") and len(fitted) < 100
    assert fit_record_id("tickets_" + "é" * 2100) != "tickets_" + "é" * 2100  # 2,108 characters, 4,208 bytes
    assert fit_record_id("tickets_42") == "tickets_42"
    assert fit_record_id("tickets_" + "k" * 4088) == "tickets_" + "k" * 4088  # exactly 4,096 bytes


def test_an_integer_beyond_64_bits_read_as_a_rounded_float_is_refused():
    rounded = float(-(2**63) - 1)  # what a JSON parser makes of -(2**63) - 1: exactly -(2**63)
    with pytest.raises(RecordError, match="INT64"):
        fit_declared_value(rounded, DataType.INT64, stream="s", field="f")


def test_a_shared_message_names_the_sdk_argument_for_apps_and_the_config_key_for_the_connector():
    error = sdk_errors.TransientError(
        "The service did not answer.", guidance="Check <setting:base_url> and the network."
    )
    assert "base_url= of the embedder" in str(error)
    assert "Check embedding.base_url and the network." in to_traced_exception(error).message


def test_query_sdk_says_no_connector_setting_in_any_message():
    """Shared code names settings as <setting:NAME>; an app's errors never tell it to change indexing.host."""
    import ast
    from pathlib import Path

    import query_sdk

    connector_words = re.compile(
        r"\b(indexing|processing)\.\w+|\bembedding\.(base_url|dimensions|model|api_base|mode)\b"
    )
    found = []
    for path in Path(query_sdk.__file__).parent.rglob("*.py"):
        tree = ast.parse(path.read_text())
        docstrings = {
            id(node.body[0].value)
            for node in ast.walk(tree)
            if isinstance(node, (ast.Module, ast.FunctionDef, ast.ClassDef, ast.AsyncFunctionDef))
            and node.body
            and isinstance(node.body[0], ast.Expr)
            and isinstance(node.body[0].value, ast.Constant)
        }
        for node in ast.walk(tree):
            literal = isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings
            if literal and connector_words.search(node.value):
                found.append(f"{path.name}:{node.lineno}: {node.value[:60]}")
    assert found == []


def test_chinese_full_text_on_milvus_lite_without_jieba_is_named_before_the_collection_is_made(monkeypatch):
    import sys

    from destination_milvus_support.milvus.schema import analyzer_for, analyzer_problem
    from query_sdk.capabilities import ServerCapabilities

    lite, server = ServerCapabilities.from_version("milvus_lite-3.2.2"), ServerCapabilities.from_version("v2.5.4")
    assert analyzer_for("chinese") == {"tokenizer": "jieba"} and analyzer_for("english") is None
    assert analyzer_problem("chinese", lite) is None  # jieba is installed with the multilingual extra
    monkeypatch.setitem(sys.modules, "jieba", None)  # as if it were not
    problem = analyzer_problem("chinese", lite)
    assert problem and "jieba" in problem and "multilingual" in problem and "indexing.hybrid_search" in problem
    assert analyzer_problem("chinese", server) is None  # built into Milvus 2.5+
