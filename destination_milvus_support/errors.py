"""The connector's errors, and the one place they (and query_sdk's) become Airbyte failure types."""

from __future__ import annotations

from functools import cache
from typing import get_args

import openai
from airbyte_cdk.models import FailureType
from airbyte_cdk.utils.traced_exception import AirbyteTracedException
from pydantic import ValidationError

from query_sdk import errors as sdk
from query_sdk.embedders.openai import translate_openai_error
from query_sdk.milvus_errors import MILVUS_CALL_ERRORS, translate_milvus_error

__all__ = [
    "CONNECTOR_SETTINGS",
    "ConnectorConfigError",
    "DestinationError",
    "RecordError",
    "describe",
    "describe_validation_error",
    "to_traced_exception",
]

#: The config keys shared code names as ``<setting:NAME>`` (``query_sdk.errors.SDK_SETTINGS`` has the app's words).
CONNECTOR_SETTINGS = {
    "uri": "indexing.host",
    "db": "indexing.db",
    "credentials": "indexing.auth (the token, or the username and password) and the user's privileges",
    "collection": "indexing.collection",
    "fields": "indexing.text_field and indexing.vector_field, or write to a new collection",
    "hybrid": "turn off indexing.hybrid_search",
    "chunk_size": "a lower processing.chunk_size",
    "dimensions": "embedding.dimensions",
    "model": "embedding.model (or deployment)",
    "base_url": "embedding.base_url",
    "azure": "embedding.api_base and embedding.deployment",
    "call_timeout": "a later retry",
}


def describe(error: sdk.SupportSearchError) -> str:
    """An error's message and guidance in the words of the connector's config."""
    return error.render(CONNECTOR_SETTINGS)


class DestinationError(sdk.SupportSearchError):
    """Root of the connector's own errors (a query_sdk error, so one handler covers both)."""


class ConnectorConfigError(DestinationError, sdk.ConfigurationError):
    """The config, the catalog or the collection must be changed by the user."""


class RecordError(ConnectorConfigError):
    """A record cannot be processed as configured (names stream and field, never content)."""


def describe_validation_error(error: ValidationError) -> str:
    """One plain sentence per problem, naming the field; never the input value (it may be a secret).

    The field is named by its path in the config (``embedding.openai_key``): pydantic's location
    also holds the tag of a tagged union (``embedding.openai.openai_key``), which is not a key the
    user can find in the config, so it is left out.
    """
    problems = []
    unions = _tagged_union_fields()
    for item in error.errors(include_input=False, include_url=False):
        loc = item["loc"]
        parts = [
            str(part)
            for index, part in enumerate(loc)
            if not str(part).startswith(("function-", "tagged-union"))
            and not (index > 0 and loc[index - 1] in unions and item["type"] != "union_tag_invalid")
        ]
        location = ".".join(parts)
        message = item["msg"].removeprefix("Value error, ")
        problems.append(f"{location}: {message}" if location else message)
    return "Invalid configuration: " + "; ".join(problems) + "."


def to_traced_exception(error: BaseException) -> AirbyteTracedException:
    """Map any error to an ``AirbyteTracedException`` with the right failure type and a plain message."""
    if isinstance(error, AirbyteTracedException):
        return error
    if isinstance(error, ValidationError):
        return AirbyteTracedException(
            message=describe_validation_error(error),
            internal_message="config validation failed",
            failure_type=FailureType.config_error,
        )
    if isinstance(error, MILVUS_CALL_ERRORS):  # a Milvus call the indexer did not wrap, or a raw gRPC error
        error = translate_milvus_error(error, where="the Milvus server")
    elif isinstance(error, openai.OpenAIError):
        error = translate_openai_error(error, service="The embedding service")
    if isinstance(error, sdk.ConfigurationError):
        failure = FailureType.config_error
    elif isinstance(error, sdk.TransientError):
        failure = FailureType.transient_error
    else:
        failure = FailureType.system_error
    if isinstance(error, sdk.SupportSearchError):
        message = describe(error)
    else:
        message = f"Unexpected internal error ({type(error).__name__}). Please report it."
    return AirbyteTracedException(message=message, internal_message=type(error).__name__, failure_type=failure)


@cache
def _tagged_union_fields() -> frozenset[str]:
    """Names of the config's fields that hold a tagged union (``embedding``, ``indexing.auth``, ...)."""
    from pydantic import BaseModel

    from destination_milvus_support.config import ConnectorConfig

    def models_in(annotation: object) -> list[type[BaseModel]]:
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            return [annotation]
        return [model for argument in get_args(annotation) for model in models_in(argument)]

    names: set[str] = set()
    todo: list[type[BaseModel]] = [ConnectorConfig]
    seen: set[type[BaseModel]] = set()
    while todo:
        model = todo.pop()
        if model in seen:
            continue
        seen.add(model)
        for name, info in model.model_fields.items():
            members = models_in(info.annotation)
            if len(members) > 1:
                names.add(name)
            todo.extend(members)
    return frozenset(names)
