"""The collection's layout, owned once: its fields, indexes, stored contract and row hashes.

The connector creates collections and shapes rows by this module; query_sdk reads them by it.
Fields of a collection this project creates:

- ``pk`` (VARCHAR, ``contract.chunk_primary_key``), ``_ab_stream``, ``_ab_record_id``;
- ``_ab_record_hash``: SHA-256 of (stream, record id), so record lookups never put a source value in a filter;
- ``_ab_chunk_hash``: what the row was made from (see ``chunk_hash``), so unchanged text is not embedded again;
- ``_ab_record_digest``: what the whole record's rows were made from and how many there are (see
  ``record_digest``), so an unchanged record is recognised without chunking it again;
- ``_ab_generation_id``: the sync generation that wrote the row (overwrite keeps only the newest);
- typed, nullable metadata fields; the text field; the dense vector; optionally a BM25 sparse vector.

Collections made by the official connector or by earlier versions lack some of these: their
metadata (and our hashes) live in the dynamic field, and readers fall back accordingly.
"""

from __future__ import annotations

import hashlib
import json
import logging
from dataclasses import dataclass
from functools import lru_cache
from json.encoder import encode_basestring
from typing import Any, Mapping, Sequence

from pymilvus import DataType, Function, FunctionType, MilvusClient
from pymilvus.milvus_client.index import IndexParams

from query_sdk.contract import (
    CONTRACT_PROPERTY,
    GENERATION_FIELD,
    PK_FIELD,
    RECORD_ID_FIELD,
    STREAM_FIELD,
    CollectionContract,
    EmbeddingSpec,
)
from query_sdk.milvus import ServerCapabilities

__all__ = [
    "BOOKKEEPING_FIELDS",
    "CHUNK_HASH_FIELD",
    "RECORD_DIGEST_FIELD",
    "RECORD_HASH_FIELD",
    "SKIP_OUTPUT_TYPES",
    "VARCHAR_MAX",
    "VECTOR_TYPES",
    "CollectionLayout",
    "chunk_hash",
    "parse_record_digest",
    "record_digest",
    "record_hash",
    "record_source",
    "stored_chunk_count",
    "same_source",
]

log = logging.getLogger("airbyte")

#: SHA-256 of (stream, record id): record lookups and deletes filter on it.
RECORD_HASH_FIELD = "_ab_record_hash"
#: 64 hex digits: 32 naming what the vector was embedded from, then 32 naming the whole row.
CHUNK_HASH_FIELD = "_ab_chunk_hash"
#: ``<32 hex digits>:<chunk count>``, the same on every row of a record (see ``record_digest``).
RECORD_DIGEST_FIELD = "_ab_record_digest"
#: The writer's own fields besides the primary key, text and vectors: no metadata field may take these names.
BOOKKEEPING_FIELDS = (
    STREAM_FIELD,
    RECORD_ID_FIELD,
    RECORD_HASH_FIELD,
    CHUNK_HASH_FIELD,
    RECORD_DIGEST_FIELD,
    GENERATION_FIELD,
)
#: Milvus' VARCHAR limit, in UTF-8 bytes.
VARCHAR_MAX = 65535
#: Dense vector types (the fields a search runs on).
VECTOR_TYPES = frozenset({DataType.FLOAT_VECTOR, DataType.FLOAT16_VECTOR, DataType.BFLOAT16_VECTOR})
#: Field types never returned with a hit.
SKIP_OUTPUT_TYPES = VECTOR_TYPES | {DataType.SPARSE_FLOAT_VECTOR, DataType.BINARY_VECTOR}
_SOURCE_DIGITS = 32


def record_hash(stream: str, rid: str) -> str:
    """Hex digest naming a record in filters: source values never enter a filter string.

    It hashes ``json.dumps([stream, rid], ensure_ascii=False)``, built here from the encoder's own
    string function (the same bytes, without setting up an encoder for each of a sync's records).
    """
    if not (isinstance(stream, str) and isinstance(rid, str)):
        return hashlib.sha256(json.dumps([stream, rid], ensure_ascii=False).encode("utf-8")).hexdigest()
    encoded = "[" + encode_basestring(stream) + ", " + encode_basestring(rid) + "]"
    return hashlib.sha256(encoded.encode("utf-8")).hexdigest()


