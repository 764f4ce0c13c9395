"""The sync-mode rules: how each configured stream is written (replace, keep, truncate), read off the catalog.

Airbyte's destination sync modes, as this connector applies them:

- **append**: every version of a record is kept whole. A chunk's key names the record *and* its
  version (a digest of the record), so resending the same version lands on the same rows.
- **append_dedup**: one version per record. A chunk's key is (stream, record id, chunk index), so
  a new version overwrites its old chunks in place; chunks beyond the new count (a record that
  shrank) and every chunk of a CDC delete (``_ab_cdc_deleted_at``) are *stale* and are deleted by
  primary key after the new rows are written (readers never see the record vanish). Rows of the
  record under other keys (the stream was append or overwrite before) are *foreign* and are
  deleted before the new rows are written (``planning.record_deletions``).
- **overwrite**: as append while the sync runs; rows carry the sync's *generation*, and once the
  stream completes, rows of every other generation are deleted (``truncate``). A platform
  "truncate refresh" (``minimum_generation_id == generation_id`` on an append or dedup stream)
  does the same. With the platform's generation ids a resumed attempt keeps the rows the failed
  attempt acknowledged; without them (or with PyAirbyte's constant 1/1/1) the generation is the run.

What each record then costs (skip, reuse, embed, delete) is decided in ``planning``.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Callable

from airbyte_cdk.models import ConfiguredAirbyteCatalog, ConfiguredAirbyteStream, DestinationSyncMode

from destination_milvus_support.errors import ConnectorConfigError
from query_sdk.contract import stream_identifier

__all__ = ["StreamRules", "chunk_key", "stream_rules"]


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
    """The key a record's chunk primary keys are made from (``content.chunk_primary_key``).

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
