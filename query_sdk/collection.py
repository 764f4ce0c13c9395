"""Reading a collection: its contract, metric, declared fields, index and the server's capabilities."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping

from pymilvus import DataType, MilvusClient

from query_sdk.capabilities import ServerCapabilities
from query_sdk.contract import GENERATION_FIELD, RECORD_ID_FIELD, STREAM_FIELD, CollectionContract
from query_sdk.errors import CollectionNotFoundError
from query_sdk.milvus_errors import MILVUS_CALL_ERRORS, milvus_call_error

__all__ = ["SKIP_OUTPUT_TYPES", "VECTOR_TYPES", "CollectionInfo"]

#: Dense vector types (the fields a search runs on).
VECTOR_TYPES = frozenset({DataType.FLOAT_VECTOR, DataType.FLOAT16_VECTOR, DataType.BFLOAT16_VECTOR})
#: Field types never returned with a hit.
SKIP_OUTPUT_TYPES = VECTOR_TYPES | {DataType.SPARSE_FLOAT_VECTOR, DataType.BINARY_VECTOR}
#: Bookkeeping fields an app has a use for; the writer's other ``_ab_`` fields (hashes, digests) are not returned.
_SHOWN_BOOKKEEPING = frozenset({STREAM_FIELD, RECORD_ID_FIELD, GENERATION_FIELD})


@dataclass(frozen=True)
class CollectionInfo:
    """What query_sdk needs to know about one collection to search it."""

    name: str
    contract: CollectionContract | None
    metric: str
    vector_field: str
    text_field: str
    dimensions: int
    pk_field: str
    #: Declared scalar fields and their Milvus types (dynamic keys are not listed).
    scalar_types: Mapping[str, DataType]
    dynamic: bool
    sparse_field: str | None
    capabilities: ServerCapabilities
    #: The vector index's type as Milvus reports it (``HNSW``, ``IVF_FLAT``, ``AUTOINDEX``...), or "".
    index_type: str = ""
    #: Declared fields that may hold null (Milvus Lite, 2.5+).
    nullable: frozenset[str] = frozenset()

    @property
    def record_id_declared(self) -> bool:
        """True when ``_ab_record_id`` is a real field (so group-by can run on the server)."""
        return RECORD_ID_FIELD in self.scalar_types

    def output_fields(self, *also: str) -> list[str]:
        """Scalar fields to return with every hit, with ``also``, plus the dynamic field when enabled.

        A name of ``also`` that is no declared field (the text of an official destination's
        collection) comes with ``$meta`` and is not named: Milvus 2.3 answers a dynamic key named
        next to ``$meta`` with that key alone, dropping ``_ab_record_id`` and the metadata.
        """
        fields = [
            name
            for name in self.scalar_types
            if name != self.pk_field and (not name.startswith("_ab_") or name in _SHOWN_BOOKKEEPING)
        ]
        declared = {*self.scalar_types, self.vector_field}
        fields += [name for name in also if name not in fields and (name in declared or not self.dynamic)]
        if self.dynamic:
            fields.append("$meta")
        return fields

    @classmethod
    def read(
        cls,
        client: MilvusClient,
        name: str,
        *,
        where: str,
        timeout: float | None = None,
        load_timeout: float | None = None,
    ) -> CollectionInfo:
        """Describe ``name`` and load it for search; raise ``CollectionNotFoundError`` when absent.

        Each Milvus call has ``timeout`` seconds (retries included), loading a collection that is
        not loaded yet ``load_timeout``; ``None`` waits as long as the server takes.
        """
        deadline = timeout
        try:
            if not client.has_collection(name, timeout=timeout):
                raise CollectionNotFoundError(
                    f"Collection {name!r} does not exist at {where}.",
                    guidance="Run a sync into it first, or check the collection name.",
                )
            description = client.describe_collection(name, timeout=timeout)
            indexes = _indexes(client, name, timeout=timeout)
            state = str(client.get_load_state(name, timeout=timeout).get("state", ""))
            if "Loaded" not in state or "NotLoad" in state:
                deadline = load_timeout
                client.load_collection(name, timeout=load_timeout)
                deadline = timeout
            capabilities = ServerCapabilities.detect(client, timeout=timeout)
        except MILVUS_CALL_ERRORS as error:
            raise milvus_call_error(error, where=where, timeout=deadline) from None
        contract = CollectionContract.from_description(description)
        fields: list[Mapping[str, Any]] = description.get("fields", [])
        vectors = [f for f in fields if f.get("type") in VECTOR_TYPES]
        pk = next((str(f["name"]) for f in fields if f.get("is_primary")), "pk")
        vector_field = contract.vector_field if contract else (str(vectors[0]["name"]) if vectors else "vector")
        vector = next((f for f in vectors if f["name"] == vector_field), None)
        dimensions = int((vector or {}).get("params", {}).get("dim", 0))
        text_field = contract.text_field if contract else "text"
        sparse = contract.sparse_field if contract else None
        return cls(
            name=name,
            contract=contract,
            metric=str(indexes.get(vector_field, {}).get("metric_type") or (contract.metric if contract else "L2")),
            vector_field=vector_field,
            text_field=text_field,
            dimensions=dimensions,
            pk_field=pk,
            scalar_types={str(f["name"]): f["type"] for f in fields if f.get("type") not in SKIP_OUTPUT_TYPES},
            dynamic=bool(description.get("enable_dynamic_field")),
            sparse_field=sparse,
            capabilities=capabilities,
            index_type=str(indexes.get(vector_field, {}).get("index_type") or ""),
            nullable=frozenset(str(f["name"]) for f in fields if f.get("nullable")),
        )


def _indexes(client: MilvusClient, name: str, *, timeout: float | None = None) -> dict[str, dict[str, str]]:
    """Metric and index type per indexed field (upper case), from the collection's index descriptions."""
    found: dict[str, dict[str, str]] = {}
    for index in client.list_indexes(name, timeout=timeout):
        info = client.describe_index(name, index_name=index, timeout=timeout) or {}
        field = str(info.get("field_name", ""))
        found[field] = {key: str(info[key]).upper() for key in ("metric_type", "index_type") if info.get(key)}
    return found
