"""The one mapping from errors to Airbyte failure types: by family, type and status, with plain messages."""

import httpx
import openai
import pytest
from airbyte_cdk.models import FailureType
from pymilvus.exceptions import ConnectionConfigException, MilvusException, MilvusUnavailableException

from destination_milvus_support.errors import (
    ConnectorConfigError,
    ConnectorSystemError,
    ConnectorTransientError,
    RecordError,
    to_traced_exception,
)


def _openai(cls, status):
    response = httpx.Response(status, request=httpx.Request("POST", "http://127.0.0.1/v1/embeddings"))
    return cls("upstream said: secret-bearing text", response=response, body=None)


@pytest.mark.parametrize(
    ("error", "failure"),
    [
        (ConnectorConfigError("Set indexing.collection."), FailureType.config_error),
        (RecordError("A record of stream 's' has no text."), FailureType.config_error),
        (ConnectorTransientError("Milvus is busy."), FailureType.transient_error),
        (ConnectorSystemError("Input line 3 is not valid JSON."), FailureType.system_error),
        (MilvusException(code=1800, message="auth"), FailureType.config_error),
        (MilvusUnavailableException(code=2, message="down"), FailureType.transient_error),
        (ConnectionConfigException(message="Open local milvus failed"), FailureType.config_error),
        (MilvusException(code=65535, message="unexpected"), FailureType.transient_error),
        (MilvusException(code=65534, message="odd"), FailureType.transient_error),
        (MilvusException(code=800, message="database not found"), FailureType.config_error),
        (MilvusException(code=1100, message="invalid parameter"), FailureType.system_error),
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
