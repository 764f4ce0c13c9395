"""The sync-mode rules in one place: which rows a record replaces, reuses, skips or leaves stale.

Airbyte's destination sync modes, as this connector applies them:

- **append**: every version of a record is kept whole. A chunk's key names the record *and* its
  version (a digest of the record), so resending the same version lands on the same rows.
- **append_dedup**: one version per record. A chunk's key is (stream, record id, chunk index), so
  a new version overwrites its old chunks in place; chunks beyond the new count (a record that
  shrank) and every chunk of a CDC delete (``_ab_cdc_deleted_at``) are *stale* and are deleted by
  primary key after the new rows are written (readers never see the record vanish). Rows of the
  record under other keys (the stream was append or overwrite before) are *foreign* and are
  deleted before the new rows are written (``record_deletions``).
- **overwrite**: as append while the sync runs; rows carry the sync's *generation*, and once the
  stream completes, rows of every other generation are deleted (``truncate``). A platform
  "truncate refresh" (``minimum_generation_id == generation_id`` on an append or dedup stream)
  does the same. With the platform's generation ids a resumed attempt keeps the rows the failed
  attempt acknowledged; without them (or with PyAirbyte's constant 1/1/1) the generation is the run.

Before a batch is embedded, the writer looks up the rows its records already have
(``find_stored_rows``) and decides in two steps:

1. ``unchanged_record``: when the record's stored rows are exactly the rows its content makes
   (every row carries the same ``_ab_record_digest``, the chunk count and keys add up, and on a
   truncating stream the generation is this sync's), nothing is chunked, embedded or written.
   This is the common case of a scheduled sync (PyAirbyte re-sends its cache; Zendesk re-sends a
   ticket when any field changes, configured or not).
2. Otherwise the record is chunked and ``plan_record`` decides per chunk:

- *unchanged*: the stored row has the same ``_ab_chunk_hash`` (same text, embedding contract and
  metadata) and the same ``_ab_record_digest`` (and, on a truncating stream, the same
  generation): nothing is written;
- *reused*: a stored row of the record was embedded from the same text and contract: its vector is
  written again with the new metadata (a status change costs no embedding);
- *embedded*: anything else.

Finding a record's rows costs key lookups, not scans. Chunk primary keys are deterministic
(``chunk_key``, ``contract.chunk_primary_key``), and the writer keeps a record's rows a *prefix* of
its chunk indexes: it writes chunks in ascending order and deletes in descending order
(``record_deletions``), so after any crash the rows present are chunks 0..p, plus leftovers of a
longer version only if the first index past the count is present too. So ``find_stored_rows`` reads
chunk 0, learns the count from its ``_ab_record_digest``, reads chunks 1..count (the last one only
to prove it absent), and falls back to a filtered query by record (a scan on Milvus Lite) only for
records with no chunk 0 (new, or written under another sync mode's keys), rows older than the
digest, or leftovers. (Foreign rows are deleted before the upsert for this reason: once chunk 0
exists, a lookup by key would never find them.) Collections whose keys Milvus assigns
(``auto_id``) are always queried by record.

Two shortcuts keep this exact: a stream with no rows when the sync starts needs no lookups for
records met for the first time; a dedup record that may already have been written *earlier in this
sync* (``SeenRecords``) is never skipped, and its stale rows are looked up again right before its
batch is written (the pipelined lookup may have run before that earlier batch landed).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any, Callable, Sequence

from airbyte_cdk.models import ConfiguredAirbyteCatalog, ConfiguredAirbyteStream, DestinationSyncMode

from destination_milvus_support.errors import ConnectorConfigError
from query_sdk.contract import chunk_primary_key, stream_identifier
from query_sdk.layout import parse_record_digest, same_source, stored_chunk_count

#: A record to look up: (stream, record id, chunk key).
RecordRef = tuple[str, str, str]

__all__ = [
    "RecordPlan",
    "RecordRef",
    "StoredRow",
    "StreamRules",
    "chunk_key",
    "find_stored_rows",
    "plan_record",
    "record_deletions",
    "stream_rules",
    "unchanged_record",
]


@dataclass(frozen=True)
class StreamRules:
    """How one stream's records are written."""

    name: str
    #: One version per record (append_dedup): replacing a record removes its stale chunks.
    dedup: bool
    #: At the end of a complete sync, rows of other generations are removed (overwrite, truncate refresh).
    truncate: bool
    #: The generation this sync's rows carry.
    generation: int


