"""``MilvusStore``: the storage port (``storage.Storage``) on one Milvus collection: lookups, writes and deletes.

Lookups read at the sync's snapshot (``snapshot.Snapshot``); rows are shaped for the collection's
fields (``Target``: declared fields, the dynamic field, or neither) and written in calls of at most
1,000 rows. Every method that calls Milvus translates its errors (``calls.translated``).
"""

from __future__ import annotations

import logging
from typing import Any, Callable, Mapping, Sequence

from pymilvus import MilvusClient

from destination_milvus_support.content import record_hash
from destination_milvus_support.keys import CollectionKind
from destination_milvus_support.milvus.calls import (
    CALL_TIMEOUT,
    MAX_ROWS_PER_CALL,
    SLOW_CALL_TIMEOUT,
    pages,
    translated,
)
from destination_milvus_support.milvus.collection import Target, create_or_check
from destination_milvus_support.milvus.schema import (
    CHUNK_HASH_FIELD,
    RECORD_DIGEST_FIELD,
    RECORD_HASH_FIELD,
    CollectionLayout,
)
from destination_milvus_support.milvus.snapshot import STRONG, Snapshot
from destination_milvus_support.storage import Row, StoredRow
from destination_milvus_support.validation import fit_declared_value, fit_dynamic_value
from query_sdk.capabilities import ServerCapabilities
from query_sdk.connection import connect_client, display_uri
from query_sdk.contract import GENERATION_FIELD, RECORD_ID_FIELD, STREAM_FIELD
from query_sdk.errors import UnsafeFilterValueError
from query_sdk.filters import Condition, build_filter, check_value

__all__ = ["MilvusStore"]

log = logging.getLogger("airbyte")
#: Values per lookup filter (``field in [...]``), and rows a lookup query may return.
_LOOKUP_VALUES = 512
_LOOKUP_LIMIT = 16384
#: Primary keys per ``get`` of stored rows without their vectors: few calls, since each Strong read
#: waits for the server's time tick (a batch's key lookups are one or two calls).
_GET_KEYS = 4096


