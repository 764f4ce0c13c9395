"""The storage port: the few operations the writer needs from a collection, and the rows they exchange.

The writer (``writer.py``) knows nothing else about the database. ``milvus.store.MilvusStore``
implements the port on Milvus; ``memory_storage.InMemoryStorage`` implements it in a dictionary, so
the writer's invariants (STATE order, dedup planning, crash and resume) are unit-tested without a
server. Both follow the same contract, written here once:

- rows are found by primary key (``rows_by_pk``) or by record (``rows_by_record``); lookups read the
  collection as it was when ``begin_sync`` ran, except ``rows_by_record(..., latest=True)``, which
  also sees every write of this sync;
- ``write`` upserts (a row with the primary key of a stored row replaces it), or inserts where the
  collection assigns keys itself (``kind.keys``: ``keys.AssignedKeys``);
- ``finish`` returns once every reader can see what the sync wrote.
"""

from __future__ import annotations

from typing import Any, Protocol, Sequence

from destination_milvus_support.keys import CollectionKind
from destination_milvus_support.rows import RecordRef, Row, StoredRow

__all__ = ["RecordRef", "Row", "Storage", "StoredRow"]


class Storage(Protocol):
    """What the writer asks of a collection (see the module docstring for the contract)."""

    @property
    def kind(self) -> CollectionKind:
        """How this collection names its rows."""
        ...

    @property
    def text_stored(self) -> bool:
        """False when ``omit_raw_text`` leaves the text field empty."""
        ...

    def begin_sync(self) -> None:
        """Fix the snapshot lookups read: every row written before this call."""

    def has_rows(self, stream: str) -> bool:
        """Whether the collection holds any row of ``stream``."""
        ...

    def rows_by_pk(self, pks: Sequence[Any]) -> list[StoredRow]:
        """The stored rows among these primary keys."""
        ...

    def rows_by_record(self, records: Sequence[tuple[str, str]], *, latest: bool = False) -> list[StoredRow]:
        """Every stored row of these ``(stream, record id)`` pairs; with ``latest``, this sync's writes too."""
        ...

    def vectors(self, pks: Sequence[Any]) -> dict[Any, tuple[str | None, list[float]]]:
        """``pk -> (chunk hash, vector)`` of stored rows, read together."""
        ...

    def write(self, rows: Sequence[Row], *, generation: int) -> None:
        """Write ``rows`` with this sync's ``generation``."""

    def delete_ids(self, ids: Sequence[Any]) -> None:
        """Delete rows by primary key."""

    def delete_other_generations(self, stream: str, generation: int) -> int:
        """Remove the stream's rows of every other generation; return how many went."""
        ...

    def flush(self) -> None:
        """Ask the database to seal what this sync wrote (called once, at the end of the records)."""

    def finish(self) -> None:
        """Return once every reader sees what this sync wrote, and leave the collection searchable."""
