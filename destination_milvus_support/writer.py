"""The write loop: batch records, then look up, embed and write them in a pipeline; pass STATE on only when durable.

The input thread only prepares records (ids, metadata, a digest of their raw values: nothing is
rendered or counted). Three single-thread stages then run one batch each, in order: batch N+2's
stored rows are looked up and its new and changed records rendered and chunked while batch N+1 is
embedded and batch N is written (chunking on the input thread, as a stream's first sync once did,
paced the whole sync: bench/README.md, "Day-2 syncs"). A batch's STATEs are passed on once its write
(and every write before it) has finished. What to skip, reuse, embed or delete per record is
``planning``'s; the collection is reached only through the storage port (``storage.Storage``).
"""

from __future__ import annotations

import threading
import time
from collections import deque
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Callable, Iterable, Iterator, Mapping

from airbyte_cdk.models import AirbyteMessage, AirbyteStreamStatus, TraceType, Type

from destination_milvus_support.collector import collector_eased
from destination_milvus_support.content import chunk_hash, record_digest, record_hash, record_source, same_source
from destination_milvus_support.inbox import with_idle_ticks
from destination_milvus_support.planning import RecordPlan, plan_record, record_deletions, unchanged_record
from destination_milvus_support.processor import Chunk, DocumentProcessor, PreparedRecord
from destination_milvus_support.progress import Progress, log_message
from destination_milvus_support.seen import SeenRecords
from destination_milvus_support.storage import RecordRef, Row, Storage, StoredRow
from destination_milvus_support.sync_modes import StreamRules
from query_sdk.contract import EmbeddingSpec, stream_identifier
from query_sdk.embedders import Embedder

__all__ = ["Writer"]

#: Batches in the pipeline (looked up, embedded or being written); bounds memory.
_MAX_PENDING = 3
#: A STATE waits at most this long for its batch to fill (a slow source still gets checkpoints).
_MAX_BATCH_SECONDS = 30.0
#: While no message arrives, the loop wakes this often to pass STATEs on and apply the rule above.
_IDLE_SECONDS = 0.5


@dataclass
class _Record:
    """One record of a batch: what it is, its new chunks once chunked, and what is known of its rows."""

    prepared: PreparedRecord
    #: ``content.record_source`` of the record: equal sources make equal rows.
    source: str
    #: Its stored rows must be looked up (the stream had rows, or the record was met before).
    look_up: bool = False
    #: A dedup record that may have been written earlier in this sync.
    repeated: bool = False
    #: Set by the lookup stage (``Writer._look_up``), except for a CDC delete or a record left as it is.
    chunks: list[Chunk] = field(default_factory=list)
    hashes: list[str] = field(default_factory=list)
    stored: list[StoredRow] = field(default_factory=list)
    plan: RecordPlan = field(default_factory=RecordPlan)
    vectors: dict[int, list[float]] = field(default_factory=dict)

    @property
    def stream(self) -> str:
        """The stream identifier."""
        return self.prepared.stream

    @property
    def ref(self) -> RecordRef:
        """(stream, record id, chunk key): what ``keys.RowKeys.find`` looks up."""
        return self.prepared.stream, self.prepared.record_id, self.prepared.key

    @property
    def row_digest(self) -> str:
        """The ``_ab_record_digest`` its rows get (``content.record_digest``), once chunked."""
        return record_digest(self.source, len(self.chunks))


@dataclass
class _Batch:
    """Records since the last flush, keyed by (stream, record id) on dedup streams, else (stream, chunk key).

    On dedup streams the last version of a record in a batch wins; elsewhere every version is kept.
    """

    entries: dict[tuple[str, str], _Record] = field(default_factory=dict)
    states: list[AirbyteMessage] = field(default_factory=list)
    started: float = 0.0  # when the first record arrived (time.monotonic()); 0.0 while empty
    chunks: int = 0
    tokens: int = 0


_Pending = deque[tuple["Future[None]", list[AirbyteMessage]]]


