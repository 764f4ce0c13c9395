"""Planning one record: skip it, reuse its stored vectors, embed its changed chunks, delete what it left stale.

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
(``sync_modes.chunk_key``, ``content.chunk_primary_key``), and the writer keeps a record's rows a *prefix* of
its chunk indexes: it writes chunks in ascending order and deletes in descending order
(``keys.DerivedKeys.deletions``), so after any crash the rows present are chunks 0..p, plus leftovers of a
longer version only if the first index past the count is present too. So ``DerivedKeys.find`` reads
chunk 0, learns the count from its ``_ab_record_digest``, reads chunks 1..count (the last one only
to prove it absent), and falls back to a filtered query by record (a scan on Milvus Lite) only for
records with no chunk 0 (new, or written under another sync mode's keys), rows older than the
digest, or leftovers. (Foreign rows are deleted before the upsert for this reason: once chunk 0
exists, a lookup by key would never find them.) Collections whose keys Milvus assigns
(``keys.AssignedKeys``) are always queried by record.

Two shortcuts keep this exact: a stream with no rows when the sync starts needs no lookups for
records met for the first time; a dedup record that may already have been written *earlier in this
sync* (``SeenRecords``) is never skipped, and its stale rows are looked up again right before its
batch is written (the pipelined lookup may have run before that earlier batch landed).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Sequence

from destination_milvus_support.content import same_source, stored_chunk_count
from destination_milvus_support.keys import RowKeys
from destination_milvus_support.storage import StoredRow
from destination_milvus_support.sync_modes import StreamRules

__all__ = ["RecordPlan", "plan_record", "record_deletions", "unchanged_record"]


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
    keys: RowKeys,
    repeated: bool = False,
) -> int | None:
    """The record's chunk count when its stored rows already are what ``source`` makes; else None.

    ``key`` is the record's ``chunk_key`` and ``source`` its ``content.record_source``. The rows
    must all name ``source`` with one chunk count (on a dedup stream no other row of the record may
    exist: it would be stale), be the whole record (``keys.complete``: exactly the keys that count
    gives, or in a collection whose keys Milvus assigns, that many rows), and on a truncating
    stream belong to this generation.
    """
    if repeated or not stored:
        return None
    matching = [row for row in stored if stored_chunk_count(row.record_digest, source) is not None]
    if not matching or (rules.dedup and len(matching) != len(stored)):
        return None
    counts = {stored_chunk_count(row.record_digest, source) for row in matching}
    count = counts.pop() if len(counts) == 1 else None
    if not count or not keys.complete(rules.name, key, count, matching, dedup=rules.dedup):
        return None
    if rules.truncate and any(row.generation != rules.generation for row in matching):
        return None
    return count


def plan_record(
    rules: StreamRules,
    key: str,
    chunks: Sequence[tuple[Any, str]],
    stored: Sequence[StoredRow],
    *,
    record_digest: str,
    keys: RowKeys,
    repeated: bool = False,
) -> RecordPlan:
    """Plan one record: ``chunks`` are its new (primary key, chunk hash) pairs, ``stored`` its rows.

    ``key`` is the record's ``chunk_key``. ``record_digest`` is the ``_ab_record_digest`` its
    rows get: a stored row that lacks it (an older row) is rewritten with its vector, so the next
    sync can skip the record whole. ``repeated`` (the record may have been written earlier in this
    sync) forbids skipping: the stored row seen may be older than what this sync wrote.
    """
    plan = RecordPlan()
    by_pk = keys.by_pk(stored)
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
    plan.foreign, plan.stale = record_deletions(rules, key, len(chunks), stored, keys=keys)
    return plan


def record_deletions(
    rules: StreamRules, key: str, chunks: int, stored: Sequence[StoredRow], *, keys: RowKeys
) -> tuple[list[Any], list[Any]]:
    """(foreign, stale): the stored rows a record of ``chunks`` chunks under ``key`` no longer has.

    *Stale* rows are the record's own chunks from index ``chunks`` up: a record that shrank, a CDC
    delete (``chunks`` 0), or, on append and overwrite streams, the same version cut with other
    settings; they are deleted after the new rows are written, highest index first, so that the rows
    left after any crash stay a prefix. *Foreign* rows, only on dedup streams, are the record's rows
    under other keys (written while the stream was append or overwrite); they are deleted first.
    Append and overwrite keep other versions' rows (overwrite removes them by generation at the end
    of the sync). Where Milvus assigns keys, every row of a replaced dedup record is stale.
    """
    return keys.deletions(rules.name, key, chunks, stored, dedup=rules.dedup)
