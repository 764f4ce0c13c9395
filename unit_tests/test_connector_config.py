"""Config refusals: impossible combinations fail at parse time, in check, naming the field and no secret."""

import copy
import logging

import pytest
from airbyte_cdk.models import Status
from pydantic import ValidationError

from destination_milvus_support.config import ConnectorConfig
from destination_milvus_support.destination import DestinationMilvusSupport
from destination_milvus_support.errors import describe_validation_error

SECRET = "sk-refusal-secret-0123456789"
BASE = {
    "processing": {"chunk_size": 100, "chunk_overlap": 0},
    "embedding": {"mode": "openai", "openai_key": SECRET},
    "indexing": {"host": "/nonexistent/folder/milvus.db", "collection": "tickets"},
}
REFUSALS = {
    "overlap_not_below_size": ({"processing": {"chunk_size": 100, "chunk_overlap": 100}}, "processing.chunk_overlap"),
    "local_chunk_over_254": (
        {"processing": {"chunk_size": 300}, "embedding": {"mode": "local"}},
        "processing.chunk_size",
    ),
    "ada_002_shortened": (
        {"embedding": {"mode": "openai", "openai_key": SECRET, "model": "text-embedding-ada-002", "dimensions": 512}},
        "embedding.dimensions",
    ),
    "3_small_beyond_native": (
        {"embedding": {"mode": "openai", "openai_key": SECRET, "model": "text-embedding-3-small", "dimensions": 4096}},
        "embedding.dimensions",
    ),
}


def _config(change):
    config = copy.deepcopy(BASE)
    for section, values in change.items():
        config[section] = {**config[section], **values} if section != "embedding" else values
    return config


@pytest.mark.parametrize("case", sorted(REFUSALS))
def test_impossible_config_is_refused_naming_the_field(case):
    change, field = REFUSALS[case]
    with pytest.raises(ValidationError) as error:
        ConnectorConfig.model_validate(_config(change))
    message = describe_validation_error(error.value)
    assert field in message
    assert SECRET not in message


@pytest.mark.parametrize("case", sorted(REFUSALS))
def test_check_reports_the_refused_field_without_the_secret(case):
    change, field = REFUSALS[case]
    status = DestinationMilvusSupport().check(logging.getLogger("test"), _config(change))
    assert status.status == Status.FAILED
    assert field in status.message
    assert SECRET not in status.message
    assert "Traceback" not in status.message


@pytest.mark.parametrize("chunk_size", [1, 254])
def test_local_model_accepts_chunks_within_its_limit(chunk_size):
    ConnectorConfig.model_validate(_config({"processing": {"chunk_size": chunk_size}, "embedding": {"mode": "local"}}))


def test_a_wrong_secret_type_is_reported_without_its_value():
    config = _config({"embedding": {"mode": "openai", "openai_key": ["sk-list-secret-0123456789"]}})
    with pytest.raises(ValidationError) as error:
        ConnectorConfig.model_validate(config)
    message = describe_validation_error(error.value)
    assert "embedding.openai.openai_key" in message or "embedding.openai_key" in message
    assert "sk-list-secret" not in message
