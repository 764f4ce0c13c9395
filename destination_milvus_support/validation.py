"""Checks that refuse what Milvus would reject, before any write, with an error naming stream and field.

Each function is small and has one caller: the processor (reserved metadata names, over-long record
ids), the indexer (a metadata value against its declared field type) and the destination (the
configured metadata fields). Messages name the stream, the field or the config key, never a value.
"""

from __future__ import annotations

import hashlib
import json
import math
from typing import Any, Callable, Iterable, Mapping

import orjson
from pymilvus import DataType

from destination_milvus_support.content import deep_json
from destination_milvus_support.errors import ConnectorConfigError, RecordError
from destination_milvus_support.milvus.schema import BOOKKEEPING_FIELDS, VARCHAR_MAX
from query_sdk.contract import PK_FIELD, CollectionContract

__all__ = [
    "MAX_JSON_DEPTH",
    "RECORD_ID_MAX_BYTES",
    "check_metadata_fields",
    "check_metadata_names",
    "fit_declared_value",
    "fit_dynamic_value",
    "fit_record_id",
    "reserved_field_names",
]

#: ``_ab_record_id`` is a VARCHAR(4096) (``milvus.schema``); Milvus counts its length in bytes.
RECORD_ID_MAX_BYTES = 4096
_INT64_MIN, _INT64_MAX = -(2**63), 2**63 - 1
#: Deepest nesting of a dynamic-field (JSON) value pymilvus can encode (it recurses; the input allows 1,024).
MAX_JSON_DEPTH = 512
#: Floats at or beyond 2**53 are not exact integers.
_EXACT_FLOAT = float(2**53)
#: The name Milvus gives the dynamic field.
_DYNAMIC_FIELD = "$meta"


def reserved_field_names(contract: CollectionContract) -> frozenset[str]:
    """Every field name the collection schema uses for itself: no metadata field may take one."""
    names = {
        PK_FIELD,
        contract.pk_field,
        *BOOKKEEPING_FIELDS,
        contract.text_field,
        contract.vector_field,
        _DYNAMIC_FIELD,
    }
    if contract.sparse_field:
        names.add(contract.sparse_field)
    return frozenset(names)


def check_metadata_fields(
    metadata_fields: Iterable[str], mappings: Mapping[str, str], reserved: frozenset[str]
) -> None:
    """Refuse configured metadata fields (after ``field_name_mappings``) that a schema field reserves."""
    for name in metadata_fields:
        target = mappings.get(name, name)
        if target in reserved:
            raise ConnectorConfigError(
                f"processing.metadata_fields: {name!r} would be stored as {target!r}, a field the collection "
                "reserves for itself.",
                guidance="Rename it with processing.field_name_mappings, or leave it out. Reserved: "
                + ", ".join(sorted(reserved))
                + ".",
            )


def check_metadata_names(stream: str, metadata: Mapping[str, Any], reserved: frozenset[str]) -> None:
    """Refuse a record whose metadata (all fields, when none are configured) holds a reserved name."""
    clash = reserved.intersection(metadata)
    if clash:
        field = sorted(clash)[0]
        raise RecordError(
            f"A record of stream {stream!r} has a field {field!r}, a name the collection reserves for itself.",
            guidance="Rename it with processing.field_name_mappings, or list the metadata fields to keep in "
            "processing.metadata_fields.",
        )


def fit_record_id(rid: str) -> str:
    """``rid`` when it fits ``_ab_record_id``; else a stable digest of it, so the record is still stored.

    Dedup deletes and replacements compare these ids (or their hash), and the same long key always
    gives the same digest, so a long-keyed record is replaced like any other.
    """
    if len(rid) * 4 <= RECORD_ID_MAX_BYTES or len(rid.encode("utf-8")) <= RECORD_ID_MAX_BYTES:
        return rid
    return "sha256:" + hashlib.sha256(rid.encode("utf-8", "surrogatepass")).hexdigest()