#: What every digest below hashes: compact JSON with sorted keys (``json.dumps`` makes the same encoder per call).
_ENCODER = json.JSONEncoder(sort_keys=True, ensure_ascii=False, default=str, separators=(",", ":"))


def _digest(value: Any) -> str:
    return _hashed(_ENCODER.encode(value))


def _hashed(encoded: str) -> str:
    return hashlib.sha256(encoded.encode("utf-8")).hexdigest()[:_SOURCE_DIGITS]


@lru_cache(maxsize=64, typed=True)  # typed: 384 and 384.0 (or True and 1) encode differently
def _after_first(*rest: Any) -> str:
    """``_ENCODER.encode([first, *rest])`` without its ``[first``: the same for every record of a sync."""
    return "," + _ENCODER.encode(list(rest))[1:]


def _digest_text_first(first: str, *rest: Any) -> str:
    """``_digest([first, *rest])`` for a string ``first`` and hashable ``rest``: the same bytes, built faster."""
    if type(first) is not str:
        return _digest([first, *rest])
    try:
        tail = _after_first(*rest)
    except TypeError:  # an unhashable value (not what EmbeddingSpec holds): encoded the plain way
        return _digest([first, *rest])
    return _hashed("[" + encode_basestring(first) + tail)


def chunk_hash(
    text: str,
    embedding: EmbeddingSpec,
    metadata: Mapping[str, Any],
    *,
    vector: Sequence[float] | None = None,
    text_stored: bool = True,
) -> str:
    """The ``_ab_chunk_hash`` of a row.

    The first half hashes what the vector was made from: the chunk text and the embedding
    contract (mode, model, dimensions), or the vector itself when the record carried one. A stored
    row whose first half matches holds a vector that can be reused. The second half also covers the
    metadata, so a row whose whole hash matches needs no write at all.
    """
    if vector:
        source = _digest([text, embedding.mode, embedding.model, embedding.dimensions, list(vector)])
    else:  # the same digest as above with an empty vector list, its fixed part encoded once
        source = _digest_text_first(text, embedding.mode, embedding.model, embedding.dimensions, ())
    return source + _digest([source, dict(metadata), text_stored])


def same_source(stored: str | None, new: str) -> bool:
    """True when a stored row's vector was made from what ``new`` describes (None: an older row, unknown)."""
    return bool(stored) and str(stored)[:_SOURCE_DIGITS] == new[:_SOURCE_DIGITS]


def record_source(content: str, embedding: EmbeddingSpec, *, text_stored: bool = True) -> str:
    """What a record's rows are made from: its content digest (``DocumentProcessor.prepare``) and the contract.

    Equal sources mean equal chunks, equal metadata and vectors from the same model, so the rows
    already stored for that source can be left as they are.
    """
    return _digest_text_first(content, embedding.mode, embedding.model, embedding.dimensions, text_stored)


def record_digest(source: str, chunks: int) -> str:
    """The ``_ab_record_digest`` of each of a record's rows: its ``record_source`` and its chunk count."""
    return f"{source}:{chunks}"


def parse_record_digest(stored: str | None) -> tuple[str, int | None]:
    """(record source, chunk count) of a stored ``_ab_record_digest``; ("", None) for none or a malformed one."""
    if not stored:
        return "", None
    source, _, count = str(stored).partition(":")
    return (source, int(count)) if count.isdigit() else ("", None)


def stored_chunk_count(stored: str | None, source: str) -> int | None:
    """The chunk count a stored ``_ab_record_digest`` names for ``source``; None for another source or none."""
    found, count = parse_record_digest(stored)
    return count if found == source else None


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
        text_extra: dict[str, Any] = {"enable_analyzer": True} if self.with_bm25 else {}
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