def stream_rules(catalog: ConfiguredAirbyteCatalog, *, run_id: int | None = None) -> dict[str, StreamRules]:
    """The rules of every configured stream, by stream identifier."""
    run = int(time.time() * 1000) if run_id is None else run_id
    rules = {}
    seen: dict[str, ConfiguredAirbyteStream] = {}
    for configured in catalog.streams:
        name = stream_identifier(configured.stream.name, configured.stream.namespace)
        if name in seen:
            raise ConnectorConfigError(
                f"Streams {_described(seen[name])} and {_described(configured)} would both be stored as "
                f"_ab_stream {name!r} (namespace and name joined by '_', as the official destination stores "
                "them), so each would overwrite the other's records.",
                guidance="Sync them to different collections (a connection each), or rename one with a stream "
                "prefix or a destination namespace in the connection's settings.",
            )
        seen[name] = configured
        mode = configured.destination_sync_mode
        tracked = _has_platform_generations(configured)
        refresh = (
            tracked and bool(configured.generation_id) and configured.minimum_generation_id == configured.generation_id
        )
        rules[name] = StreamRules(
            name=name,
            dedup=mode == DestinationSyncMode.append_dedup,
            truncate=mode == DestinationSyncMode.overwrite or refresh,
            generation=int(configured.generation_id or 0) if tracked else run,
        )
    return rules


def chunk_key(configured: ConfiguredAirbyteStream, rid: str, version: Callable[[], str]) -> str:
    """The key a record's chunk primary keys are made from (``contract.chunk_primary_key``).

    Dedup streams, and streams without a primary key (whose record id already is a content
    digest), use the record id; append and overwrite streams add the record's ``version()``
    digest (computed only then: it hashes the whole record).
    """
    has_key = bool(configured.primary_key or configured.stream.source_defined_primary_key)
    if configured.destination_sync_mode == DestinationSyncMode.append_dedup or not has_key:
        return rid
    return f"{rid}#{version()}"


def _described(configured: ConfiguredAirbyteStream) -> str:
    """A stream as the Airbyte UI shows it: ``namespace.name``, or ``name`` without a namespace."""
    stream = configured.stream
    return repr(f"{stream.namespace}.{stream.name}" if stream.namespace else stream.name)


def _has_platform_generations(stream: ConfiguredAirbyteStream) -> bool:
    """True when the catalog's generation ids mean something (not absent, not PyAirbyte's 1/1/1)."""
    if stream.generation_id is None:
        return False
    return not (stream.generation_id == stream.minimum_generation_id == stream.sync_id == 1)


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


@dataclass
class RecordPlan:
    """What writing one record's chunks costs, by chunk index, and which stored rows it removes."""

    unchanged: set[int] = field(default_factory=set)
    #: chunk index -> primary key of the stored row whose vector it takes.
    reuse: dict[int, Any] = field(default_factory=dict)
    embed: list[int] = field(default_factory=list)
    #: Rows to delete *before* the new rows are written: a dedup record's rows under other keys
    #: (the stream was append or overwrite before). Key lookups never find such rows again, so they
    #: go first: a sync killed after the upsert can then not leave them behind for good.
    foreign: list[Any] = field(default_factory=list)
    #: Rows to delete once the new rows are written, highest chunk index first (``record_deletions``).
    stale: list[Any] = field(default_factory=list)


def unchanged_record(
    rules: StreamRules,
    key: str,
    source: str,
    stored: Sequence[StoredRow],
    *,
    repeated: bool = False,
    auto_id: bool = False,
) -> int | None:
    """The record's chunk count when its stored rows already are what ``source`` makes; else None.

    ``key`` is the record's ``chunk_key`` and ``source`` its ``layout.record_source``. The rows
    must all name ``source`` with one chunk count (on a dedup stream no other row of the record may
    exist: it would be stale), be exactly the keys that count gives (a sync killed between two
    writes can leave part of a record), and on a truncating stream belong to this generation.
    In an ``auto_id`` collection keys say nothing: a dedup record needs exactly ``count`` rows, an
    append record at least ``count`` (every version sent is kept, the same one possibly twice).
    """
    if repeated or not stored:
        return None
    matching = [row for row in stored if stored_chunk_count(row.record_digest, source) is not None]
    if not matching or (rules.dedup and len(matching) != len(stored)):
        return None
    counts = {stored_chunk_count(row.record_digest, source) for row in matching}
    count = counts.pop() if len(counts) == 1 else None
    if not count:
        return None
    if auto_id:
        complete = len(matching) == count if rules.dedup else len(matching) >= count
    else:
        complete = {row.pk for row in matching} == {chunk_primary_key(rules.name, key, i) for i in range(count)}
    if not complete or (rules.truncate and any(row.generation != rules.generation for row in matching)):
        return None
    return count


