"""The collection contract: the field names and the build record both sides of a collection agree on.

The connector writes a collection by this contract and stores the build record in it; query_sdk
reads the collection by it. How the connector names and compares rows (primary keys, hashes) is its
own business (``destination_milvus_support.content``).
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from typing import Any, Mapping

__all__ = [
    "AUDIENCE_FIELD",
    "CONTRACT_PROPERTY",
    "CONTRACT_VERSION",
    "EVERYONE",
    "GENERATION_FIELD",
    "PK_FIELD",
    "RECORD_ID_FIELD",
    "SPARSE_FIELD",
    "STREAM_FIELD",
    "CollectionContract",
    "EmbeddingSpec",
    "stream_identifier",
]

#: Primary key field of collections this project creates (a VARCHAR digest).
PK_FIELD = "pk"
#: Same names and meaning as the official Airbyte Milvus destination, because apps filter on them.
STREAM_FIELD = "_ab_stream"
RECORD_ID_FIELD = "_ab_record_id"
#: The sync generation a row was written by; overwrite removes older generations at the end.
GENERATION_FIELD = "_ab_generation_id"
#: Who may read a row (a JSON list in the dynamic field): ``EVERYONE``, or ``segment:<id>`` for each
#: help-centre user segment it is restricted to. Rows of records that do not say (tickets) have none.
AUDIENCE_FIELD = "_ab_audience"
EVERYONE = "everyone"
#: BM25 sparse vector computed by the server from the text field, when the server supports it.
SPARSE_FIELD = "text_sparse"
#: Collection property that holds the JSON build record.
CONTRACT_PROPERTY = "support_search.contract"
CONTRACT_VERSION = 1


def stream_identifier(name: str, namespace: str | None = None) -> str:
    """The value of ``_ab_stream``: ``namespace_name`` or ``name``, as the official connector writes it."""
    return f"{namespace}_{name}" if namespace else name


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
    #: The language the BM25 field's analyzer cuts words for (``analyzer_for``); None: english (the default).
    text_language: str | None = None

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
