"""What the learnt duplicate flag reads and keeps in a collection, besides the two questions' searches.

Scans of a stream, stored vectors, a ticket's neighbours within its tenant, and the rows an app keeps
in the collection (the fitted threshold, agents' answers: ``merge_history``). App rows live under
streams of their own (``_ab_calibration``, ``_ab_feedback``) that the connector never writes or
deletes; they fill the collection's required fields with neutral values and keep their data in the
dynamic field.
"""

from __future__ import annotations

import hashlib
from typing import Any, Callable, Iterator, Mapping, Sequence

from pymilvus import DataType, MilvusClient

from query_sdk._helpdesk import HelpDeskFields
from query_sdk._milvus_search import MilvusSearch, SearchRequest
from query_sdk._ranking import cosine
from query_sdk._requests import RequestPieces
from query_sdk.collection import CollectionInfo
from query_sdk.contract import RECORD_ID_FIELD, STREAM_FIELD, EmbeddingSpec
from query_sdk.embedders import Embedder
from query_sdk.errors import ConfigurationError
from query_sdk.filters import Condition, FilterValue, build_filter, check_value
from query_sdk.milvus_errors import MILVUS_CALL_ERRORS, milvus_call_error

__all__ = ["DeskStore"]

_PAGE = 1000
#: What a required field of an app row holds (app rows are found by their stream, never by these).
_NEUTRAL: dict[Any, Any] = {DataType.VARCHAR: "", DataType.INT64: 0, DataType.BOOL: False, DataType.DOUBLE: 0.0}


class DeskStore:
    """Reads (and app rows) of one collection for ``merge_history``; every call translates its Milvus errors."""

    def __init__(
        self,
        client: MilvusClient,
        info: CollectionInfo,
        fields: HelpDeskFields,
        embedder: Embedder,
        milvus: MilvusSearch,
        *,
        call_timeout: float,
        consistency: str,
    ) -> None:
        self._client = client
        self.info = info
        self.fields = fields
        self._embedder = embedder
        self._milvus = milvus
        self._timeout = call_timeout
        self._consistency = consistency

    @property
    def spec(self) -> EmbeddingSpec:
        """How the collection's vectors are made (the embedder's)."""
        return self._embedder.spec

    def rows_of(self, stream: str) -> Iterator[dict[str, Any]]:
        """Every row of ``stream``, a page at a time, dynamic keys alongside the declared fields (no vectors)."""
        expression, _ = build_filter([Condition(STREAM_FIELD, check_value(stream, what="stream"))], templating=False)
        fields = [self.info.pk_field, *self.info.output_fields()]
        iterator = self._call(
            self._client.query_iterator, self.info.name, batch_size=_PAGE, filter=expression, output_fields=fields
        )
        try:
            while page := self._call(iterator.next, timed=False):
                yield from (_flat(row) for row in page)
        finally:
            iterator.close()

    def vectors(self, pks: Sequence[Any]) -> dict[Any, list[float]]:
        """The stored vector of each of these rows."""
        found: dict[Any, list[float]] = {}
        for start in range(0, len(pks), _PAGE):
            rows = self._call(
                self._client.get,
                self.info.name,
                ids=list(pks[start : start + _PAGE]),
                output_fields=[self.info.vector_field],
            )
            found.update({row[self.info.pk_field]: list(row[self.info.vector_field]) for row in rows})
        return found

    def neighbours(
        self, vectors: list[list[float]], field: str, value: FilterValue, *, limit: int
    ) -> list[list[tuple[float, dict[str, Any]]]]:
        """For each vector, the nearest ticket chunks of the tenant ``field == value``: (similarity, fields)."""
        clauses = [Condition(STREAM_FIELD, self.fields.tickets_stream), Condition(field, check_value(value))]
        caps = self.info.capabilities
        expression, params = build_filter(clauses, templating=caps.filter_templating, null_checks=caps.nullable_fields)
        request = SearchRequest(vectors, [""] * len(vectors), expression, params, limit, self._consistency)
        return [[(hit.score, _flat(hit.entity)) for hit in hits] for hits in self._milvus.run(request)]

    def similarity_to_record(self, text: str, stream: str, record: FilterValue) -> tuple[float, list[float]]:
        """How similar ``text`` is to the record (best chunk against best piece), and the request's vector."""
        pieces = RequestPieces.of(
            [text], max_tokens=self._embedder.max_input_tokens, count_tokens=self._embedder.count_tokens
        )
        request = self._embedder.embed(pieces.texts, token_counts=pieces.tokens)
        rid = f"{stream}_{check_value(record, what='ticket_id')}"
        expression, _ = build_filter(
            [Condition(STREAM_FIELD, stream), Condition(RECORD_ID_FIELD, check_value(rid, what="ticket_id"))],
            templating=False,
        )
        rows = self._call(
            self._client.query, self.info.name, filter=expression, output_fields=[self.info.vector_field], limit=1000
        )
        if not rows:
            raise ConfigurationError(f"There is no ticket {record!r} in collection {self.info.name!r}.")
        stored = [list(row[self.info.vector_field]) for row in rows]
        return max(max(cosine(piece, stored)) for piece in request), request[0]

    def app_rows(self, stream: str, *, limit: int, latest: bool = False) -> list[dict[str, Any]]:
        """Up to ``limit`` app rows of ``stream``, their dynamic keys alongside (``latest``: a Strong read)."""
        expression, _ = build_filter([Condition(STREAM_FIELD, stream)], templating=False)
        fields = [self.info.pk_field, *self.info.output_fields()]
        rows = self._call(
            self._client.query,
            self.info.name,
            filter=expression,
            output_fields=fields,
            limit=limit,
            consistency_level="Strong" if latest else self._consistency,
        )
        return [_flat(row) for row in rows]

    def write_app_row(self, stream: str, key: str, vector: list[float] | None, data: Mapping[str, Any]) -> None:
        """Upsert the app row ``key`` of ``stream`` holding ``data`` (in the dynamic field)."""
        info = self.info
        if not info.dynamic or info.scalar_types.get(info.pk_field) != DataType.VARCHAR or info.contract is None:
            raise ConfigurationError(
                f"Collection {info.name!r} cannot keep what query_sdk learns (it was not created by "
                "destination-milvus-support).",
                guidance="Sync the help desk into a collection destination-milvus-support creates.",
            )
        row: dict[str, Any] = {
            name: None if name in info.nullable else _NEUTRAL.get(kind, "")
            for name, kind in info.scalar_types.items()
            if name != info.pk_field
        }
        row.update(
            {
                info.pk_field: hashlib.sha256(f"{stream}\x00{key}".encode()).hexdigest(),
                STREAM_FIELD: stream,
                RECORD_ID_FIELD: f"{stream}_{key}",
                info.text_field: "",
                info.vector_field: vector or [1.0] + [0.0] * (info.dimensions - 1),
                **data,
            }
        )
        self._call(self._client.upsert, info.name, [row])

    def _call(self, method: Callable[..., Any], *args: Any, timed: bool = True, **kwargs: Any) -> Any:
        try:
            return method(*args, timeout=self._timeout, **kwargs) if timed else method(*args, **kwargs)
        except MILVUS_CALL_ERRORS as error:
            raise milvus_call_error(error, where=f"collection {self.info.name!r}", timeout=self._timeout) from None


def _flat(row: Mapping[str, Any]) -> dict[str, Any]:
    """A row with the keys of its dynamic field (``$meta``) alongside its declared fields."""
    flat = dict(row)
    meta = flat.pop("$meta", None)
    if isinstance(meta, dict):
        flat.update(meta)
    return flat
