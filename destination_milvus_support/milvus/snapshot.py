"""Read-your-writes: which Milvus consistency a sync's reads use. The only code that touches pymilvus internals.

A Strong read waits for the server's newest time tick, whatever it matches (0.3-0.6 s a read on
Milvus 2.3.5, measured): two reads a batch made a re-sync wait more than it worked. A sync's
lookups only need the rows of earlier syncs (a record this sync may have written already is read
again, Strong, before its batch is written), so they read at one timestamp taken when the sync
begins (``Snapshot.begin``), and only the first read waits. The timestamp comes from, in order:

- the server's own timestamp oracle (``AllocTimestamp``, Milvus 2.3 and later): the server hands
  out every write's timestamp from the same oracle, strictly increasing, so one issued after every
  earlier write returned is later than all of them, and a read at it sees them all: exactly what a
  Strong read issued at that moment sees, with no assumption about clocks. The first read waits as
  a Strong read does (0.3 s on Milvus 2.3.5, measured; the clock below cost 1.0-1.3 s);
- where the server issues none (pymilvus answers 0: Milvus Lite), and deleting a key no row has (a
  no-op) gives this client a write timestamp, Session reads: they see every write before that delete;
- elsewhere, a guarantee timestamp of this machine's clock plus one second, as pymilvus' own query
  iterator takes when the server gives it no session timestamp. This assumes the clocks of this
  machine and the Milvus server agree within a second, plus the time the sync took to start (NTP
  keeps them far closer). A clock behind by more could make a lookup miss rows of a sync that ended
  within that time: their records would be embedded and written again, not lost. (Milvus Lite, the
  one server measured here that issues no timestamp, reads the same at every level.)

At the end, ``await_readers`` makes one Strong read so that every search after the sync returns,
Bounded ones included, sees its rows.

The pymilvus internals used (``GlobalCache.collection_ts``, ``ts_utils.get_collection_ts``,
``MilvusClient._get_connection`` and its ``alloc_timestamp``, ``_generate_call_context``) are
pymilvus 2.5-3.0's; where they are missing, every lookup reads Strong (correct, slower).
"""

from __future__ import annotations

import datetime
from typing import Any

from pymilvus import MilvusClient
from pymilvus.client import ts_utils
from pymilvus.client.cache import GlobalCache
from pymilvus.client.utils import mkts_from_datetime
from pymilvus.exceptions import MilvusException

from destination_milvus_support.milvus.calls import CALL_TIMEOUT

__all__ = ["STRONG", "Snapshot"]

#: How far ahead of this machine's clock the lookups' guarantee timestamp is set.
CLOCK_MARGIN_MS = 1000.0
STRONG: dict[str, Any] = {"consistency_level": "Strong"}


class Snapshot:
    """The read options of one collection's lookups during a sync (Strong until ``begin``)."""

    def __init__(self, client: MilvusClient, collection: str) -> None:
        self._client = client
        self._collection = collection
        self._options: dict[str, Any] = dict(STRONG)
        #: What the snapshot's timestamp came from: "server" (its timestamp oracle), "session" (this
        #: client's no-op delete), "clock" (this machine's clock plus ``CLOCK_MARGIN_MS``) or "none" (Strong).
        self.anchor = "none"

    def begin(self, absent_key: Any) -> None:
        """Fix the snapshot at "every row written before now"; ``absent_key`` is a primary key no row has.

        Raises what pymilvus raises (the caller translates it).
        """
        self._options, self.anchor = dict(STRONG), "none"
        where = self._session_key()
        if where is None:  # a pymilvus whose bookkeeping we cannot see: every lookup reads Strong
            return
        issued = self._server_timestamp()
        if issued > 0:
            self._options, self.anchor = {"consistency_level": "Customized", "guarantee_timestamp": issued}, "server"
            return
        # Forget any timestamp an earlier write of this process left: only this delete's may anchor,
        # since writes of other processes since then would not be covered.
        GlobalCache.collection_ts.invalidate(*where, self._collection)
        self._client.delete(self._collection, ids=[absent_key], timeout=CALL_TIMEOUT)
        if int(ts_utils.get_collection_ts(self._collection, *where) or 0) > 0:
            self._options, self.anchor = {"consistency_level": "Session"}, "session"
        else:
            guarantee = mkts_from_datetime(datetime.datetime.now(), milliseconds=CLOCK_MARGIN_MS)
            self._options, self.anchor = {"consistency_level": "Customized", "guarantee_timestamp": guarantee}, "clock"

    def read_options(self, *, latest: bool = False) -> dict[str, Any]:
        """How a lookup reads: at the snapshot, or with ``latest`` (and before ``begin``) Strong."""
        return dict(STRONG) if latest else dict(self._options)

    @property
    def level(self) -> str:
        """The consistency level lookups of earlier syncs' rows read with: Strong, Session or Customized."""
        return str(self._options["consistency_level"])

    def await_readers(self, absent_key: Any, pk_field: str) -> None:
        """Return once every search can see what was written: one Strong read of a key no row has.

        A Strong read waits until the query nodes have consumed every write before it (0.3-0.6 s on
        Milvus 2.3.5); searches after it, Bounded ones included (query_sdk's default), then see the
        rows. Raises what pymilvus raises.
        """
        self._client.get(
            self._collection,
            ids=[absent_key],
            output_fields=[pk_field],
            consistency_level="Strong",
            timeout=CALL_TIMEOUT,
        )

    def _server_timestamp(self) -> int:
        """A timestamp from the server's timestamp oracle, later than every write that returned before; 0 for none.

        pymilvus answers 0 for a server without ``AllocTimestamp`` (and Milvus Lite answers 0).
        """
        allocate = getattr(self._client._get_connection(), "alloc_timestamp", None)
        if allocate is None:
            return 0
        return int(allocate(timeout=CALL_TIMEOUT) or 0)

    def _session_key(self) -> tuple[str, str] | None:
        """(endpoint, database) under which pymilvus keeps this client's last write timestamps."""
        try:
            client: Any = self._client
            return client._get_connection().server_address, client._generate_call_context().get_db_name()
        except (AttributeError, MilvusException):
            return None
