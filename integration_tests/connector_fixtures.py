"""Fixtures for the connector's tests: a collection the official Airbyte Milvus destination made and wrote to."""

from __future__ import annotations

from typing import Iterator

import pytest

from query_sdk.embedders import FakeEmbedder
from testkit.official_milvus import OFFICIAL_DIMENSIONS, OfficialDestination
from testkit.runner import catalog, record, stream

__all__ = ["LEGACY_TICKET", "official_collection"]

#: The ticket the official destination wrote before our connector took over (record id ``tickets_900``).
LEGACY_TICKET = {"id": 900, "subject": "Legacy printer", "status": "open", "organization_id": 42}


@pytest.fixture
def official_collection(lite_uri: str, collection_name: str) -> Iterator[str]:
    """A Lite collection as destination-milvus creates it, holding its row of one dedup ticket; yields its name."""
    official = OfficialDestination(lite_uri, collection_name, embed=FakeEmbedder(OFFICIAL_DIMENSIONS).embed)
    official.write(catalog(stream("tickets", "append_dedup")), [record("tickets", LEGACY_TICKET).record])
    yield collection_name
