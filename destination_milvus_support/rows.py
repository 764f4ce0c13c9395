"""The rows the writer, the planner and the storage port exchange: a record to look up, a stored row, a row to write."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping, Sequence

__all__ = ["RecordRef", "Row", "StoredRow"]

#: A record to look up: (stream, record id, chunk key).
RecordRef = tuple[str, str, str]


@dataclass(frozen=True)
class StoredRow:
    """A row already in the collection, as a lookup returns it (no vector)."""

    pk: Any
    stream: str
    record_id: str
    chunk_hash: str | None
    generation: int | None
    #: ``_ab_record_digest`` (None on rows written before it existed, or by the official connector).
    record_digest: str | None = None


@dataclass(frozen=True)
class Row:
    """A chunk with its vector, ready to be shaped for the collection."""

    pk: str
    stream: str
    record_id: str
    text: str
    vector: Sequence[float]
    metadata: Mapping[str, Any]
    #: ``content.chunk_hash`` of the row (stored where the collection can hold it).
    chunk_hash: str = ""
    #: ``content.record_digest`` of the row's record (likewise).
    record_digest: str = ""
