"""The collection this connector creates: its fields, indexes and stored contract, and which metadata gets typed fields.

Fields of a collection this connector creates:

- ``pk`` (VARCHAR, ``content.chunk_primary_key``), ``_ab_stream``, ``_ab_record_id``;
- ``_ab_record_hash``: ``content.record_hash`` of (stream, record id), so record lookups never put a
  source value in a filter;
- ``_ab_chunk_hash``: what the row was made from (``content.chunk_hash``), so unchanged text is not
  embedded again;
- ``_ab_record_digest``: what the whole record's rows were made from and how many there are
  (``content.record_digest``), so an unchanged record is recognised without chunking it again;
- ``_ab_generation_id``: the sync generation that wrote the row (overwrite keeps only the newest);
- ``_ab_audience`` (in the dynamic field, a list): who may read the row, for records that say so
  (Zendesk articles: ``["everyone"]`` or their user segments; ``processor.audience``);
- typed, nullable metadata fields (where the server has nullable fields, Milvus 2.5+ and Lite; the
  dynamic field elsewhere); the text field; the dense vector; optionally a BM25 sparse vector.

query_sdk reads such a collection by its stored contract (``query_sdk.contract``) and its description.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from typing import Any, Iterable, Mapping

from airbyte_cdk.models import ConfiguredAirbyteCatalog
from pymilvus import DataType, Function, FunctionType, MilvusClient
from pymilvus.milvus_client.index import IndexParams

from query_sdk.capabilities import ServerCapabilities
from query_sdk.contract import (
    AUDIENCE_FIELD,
    CONTRACT_PROPERTY,
    EVERYONE,
    GENERATION_FIELD,
    PK_FIELD,
    RECORD_ID_FIELD,
    SPARSE_FIELD,
    STREAM_FIELD,
    CollectionContract,
)

__all__ = [
    "AUDIENCE_FIELD",
    "BOOKKEEPING_FIELDS",
    "EVERYONE",
    "CHUNK_HASH_FIELD",
    "RECORD_DIGEST_FIELD",
    "RECORD_HASH_FIELD",
    "VARCHAR_MAX",
    "CollectionLayout",
    "declared_metadata_types",
    "analyzer_for",
    "analyzer_problem",
    "sparse_field_for",
]

log = logging.getLogger("airbyte")

#: ``content.record_hash`` of (stream, record id): record lookups and deletes filter on it.
RECORD_HASH_FIELD = "_ab_record_hash"
#: 64 hex digits: 32 naming what the vector was embedded from, then 32 naming the whole row.
CHUNK_HASH_FIELD = "_ab_chunk_hash"
#: ``<32 hex digits>:<chunk count>``, the same on every row of a record (``content.record_digest``).
RECORD_DIGEST_FIELD = "_ab_record_digest"
#: The writer's own fields besides the primary key, text and vectors: no metadata field may take these names.
BOOKKEEPING_FIELDS = (
    STREAM_FIELD,
    RECORD_ID_FIELD,
    RECORD_HASH_FIELD,
    CHUNK_HASH_FIELD,
    RECORD_DIGEST_FIELD,
    GENERATION_FIELD,
    AUDIENCE_FIELD,
)
#: Milvus' VARCHAR limit, in UTF-8 bytes.
VARCHAR_MAX = 65535


@dataclass(frozen=True)
class CollectionLayout:
    """Everything needed to create the collection, and to write rows that fit it."""

    contract: CollectionContract
    metadata_types: Mapping[str, DataType]
    with_bm25: bool
    #: Declared fields that hold free text (also text fields): not worth a scalar index.
    free_text: frozenset[str] = frozenset()

    def create(
        self, client: MilvusClient, name: str, capabilities: ServerCapabilities, *, timeout: float | None = None
    ) -> None:
        """Create the collection with its schema, indexes and contract property (within ``timeout`` seconds)."""
        contract = self.contract
        schema = MilvusClient.create_schema(auto_id=False, enable_dynamic_field=True, description=contract.to_json())
        schema.add_field(PK_FIELD, DataType.VARCHAR, is_primary=True, max_length=64)
        schema.add_field(STREAM_FIELD, DataType.VARCHAR, max_length=1024)
        schema.add_field(RECORD_ID_FIELD, DataType.VARCHAR, max_length=4096)
        schema.add_field(RECORD_HASH_FIELD, DataType.VARCHAR, max_length=64)
        schema.add_field(CHUNK_HASH_FIELD, DataType.VARCHAR, max_length=64)
        schema.add_field(RECORD_DIGEST_FIELD, DataType.VARCHAR, max_length=64)
        schema.add_field(GENERATION_FIELD, DataType.INT64)
        for field, kind in self.metadata_types.items():
            extra: dict[str, Any] = {"max_length": VARCHAR_MAX} if kind == DataType.VARCHAR else {}
            schema.add_field(field, kind, nullable=True, **extra)
        text_extra: dict[str, Any] = {}
        if self.with_bm25:
            text_extra["enable_analyzer"] = True
            analyzer = analyzer_for(contract.text_language)
            if analyzer is not None:
                text_extra["analyzer_params"] = analyzer
        schema.add_field(contract.text_field, DataType.VARCHAR, max_length=VARCHAR_MAX, **text_extra)
        schema.add_field(contract.vector_field, DataType.FLOAT_VECTOR, dim=contract.embedding.dimensions)
        if self.with_bm25 and contract.sparse_field:
            schema.add_field(contract.sparse_field, DataType.SPARSE_FLOAT_VECTOR)
            schema.add_function(
                Function(
                    name="text_bm25",
                    function_type=FunctionType.BM25,
                    input_field_names=[contract.text_field],
                    output_field_names=[contract.sparse_field],
                )
            )
        client.create_collection(
            name,
            schema=schema,
            index_params=self._indexes(client, capabilities),
            consistency_level="Strong",
            properties={CONTRACT_PROPERTY: contract.to_json()},
            timeout=timeout,
        )

    def _indexes(self, client: MilvusClient, capabilities: ServerCapabilities) -> IndexParams:
        contract = self.contract
        params = client.prepare_index_params()
        if capabilities.inverted_index:
            params.add_index(contract.vector_field, index_type="AUTOINDEX", metric_type=contract.metric)
            for field in (STREAM_FIELD, RECORD_HASH_FIELD, GENERATION_FIELD, *self._filterable()):
                params.add_index(field, index_type="INVERTED")
        else:  # Milvus 2.3: no AUTOINDEX default we can rely on, no INVERTED
            params.add_index(
                contract.vector_field,
                index_type="HNSW",
                metric_type=contract.metric,
                params={"M": 16, "efConstruction": 200},
            )
            log.info("Milvus %s has no INVERTED index; scalar fields are filtered unindexed.", capabilities.version)
        if self.with_bm25 and contract.sparse_field:
            params.add_index(contract.sparse_field, index_type="SPARSE_INVERTED_INDEX", metric_type="BM25")
        return params

    def _filterable(self) -> list[str]:
        # Ids, statuses and flags are what apps filter on; long free text is not worth an index.
        return [f for f, kind in self.metadata_types.items() if kind != DataType.DOUBLE and f not in self.free_text]


_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,254}$")
_JSON_TYPES = {
    "integer": DataType.INT64,
    "number": DataType.DOUBLE,
    "boolean": DataType.BOOL,
    "string": DataType.VARCHAR,
}


def _json_type(schema: Mapping[str, Any]) -> str | None:
    kind = schema.get("type")
    if isinstance(kind, list):
        kinds = [k for k in kind if k != "null"]
        kind = kinds[0] if len(kinds) == 1 else None
    if kind == "string" and schema.get("airbyte_type") in ("integer", "big_integer"):
        return None
    return kind if isinstance(kind, str) else None


def declared_metadata_types(
    catalog: ConfiguredAirbyteCatalog, metadata_fields: Iterable[str], mappings: Mapping[str, str], reserved: set[str]
) -> dict[str, DataType]:
    """Metadata fields whose type every stream's JSON schema agrees on, as Milvus types.

    Only top-level names qualify (dot paths and wildcards stay in the dynamic field), and names
    the connector reserves are skipped.
    """
    wanted = list(metadata_fields)
    found: dict[str, set[DataType]] = {}
    for configured in catalog.streams:
        properties = (configured.stream.json_schema or {}).get("properties") or {}
        names = wanted or list(properties)
        for name in names:
            target = mappings.get(name, name)
            if name not in properties or not _NAME.match(target) or target in reserved or target.startswith("_ab_"):
                continue
            kind = _JSON_TYPES.get(_json_type(properties[name]) or "")
            if kind is not None:
                found.setdefault(target, set()).add(kind)
    return {name: kinds.pop() for name, kinds in found.items() if len(kinds) == 1}


#: The BM25 analyzer per ``indexing.text_language`` (Milvus' analyzer parameters); None: Milvus' standard one.
_ANALYZERS: dict[str, dict[str, Any]] = {
    "french": {"tokenizer": "standard", "filter": ["lowercase", {"type": "stemmer", "language": "french"}]},
    "chinese": {"tokenizer": "jieba"},
}


def analyzer_for(language: str | None) -> dict[str, Any] | None:
    """The analyzer parameters of the BM25 field for text in ``language`` (None: Milvus' standard analyzer)."""
    return _ANALYZERS.get(language or "english")


def analyzer_problem(language: str | None, capabilities: ServerCapabilities) -> str | None:
    """Why this server cannot build the BM25 field for ``language`` (None when it can): said before creating it."""
    if (language or "english") == "chinese" and capabilities.lite:
        try:
            import jieba  # noqa: F401  (Milvus Lite segments Chinese with it)
        except ImportError:
            return (
                "indexing.text_language is chinese, and Milvus Lite segments Chinese words with the jieba package, "
                "which is not installed: pip install 'destination-milvus-support[multilingual]', or turn off "
                "indexing.hybrid_search"
            )
    if (language or "english") == "french" and capabilities.lite:
        log.info("Milvus Lite ignores the French stemmer: keywords match in the same form only (servers stem them).")
    return None


def sparse_field_for(capabilities: ServerCapabilities, *, wanted: bool, omit_raw_text: bool) -> str | None:
    """The BM25 field name when the collection should have one, else None (with a log line why)."""
    if not wanted:
        return None
    if omit_raw_text:
        log.info("omit_raw_text is on, so no BM25 field is created (it needs the text).")
        return None
    if not capabilities.bm25:
        log.info("Milvus %s has no BM25 full-text search; creating a dense-only collection.", capabilities.version)
        return None
    return SPARSE_FIELD
