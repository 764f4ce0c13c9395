"""``InMemoryStorage``: the storage port (``storage.Storage``) in a dictionary, the Milvus store's twin for tests.

It keeps the port's contract as ``milvus.store.MilvusStore`` does on a server: lookups read the
rows as they were at ``begin_sync`` (``latest=True`` reads the rows now); ``write`` upserts by
primary key, or inserts with keys of its own for a collection whose keys are assigned; deletes are
by key or by generation. ``fail`` makes the n-th call of an operation raise, as a killed process or
a lost server would, so the writer's crash-and-resume invariants are tested without a server.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, replace
from typing import Any, Callable, Sequence

from destination_milvus_support.keys import OWN_COLLECTION, CollectionKind
from destination_milvus_support.storage import Row, StoredRow

__all__ = ["InMemoryStorage", "StoredChunk"]


@dataclass(frozen=True)
class StoredChunk:
    """One row as stored: what a lookup returns, plus its text, vector and metadata."""

    row: StoredRow
    text: str
    vector: tuple[float, ...]
    metadata: Any


class InMemoryStorage:
    """A collection in a dictionary (``rows``: primary key -> ``StoredChunk``)."""

    def __init__(
        self,
        kind: CollectionKind = OWN_COLLECTION,
        *,
        text_stored: bool = True,
        fail: Callable[[str, int], None] | None = None,
    ) -> None:
        """``fail(operation, n)`` is called before the n-th call (from 1) of each writing operation, and may raise."""
        self._kind = kind
        self._text_stored = text_stored
        self._fail = fail
        self.rows: dict[Any, StoredChunk] = {}
        self._snapshot: dict[Any, StoredChunk] = {}
        self._calls: dict[str, int] = {}
        self._keys = itertools.count(1)
        #: How many syncs reached ``finish``.
        self.finished = 0

    @property
    def kind(self) -> CollectionKind:
        """The kind of collection this one stands for (this connector's, by default)."""
        return self._kind

    @property
    def text_stored(self) -> bool:
        """False when the text is not kept (``omit_raw_text``)."""
        return self._text_stored

    def begin_sync(self) -> None:
        """Lookups from now on read the rows as they are now."""
        self._snapshot = dict(self.rows)

    def has_rows(self, stream: str) -> bool:
        """Whether any row of ``stream`` is stored."""
        return any(chunk.row.stream == stream for chunk in self.rows.values())

    def rows_by_pk(self, pks: Sequence[Any]) -> list[StoredRow]:
        """The rows among these keys, as of ``begin_sync``."""
        return [self._snapshot[pk].row for pk in dict.fromkeys(pks) if pk in self._snapshot]

    def rows_by_record(self, records: Sequence[tuple[str, str]], *, latest: bool = False) -> list[StoredRow]:
        """The rows of these records, as of ``begin_sync`` (``latest``: as of now)."""
        wanted = set(records)
        source = self.rows if latest else self._snapshot
        return [chunk.row for chunk in source.values() if (chunk.row.stream, chunk.row.record_id) in wanted]

    def vectors(self, pks: Sequence[Any]) -> dict[Any, tuple[str | None, list[float]]]:
        """``pk -> (chunk hash, vector)``, as of ``begin_sync``."""
        return {
            pk: (self._snapshot[pk].row.chunk_hash, list(self._snapshot[pk].vector))
            for pk in pks
            if pk in self._snapshot
        }

    def write(self, rows: Sequence[Row], *, generation: int) -> None:
        """Upsert (or, where keys are assigned, insert) ``rows``."""
        self._check("write")
        for row in rows:
            pk = next(self._keys) if self._kind.assigned_keys else row.pk
            stored = StoredRow(pk, row.stream, row.record_id, row.chunk_hash, generation, row.record_digest)
            text = row.text if self._text_stored else ""
            self.rows[pk] = StoredChunk(stored, text, tuple(row.vector), dict(row.metadata))

    def delete_ids(self, ids: Sequence[Any]) -> None:
        """Delete rows by key."""
        self._check("delete")
        for pk in ids:
            self.rows.pop(pk, None)

    def delete_other_generations(self, stream: str, generation: int) -> int:
        """Delete the stream's rows of other generations."""
        self._check("delete_generations")
        old = [
            pk for pk, chunk in self.rows.items() if chunk.row.stream == stream and chunk.row.generation != generation
        ]
        for pk in old:
            del self.rows[pk]
        return len(old)

    def flush(self) -> None:
        """Nothing to seal in memory."""

    def finish(self) -> None:
        """Count the sync as finished."""
        self.finished += 1

    def records(self) -> dict[tuple[str, str], list[str]]:
        """Each stored record's chunk texts, sorted: a test's view of what the collection holds."""
        found: dict[tuple[str, str], list[str]] = {}
        for chunk in self.rows.values():
            found.setdefault((chunk.row.stream, chunk.row.record_id), []).append(chunk.text)
        return {record: sorted(texts) for record, texts in found.items()}

    def copy(self) -> InMemoryStorage:
        """Another storage holding the same rows (for comparing two runs from one starting point)."""
        twin = InMemoryStorage(self._kind, text_stored=self._text_stored)
        twin.rows = {pk: replace(chunk) for pk, chunk in self.rows.items()}
        twin._keys = itertools.count(max((pk for pk in self.rows if isinstance(pk, int)), default=0) + 1)
        return twin

    def _check(self, operation: str) -> None:
        self._calls[operation] = self._calls.get(operation, 0) + 1
        if self._fail is not None:
            self._fail(operation, self._calls[operation])
