"""The only connector code that talks to Milvus: prepare the collection, write and delete rows."""

from __future__ import annotations

import datetime
import logging
import time
from dataclasses import dataclass
from typing import Any, Callable, Iterator, Mapping, Sequence

from pymilvus import DataType, MilvusClient
from pymilvus.client import ts_utils
from pymilvus.client.cache import GlobalCache
from pymilvus.client.utils import mkts_from_datetime
from pymilvus.exceptions import MilvusException

from destination_milvus_support.errors import ConnectorConfigError
from destination_milvus_support.sync_modes import StoredRow
from destination_milvus_support.validation import fit_declared_value, fit_dynamic_value
from query_sdk.contract import GENERATION_FIELD, RECORD_ID_FIELD, STREAM_FIELD, CollectionContract
from query_sdk.errors import UnsafeFilterValueError
from query_sdk.filters import Condition, build_filter, check_value
from query_sdk.layout import (
    CHUNK_HASH_FIELD,
    RECORD_DIGEST_FIELD,
    RECORD_HASH_FIELD,
    CollectionLayout,
    record_hash,
)
from query_sdk.layout import VECTOR_TYPES as _VECTOR_TYPES
from query_sdk.milvus import MILVUS_CALL_ERRORS, ServerCapabilities, connect_client, display_uri, translate_milvus_error

__all__ = ["MilvusIndexer", "Row", "record_hash"]

log = logging.getLogger("airbyte")
#: Rows per upsert call, so a request stays far below gRPC's 64 MB message limit.
_MAX_ROWS_PER_CALL = 1000
#: Values per lookup filter (``field in [...]``), and rows a lookup query may return.
_LOOKUP_VALUES = 512
_LOOKUP_LIMIT = 16384
#: Primary keys per ``get`` of stored rows without their vectors: few calls, since each Strong read
#: waits for the server's time tick (a batch's key lookups are one or two calls).
_GET_KEYS = 4096
#: A VARCHAR primary key no row has (ours are SHA-256 hex digits): ``begin_sync`` deletes it.
_NO_SUCH_KEY = "~no-such-row~"
#: How far ahead of this machine's clock ``begin_sync`` sets the lookups' guarantee timestamp.
_CLOCK_MARGIN_MS = 1000.0
#: Seconds one Milvus call may take, retries included (pymilvus retries an unreachable server
#: within it): a server that stops answering mid-sync fails the sync, transient, instead of holding it.
_CALL_TIMEOUT = 60.0
#: The same for calls that take long on big collections: create (with indexes), load, flush.
_SLOW_CALL_TIMEOUT = 600.0


@dataclass(frozen=True)
class Row:
    """A chunk with its vector, ready to be shaped for the collection."""

    pk: str
    stream: str
    record_id: str
    text: str
    vector: Sequence[float]
    metadata: Mapping[str, Any]
    #: ``query_sdk.layout.chunk_hash`` of the row (stored where the collection can hold it).
    chunk_hash: str = ""
    #: ``query_sdk.layout.record_digest`` of the row's record (likewise).
    record_digest: str = ""


@dataclass(frozen=True)
class _Target:
    """How the existing (or new) collection wants its rows."""

    declared: Mapping[str, DataType]
    dynamic: bool
    auto_id: bool
    pk_field: str
    vector_field: str
    text_field: str
    has_record_hash: bool
    generation_declared: bool
    #: The chunk hash and record digest have declared fields, or can live in the dynamic field.
    hashes_stored: bool
    #: The primary key is an INT64 (the official connector's auto_id), not a VARCHAR.
    pk_is_int: bool

    @property
    def absent_key(self) -> int | str:
        """A primary key no row has: what a no-op delete or a waiting read names."""
        return -1 if self.pk_is_int else _NO_SUCH_KEY


