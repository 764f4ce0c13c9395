"""The catalog side of the collection layout: which metadata fields get typed columns, whether BM25 exists.

The layout itself (fields, indexes, stored contract, row hashes) is ``query_sdk.layout``.
"""

from __future__ import annotations

import logging
import re
from typing import Any, Iterable, Mapping

from airbyte_cdk.models import ConfiguredAirbyteCatalog
from pymilvus import DataType

from query_sdk.contract import SPARSE_FIELD
from query_sdk.milvus import ServerCapabilities

__all__ = [
    "declared_metadata_types",
    "sparse_field_for",
]

log = logging.getLogger("airbyte")

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
