"""The collection contract: field names, primary keys and the build record stored with a collection.

The connector writes by this contract and query_sdk reads by it, so both live here once.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field
from typing import Any, Mapping, Sequence

__all__ = [
    "CONTRACT_PROPERTY",
    "CONTRACT_VERSION",
    "GENERATION_FIELD",
    "PK_FIELD",
    "RECORD_ID_FIELD",
    "SPARSE_FIELD",
    "STREAM_FIELD",
    "CollectionContract",
    "EmbeddingSpec",
    "chunk_primary_key",
    "record_id",
    "stream_identifier",
]

#: Primary key field of collections this project creates (a VARCHAR hash, see ``chunk_primary_key``).
PK_FIELD = "pk"
#: Same names and meaning as the official Airbyte Milvus destination, because apps filter on them.
STREAM_FIELD = "_ab_stream"
RECORD_ID_FIELD = "_ab_record_id"
#: The sync generation a row was written by; overwrite removes older generations at the end.
GENERATION_FIELD = "_ab_generation_id"
#: BM25 sparse vector computed by the server from the text field, when the server supports it.
SPARSE_FIELD = "text_sparse"
#: Collection property that holds the JSON build record.
CONTRACT_PROPERTY = "support_search.contract"
CONTRACT_VERSION = 1


def stream_identifier(name: str, namespace: str | None = None) -> str:
    """The value of ``_ab_stream``: ``namespace_name`` or ``name``, as the official connector writes it."""
    return f"{namespace}_{name}" if namespace else name


def record_id(stream: str, key_values: Sequence[Any], *, official: bool = False) -> str:
    """The value of ``_ab_record_id`` for a record with these primary-key values: the one rule for it.

    - A single-field key is ``stream_value`` in every collection (``tickets_4711``): the official
      Airbyte Milvus destination's form, so existing apps match.
    - A composite key, in collections this project creates, is JSON-encoded
      (``tickets_["a_b","c"]``), so ``("a_b", "c")`` and ``("a", "b_c")`` differ.
    - ``official``: in a collection without this project's contract (one the official destination
      made), each value as ``str()``, joined with ``_`` (``tickets_a_b_c``), exactly as the official
      destination writes it (airbyte_cdk ``destinations/vector_db_based/document_processor.py``,
      ``DocumentProcessor._extract_primary_key``), so a dedup sync replaces the official rows.
      Composite keys can collide in that form, as they do for the official destination.
    """
    if len(key_values) == 1:
        return f"{stream}_{key_values[0]}"
    if official:
        return f"{stream}_{'_'.join(str(value) for value in key_values)}"
    return f"{stream}_{json.dumps(list(key_values), separators=(',', ':'), default=str)}"


def chunk_primary_key(stream: str, key: str, chunk_index: int) -> str:
    """Deterministic primary key of one chunk: a SHA-256 over an unambiguous encoding.

    ``key`` is the record id (or, for streams without a primary key, a hash of the record),
    so writing the same record again replaces its rows instead of doubling them.
    """
    encoded = json.dumps([stream, key, chunk_index], separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(encoded.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class EmbeddingSpec:
    """How texts were embedded: the connector stores it, query_sdk rebuilds the same embedder."""

    mode: str
    model: str
    dimensions: int
    #: Non-secret settings needed to reach the service again (e.g. ``base_url``), never keys.
    options: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class CollectionContract:
    """The build record of a collection: embedding, metric and field names."""

    embedding: EmbeddingSpec
    metric: str = "COSINE"
    text_field: str = "text"
    vector_field: str = "vector"
    pk_field: str = PK_FIELD
    sparse_field: str | None = None
    version: int = CONTRACT_VERSION
    #: ``query_sdk.email_text.EMAIL_CLEANING_VERSION`` when e-mail fields were cleaned before chunking
    #: (``processing.email_text_fields``); query_sdk then cleans requests the same way. None: not cleaned.
    email_cleaning: int | None = None

    def to_json(self) -> str:
        """Serialise for storage in the collection's properties."""
        data = asdict(self)
        data["embedding"]["options"] = dict(self.embedding.options)
        return json.dumps(data, sort_keys=True, separators=(",", ":"))

    @classmethod
    def from_json(cls, raw: str) -> CollectionContract:
        """Parse what ``to_json`` stored; raises ``ValueError`` on anything else."""
        data = json.loads(raw)
        if not isinstance(data, dict) or "embedding" not in data:
            raise ValueError("not a collection contract")
        emb = data.pop("embedding")
        known = {f for f in cls.__dataclass_fields__ if f != "embedding"}
        return cls(
            embedding=EmbeddingSpec(
                mode=str(emb["mode"]),
                model=str(emb["model"]),
                dimensions=int(emb["dimensions"]),
                options={str(k): str(v) for k, v in (emb.get("options") or {}).items()},
            ),
            **{k: v for k, v in data.items() if k in known},
        )

    @classmethod
    def from_description(cls, description: Mapping[str, Any]) -> CollectionContract | None:
        """Read the contract from ``MilvusClient.describe_collection`` output, if one is stored."""
        properties = description.get("properties") or {}
        candidates = [properties.get(CONTRACT_PROPERTY), description.get("description")]
        for raw in candidates:
            if isinstance(raw, str) and raw.startswith("{"):
                try:
                    return cls.from_json(raw)
                except (ValueError, KeyError, TypeError):
                    continue
        return None
