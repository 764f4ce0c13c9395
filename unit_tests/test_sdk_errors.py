import pytest
from pymilvus.exceptions import ConnectionConfigException, MilvusException, MilvusUnavailableException

import query_sdk
from query_sdk import (
    CollectionNotFoundError,
    ConfigurationError,
    ContractMismatchError,
    InternalError,
    SupportSearchError,
    TransientError,
    UnsafeFilterValueError,
)
from query_sdk.milvus import translate_milvus_error

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


@pytest.mark.parametrize(
    ("error", "expected"),
    [
        (MilvusException(code=100, message="collection not found[collection=x]"), CollectionNotFoundError),
        (MilvusException(code=1800, message="auth failed"), ConfigurationError),
        (MilvusUnavailableException(message="server unavailable"), TransientError),
        (MilvusException(code=2, message="connect failed"), TransientError),
        (ConnectionConfigException(message="Open local milvus failed"), ConfigurationError),
        (MilvusException(code=1100, message="invalid expression"), InternalError),
    ],
)
def test_milvus_errors_are_translated_by_type_and_code(error, expected):
    translated = translate_milvus_error(error, where="http://h:19530")
    assert type(translated) is expected
    assert "\n" not in str(translated)
