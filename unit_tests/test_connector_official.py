"""Continuing a collection of the official destination: a model it never used is refused, naming embedding.model."""

import pytest

from destination_milvus_support.config import ConnectorConfig
from destination_milvus_support.official import official_model_problems


def _embedding(**embedding):
    config = {
        "processing": {"chunk_size": 100},
        "embedding": embedding,
        "indexing": {"host": "x.db", "collection": "c"},
    }
    return ConnectorConfig.model_validate(config).embedding


@pytest.mark.parametrize(
    "embedding",
    [
        {"mode": "openai", "openai_key": "k"},  # an official config: no model key
        {"mode": "openai", "openai_key": "k", "model": "text-embedding-ada-002"},
        {"mode": "cohere", "cohere_key": "k", "model": "embed-english-light-v2.0"},
        {"mode": "azure_openai", "openai_key": "k", "api_base": "https://r.openai.azure.com", "deployment": "d"},
        {"mode": "openai_compatible", "base_url": "http://h/v1", "model_name": "nomic", "dimensions": 8},
        {"mode": "fake", "dimensions": 8},
        {"mode": "from_field", "field_name": "v", "dimensions": 8},
    ],
    ids=lambda e: "-".join(str(v) for k, v in e.items() if k in ("mode", "model")),
)
def test_models_the_official_destination_used_or_that_the_config_cannot_tell_pass(embedding):
    assert official_model_problems(_embedding(**embedding)) == []


@pytest.mark.parametrize(
    ("embedding", "wanted"),
    [
        ({"mode": "openai", "openai_key": "k", "model": "text-embedding-3-small"}, "text-embedding-ada-002"),
        ({"mode": "cohere", "cohere_key": "k"}, "embed-english-light-v2.0"),  # this connector's default is v3
    ],
)
def test_another_model_is_refused_naming_the_embedding_model_to_set(embedding, wanted):
    [problem] = official_model_problems(_embedding(**embedding))
    assert f"set embedding.model to {wanted!r}" in problem
    assert "indexing.collection" in problem
    assert "'k'" not in problem