class MilvusIndexer:
    """Writes rows into one collection; creates it on first use with a ``CollectionLayout``."""

    def __init__(
        self, *, uri: str, token: str, db: str, collection: str, omit_raw_text: bool = False, timeout: float = 10.0
    ) -> None:
        self.collection = collection
        self._where = f"collection {collection!r} at {display_uri(uri)}"
        self._omit_raw_text = omit_raw_text
        self._client: MilvusClient = connect_client(uri, token=token, db=db, timeout=timeout)
        self.capabilities = ServerCapabilities.detect(self._client, timeout=_CALL_TIMEOUT)
        self._target: _Target | None = None
        self._warned_dropped: set[str] = set()
        self._warned_cut: set[tuple[str, str]] = set()
        #: This sync wrote or deleted rows (else ``flush`` has nothing to seal).
        self._changed = False
        #: How lookups read rows of earlier syncs (set by ``begin_sync``; see ``_read_options``).
        self._snapshot: dict[str, Any] = {"consistency_level": "Strong"}
        #: The contract rows are written by (set by ``prepare``).
        self.contract: CollectionContract | None = None
        #: The collection stores this project's contract (set by ``prepare``); False for the official
        #: destination's collections (and hand-made ones), where records take its id form.
        self.holds_contract = False

    # -- set-up ----------------------------------------------------------------------------------

    def describe(self) -> dict[str, Any] | None:
        """The collection's description, or None when it does not exist. Creates nothing."""
        try:
            if not self._client.has_collection(self.collection, timeout=_CALL_TIMEOUT):
                return None
            return dict(self._client.describe_collection(self.collection, timeout=_CALL_TIMEOUT))
        except MILVUS_CALL_ERRORS as error:
            raise translate_milvus_error(error, where=self._where) from None

    def problems(
        self, description: Mapping[str, Any], contract: CollectionContract, *, foreign: Sequence[str] = ()
    ) -> list[str]:
        """Why an existing collection cannot take this config's rows (empty when it can).

        ``foreign`` are the problems that apply only to a collection without a stored contract
        (``official.official_model_problems``). Such a collection also refuses e-mail cleaning
        (``processing.email_text_fields``): only a contract records it.
        """
        found: list[str] = []
        fields = {str(f["name"]): f for f in description.get("fields", [])}
        vector = fields.get(contract.vector_field)
        if vector is None or vector.get("type") not in _VECTOR_TYPES:
            found.append(
                f"collection {self.collection!r} has no vector field {contract.vector_field!r} "
                "(set indexing.vector_field to its name)"
            )
        else:
            dim = int(vector.get("params", {}).get("dim", 0))
            if dim != contract.embedding.dimensions:
                found.append(
                    f"collection {self.collection!r} holds vectors of {dim} dimensions, but the embedding "
                    f"model gives {contract.embedding.dimensions} (change the model or the collection)"
                )
        stored = CollectionContract.from_description(description)
        if stored is None:
            found += [f"collection {self.collection!r}: {problem}" for problem in foreign]
            if contract.email_cleaning is not None:
                # The cleaning is recorded in the contract only: without one, query_sdk would not clean
                # requests to match, and a later sync that cleans none could not be refused.
                found.append(
                    f"collection {self.collection!r} holds no contract of this connector (the official Airbyte "
                    "Milvus destination made it, or it was made by hand), so e-mail cleaning cannot be recorded "
                    "in it and searches would not clean requests to match: leave processing.email_text_fields "
                    "empty for this collection, or sync into a new collection (indexing.collection)"
                )
        if stored and (stored.embedding.mode, stored.embedding.model) != (
            contract.embedding.mode,
            contract.embedding.model,
        ):
            found.append(
                f"collection {self.collection!r} was built with {stored.embedding.mode} model "
                f"{stored.embedding.model!r}, not {contract.embedding.model!r}: vectors would not be comparable"
            )
        if stored and stored.email_cleaning != contract.email_cleaning:
            built = "without e-mail cleaning" if stored.email_cleaning is None else "with e-mail cleaning"
            now = "cleans none" if contract.email_cleaning is None else "cleans e-mail fields"
            found.append(
                f"collection {self.collection!r} was built {built} and this config {now}: cleaned and "
                "uncleaned chunks would not compare (set processing.email_text_fields as the collection was "
                "built, or sync into a new collection)"
            )
        if contract.text_field not in fields and not description.get("enable_dynamic_field"):
            found.append(f"collection {self.collection!r} has no text field {contract.text_field!r}")
        pk = next((f for f in fields.values() if f.get("is_primary")), None)
        if pk and not description.get("auto_id") and pk.get("type") != DataType.VARCHAR:
            found.append(f"collection {self.collection!r} has a non-text primary key without auto_id")
        return found

    def prepare(self, layout: CollectionLayout, *, foreign: Sequence[str] = ()) -> None:
        """Create the collection if absent, else check it fits (``problems``); then learn how to shape rows."""
        description = self.describe()
        created_concurrently = False
        try:
            if description is None and self._create(layout):
                log.info("Created collection %r (Milvus %s).", self.collection, self.capabilities.version)
                description = dict(self._client.describe_collection(self.collection, timeout=_CALL_TIMEOUT))
            else:
                created_concurrently = description is None
                if description is None:
                    description = dict(self._client.describe_collection(self.collection, timeout=_CALL_TIMEOUT))
                problems = self.problems(description, layout.contract, foreign=foreign)
                if problems:
                    raise ConnectorConfigError("The collection cannot be used: " + "; ".join(problems) + ".")
            self._load(wait=created_concurrently)
        except MILVUS_CALL_ERRORS as error:
            raise translate_milvus_error(error, where=self._where) from None
        fields = {str(f["name"]): f for f in description.get("fields", [])}
        pk = next(f for f in fields.values() if f.get("is_primary"))
        contract = layout.contract
        self._target = _Target(
            declared={
                name: f["type"]
                for name, f in fields.items()
                if not f.get("is_primary")
                and f["type"] not in _VECTOR_TYPES
                and f["type"] != DataType.SPARSE_FLOAT_VECTOR
                and name != contract.text_field
            },
            dynamic=bool(description.get("enable_dynamic_field")),
            auto_id=bool(description.get("auto_id")),
            pk_field=str(pk["name"]),
            vector_field=contract.vector_field,
            text_field=contract.text_field,
            has_record_hash=RECORD_HASH_FIELD in fields,
            generation_declared=GENERATION_FIELD in fields,
            hashes_stored=(CHUNK_HASH_FIELD in fields and RECORD_DIGEST_FIELD in fields)
            or bool(description.get("enable_dynamic_field")),
            pk_is_int=pk.get("type") == DataType.INT64,
        )
        self.contract = contract
        self.holds_contract = CollectionContract.from_description(description) is not None

    def _create(self, layout: CollectionLayout) -> bool:
        """Create the collection; False when another sync created it first (both saw none)."""
        try:
            layout.create(self._client, self.collection, self.capabilities, timeout=_SLOW_CALL_TIMEOUT)
        except MILVUS_CALL_ERRORS:
            # The other creator may still be mid-way (Milvus Lite's server answers "File exists"
            # before the collection is listed): give it a few seconds to appear.
            deadline = time.monotonic() + 5.0
            while not self._client.has_collection(self.collection, timeout=_CALL_TIMEOUT):
                if time.monotonic() >= deadline:
                    raise
                time.sleep(0.2)
            log.info("Collection %r was created by another sync running at the same time.", self.collection)
            return False
        return True

    def _load(self, *, wait: bool) -> None:
        """Load the collection.

        With ``wait``, retry for up to a minute: the sync that created it concurrently may still be adding indexes.
        """
        deadline = time.monotonic() + (60.0 if wait else 0.0)
        while True:
            try:
                self._client.load_collection(self.collection, timeout=_SLOW_CALL_TIMEOUT)
                return
            except MILVUS_CALL_ERRORS:
                if time.monotonic() >= deadline:
                    raise
                time.sleep(0.5)

    # -- writing ---------------------------------------------------------------------------------

    @property
    def text_stored(self) -> bool:
        """False when ``omit_raw_text`` leaves the text field empty."""
        return not self._omit_raw_text

    @property
    def auto_id(self) -> bool:
        """True when Milvus assigns primary keys (a collection made by the official connector)."""
        return self._require().auto_id

    def write(self, rows: Sequence[Row], *, generation: int) -> None:
        """Upsert ``rows`` (insert, on an auto_id collection) with this sync's ``generation``."""
        target = self._require()
        shaped = [self._shape(row, target, generation) for row in rows]
        self._changed = True
        try:
            for start in range(0, len(shaped), _MAX_ROWS_PER_CALL):
                part = shaped[start : start + _MAX_ROWS_PER_CALL]
                if target.auto_id:
                    self._client.insert(self.collection, part, timeout=_CALL_TIMEOUT)
                else:
                    self._client.upsert(self.collection, part, timeout=_CALL_TIMEOUT)
        except MILVUS_CALL_ERRORS as error:
            raise translate_milvus_error(error, where=self._where) from None

    def rows_by_record(self, records: Sequence[tuple[str, str]], *, latest: bool = False) -> list[StoredRow]:
        """Rows already stored for these ``(stream, record id)`` pairs: a filtered query (a scan on Milvus Lite).

        Sees every row written before the sync started (``_read_options``); with ``latest`` (a
        Strong read), also every row this sync has written so far. Records whose stream or id cannot
        enter a filter, in a collection without ``_ab_record_hash``, are found by a scan (Strong).
        """
        read = self._read_options(latest=latest)
        target = self._require()
        fields = self._row_fields()
        found: list[dict[str, Any]] = []
        if target.has_record_hash:
            found += self._query_in(RECORD_HASH_FIELD, [record_hash(s, r) for s, r in records], fields, read=read)
        else:
            by_stream: dict[str, list[str]] = {}
            for stream, rid in records:
                by_stream.setdefault(stream, []).append(rid)
            for stream, ids in by_stream.items():
                plain = [rid for rid in ids if _is_plain(rid)] if _is_plain(stream) else []
                found += self._query_in(
                    RECORD_ID_FIELD, plain, fields, also=[Condition(STREAM_FIELD, stream)], read=read
                )
                others = set(ids) - set(plain)
                if others:
                    found += self._scan(stream, RECORD_ID_FIELD, others.__contains__, fields)
        return self._stored(found)

    def rows_by_pk(self, pks: Sequence[Any]) -> list[StoredRow]:
        """The stored rows among these primary keys (a key lookup, as cheap on Milvus Lite as on a server)."""
        fields = self._row_fields()
        found: list[dict[str, Any]] = []
        try:
            for start in range(0, len(pks), _GET_KEYS):
                part = list(pks[start : start + _GET_KEYS])
                found += self._client.get(
                    self.collection,
                    ids=part,
                    output_fields=fields,
                    timeout=_CALL_TIMEOUT,
                    **self._read_options(latest=False),
                )
        except MILVUS_CALL_ERRORS as error:
            raise translate_milvus_error(error, where=self._where) from None
        return self._stored(found)

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

    def vectors(self, pks: Sequence[Any]) -> dict[Any, tuple[str | None, list[float]]]:
        """``pk -> (chunk hash, vector)`` of stored rows, read together (so the hash names that vector)."""
        target = self._require()
        fields = [target.vector_field, CHUNK_HASH_FIELD] if target.hashes_stored else [target.vector_field]
        found: dict[Any, tuple[str | None, list[float]]] = {}
        try:
            for start in range(0, len(pks), _LOOKUP_VALUES):
                part = list(pks[start : start + _LOOKUP_VALUES])
                for row in self._client.get(
                    self.collection,
                    ids=part,
                    output_fields=fields,
                    timeout=_CALL_TIMEOUT,
                    **self._read_options(latest=False),
                ):
                    found[row[target.pk_field]] = (row.get(CHUNK_HASH_FIELD), list(row[target.vector_field]))
        except MILVUS_CALL_ERRORS as error:
            raise translate_milvus_error(error, where=self._where) from None
        return found

    def begin_sync(self) -> None:
        """Fix the snapshot the sync's lookups read: every row written before this call.

        A Strong read waits for the server's newest time tick, whatever it matches (0.3-0.6 s a
        read on Milvus 2.3.5, measured): two reads a batch made a re-sync wait more than it worked.
        The lookups only need the rows of earlier syncs (a record this sync may have written already
        is read again, Strong, before its batch is written: ``latest``), so they read at one
        timestamp taken here, and only the first read waits:

        - where deleting a key no row has (a no-op) gives this client a write timestamp (servers
          that return one), Session reads: they see every write before that delete;
        - elsewhere (Milvus 2.3.5 and Milvus Lite return none), a guarantee timestamp of this
          machine's clock plus one second, as pymilvus' own query iterator takes when the server
          gives it no session timestamp. This assumes the clocks of this machine and the Milvus
          server agree within a second, plus the time the sync took to start (NTP keeps them far
          closer). A clock behind by more could make a lookup miss rows of a sync that ended
          within that time: their records would be embedded and written again, not lost.
        """
        self._snapshot = {"consistency_level": "Strong"}
        nothing = self._require().absent_key
        where = self._session_key()
        if where is None:  # a pymilvus whose bookkeeping we cannot see: every lookup reads Strong
            return
        # Forget any timestamp an earlier write of this process left: only this delete's may anchor,
        # since writes of other processes since then would not be covered.
        GlobalCache.collection_ts.invalidate(*where, self.collection)
        try:
            self._client.delete(self.collection, ids=[nothing], timeout=_CALL_TIMEOUT)
        except MILVUS_CALL_ERRORS as error:
            raise translate_milvus_error(error, where=self._where) from None
        if int(ts_utils.get_collection_ts(self.collection, *where) or 0) > 0:
            self._snapshot = {"consistency_level": "Session"}
        else:
            guarantee = mkts_from_datetime(datetime.datetime.now(), milliseconds=_CLOCK_MARGIN_MS)
            self._snapshot = {"consistency_level": "Customized", "guarantee_timestamp": guarantee}

    def _session_key(self) -> tuple[str, str] | None:
        """(endpoint, database) under which pymilvus keeps this client's last write timestamps."""
        try:
            return self._client._get_connection().server_address, self._client._generate_call_context().get_db_name()
        except (AttributeError, MilvusException):
            return None

    @property
    def snapshot_reads(self) -> str:
        """How lookups of earlier syncs' rows read: "Strong", "Session" or "Customized" (``begin_sync``)."""
        return str(self._snapshot["consistency_level"])

    def _read_options(self, *, latest: bool) -> dict[str, Any]:
        """How a lookup reads: at ``begin_sync``'s snapshot, or with ``latest`` (and before it) Strong."""
        return {"consistency_level": "Strong"} if latest else dict(self._snapshot)

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
        try:
            for start in range(0, len(values), _LOOKUP_VALUES):
                part = tuple(values[start : start + _LOOKUP_VALUES])
                expression, params = build_filter(
                    [*also, Condition(field, part)], templating=self.capabilities.filter_templating
                )
                kwargs: dict[str, Any] = {"filter_params": dict(params)} if params else {}
                kwargs.update(read)
                found = self._client.query(
                    self.collection,
                    filter=expression,
                    output_fields=fields,
                    limit=_LOOKUP_LIMIT,
                    timeout=_CALL_TIMEOUT,
                    **kwargs,
                )
                if len(found) >= _LOOKUP_LIMIT:  # records with very many rows: page through all of them
                    # the iterator takes no filter_params: this filter carries its (checked) values inline
                    inline, _ = build_filter([*also, Condition(field, part)], templating=False)
                    found = self._query_all(inline, fields)
                rows += found
        except MILVUS_CALL_ERRORS as error:
            raise translate_milvus_error(error, where=self._where) from None
        return rows

    def _query_all(self, expression: str, fields: list[str]) -> list[dict[str, Any]]:
        """Every row matching ``expression``, page by page (a query returns 16,384 at most).

        The iterator pins its own timestamp, the newest, at its first page: it sees at least what
        any lookup's snapshot sees.
        """
        return [row for page in self._pages(expression, fields) for row in page]

    def _pages(self, expression: str, fields: list[str], **options: Any) -> Iterator[list[dict[str, Any]]]:
        """The rows matching ``expression`` (every row for ""), a page of 1,000 at a time; closes the iterator."""
        iterator = self._client.query_iterator(
            self.collection,
            batch_size=_MAX_ROWS_PER_CALL,
            filter=expression,
            output_fields=fields,
            timeout=_CALL_TIMEOUT,
            **options,
        )
        try:
            while page := iterator.next():
                yield page
        finally:
            iterator.close()

    def has_rows(self, stream: str) -> bool:
        """Whether the collection holds any row of ``stream`` (True when the name cannot enter a filter)."""
        if not _is_plain(stream):
            return True
        expression, _ = build_filter([Condition(STREAM_FIELD, stream)], templating=False)
        try:  # one row is enough (a count(*) scans every row: seconds on Milvus Lite right after a sync)
            found = self._client.query(
                self.collection,
                filter=expression,
                output_fields=[self._require().pk_field],
                limit=1,
                consistency_level="Strong",
                timeout=_CALL_TIMEOUT,
            )
        except MILVUS_CALL_ERRORS as error:
            raise translate_milvus_error(error, where=self._where) from None
        return bool(found)

    def delete_other_generations(self, stream: str, generation: int) -> int:
        """After a successful overwrite, remove the stream's rows of every other generation."""
        if self._require().generation_declared and _is_plain(stream):
            before = self._count(stream)
            expression, params = build_filter([Condition(STREAM_FIELD, stream)], templating=False)
            generation_clause = f"not ({GENERATION_FIELD} == {int(generation)})"
            self._delete_expression(f"{expression} and {generation_clause}", params)
            return before - self._count(stream)
        # Rows the official connector wrote carry no generation key (a filter on a missing dynamic key
        # matches nothing), and some stream names cannot enter a filter: find the rows, delete by key.
        ids = self._scan_ids(stream, GENERATION_FIELD, lambda found: found != generation)
        self._delete_ids(ids)
        return len(ids)

    def _scan_ids(self, stream: str, field: str, wanted: Callable[[Any], bool]) -> list[Any]:
        """Primary keys of the stream's rows whose ``field`` (None where absent) is ``wanted``."""
        pk_field = self._require().pk_field
        return [row[pk_field] for row in self._scan(stream, field, wanted, [pk_field])]

    def _scan(self, stream: str, field: str, wanted: Callable[[Any], bool], fields: list[str]) -> list[dict[str, Any]]:
        """The stream's rows whose ``field`` (None where absent) is ``wanted``, with ``fields``.

        Scans the stream's rows, or the whole collection when the stream's name cannot enter a filter.
        """
        pk_field = self._require().pk_field
        expression = build_filter([Condition(STREAM_FIELD, stream)], templating=False)[0] if _is_plain(stream) else ""
        rows: list[dict[str, Any]] = []
        output = sorted({pk_field, STREAM_FIELD, field, *fields})
        try:
            for page in self._pages(expression, output, consistency_level="Strong"):
                rows.extend(row for row in page if row.get(STREAM_FIELD) == stream and wanted(row.get(field)))
        except MILVUS_CALL_ERRORS as error:
            raise translate_milvus_error(error, where=self._where) from None
        return rows

    def delete_ids(self, ids: Sequence[Any]) -> None:
        """Delete rows by primary key (stale chunks found by a lookup)."""
        self._delete_ids(ids)

    def _delete_ids(self, ids: Sequence[Any]) -> None:
        self._changed = self._changed or bool(ids)
        try:
            for start in range(0, len(ids), _MAX_ROWS_PER_CALL):
                self._client.delete(
                    self.collection, ids=list(ids[start : start + _MAX_ROWS_PER_CALL]), timeout=_CALL_TIMEOUT
                )
        except MILVUS_CALL_ERRORS as error:
            raise translate_milvus_error(error, where=self._where) from None

    def flush(self) -> None:
        """Ask the server to seal what this sync wrote into segments it then indexes; do not wait.

        Called once at the end of a sync. Sealing lets the server index the new rows (Milvus Lite
        searches unsealed rows by scanning them, and seals before it answers: 0.4-0.5 s at 6,000
        rows). A Milvus server answers the request at once and seals in the background; pymilvus'
        wait for the sealed segments to reach storage (2.5-3.5 s on Milvus 2.3.5, the largest part
        of a small incremental sync) changes nothing a reader sees: searches right after return the
        same rows as fast, and rows are durable in Milvus' log once their upsert returns. So it is
        skipped (``_async``: pymilvus then only sends the request); ``await_readers`` makes sure
        searches see the rows. A sync that wrote and deleted
        nothing (an unchanged re-sync) has nothing to seal and sends nothing. Rows of a sync killed
        before its flush are sealed by the server's own policy, or by the next sync that changes
        anything.
        """
        if not self._changed:
            return
        try:
            self._client.flush(self.collection, timeout=_SLOW_CALL_TIMEOUT, _async=True)
        except MILVUS_CALL_ERRORS as error:
            raise translate_milvus_error(error, where=self._where) from None

    def await_readers(self) -> None:
        """Return once every search can see what this sync wrote: one Strong read of a key no row has.

        A Strong read waits until the query nodes have consumed every write before it (0.3-0.6 s on
        Milvus 2.3.5); searches after it, Bounded ones included (query_sdk's default), then see this
        sync's rows. The flush request does not wait for that, so an app that syncs and searches
        right away would otherwise miss the newest rows for a moment. Skipped when nothing changed.
        """
        if not self._changed:
            return
        target = self._require()
        try:
            self._client.get(
                self.collection,
                ids=[target.absent_key],
                output_fields=[target.pk_field],
                consistency_level="Strong",
                timeout=_CALL_TIMEOUT,
            )
        except MILVUS_CALL_ERRORS as error:
            raise translate_milvus_error(error, where=self._where) from None

    def ensure_loaded(self) -> None:
        """Leave the collection loaded, as the official connector does, so any client can search it."""
        try:
            state = str(self._client.get_load_state(self.collection, timeout=_CALL_TIMEOUT).get("state", ""))
            if "Loaded" not in state or "NotLoad" in state:
                self._client.load_collection(self.collection, timeout=_SLOW_CALL_TIMEOUT)
        except MILVUS_CALL_ERRORS as error:
            raise translate_milvus_error(error, where=self._where) from None

    def close(self) -> None:
        """Close the connection."""
        self._client.close()

    # -- internals -------------------------------------------------------------------------------

    def _require(self) -> _Target:
        if self._target is None:
            raise RuntimeError("MilvusIndexer.prepare must run before writing")
        return self._target

    def _count(self, stream: str) -> int:
        expression, _ = build_filter([Condition(STREAM_FIELD, stream)], templating=False)
        try:
            result = self._client.query(
                self.collection,
                filter=expression,
                output_fields=["count(*)"],
                consistency_level="Strong",
                timeout=_CALL_TIMEOUT,
            )
        except MILVUS_CALL_ERRORS as error:
            raise translate_milvus_error(error, where=self._where) from None
        return int(result[0]["count(*)"]) if result else 0

    def _delete_expression(self, expression: str, params: Mapping[str, object]) -> None:
        self._changed = True
        kwargs: dict[str, Any] = {"filter": expression, "timeout": _CALL_TIMEOUT}
        if params:
            kwargs["filter_params"] = dict(params)
        try:
            self._client.delete(self.collection, **kwargs)
        except MILVUS_CALL_ERRORS as error:
            raise translate_milvus_error(error, where=self._where) from None

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

    def _shape(self, row: Row, target: _Target, generation: int) -> dict[str, Any]:
        shaped: dict[str, Any] = {
            target.vector_field: list(row.vector),
            target.text_field: "" if self._omit_raw_text else row.text,
            STREAM_FIELD: row.stream,
            RECORD_ID_FIELD: row.record_id,
            GENERATION_FIELD: generation,
        }
        if not target.auto_id:
            shaped[target.pk_field] = row.pk
        if target.has_record_hash:
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
