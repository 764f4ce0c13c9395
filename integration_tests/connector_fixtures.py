"""Fixtures for the connector's tests: a collection made the way the official Airbyte destination makes one."""

from __future__ import annotations

from typing import Iterator

import pytest
from pymilvus import DataType, MilvusClient

OFFICIAL_DIMENSIONS = 16


def create_official_collection(uri: str, name: str, *, dimensions: int = OFFICIAL_DIMENSIONS) -> None:
    """auto_id INT64 ``pk``, dynamic field, ``text`` VARCHAR, ``vector`` FLOAT_VECTOR with an L2 index."""
    client = MilvusClient(uri=uri)
    try:
        schema = MilvusClient.create_schema(auto_id=True, enable_dynamic_field=True)
        schema.add_field("pk", DataType.INT64, is_primary=True, auto_id=True)
        schema.add_field("text", DataType.VARCHAR, max_length=65535)
        schema.add_field("vector", DataType.FLOAT_VECTOR, dim=dimensions)
        index = client.prepare_index_params()
        index.add_index("vector", index_type="FLAT", metric_type="L2")
        client.create_collection(name, schema=schema, index_params=index)
        # A row the official connector wrote earlier: metadata lives in the dynamic field.
        client.insert(
            name,
            [
                {
                    "text": "subject: Legacy printer",
                    "vector": [1.0] + [0.0] * (dimensions - 1),
                    "_ab_stream": "tickets",
                    "_ab_record_id": "tickets_900",
                    "status": "open",
                    "organization_id": 42,
                }
            ],
        )
    finally:
        client.close()


@pytest.fixture
def official_collection(lite_uri: str, collection_name: str) -> Iterator[str]:
    """A Lite collection as destination-milvus creates it, holding one of its rows; yields its name."""
    create_official_collection(lite_uri, collection_name)
    yield collection_name
