"""How a collection names its rows: the one seam between this connector's collections and the official destination's.

A collection is one ``CollectionKind``, chosen once when a sync prepares it
(``milvus.collection.prepare``). Its ``keys`` decide how a record's stored rows are found, when
they are complete, and which of them a new version leaves stale:

- ``DerivedKeys`` (this connector's collections): a chunk's primary key is derived from (stream,
  chunk key, index) (``content.chunk_primary_key``), so rows are found and replaced by key, and a
  record's rows stay a prefix of its chunk indexes (``planning`` explains why that makes lookups exact).
- ``AssignedKeys`` (the official destination's ``auto_id`` collections): Milvus assigns a new key
  on every insert, so rows are found by record, counted rather than named, and a replaced dedup
  record's rows are all deleted once its new rows are in.

Its ``record_id`` is the form ``_ab_record_id`` takes there (``content.record_id``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Protocol, Sequence

from destination_milvus_support.content import chunk_primary_key, parse_record_digest
from destination_milvus_support.content import record_id as _record_id
from destination_milvus_support.rows import RecordRef, StoredRow
from destination_milvus_support.validation import fit_record_id

__all__ = [
    "OWN_COLLECTION",
    "AssignedKeys",
    "CollectionKind",
    "DerivedKeys",
    "RowKeys",
    "official_collection",
]

ByPk = Callable[[list[Any]], list[StoredRow]]
ByRecord = Callable[[list[tuple[str, str]]], list[StoredRow]]


class RowKeys(Protocol):
    """The key rules of one kind of collection (see the module docstring)."""

    def find(
        self, records: Sequence[RecordRef], *, by_pk: ByPk, by_record: ByRecord
    ) -> dict[RecordRef, list[StoredRow]]:
        """The stored rows of each record."""
        ...

    def complete(self, stream: str, key: str, count: int, rows: Sequence[StoredRow], *, dedup: bool) -> bool:
        """Whether ``rows`` (all naming one source of ``count`` chunks) are the whole record."""
        ...

    def by_pk(self, stored: Sequence[StoredRow]) -> dict[Any, StoredRow]:
        """Stored rows that a new chunk with the same primary key replaces in place."""
        ...

    def deletions(
        self, stream: str, key: str, chunks: int, stored: Sequence[StoredRow], *, dedup: bool
    ) -> tuple[list[Any], list[Any]]:
        """(foreign, stale): the stored rows a record of ``chunks`` chunks no longer has (``planning``)."""
        ...


class DerivedKeys:
    """Primary keys derived from the record: rows found by key, deleted by key, a prefix of chunk indexes."""

    def find(
        self, records: Sequence[RecordRef], *, by_pk: ByPk, by_record: ByRecord
    ) -> dict[RecordRef, list[StoredRow]]:
        """Read chunk 0 by key, learn the count from its digest, read chunks 1..count; query the rest.

        A record found by its key gets the rows of that key; one found by query (no chunk 0: new,
        written under another sync mode's keys, older than the digest, or with leftovers past its
        count) gets every row of its (stream, record id), whatever their keys.

        An append or overwrite record (key ``rid#version``) with no row under its key is also looked
        for under its dedup key (``rid``): the rows a dedup sync of the stream left are then found by
        key too. They are only sources of vectors to reuse there (those streams delete no row under
        another key), so their leftovers need no scan.
        """
        firsts = {chunk_primary_key(stream, key, 0): (stream, rid, key) for stream, rid, key in records}
        dedup_firsts = {chunk_primary_key(stream, rid, 0) for stream, rid, key in records if key != rid}
        first_rows = {row.pk: row for row in by_pk(list(firsts) + sorted(dedup_firsts - firsts.keys()))}
        #: ref -> (the key its rows were found under, their chunk count, chunk 0)
        counted: dict[RecordRef, tuple[str, int, StoredRow]] = {}
        scan: list[RecordRef] = []
        for stream, rid, key in firsts.values():
            for found_key in (key, rid) if key != rid else (key,):
                row = first_rows.get(chunk_primary_key(stream, found_key, 0))
                count = parse_record_digest(row.record_digest)[1] if row is not None else None
                if row is not None and count is not None:
                    counted[(stream, rid, key)] = (found_key, count, row)
                    break
            else:
                scan.append((stream, rid, key))
        rest = [
            chunk_primary_key(ref[0], found, i)
            for ref, (found, count, _) in counted.items()
            for i in range(1, count + 1)
        ]
        rest_rows = {row.pk: row for row in by_pk(rest)} if rest else {}
        rows: dict[RecordRef, list[StoredRow]] = {}
        for (stream, rid, key), (found, count, first) in counted.items():
            if found == key and chunk_primary_key(stream, key, count) in rest_rows:  # leftovers of a longer version
                scan.append((stream, rid, key))
                continue
            keys = (chunk_primary_key(stream, found, i) for i in range(1, count))
            rows[(stream, rid, key)] = [first] + [rest_rows[pk] for pk in keys if pk in rest_rows]
        if scan:
            grouped = by_record_grouped(by_record(sorted({ref[:2] for ref in scan})))
            for ref in scan:
                rows[ref] = grouped.get(ref[:2], [])
        return rows

    def complete(self, stream: str, key: str, count: int, rows: Sequence[StoredRow], *, dedup: bool) -> bool:
        """Exactly the keys of chunks 0..count-1 (a sync killed between two writes can leave part of a record)."""
        return {row.pk for row in rows} == {chunk_primary_key(stream, key, i) for i in range(count)}

    def by_pk(self, stored: Sequence[StoredRow]) -> dict[Any, StoredRow]:
        """Every stored row, by its key."""
        return {row.pk: row for row in stored}

    def deletions(
        self, stream: str, key: str, chunks: int, stored: Sequence[StoredRow], *, dedup: bool
    ) -> tuple[list[Any], list[Any]]:
        """Stale: own rows from index ``chunks`` up, highest first; foreign (dedup only): rows under other keys."""
        own = {chunk_primary_key(stream, key, i): i for i in range(chunks + len(stored))}
        foreign: list[Any] = []
        stale: list[tuple[int, Any]] = []
        for row in stored:
            index = own.get(row.pk)
            if index is None:
                if dedup:
                    foreign.append(row.pk)
            elif index >= chunks:
                stale.append((index, row.pk))
        stale.sort(key=lambda found: -found[0])
        return foreign, [pk for _, pk in stale]


class AssignedKeys:
    """Keys Milvus assigns on insert: rows found by record and counted; a replaced dedup record's rows all go."""

    def find(
        self, records: Sequence[RecordRef], *, by_pk: ByPk, by_record: ByRecord
    ) -> dict[RecordRef, list[StoredRow]]:
        """Every row of each record's (stream, record id), by a filtered query."""
        grouped = by_record_grouped(by_record(sorted({(stream, rid) for stream, rid, _ in records})))
        return {ref: grouped.get(ref[:2], []) for ref in records}

    def complete(self, stream: str, key: str, count: int, rows: Sequence[StoredRow], *, dedup: bool) -> bool:
        """A dedup record needs exactly ``count`` rows, an append record at least ``count`` (each version is kept)."""
        return len(rows) == count if dedup else len(rows) >= count

    def by_pk(self, stored: Sequence[StoredRow]) -> dict[Any, StoredRow]:
        """None: a new row never takes a stored row's key."""
        return {}

    def deletions(
        self, stream: str, key: str, chunks: int, stored: Sequence[StoredRow], *, dedup: bool
    ) -> tuple[list[Any], list[Any]]:
        """On dedup streams every stored row is stale once the new rows are inserted; elsewhere none."""
        return [], [row.pk for row in stored] if dedup else []


@dataclass(frozen=True)
class CollectionKind:
    """What sets one collection's rows apart; see the module docstring."""

    name: str
    keys: RowKeys = field(compare=False)
    #: Record ids take the official destination's form (``tickets_a_b_c`` for a composite key).
    official_record_ids: bool = False

    @property
    def assigned_keys(self) -> bool:
        """Whether Milvus assigns the primary keys (rows are inserted, not upserted by key)."""
        return isinstance(self.keys, AssignedKeys)

    def record_id(self, stream: str, key_values: Sequence[Any]) -> str:
        """The ``_ab_record_id`` of a record with these primary-key values in this collection.

        In this connector's collections an id too long for its field becomes a stable digest
        (``validation.fit_record_id``); the official form is a dynamic-field key, kept whole as the
        official destination writes it.
        """
        if self.official_record_ids:
            return _record_id(stream, key_values, official=True)
        return fit_record_id(_record_id(stream, key_values))


#: A collection this connector created (it holds its contract).
OWN_COLLECTION = CollectionKind("own", DerivedKeys())


def official_collection(*, assigned_keys: bool) -> CollectionKind:
    """A collection without this connector's contract: the official destination's (``auto_id``), or one made by hand."""
    return CollectionKind("official", AssignedKeys() if assigned_keys else DerivedKeys(), official_record_ids=True)


def by_record_grouped(rows: Sequence[StoredRow]) -> dict[tuple[str, str], list[StoredRow]]:
    """Rows grouped by (stream, record id)."""
    grouped: dict[tuple[str, str], list[StoredRow]] = {}
    for row in rows:
        grouped.setdefault((row.stream, row.record_id), []).append(row)
    return grouped
