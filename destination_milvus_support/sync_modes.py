"""The sync-mode rules in one place: which rows a record replaces, reuses, skips or leaves stale.

Airbyte's destination sync modes, as this connector applies them:

- **append**: every version of a record is kept whole. A chunk's key names the record *and* its
  version (a digest of the record), so resending the same version lands on the same rows.
- **append_dedup**: one version per record. A chunk's key is (stream, record id, chunk index), so
  a new version overwrites its old chunks in place; chunks beyond the new count (a record that
  shrank) and every chunk of a CDC delete (``_ab_cdc_deleted_at``) are *stale* and are deleted by
  primary key after the new rows are written (readers never see the record vanish).
- **overwrite**: as append while the sync runs; rows carry the sync's *generation*, and once the
  stream completes, rows of every other generation are deleted (``truncate``). A platform
  "truncate refresh" (``minimum_generation_id == generation_id`` on an append or dedup stream)
  does the same. With the platform's generation ids a resumed attempt keeps the rows the failed
  attempt acknowledged; without them (or with PyAirbyte's constant 1/1/1) the generation is the run.

Before a batch is embedded, the writer looks up the rows its records already have (by record) and
decides in two steps:

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

Two shortcuts keep this exact: a stream with no rows when the sync starts needs no lookups for
records met for the first time; a dedup record that may already have been written *earlier in this
sync* (``SeenRecords``) is never skipped, and its stale rows are looked up again right before its
batch is written (the pipelined lookup may have run before that earlier batch landed).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any, Sequence

from airbyte_cdk.models import ConfiguredAirbyteCatalog, ConfiguredAirbyteStream, DestinationSyncMode

from query_sdk.contract import chunk_primary_key, stream_identifier
from query_sdk.layout import same_source, stored_chunk_count

__all__ = [
    "RecordPlan",
    "StoredRow",
    "StreamRules",
    "chunk_key",
    "plan_record",
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
    for configured in catalog.streams:
        name = stream_identifier(configured.stream.name, configured.stream.namespace)
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


def chunk_key(configured: ConfiguredAirbyteStream, rid: str, version: str) -> str:
    """The key a record's chunk primary keys are made from (``contract.chunk_primary_key``).

    Dedup streams, and streams without a primary key (whose record id already is a content
    digest), use the record id; append and overwrite streams add the record's ``version`` digest.
    """
    has_key = bool(configured.primary_key or configured.stream.source_defined_primary_key)
    if configured.destination_sync_mode == DestinationSyncMode.append_dedup or not has_key:
        return rid
    return f"{rid}#{version}"


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
    """What writing one record's chunks costs, by chunk index."""

    unchanged: set[int] = field(default_factory=set)
    #: chunk index -> primary key of the stored row whose vector it takes.
    reuse: dict[int, Any] = field(default_factory=dict)
    embed: list[int] = field(default_factory=list)
    #: Primary keys of stored rows to delete once the new rows are written.
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
        complete = len(matching) == count
    else:
        complete = {row.pk for row in matching} == {chunk_primary_key(rules.name, key, i) for i in range(count)}
    if not complete or (rules.truncate and any(row.generation != rules.generation for row in matching)):
        return None
    return count


def plan_record(
    rules: StreamRules,
    chunks: Sequence[tuple[Any, str]],
    stored: Sequence[StoredRow],
    *,
    record_digest: str | None = None,
    repeated: bool = False,
    auto_id: bool = False,
) -> RecordPlan:
    """Plan one record: ``chunks`` are its new (primary key, chunk hash) pairs, ``stored`` its rows.

    ``record_digest`` is the ``_ab_record_digest`` its rows get: a stored row that lacks it (an
    older row) is rewritten with its vector, so the next sync can skip the record whole.
    ``repeated`` (the record may have been written earlier in this sync) forbids skipping: the
    stored row seen may be older than what this sync wrote. ``auto_id`` collections (the official
    connector's) assign new keys on insert, so every stored row of a replaced record is stale.
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
    if rules.dedup:
        kept = set() if auto_id else {pk for pk, _ in chunks}
        plan.stale = [row.pk for row in stored if row.pk not in kept]
    return plan