class MilvusStore:
    """One collection of a Milvus deployment, as the writer uses it; ``prepare`` it before anything else."""

    def __init__(
        self, *, uri: str, token: str, db: str, collection: str, omit_raw_text: bool = False, timeout: float = 10.0
    ) -> None:
        self.collection = collection
        #: Where errors say the failure happened.
        self.where = f"collection {collection!r} at {display_uri(uri)}"
        self._omit_raw_text = omit_raw_text
        self._client: MilvusClient = connect_client(uri, token=token, db=db, timeout=timeout)
        self.capabilities = ServerCapabilities.detect(self._client, timeout=CALL_TIMEOUT)
        self.snapshot = Snapshot(self._client, collection)
        self._target: Target | None = None
        self._warned_dropped: set[str] = set()
        self._warned_cut: set[tuple[str, str]] = set()
        #: This sync wrote or deleted rows (else ``flush`` and ``finish`` have nothing to do).
        self._changed = False

    # -- set-up ----------------------------------------------------------------------------------

    @translated
    def describe(self) -> dict[str, Any] | None:
        """The collection's description, or None when it does not exist. Creates nothing."""
        if not self._client.has_collection(self.collection, timeout=CALL_TIMEOUT):
            return None
        return dict(self._client.describe_collection(self.collection, timeout=CALL_TIMEOUT))

    @translated
    def prepare(self, layout: CollectionLayout, *, foreign: Sequence[str] = ()) -> None:
        """Create the collection if absent, else check it fits (``collection.problems``); learn its target."""
        description = create_or_check(self._client, self.collection, layout, self.capabilities, foreign=foreign)
        self._target = Target.of(description, layout.contract)

    @property
    def kind(self) -> CollectionKind:
        """The collection's kind (``keys``): this connector's, or the official destination's."""
        return self._require().kind

    @property
    def text_stored(self) -> bool:
        """False when ``omit_raw_text`` leaves the text field empty."""
        return not self._omit_raw_text

    # -- lookups ---------------------------------------------------------------------------------

    @translated
    def begin_sync(self) -> None:
        """Fix the snapshot the sync's lookups read: every row written before this call (``snapshot``)."""
        self.snapshot.begin(self._require().absent_key)

    @translated
    def has_rows(self, stream: str) -> bool:
        """Whether the collection holds any row of ``stream`` (True when the name cannot enter a filter)."""
        if not _is_plain(stream):
            return True
        expression, _ = build_filter([Condition(STREAM_FIELD, stream)], templating=False)
        # one row is enough (a count(*) scans every row: seconds on Milvus Lite right after a sync)
        found = self._client.query(
            self.collection,
            filter=expression,
            output_fields=[self._require().pk_field],
            limit=1,
            timeout=CALL_TIMEOUT,
            **STRONG,
        )
        return bool(found)

    @translated
    def rows_by_pk(self, pks: Sequence[Any]) -> list[StoredRow]:
        """The stored rows among these primary keys (a key lookup, as cheap on Milvus Lite as on a server)."""
        fields = self._row_fields()
        found: list[dict[str, Any]] = []
        for start in range(0, len(pks), _GET_KEYS):
            part = list(pks[start : start + _GET_KEYS])
            found += self._client.get(
                self.collection, ids=part, output_fields=fields, timeout=CALL_TIMEOUT, **self.snapshot.read_options()
            )
        return self._stored(found)

    @translated
    def rows_by_record(self, records: Sequence[tuple[str, str]], *, latest: bool = False) -> list[StoredRow]:
        """Rows already stored for these ``(stream, record id)`` pairs: a filtered query (a scan on Milvus Lite).

        Sees every row written before the sync began; with ``latest`` (a Strong read), also every row
        this sync has written so far. Records whose stream or id cannot enter a filter, in a collection
        without ``_ab_record_hash``, are found by a scan (Strong).
        """
        read = self.snapshot.read_options(latest=latest)
        target = self._require()
        fields = self._row_fields()
        found: list[dict[str, Any]] = []
        if target.record_hash_declared:
            found += self._query_in(RECORD_HASH_FIELD, [record_hash(s, r) for s, r in records], fields, read=read)
            return self._stored(found)
        by_stream: dict[str, list[str]] = {}
        for stream, rid in records:
            by_stream.setdefault(stream, []).append(rid)
        for stream, ids in by_stream.items():
            plain = [rid for rid in ids if _is_plain(rid)] if _is_plain(stream) else []
            found += self._query_in(RECORD_ID_FIELD, plain, fields, also=[Condition(STREAM_FIELD, stream)], read=read)
            others = set(ids) - set(plain)
            if others:
                found += self._scan(stream, RECORD_ID_FIELD, others.__contains__, fields)
        return self._stored(found)

    @translated
    def vectors(self, pks: Sequence[Any]) -> dict[Any, tuple[str | None, list[float]]]:
        """``pk -> (chunk hash, vector)`` of stored rows, read together (so the hash names that vector)."""
        target = self._require()
        fields = [target.vector_field, CHUNK_HASH_FIELD] if target.hashes_stored else [target.vector_field]
        found: dict[Any, tuple[str | None, list[float]]] = {}
        for start in range(0, len(pks), _LOOKUP_VALUES):
            part = list(pks[start : start + _LOOKUP_VALUES])
            for row in self._client.get(
                self.collection, ids=part, output_fields=fields, timeout=CALL_TIMEOUT, **self.snapshot.read_options()
            ):
                found[row[target.pk_field]] = (row.get(CHUNK_HASH_FIELD), list(row[target.vector_field]))
        return found

    # -- writes and deletes ----------------------------------------------------------------------

    @translated
    def write(self, rows: Sequence[Row], *, generation: int) -> None:
        """Upsert ``rows`` (insert, where Milvus assigns the keys) with this sync's ``generation``."""
        target = self._require()
        shaped = [self._shape(row, target, generation) for row in rows]
        self._changed = True
        write = self._client.insert if target.kind.assigned_keys else self._client.upsert
        for start in range(0, len(shaped), MAX_ROWS_PER_CALL):
            write(self.collection, shaped[start : start + MAX_ROWS_PER_CALL], timeout=CALL_TIMEOUT)

    @translated
    def delete_ids(self, ids: Sequence[Any]) -> None:
        """Delete rows by primary key (stale chunks found by a lookup)."""
        self._changed = self._changed or bool(ids)
        for start in range(0, len(ids), MAX_ROWS_PER_CALL):
            self._client.delete(self.collection, ids=list(ids[start : start + MAX_ROWS_PER_CALL]), timeout=CALL_TIMEOUT)

    @translated
    def delete_other_generations(self, stream: str, generation: int) -> int:
        """After a successful overwrite, remove the stream's rows of every other generation; return how many."""
        if self._require().generation_declared and _is_plain(stream):
            before = self._count(stream)
            expression, _ = build_filter([Condition(STREAM_FIELD, stream)], templating=False)
            self._changed = True
            self._client.delete(
                self.collection,
                filter=f"{expression} and not ({GENERATION_FIELD} == {int(generation)})",
                timeout=CALL_TIMEOUT,
            )
            return before - self._count(stream)
        # Rows the official connector wrote carry no generation key (a filter on a missing dynamic key
        # matches nothing), and some stream names cannot enter a filter: find the rows, delete by key.
        pk_field = self._require().pk_field
        ids = [row[pk_field] for row in self._scan(stream, GENERATION_FIELD, lambda found: found != generation, [])]
        self.delete_ids(ids)
        return len(ids)

    # -- the end of a sync -----------------------------------------------------------------------

    @translated
    def flush(self) -> None:
        """Ask the server to seal what this sync wrote into segments it then indexes; do not wait.

        Called once at the end of a sync. Sealing lets the server index the new rows (Milvus Lite
        searches unsealed rows by scanning them, and seals before it answers: 0.4-0.5 s at 6,000
        rows). A Milvus server answers the request at once and seals in the background; pymilvus'
        wait for the sealed segments to reach storage (2.5-3.5 s on Milvus 2.3.5, the largest part
        of a small incremental sync) changes nothing a reader sees, so it is skipped (``_async``);
        ``finish`` makes sure searches see the rows. A sync that wrote and deleted nothing (an
        unchanged re-sync) sends nothing. Rows of a sync killed before its flush are sealed by the
        server's own policy, or by the next sync that changes anything.
        """
        if self._changed:
            self._client.flush(self.collection, timeout=SLOW_CALL_TIMEOUT, _async=True)

    @translated
    def finish(self) -> None:
        """Leave the collection loaded (as the official connector does), then wait until searches see this sync."""
        state = str(self._client.get_load_state(self.collection, timeout=CALL_TIMEOUT).get("state", ""))
        if "Loaded" not in state or "NotLoad" in state:
            self._client.load_collection(self.collection, timeout=SLOW_CALL_TIMEOUT)
        if self._changed:
            target = self._require()
            self.snapshot.await_readers(target.absent_key, target.pk_field)

    def close(self) -> None:
        """Close the connection."""
        self._client.close()

    # -- internals -------------------------------------------------------------------------------

    def _require(self) -> Target:
        if self._target is None:
            raise RuntimeError("MilvusStore.prepare must run before writing")
        return self._target

    def _row_fields(self) -> list[str]:
        target = self._require()
        fields = [target.pk_field, STREAM_FIELD, RECORD_ID_FIELD, GENERATION_FIELD]
        return [*fields, CHUNK_HASH_FIELD, RECORD_DIGEST_FIELD] if target.hashes_stored else fields

    def _stored(self, found: Sequence[Mapping[str, Any]]) -> list[StoredRow]:
        pk_field = self._require().pk_field
        unique = {row[pk_field]: row for row in found}
        return [
            StoredRow(
                pk=pk,
                stream=str(row.get(STREAM_FIELD)),
                record_id=str(row.get(RECORD_ID_FIELD)),
                chunk_hash=row.get(CHUNK_HASH_FIELD),
                generation=row.get(GENERATION_FIELD),
                record_digest=row.get(RECORD_DIGEST_FIELD),
            )
            for pk, row in unique.items()
        ]

    def _query_in(
        self,
        field: str,
        values: list[Any],
        fields: list[str],
        *,
        also: Sequence[Condition] = (),
        read: Mapping[str, Any],
    ) -> list[dict[str, Any]]:
        """Rows whose ``field`` is one of ``values`` (and that meet ``also``), with ``fields``, read as ``read``."""
        rows: list[dict[str, Any]] = []
        for start in range(0, len(values), _LOOKUP_VALUES):
            part = tuple(values[start : start + _LOOKUP_VALUES])
            expression, params = build_filter(
                [*also, Condition(field, part)], templating=self.capabilities.filter_templating
            )
            kwargs: dict[str, Any] = {"filter_params": dict(params)} if params else {}
            found = self._client.query(
                self.collection,
                filter=expression,
                output_fields=fields,
                limit=_LOOKUP_LIMIT,
                timeout=CALL_TIMEOUT,
                **kwargs,
                **read,
            )
            if len(found) >= _LOOKUP_LIMIT:  # records with very many rows: page through all of them
                # the iterator takes no filter_params: this filter carries its (checked) values inline
                inline, _ = build_filter([*also, Condition(field, part)], templating=False)
                found = [row for page in pages(self._client, self.collection, inline, fields) for row in page]
            rows += found
        return rows

    def _scan(self, stream: str, field: str, wanted: Callable[[Any], bool], fields: list[str]) -> list[dict[str, Any]]:
        """The stream's rows whose ``field`` (None where absent) is ``wanted``, with ``fields``.

        Scans the stream's rows, or the whole collection when the stream's name cannot enter a filter.
        """
        pk_field = self._require().pk_field
        expression = build_filter([Condition(STREAM_FIELD, stream)], templating=False)[0] if _is_plain(stream) else ""
        output = sorted({pk_field, STREAM_FIELD, field, *fields})
        return [
            row
            for page in pages(self._client, self.collection, expression, output, **STRONG)
            for row in page
            if row.get(STREAM_FIELD) == stream and wanted(row.get(field))
        ]

    def _count(self, stream: str) -> int:
        expression, _ = build_filter([Condition(STREAM_FIELD, stream)], templating=False)
        result = self._client.query(
            self.collection, filter=expression, output_fields=["count(*)"], timeout=CALL_TIMEOUT, **STRONG
        )
        return int(result[0]["count(*)"]) if result else 0

    def _warn_cut(self, stream: str, field: str) -> None:
        """Warn once per stream and field that a string was cut to the VARCHAR limit (never its content)."""
        if (stream, field) not in self._warned_cut:
            self._warned_cut.add((stream, field))
            log.warning(
                "Stream %s: a value of metadata field %r is longer than Milvus' VARCHAR limit (65,535 bytes) and "
                "was cut to fit; further cuts of this field are not logged.",
                stream,
                field,
            )

    def _shape(self, row: Row, target: Target, generation: int) -> dict[str, Any]:
        shaped: dict[str, Any] = {
            target.vector_field: list(row.vector),
            target.text_field: "" if self._omit_raw_text else row.text,
            STREAM_FIELD: row.stream,
            RECORD_ID_FIELD: row.record_id,
            GENERATION_FIELD: generation,
        }
        if not target.kind.assigned_keys:
            shaped[target.pk_field] = row.pk
        if target.record_hash_declared:
            shaped[RECORD_HASH_FIELD] = record_hash(row.stream, row.record_id)
        if target.hashes_stored and row.chunk_hash:
            shaped[CHUNK_HASH_FIELD] = row.chunk_hash
            shaped[RECORD_DIGEST_FIELD] = row.record_digest
        for name, value in row.metadata.items():
            if name in shaped or name == target.pk_field:
                continue
            kind = target.declared.get(name)
            if kind is not None:
                shaped[name] = fit_declared_value(value, kind, stream=row.stream, field=name, on_cut=self._warn_cut)
            elif target.dynamic:
                shaped[name] = fit_dynamic_value(value, stream=row.stream, field=name)
            elif name not in self._warned_dropped:
                self._warned_dropped.add(name)
                log.warning("Collection %r has no field %r and no dynamic field; not stored.", self.collection, name)
        for name in target.declared:
            shaped.setdefault(name, None)
        return shaped


def _is_plain(value: str) -> bool:
    try:
        check_value(value)
    except UnsafeFilterValueError:
        return False
    return True