class Writer:
    """Turns the input messages into rows of ``storage``, yielding STATE (and LOG) messages as it goes."""

    def __init__(
        self,
        rules: Mapping[str, StreamRules],
        processor: DocumentProcessor,
        embedder: Embedder | None,
        storage: Storage,
        spec: EmbeddingSpec,
        *,
        batch_chunks: int = 1024,
        batch_tokens: int = 250_000,
        progress: Progress | None = None,
    ) -> None:
        """``rules`` are the catalog's ``sync_modes.stream_rules``; without ``embedder``, vectors come with records."""
        self._rules = dict(rules)
        self._processor = processor
        self._embedder = embedder
        self._storage = storage
        self._spec = spec
        self._batch_chunks = batch_chunks
        self._batch_tokens = batch_tokens
        self._text_stored = storage.text_stored
        self.progress = progress or Progress()
        # Streams with no rows when the sync starts: their records need no lookup until met twice.
        self._fresh: set[str] = set()
        self._seen = SeenRecords()
        #: Set when any stage of any batch fails: later batches are then neither embedded nor written.
        self._failed = threading.Event()

    def write(self, messages: Iterable[AirbyteMessage]) -> Iterator[AirbyteMessage]:
        """Consume ``messages``; yield each STATE once everything before it is written.

        While it runs, the garbage collector works less (``collector.collector_eased``).
        """
        with collector_eased():
            yield from self._run(messages)

    def _run(self, messages: Iterable[AirbyteMessage]) -> Iterator[AirbyteMessage]:
        batch = _Batch()
        pending: _Pending = deque()
        statuses: dict[str, AirbyteStreamStatus] = {}
        self._storage.begin_sync()
        self._fresh = {name for name in sorted(self._rules) if not self._storage.has_rows(name)}
        for name in sorted(self._fresh):
            yield log_message(f"Stream {name} has no rows yet: its records are written without looking up stored rows.")
        pools = [
            ThreadPoolExecutor(max_workers=1, thread_name_prefix=f"milvus-{n}") for n in ("lookup", "embed", "write")
        ]
        try:
            for message in with_idle_ticks(messages, _IDLE_SECONDS):
                if message is None:  # the source is quiet: only the checks after this chain run
                    pass
                elif message.type == Type.RECORD and message.record is not None:
                    self._add(batch, message)
                    if batch.chunks >= self._batch_chunks or batch.tokens >= self._batch_tokens:
                        yield from self._submit(batch, pending, pools)
                        batch = _Batch()
                elif message.type == Type.STATE:
                    if batch.entries:
                        batch.states.append(message)
                    else:
                        yield from _after_pending([message], pending)
                elif message.type == Type.TRACE and message.trace and message.trace.type == TraceType.STREAM_STATUS:
                    status = message.trace.stream_status
                    if status is not None:
                        descriptor = status.stream_descriptor
                        statuses[stream_identifier(descriptor.name, descriptor.namespace)] = status.status
                if batch.states and time.monotonic() - batch.started >= _MAX_BATCH_SECONDS:  # a slow source
                    yield from self._submit(batch, pending, pools)
                    batch = _Batch()
                yield from _drain(pending, block=False)
                if self.progress.due():
                    yield log_message(self.progress.line())
            yield from self._submit(batch, pending, pools)
            yield from _drain(pending, block=True)
        finally:
            for pool in pools:
                pool.shutdown(wait=True, cancel_futures=True)
        self._storage.flush()
        yield from self._commit_overwrites(statuses)
        self._storage.finish()
        yield log_message(self.progress.line())
        for line in self.progress.summary():
            yield log_message(line)

    # -- batching (the input thread) ---------------------------------------------------------------

    def _add(self, batch: _Batch, message: AirbyteMessage) -> None:
        assert message.record is not None
        if not batch.entries:
            batch.started = time.monotonic()
        prepared = self._processor.prepare(message.record)
        rules = self._rules[prepared.stream]
        counts = self.progress.stream(prepared.stream)
        # dedup: the last version of a record in a batch wins; append: every version is kept
        key = (prepared.stream, prepared.record_id if rules.dedup else prepared.key)
        previous = batch.entries.pop(key, None)
        if previous:
            chunks, tokens = self._processor.estimate(previous.prepared)
            batch.chunks -= chunks
            batch.tokens -= tokens
        if prepared.deleted:
            counts.deleted += 1
            if not rules.dedup:
                return
        else:
            counts.records += 1
        batch.entries[key] = _Record(
            prepared, record_source(prepared.digest, self._spec, text_stored=self._text_stored)
        )
        chunks, tokens = self._processor.estimate(prepared)
        batch.chunks += chunks
        batch.tokens += tokens

    def _submit(self, batch: _Batch, pending: _Pending, pools: list[ThreadPoolExecutor]) -> Iterator[AirbyteMessage]:
        if not batch.entries:
            yield from _after_pending(batch.states, pending)
            return
        records = list(batch.entries.values())
        dedup = [item for item in records if self._rules[item.stream].dedup]
        hashes = [record_hash(item.stream, item.prepared.record_id) for item in dedup]
        for item, repeated in zip(dedup, self._seen.add_many(hashes), strict=True):
            item.repeated = repeated
        for item in records:
            item.look_up = item.stream not in self._fresh or item.repeated
        while len(pending) >= _MAX_PENDING:
            yield from _drain(pending, block=True, limit=1)
        lookup, embed, write = pools
        looked = lookup.submit(self._stage, self._look_up, records)
        embedded = embed.submit(self._stage, self._embed, records, looked)
        written = write.submit(self._stage, self._write, records, embedded)
        pending.append((written, list(batch.states)))

    # -- the stages (one thread each) --------------------------------------------------------------

    def _stage(self, work: Callable[[list[_Record]], None], records: list[_Record], *before: Future[None]) -> None:
        """Run one stage of one batch once its previous stage (``before``) is done, unless a batch has failed.

        A batch after a failed one is then never embedded or written. The failed batch's error
        reaches the write loop first (batches are drained in order), so ``_EarlierBatchFailed`` is
        only ever seen by the pool, and no STATE past the failure is passed on.
        """
        try:
            for earlier in before:  # this batch's previous stage: its error is this batch's error
                earlier.result()
            if self._failed.is_set():
                raise _EarlierBatchFailed
            work(records)
        except BaseException:
            self._failed.set()
            raise

    def _look_up(self, records: list[_Record]) -> None:
        """Find each record's stored rows; chunk and plan the records that changed; fetch reusable vectors."""
        # Every record's rows are sources of reusable vectors (an overwrite after dedup syncs has other
        # keys); dedup records also learn their stale rows from them; append rows are matched by key.
        keys = self._storage.kind.keys
        wanted = [r.ref for r in records if r.look_up]
        found_rows = (
            keys.find(wanted, by_pk=self._storage.rows_by_pk, by_record=self._storage.rows_by_record) if wanted else {}
        )
        changed: list[_Record] = []
        for item in records:
            item.stored = found_rows.get(item.ref, [])
            rules = self._rules[item.stream]
            same = None
            if not item.prepared.deleted:
                same = unchanged_record(
                    rules, item.prepared.key, item.source, item.stored, keys=keys, repeated=item.repeated
                )
            if same is None:
                changed.append(item)
            else:  # nothing to render, chunk, embed or write
                item.plan = RecordPlan(unchanged=set(range(same)))
                counts = self.progress.stream(item.stream)
                counts.chunks += same
                counts.unchanged += same
        self._chunk([item for item in changed if not item.prepared.deleted])
        reused: list[object] = []
        for item in changed:
            item.plan = plan_record(
                self._rules[item.stream],
                item.prepared.key,
                [(c.pk, h) for c, h in zip(item.chunks, item.hashes)],
                item.stored,
                record_digest=item.row_digest,
                keys=keys,
                repeated=item.repeated,
            )
            self.progress.stream(item.stream).unchanged += len(item.plan.unchanged)
            reused.extend(item.plan.reuse.values())
        found = self._storage.vectors(reused) if reused else {}
        for item in changed:
            for index, pk in list(item.plan.reuse.items()):
                stored_hash, vector = found.get(pk, (None, []))
                if same_source(stored_hash, item.hashes[index]):
                    item.vectors[index] = vector
                else:  # rewritten since the lookup: embed after all
                    del item.plan.reuse[index]
                    item.plan.embed.append(index)

    def _chunk(self, items: list[_Record]) -> None:
        """Render and chunk records, and hash their chunks (``content.chunk_hash``)."""
        spec = self._spec
        for item, chunks in zip(items, self._processor.chunk_many([item.prepared for item in items]), strict=True):
            item.chunks = chunks
            item.hashes = [
                chunk_hash(c.text, spec, c.metadata, vector=c.vector, text_stored=self._text_stored) for c in chunks
            ]
            self.progress.stream(item.stream).chunks += len(chunks)

    def _embed(self, records: list[_Record]) -> None:
        todo = [(item, index) for item in records for index in item.plan.embed]
        chunks = [item.chunks[index] for item, index in todo]
        if self._embedder is None:  # from_field: the record carried its vector
            vectors = [list(c.vector or []) for c in chunks]
        else:
            vectors = self._embedder.embed([c.text for c in chunks], token_counts=[c.tokens for c in chunks])
        for (item, index), vector in zip(todo, vectors):
            item.vectors[index] = vector
            counts = self.progress.stream(item.stream)
            counts.embedded += 1
            counts.tokens += item.chunks[index].tokens

    def _write(self, records: list[_Record]) -> None:
        """Delete foreign rows, write the new and rewritten rows, then delete stale rows (``RecordPlan``)."""
        self._look_up_again([item for item in records if item.repeated])
        foreign = [pk for item in records for pk in item.plan.foreign]
        if foreign:
            self._storage.delete_ids(foreign)
        by_generation: dict[int, list[Row]] = {}
        for item in records:
            self.progress.stream(item.stream).rewritten += len(item.plan.reuse)
            digest = item.row_digest
            for index, chunk in enumerate(item.chunks):
                if index in item.plan.unchanged:
                    continue
                row = Row(
                    chunk.pk,
                    item.stream,
                    item.prepared.record_id,
                    chunk.text,
                    item.vectors[index],
                    chunk.metadata,
                    item.hashes[index],
                    digest,
                )
                by_generation.setdefault(self._rules[item.stream].generation, []).append(row)
        for generation, rows in by_generation.items():
            self._storage.write(rows, generation=generation)
            for row in rows:
                self.progress.stream(row.stream).rows_written += 1
        stale = [pk for item in records for pk in item.plan.stale]  # each record's in deletion order
        if stale:
            self._storage.delete_ids(stale)
        for item in records:
            self.progress.stream(item.stream).stale_deleted += len(item.plan.foreign) + len(item.plan.stale)

    def _look_up_again(self, repeated: list[_Record]) -> None:
        """Re-plan the deletions of records an earlier batch of this sync may have written.

        The pipelined lookup of this batch may have run before that batch landed, so its rows are
        read again now, with a Strong read (every write of this sync is visible).
        """
        if not repeated:
            return
        rows_now: dict[tuple[str, str], list[StoredRow]] = {}
        records = [(r.stream, r.prepared.record_id) for r in repeated]
        for found in self._storage.rows_by_record(records, latest=True):
            rows_now.setdefault((found.stream, found.record_id), []).append(found)
        keys = self._storage.kind.keys
        for item in repeated:
            item.plan.foreign, item.plan.stale = record_deletions(
                self._rules[item.stream],
                item.prepared.key,
                len(item.chunks),
                rows_now.get((item.stream, item.prepared.record_id), []),
                keys=keys,
            )

    def _commit_overwrites(self, statuses: dict[str, AirbyteStreamStatus]) -> Iterator[AirbyteMessage]:
        """Remove older generations of truncating streams, once their new data is complete.

        When the platform sends stream statuses, only streams reported COMPLETE are committed;
        without any (a shell pipe, PyAirbyte), reaching the end of the input means success.
        """
        for name, rules in sorted(self._rules.items()):
            if not rules.truncate:
                continue
            if statuses and statuses.get(name) != AirbyteStreamStatus.COMPLETE:
                yield log_message(f"Stream {name} did not complete; its previous data is kept.")
                continue
            removed = self._storage.delete_other_generations(name, rules.generation)
            self.progress.stream(name).stale_deleted += removed
            yield log_message(f"Stream {name}: overwrite done, {removed} rows of earlier syncs removed.")


class _EarlierBatchFailed(Exception):
    """A batch's stage was skipped because an earlier batch failed (that batch's error is reported)."""


def _after_pending(states: list[AirbyteMessage], pending: _Pending) -> Iterator[AirbyteMessage]:
    """Where STATEs with no records of their own go: after the last pending batch's write, or out now if none."""
    if pending:
        pending[-1][1].extend(states)
    else:
        yield from states


def _drain(pending: _Pending, *, block: bool, limit: int | None = None) -> Iterator[AirbyteMessage]:
    """Yield the states of finished writes, oldest first; re-raise a failed write's error."""
    done = 0
    while pending and (block or pending[0][0].done()) and (limit is None or done < limit):
        future, states = pending.popleft()
        future.result()
        done += 1
        yield from states
