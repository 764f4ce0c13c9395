"""The write loop: batch records, embed, write to Milvus in the background, pass STATE on only when durable."""

from __future__ import annotations

import time
from collections import deque
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Iterable, Iterator

from airbyte_cdk.models import (
    AirbyteMessage,
    AirbyteStreamStatus,
    ConfiguredAirbyteCatalog,
    ConfiguredAirbyteStream,
    DestinationSyncMode,
    TraceType,
    Type,
)

from destination_milvus_support.inbox import with_idle_ticks
from destination_milvus_support.indexer import MilvusIndexer, Row, record_hash
from destination_milvus_support.processor import Chunk, DocumentProcessor
from destination_milvus_support.progress import Progress, log_message
from destination_milvus_support.seen import SeenRecords
from query_sdk.contract import stream_identifier
from query_sdk.embedders import Embedder

__all__ = ["Writer"]

#: Batches embedded but not yet written; bounds memory while embedding overlaps writing.
_MAX_PENDING = 2
#: A STATE waits at most this long for its batch to fill (a slow source still gets checkpoints).
_MAX_BATCH_SECONDS = 30.0
#: While no message arrives, the loop wakes this often to pass STATEs on and apply the rule above.
_IDLE_SECONDS = 0.5


@dataclass
class _Batch:
    """Records since the last flush, keyed by (stream, record id): the last version wins."""

    entries: dict[tuple[str, str], list[Chunk] | None] = field(default_factory=dict)
    replace: set[tuple[str, str]] = field(default_factory=set)
    states: list[AirbyteMessage] = field(default_factory=list)
    started: float = 0.0  # when the first record arrived (time.monotonic()); 0.0 while empty
    chunks: int = 0
    tokens: int = 0


