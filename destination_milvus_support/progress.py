"""Counting what a sync did, and saying so as Airbyte LOG messages at intervals and at the end."""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from airbyte_cdk.models import AirbyteLogMessage, AirbyteMessage, Level, Type

__all__ = ["Progress", "StreamCounts", "log_message"]


def log_message(text: str, level: Level = Level.INFO) -> AirbyteMessage:
    """An Airbyte LOG message."""
    return AirbyteMessage(type=Type.LOG, log=AirbyteLogMessage(level=level, message=text))


@dataclass
class StreamCounts:
    """What one stream's records cost: every chunk is embedded, rewritten or unchanged."""

    records: int = 0
    #: CDC deletes received (``_ab_cdc_deleted_at``).
    deleted: int = 0
    chunks: int = 0
    #: Chunks sent to the embedding model, and their tokens.
    embedded: int = 0
    tokens: int = 0
    #: Chunks whose stored vector was written again with new metadata (no embedding).
    rewritten: int = 0
    #: Chunks whose stored row was already right (not written).
    unchanged: int = 0
    rows_written: int = 0
    #: Rows removed: stale chunks of replaced or CDC-deleted records, older generations of an overwrite.
    stale_deleted: int = 0


@dataclass
class Progress:
    """Counters per stream; ``due`` says when the next interval log line is owed."""

    interval_seconds: float = 10.0
    started: float = field(default_factory=time.monotonic)
    streams: dict[str, StreamCounts] = field(default_factory=dict)
    _last: float = field(default_factory=time.monotonic)

    def stream(self, name: str) -> StreamCounts:
        """Counters of one stream (created on first use)."""
        return self.streams.setdefault(name, StreamCounts())

    def due(self) -> bool:
        """True once per interval."""
        now = time.monotonic()
        if now - self._last >= self.interval_seconds:
            self._last = now
            return True
        return False

    def line(self) -> str:
        """One progress line over all streams."""
        elapsed = max(time.monotonic() - self.started, 1e-9)
        records = sum(s.records for s in self.streams.values())
        chunks = sum(s.chunks for s in self.streams.values())
        embedded = sum(s.embedded for s in self.streams.values())
        tokens = sum(s.tokens for s in self.streams.values())
        rows = sum(s.rows_written for s in self.streams.values())
        return (
            f"Progress: {records} records, {chunks} chunks, {embedded} embedded ({tokens} tokens), {rows} rows "
            f"written in {elapsed:.1f}s ({records / elapsed:.0f} records/s, {rows / elapsed:.0f} rows/s)."
        )

    def summary(self) -> list[str]:
        """One line per stream for the end of the sync."""
        return [
            f"Stream {name}: {s.records} records, {s.deleted} CDC deletes, {s.chunks} chunks: "
            f"{s.embedded} embedded ({s.tokens} tokens), {s.rewritten + s.unchanged} reused "
            f"({s.rewritten} rows rewritten with new metadata, {s.unchanged} unchanged); "
            f"{s.rows_written} rows written, {s.stale_deleted} stale rows deleted."
            for name, s in sorted(self.streams.items())
        ]
