"""The reproduction of the official Milvus destination (``official_milvus.py``) is faithful to its source.

Its chunks and ``_ab_record_id`` values are compared with what the installed airbyte-cdk's own
``DocumentProcessor`` (the code the official destination runs) makes of the same records; the
collection it creates is described back from each Milvus backend.
"""

from __future__ import annotations

import importlib
import sys
import types
from typing import Any

import pytest
from airbyte_cdk.models import AirbyteRecordMessage
from pymilvus import DataType, MilvusClient

from query_sdk.embedders import FakeEmbedder
from testkit.official_milvus import (
    OFFICIAL_DIMENSIONS,
    OfficialDestination,
    official_chunks,
    official_record_id,
    official_splitter,
)
from testkit.runner import catalog, stream

TEXT_FIELDS = ("subject", "description")
METADATA_FIELDS = ("status", "organization_id", "via.channel")


def _cdk_document_processor_class() -> Any:
    """The installed CDK's ``DocumentProcessor``, imported without its package's ``__init__``.

    That ``__init__`` imports every embedder (langchain_community, cohere, ...), which the connector
    does not install; the processor itself needs only dpath, langchain-core and the text splitters.
    """
    import airbyte_cdk.destinations as destinations

    name = "airbyte_cdk.destinations.vector_db_based"
    saved = {key: sys.modules[key] for key in list(sys.modules) if key == name or key.startswith(name + ".")}
    package = types.ModuleType(name)
    package.__path__ = [f"{destinations.__path__[0]}/vector_db_based"]
    sys.modules[name] = package
    try:
        return importlib.import_module(f"{name}.document_processor").DocumentProcessor
    finally:
        for key in [k for k in sys.modules if k == name or k.startswith(name + ".")]:
            del sys.modules[key]
        sys.modules.update(saved)


def _cdk_processor(configured_catalog: Any, chunk_size: int) -> Any:
    """``DocumentProcessor(config, catalog)`` with its own attributes, but a cl100k splitter.

    Its ``__init__`` builds a splitter on tiktoken's ``gpt2`` encoding, which tiktoken downloads;
    the splitter is the only part replaced (``official_splitter``: built as ``_get_text_splitter`` builds
    it, on cl100k).
    """
    cls = _cdk_document_processor_class()
    processor = cls.__new__(cls)
    processor.streams = {
        (s.stream.name if s.stream.namespace is None else f"{s.stream.namespace}_{s.stream.name}"): s
        for s in configured_catalog.streams
    }
    processor.splitter = official_splitter(chunk_size)
    processor.text_fields = list(TEXT_FIELDS)
    processor.metadata_fields = list(METADATA_FIELDS)
    processor.field_name_mappings = []
    return processor


TICKET = {
    "id": 7,
    "org": "acme_eu",
    "subject": "Printer jams",
    "description": "It jams on every page. " * 30,
    "status": "open",
    "organization_id": 42,
    "via": {"channel": "email", "id": 3},
}
CASES = [
    ("single_key", "append_dedup", (("id",),), TICKET, None),
    ("string_key_with_underscores", "append_dedup", (("org",),), TICKET, None),
    ("composite_key", "append_dedup", (("org",), ("id",)), TICKET, None),
    ("nested_key", "append_dedup", (("via", "id"),), TICKET, None),
    ("key_part_missing", "append_dedup", (("id",), ("missing",)), TICKET, None),
    ("key_null_float_bool", "append_dedup", (("a",), ("b",), ("c",)), {**TICKET, "a": None, "b": 1.5, "c": True}, None),
    ("namespace", "append_dedup", (("id",),), TICKET, "zendesk"),
    ("append_stream", "append", (("id",),), TICKET, None),
    ("overwrite_stream", "overwrite", (("id",),), TICKET, None),
    ("dedup_without_key", "append_dedup", None, TICKET, None),
    ("cdc_delete", "append_dedup", (("id",),), {**TICKET, "_ab_cdc_deleted_at": "2024-01-01"}, None),
]


@pytest.mark.parametrize(("name", "mode", "key", "data", "namespace"), CASES, ids=[c[0] for c in CASES])
def test_chunks_and_record_ids_match_the_cdk_document_processor(name, mode, key, data, namespace):
    configured = stream("tickets", mode, primary_key=key)
    configured["stream"]["namespace"] = namespace
    configured_catalog = catalog(configured)
    record = AirbyteRecordMessage(stream="tickets", namespace=namespace, data=data, emitted_at=0)

    cdk_chunks, cdk_id = _cdk_processor(configured_catalog, chunk_size=40).process(record)
    ours = official_chunks(
        record,
        configured_catalog.streams[0],
        text_fields=TEXT_FIELDS,
        metadata_fields=METADATA_FIELDS,
        chunk_size=40,
    )

    assert [(c.page_content, c.metadata) for c in ours] == [(c.page_content, c.metadata) for c in cdk_chunks]
    assert official_record_id(record, configured_catalog.streams[0]) == cdk_id
    if name == "composite_key":
        assert cdk_id == "tickets_acme_eu_7" and len(cdk_chunks) > 1
    if name == "key_part_missing":
        assert cdk_id == "tickets_7___not_found__"


def test_the_collection_has_the_official_schema_index_and_load_state(milvus_uri, collection_name):
    OfficialDestination(milvus_uri, collection_name, embed=FakeEmbedder(OFFICIAL_DIMENSIONS).embed).create_collection()

    client = MilvusClient(milvus_uri)
    try:
        described = client.describe_collection(collection_name)
        fields = {f["name"]: f for f in described["fields"]}
        index = client.describe_index(collection_name, index_name=client.list_indexes(collection_name)[0])
        state = str(client.get_load_state(collection_name)["state"])
    finally:
        client.close()
    assert sorted(fields) == ["pk", "vector"]
    assert fields["pk"]["type"] == DataType.INT64 and fields["pk"].get("is_primary") and fields["pk"].get("auto_id")
    assert fields["vector"]["type"] == DataType.FLOAT_VECTOR
    assert int(fields["vector"]["params"]["dim"]) == OFFICIAL_DIMENSIONS
    assert described["auto_id"] and described["enable_dynamic_field"]
    assert (index["index_type"], index["metric_type"]) == ("IVF_FLAT", "L2")
    assert str(index.get("nlist", 1024)) == "1024"  # Milvus Lite does not report index parameters
    assert "Loaded" in state and "NotLoad" not in state


def test_a_dedup_sync_of_the_official_destination_replaces_its_rows_by_record_id(lite_uri, collection_name):
    official = OfficialDestination(
        lite_uri, collection_name, embed=FakeEmbedder(OFFICIAL_DIMENSIONS).embed, metadata_fields=METADATA_FIELDS
    )
    dedup = catalog(stream("tickets", "append_dedup", primary_key=(("org",), ("id",))))
    first = AirbyteRecordMessage(stream="tickets", data=TICKET, emitted_at=0)
    second = AirbyteRecordMessage(stream="tickets", data={**TICKET, "description": "Fixed."}, emitted_at=0)
    official.write(dedup, [first])
    official.write(dedup, [second])

    client = MilvusClient(lite_uri)
    try:
        rows = client.query(collection_name, filter="pk > 0", output_fields=["*"], consistency_level="Strong")
    finally:
        client.close()
    assert [(r["_ab_record_id"], r["text"]) for r in rows] == [
        ("tickets_acme_eu_7", "subject: Printer jams\ndescription: Fixed.")
    ]
    assert rows[0]["status"] == "open" and rows[0]["organization_id"] == 42 and rows[0]["via.channel"] == "email"