class Writer:
    """Turns the input messages into Milvus rows, yielding STATE (and LOG) messages as it goes."""

    def __init__(
        self,
        catalog: ConfiguredAirbyteCatalog,
        processor: DocumentProcessor,
        embedder: Embedder | None,
        indexer: MilvusIndexer,
        *,
        batch_chunks: int = 1024,
        batch_tokens: int = 250_000,
        progress: Progress | None = None,
    ) -> None:
        self._processor = processor
        self._embedder = embedder
        self._indexer = indexer
        self._batch_chunks = batch_chunks
        self._batch_tokens = batch_tokens
        self.progress = progress or Progress()
        self._streams = {stream_identifier(s.stream.name, s.stream.namespace): s for s in catalog.streams}
        self._dedup = {
            n for n, s in self._streams.items() if s.destination_sync_mode == DestinationSyncMode.append_dedup
        }
        run_id = int(time.time() * 1000)
        # Which rows a completed overwrite (or truncate refresh) keeps:
        # - with the platform's generation ids, rows of the current generation, so a retried
        #   attempt that resumes keeps what the failed attempt wrote and acknowledged;
        # - without them, rows written by this run. PyAirbyte sends generation_id =
        #   minimum_generation_id = sync_id = 1 on every sync, which carries no generation
        #   information, so it is treated as none (else a replace would keep the last run's rows).
        tracked = {n for n, s in self._streams.items() if _has_platform_generations(s)}
        overwrite = {n for n, s in self._streams.items() if s.destination_sync_mode == DestinationSyncMode.overwrite}
        # A platform "truncate refresh" (minimum_generation_id == generation_id on an append or
        # dedup stream) also drops older generations.
        refresh = {
            n
            for n, s in self._streams.items()
            if n in tracked and s.generation_id and s.minimum_generation_id == s.generation_id
        }
        self._truncate = overwrite | refresh
        self._generation = {n: int(s.generation_id) if n in tracked else run_id for n, s in self._streams.items()}
        # Dedup streams with no rows when the sync starts: a record's earlier chunks can then only
        # come from this sync, so records not seen yet are written without a dedup delete.
        self._fresh: set[str] = set()
        self._seen = SeenRecords()

    def write(self, messages: Iterable[AirbyteMessage]) -> Iterator[AirbyteMessage]:
        """Consume ``messages``; yield each STATE once everything before it is written."""
        batch = _Batch()
        pending: deque[tuple[Future[None], list[AirbyteMessage]]] = deque()
        statuses: dict[str, AirbyteStreamStatus] = {}
        self._fresh = {name for name in sorted(self._dedup) if not self._indexer.has_rows(name)}
        for name in sorted(self._fresh):
            yield log_message(f"Stream {name} has no rows yet: its records are written without dedup deletes.")
        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="milvus-writer") as pool:
            for message in with_idle_ticks(messages, _IDLE_SECONDS):
                if message is None:  # the source is quiet: only the checks after this chain run
                    pass
                elif message.type == Type.RECORD and message.record is not None:
                    self._add(batch, message)
                    if batch.chunks >= self._batch_chunks or batch.tokens >= self._batch_tokens:
                        yield from self._submit(batch, pending, pool)
                        batch = _Batch()
                elif message.type == Type.STATE:
                    if batch.entries:
                        batch.states.append(message)
                    elif pending:
                        pending[-1][1].append(message)
                    else:
                        yield message
                elif message.type == Type.TRACE and message.trace and message.trace.type == TraceType.STREAM_STATUS:
                    status = message.trace.stream_status
                    if status is not None:
                        descriptor = status.stream_descriptor
                        statuses[stream_identifier(descriptor.name, descriptor.namespace)] = status.status
                if batch.states and time.monotonic() - batch.started >= _MAX_BATCH_SECONDS:  # a slow source
                    yield from self._submit(batch, pending, pool)
                    batch = _Batch()
                yield from _drain(pending, block=False)
                if self.progress.due():
                    yield log_message(self.progress.line())
            yield from self._submit(batch, pending, pool)
            yield from _drain(pending, block=True)
        self._indexer.flush()
        yield from self._commit_overwrites(statuses)
        yield log_message(self.progress.line())
        for line in self.progress.summary():
            yield log_message(line)

    def _add(self, batch: _Batch, message: AirbyteMessage) -> None:
        assert message.record is not None
        if not batch.entries:
            batch.started = time.monotonic()
        processed = self._processor.process(message.record)
        counts = self.progress.stream(processed.stream)
        key = (processed.stream, processed.record_id)
        if processed.stream not in self._dedup and processed.chunks:
            key = (processed.stream, processed.chunks[0].pk)  # append: every version of a record is kept
        previous = batch.entries.pop(key, None)
        if previous:
            batch.chunks -= len(previous)
            batch.tokens -= sum(c.tokens for c in previous)
        if processed.deleted:
            counts.deleted += 1
            if processed.stream in self._dedup:
                batch.entries[key] = None
                batch.replace.add(key)
            return
        counts.records += 1
        counts.chunks += len(processed.chunks)
        batch.entries[key] = processed.chunks
        batch.chunks += len(processed.chunks)
        batch.tokens += sum(c.tokens for c in processed.chunks)
        if processed.stream in self._dedup:
            batch.replace.add(key)

    def _submit(
        self, batch: _Batch, pending: deque[tuple[Future[None], list[AirbyteMessage]]], pool: ThreadPoolExecutor
    ) -> Iterator[AirbyteMessage]:
        if not batch.entries:
            if batch.states:
                if pending:
                    pending[-1][1].extend(batch.states)
                else:
                    yield from batch.states
            return
        chunks = [(stream, c) for (stream, _), cs in batch.entries.items() if cs for c in cs]
        vectors = self._vectors([c for _, c in chunks])
        rows = [
            Row(c.pk, stream, str(c.metadata.get("_ab_record_id")), c.text, v, c.metadata)
            for (stream, c), v in zip(chunks, vectors)
        ]
        for stream, chunk in chunks:
            self.progress.stream(stream).tokens += chunk.tokens
        while len(pending) >= _MAX_PENDING:
            yield from _drain(pending, block=True, limit=1)
        future = pool.submit(self._write_rows, rows, self._deletes(batch))
        pending.append((future, list(batch.states)))

    def _deletes(self, batch: _Batch) -> list[tuple[str, str]]:
        """The batch's dedup replacements that may have rows already; remembers the batch's records.

        Batches are written in order by one thread, so a record seen in an earlier batch is written
        before this batch's delete runs.
        """
        deletes = []
        for stream, rid in sorted(batch.replace):
            if stream not in self._fresh:
                deletes.append((stream, rid))
                continue
            digest = record_hash(stream, rid)
            if digest in self._seen:
                deletes.append((stream, rid))
            self._seen.add(digest)
        return deletes

    def _vectors(self, chunks: list[Chunk]) -> list[list[float]]:
        if self._embedder is None:  # from_field: the record carried its vector
            return [list(c.vector or []) for c in chunks]
        return self._embedder.embed([c.text for c in chunks], token_counts=[c.tokens for c in chunks])

    def _write_rows(self, rows: list[Row], replace: list[tuple[str, str]]) -> None:
        by_stream: dict[str, int] = {}
        for row in rows:
            by_stream[row.stream] = by_stream.get(row.stream, 0) + 1
        # Rows of one batch carry their own stream's generation.
        groups: dict[int, list[Row]] = {}
        for row in rows:
            groups.setdefault(self._generation[row.stream], []).append(row)
        for generation, group in groups.items():
            self._indexer.write(group, replace, generation=generation)
            replace = []
        if replace:  # a batch of CDC deletes only
            self._indexer.delete_records(replace)
        for stream, count in by_stream.items():
            self.progress.stream(stream).rows_written += count

    def _commit_overwrites(self, statuses: dict[str, AirbyteStreamStatus]) -> Iterator[AirbyteMessage]:
        """Remove older generations of overwritten streams, once their new data is complete.

        When the platform sends stream statuses, only streams reported COMPLETE are committed;
        without any (a shell pipe, PyAirbyte), reaching the end of the input means success.
        """
        for stream in sorted(self._truncate):
            if statuses and statuses.get(stream) != AirbyteStreamStatus.COMPLETE:
                yield log_message(f"Stream {stream} did not complete; its previous data is kept.")
                continue
            removed = self._indexer.delete_other_generations(stream, self._generation[stream])
            yield log_message(f"Stream {stream}: overwrite done, {removed} rows of earlier syncs removed.")


def _has_platform_generations(stream: ConfiguredAirbyteStream) -> bool:
    """True when the catalog's generation ids mean something (not absent, not PyAirbyte's 1/1/1)."""
    if stream.generation_id is None:
        return False
    return not (stream.generation_id == stream.minimum_generation_id == stream.sync_id == 1)


def _drain(
    pending: deque[tuple[Future[None], list[AirbyteMessage]]], *, block: bool, limit: int | None = None
) -> Iterator[AirbyteMessage]:
    """Yield the states of finished writes, oldest first; re-raise a failed write's error."""
    done = 0
    while pending and (block or pending[0][0].done()) and (limit is None or done < limit):
        future, states = pending.popleft()
        future.result()
        done += 1
        yield from states