def plan_record(
    rules: StreamRules,
    key: str,
    chunks: Sequence[tuple[Any, str]],
    stored: Sequence[StoredRow],
    *,
    record_digest: str,
    repeated: bool = False,
    auto_id: bool = False,
) -> RecordPlan:
    """Plan one record: ``chunks`` are its new (primary key, chunk hash) pairs, ``stored`` its rows.

    ``key`` is the record's ``chunk_key``. ``record_digest`` is the ``_ab_record_digest`` its
    rows get: a stored row that lacks it (an older row) is rewritten with its vector, so the next
    sync can skip the record whole. ``repeated`` (the record may have been written earlier in this
    sync) forbids skipping: the stored row seen may be older than what this sync wrote. ``auto_id``
    collections (the official connector's) assign new keys on insert, so every stored row of a
    replaced dedup record is stale.
    """
    plan = RecordPlan()
    by_pk = {row.pk: row for row in stored} if not auto_id else {}
    for index, (pk, digest) in enumerate(chunks):
        row = by_pk.get(pk)
        if (
            row is not None
            and not repeated
            and row.chunk_hash == digest
            and row.record_digest == record_digest
            and (not rules.truncate or row.generation == rules.generation)
        ):
            plan.unchanged.add(index)
            continue
        source = row if row is not None and same_source(row.chunk_hash, digest) else None
        source = source or next((r for r in stored if same_source(r.chunk_hash, digest)), None)
        if source is not None:
            plan.reuse[index] = source.pk
        else:
            plan.embed.append(index)
    plan.foreign, plan.stale = record_deletions(rules, key, len(chunks), stored, auto_id=auto_id)
    return plan


def record_deletions(
    rules: StreamRules, key: str, chunks: int, stored: Sequence[StoredRow], *, auto_id: bool = False
) -> tuple[list[Any], list[Any]]:
    """(foreign, stale): the stored rows a record of ``chunks`` chunks under ``key`` no longer has.

    *Stale* rows are the record's own chunks (keys of ``key``) from index ``chunks`` up: a record
    that shrank, a CDC delete (``chunks`` 0), or, on append and overwrite streams, the same
    version cut with other settings. They are ordered highest index first, so that the rows left
    after any crash stay a prefix. *Foreign* rows, only on dedup streams, are the record's rows
    under other keys (written while the stream was append or overwrite). Append and overwrite keep
    other versions' rows (overwrite removes them by generation at the end of the sync).
    """
    if auto_id:  # new keys on every insert: a replaced dedup record's rows all go, after the insert
        return [], [row.pk for row in stored] if rules.dedup else []
    own = {chunk_primary_key(rules.name, key, i): i for i in range(chunks + len(stored))}
    foreign: list[Any] = []
    stale: list[tuple[int, Any]] = []
    for row in stored:
        index = own.get(row.pk)
        if index is None:
            if rules.dedup:
                foreign.append(row.pk)
        elif index >= chunks:
            stale.append((index, row.pk))
    stale.sort(key=lambda found: -found[0])
    return foreign, [pk for _, pk in stale]


def find_stored_rows(
    records: Sequence[RecordRef],
    *,
    by_pk: Callable[[list[Any]], list[StoredRow]],
    by_record: Callable[[list[tuple[str, str]]], list[StoredRow]],
    auto_id: bool = False,
) -> dict[RecordRef, list[StoredRow]]:
    """The stored rows of each of ``records``, by key lookups where the prefix rule allows.

    ``by_pk`` reads rows by primary key, ``by_record`` by a filtered query (see the module
    docstring). A record found by its key gets the rows of that key; one found by query gets every
    row of its (stream, record id), whatever their keys (append versions, another mode's keys).

    An append or overwrite record (key ``rid#version``) with no row under its key is also looked
    for under its dedup key (``rid``): the rows a dedup sync of the stream left are then found by
    key too. They are only sources of vectors to reuse there (those streams delete no row under
    another key), so their leftovers need no scan.
    """
    if auto_id:
        grouped = _by_record(by_record(sorted({(stream, rid) for stream, rid, _ in records})))
        return {ref: grouped.get(ref[:2], []) for ref in records}
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
        chunk_primary_key(ref[0], found, i) for ref, (found, count, _) in counted.items() for i in range(1, count + 1)
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
        grouped = _by_record(by_record(sorted({ref[:2] for ref in scan})))
        for ref in scan:
            rows[ref] = grouped.get(ref[:2], [])
    return rows


def _by_record(rows: Sequence[StoredRow]) -> dict[tuple[str, str], list[StoredRow]]:
    grouped: dict[tuple[str, str], list[StoredRow]] = {}
    for row in rows:
        grouped.setdefault((row.stream, row.record_id), []).append(row)
    return grouped
