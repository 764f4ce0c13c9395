"""SPEC: one inlined schema, secrets marked, and configs written for the official destination-milvus accepted."""

import json
import logging

import jsonschema
import pytest
from airbyte_cdk.test.standard_tests._spec_lint import find_secret_marking_errors

from destination_milvus_support.config import ConnectorConfig
from destination_milvus_support.destination import DestinationMilvusSupport

SPEC = DestinationMilvusSupport().spec(logging.getLogger("test")).connectionSpecification

OFFICIAL_PROCESSING = {
    "chunk_size": 512,
    "chunk_overlap": 50,
    "text_fields": ["subject", "description"],
    "metadata_fields": ["status", "organization_id"],
    "field_name_mappings": [{"from_field": "description", "to_field": "body"}],
}
OFFICIAL_INDEXING = {
    "host": "https://in03-0123456789.api.gcp-us-west1.zillizcloud.com",
    "db": "",
    "collection": "zendesk_tickets",
    "auth": {"mode": "token", "token": "zilliz-token-0123456789"},
    "vector_field": "vector",
    "text_field": "text",
}

#: Configs as the official Airbyte destination-milvus UI writes them, by embedding / splitter / auth mode.
OFFICIAL_CONFIGS = {
    "openai": {
        "processing": OFFICIAL_PROCESSING,
        "embedding": {"mode": "openai", "openai_key": "sk-official-0123456789"},
        "indexing": OFFICIAL_INDEXING,
        "omit_raw_text": False,
    },
    "fake": {
        "processing": {"chunk_size": 1000},
        "embedding": {"mode": "fake"},
        "indexing": {**OFFICIAL_INDEXING, "auth": {"mode": "username_password", "username": "u", "password": "pw"}},
    },
    "separator_splitter": {
        "processing": {
            **OFFICIAL_PROCESSING,
            "text_splitter": {"mode": "separator", "separators": ['"\\n\\n"', '"\\n"', '" "'], "keep_separator": False},
        },
        "embedding": {"mode": "fake"},
        "indexing": {**OFFICIAL_INDEXING, "auth": {"mode": "no_auth"}},
        "omit_raw_text": True,
    },
    "markdown_splitter_cohere": {
        "processing": {**OFFICIAL_PROCESSING, "text_splitter": {"mode": "markdown", "split_level": 2}},
        "embedding": {"mode": "cohere", "cohere_key": "cohere-key-0123456789"},
        "indexing": OFFICIAL_INDEXING,
    },
    "code_splitter_azure": {
        "processing": {**OFFICIAL_PROCESSING, "text_splitter": {"mode": "code", "language": "python"}},
        "embedding": {
            "mode": "azure_openai",
            "openai_key": "azure-key-0123456789",
            "api_base": "https://acme.openai.azure.com",
            "deployment": "ada",
        },
        "indexing": OFFICIAL_INDEXING,
    },
    "openai_compatible": {
        "processing": OFFICIAL_PROCESSING,
        "embedding": {
            "mode": "openai_compatible",
            "api_key": "compat-key-0123456789",
            "base_url": "https://embeddings.example.com/v1",
            "model_name": "nomic-embed-text",
            "dimensions": 768,
        },
        "indexing": OFFICIAL_INDEXING,
    },
    "from_field": {
        "processing": OFFICIAL_PROCESSING,
        "embedding": {"mode": "from_field", "field_name": "embedding", "dimensions": 1536},
        "indexing": OFFICIAL_INDEXING,
    },
}


def _secret_properties(node, path=""):
    """(path, schema) of every property named like a credential in the spec."""
    if isinstance(node, dict):
        for name, sub in (node.get("properties") or {}).items():
            if name in {"openai_key", "token", "password", "api_key", "cohere_key"}:
                yield f"{path}/{name}", sub
            yield from _secret_properties(sub, f"{path}/{name}")
        for index, option in enumerate(node.get("oneOf") or []):
            yield from _secret_properties(option, f"{path}[{index}]")


def test_spec_is_a_self_contained_schema():
    assert "$ref" not in json.dumps(SPEC)
    assert "$defs" not in SPEC
    jsonschema.Draft7Validator.check_schema(SPEC)


def test_every_credential_is_an_airbyte_secret():
    secrets = dict(_secret_properties(SPEC))
    names = {path.rsplit("/", 1)[-1] for path in secrets}
    assert names == {"openai_key", "token", "password", "api_key", "cohere_key"}
    assert [path for path, schema in secrets.items() if schema.get("airbyte_secret") is not True] == []
    assert find_secret_marking_errors(SPEC) == []


@pytest.mark.parametrize("name", sorted(OFFICIAL_CONFIGS))
def test_official_connector_config_validates_unchanged(name):
    config = OFFICIAL_CONFIGS[name]
    jsonschema.validate(config, SPEC)
    ConnectorConfig.model_validate(config)


def test_official_separators_are_json_strings():
    parsed = ConnectorConfig.model_validate(OFFICIAL_CONFIGS["separator_splitter"])
    assert [json.loads(s) for s in parsed.processing.text_splitter.separators] == ["\n\n", "\n", " "]