def fit_declared_value(
    value: Any, kind: DataType, *, stream: str, field: str, on_cut: Callable[[str, str], None] | None = None
) -> Any:
    """Fit a metadata value to its declared Milvus field type, or raise a ``RecordError`` naming the field.

    INT64 takes integers within the signed 64-bit range (and integral floats below 2**53, the
    ones that are exact); DOUBLE takes finite
    numbers (and numeric strings); BOOL only booleans; VARCHAR anything, JSON-encoded when not a
    string, cut to 65,535 bytes (``on_cut(stream, field)`` is called when it is, so the caller can warn).
    ``None`` is stored as null.
    """
    if value is None:
        return None
    try:
        if kind == DataType.INT64:
            if isinstance(value, bool) or (isinstance(value, float) and not value.is_integer()):
                raise ValueError
            if isinstance(value, float) and abs(value) >= _EXACT_FLOAT:
                # A JSON parser reads integers beyond 64 bits as floats: the value was rounded.
                raise _out_of_range(stream, field, kind)
            number = int(value)
            if not _INT64_MIN <= number <= _INT64_MAX:
                raise _out_of_range(stream, field, kind)
            return number
        if kind == DataType.DOUBLE:
            if isinstance(value, bool):
                raise ValueError
            double = float(value)
            if not math.isfinite(double):
                raise _out_of_range(stream, field, kind)
            return double
        if kind == DataType.BOOL:
            if isinstance(value, bool):
                return value
            raise ValueError
        if kind == DataType.VARCHAR:
            text = value if isinstance(value, str) else _json_text(value)
            encoded = text.encode("utf-8", "surrogatepass")
            if len(encoded) > VARCHAR_MAX:
                text = encoded[:VARCHAR_MAX].decode("utf-8", errors="ignore")
                if on_cut is not None:
                    on_cut(stream, field)
            return text
    except (TypeError, ValueError, OverflowError, orjson.JSONEncodeError):
        raise RecordError(
            f"A record of stream {stream!r} has a value in field {field!r} that is not a valid {kind.name}.",
            guidance="Check the source's schema for that field, or leave it out of processing.metadata_fields.",
        ) from None
    return value


def _json_text(value: Any) -> str:
    """``value`` as compact JSON; integers beyond 64 bits (which orjson refuses) and deep values written exactly."""
    try:
        return orjson.dumps(value, default=str).decode()
    except orjson.JSONEncodeError:
        try:
            return json.dumps(value, default=str, separators=(",", ":"), ensure_ascii=False)
        except RecursionError:
            return deep_json(value)


def fit_dynamic_value(value: Any, *, stream: str, field: str) -> Any:
    """``value`` for the dynamic (JSON) field, or a ``RecordError`` naming the field.

    Milvus' JSON keeps signed 64-bit integers, so a wider one anywhere in the value would be
    rounded; and pymilvus encodes JSON recursively, so a value nested deeper than
    ``MAX_JSON_DEPTH`` levels cannot be sent (the input allows 1,024).
    """
    problem = _json_problem(value)
    if problem == "wide":
        raise RecordError(
            f"A record of stream {stream!r} has an integer wider than 64 bits in field {field!r}, which Milvus "
            "cannot store exactly.",
            guidance="Leave the field out of processing.metadata_fields (it can still be a text field), "
            "or have the source send it as a string.",
        )
    if problem == "deep":
        raise RecordError(
            f"A record of stream {stream!r} has a value nested more than {MAX_JSON_DEPTH} levels deep in field "
            f"{field!r}, which Milvus' JSON field cannot take.",
            guidance="Leave the field out of processing.metadata_fields (it can still be a text field).",
        )
    return value


def _json_problem(value: Any) -> str | None:
    """What ``value`` holds that Milvus' JSON cannot: "wide" (an integer past 64 bits), "deep" (too nested), or None.

    Iterative: values nest up to 1,024 levels.
    """
    todo = [(value, 0)]
    while todo:
        item, depth = todo.pop()
        kind = type(item)
        if kind is int:
            if not _INT64_MIN <= item <= _INT64_MAX:
                return "wide"
        elif kind is list or kind is tuple or kind is dict:
            if depth >= MAX_JSON_DEPTH:
                return "deep"
            todo.extend((child, depth + 1) for child in (item.values() if kind is dict else item))
    return None


def _out_of_range(stream: str, field: str, kind: DataType) -> RecordError:
    limits = "a signed 64-bit integer" if kind == DataType.INT64 else "a finite number"
    return RecordError(
        f"A record of stream {stream!r} has a value in field {field!r} outside the range of {kind.name} ({limits}).",
        guidance="Check the source's schema for that field, or leave it out of processing.metadata_fields.",
    )
