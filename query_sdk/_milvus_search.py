"""Running one search on Milvus: dense or hybrid, the index's search parameters, and the Lite workaround, once.

``MilvusSearch.run`` takes the request vectors (and their texts, for BM25), the filter and the
limits, and returns each request's hits scored by their dense similarity. Where the server fuses
dense and BM25 hits (``hybrid_search``, Milvus Lite and 2.5+), the fused score orders the hits and
each hit's score is the cosine of the request's vector with the chunk's stored vector, so a
threshold means the same in both modes.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Sequence

from pymilvus import AnnSearchRequest, MilvusClient, WeightedRanker

from query_sdk._ranking import Hit, cosine, similarity
from query_sdk.collection import CollectionInfo
from query_sdk.contract import RECORD_ID_FIELD
from query_sdk.milvus_errors import MILVUS_CALL_ERRORS, milvus_call_error

__all__ = ["HYBRID_DENSE_WEIGHT", "MilvusSearch", "SearchRequest"]

#: Weight of dense similarity in the server's hybrid ranking (``WeightedRanker``; the rest is BM25);
#: measured on Banking77 in bench/quality.py.
HYBRID_DENSE_WEIGHT = 0.7
#: HNSW ``ef`` on Milvus Lite, whose filtered graph walk misses rows behind narrow filters (on 100,000
#: chunks with 3% passing the filter, 200 queries: the default 64 left 153 answers short and 42 empty;
#: 1,024 left 8 short for 15-25% more time), and for a second search of answers still short (4,096: none).
_LITE_EF = 1024
_WIDE_EF = 4096
#: ``nprobe`` for IVF indexes (the official destination builds IVF_FLAT with nlist 1024): every list
#: of such an index is searched, so a duplicate in an unprobed list is never missed. Milvus' default
#: (8 of 1,024 lists) missed the second- and third-nearest open tickets of an organisation.
_IVF_NPROBE = 1024


@dataclass(frozen=True)
class SearchRequest:
    """One batch of request pieces to search: vectors, their texts (for BM25), the filter and how many hits."""

    vectors: list[list[float]]
    texts: list[str]
    expression: str
    params: dict[str, object]
    #: Hits wanted per request piece (a few times the results asked for: one record has several chunks).
    limit: int
    consistency: str
    hybrid: bool = False


class MilvusSearch:
    """Searches one collection; every call has ``call_timeout`` seconds and its errors are translated."""

    def __init__(self, client: MilvusClient, info: CollectionInfo, call_timeout: float) -> None:
        self._client = client
        self._info = info
        self._timeout = call_timeout
        self._where = f"collection {info.name!r}"

    def run(self, request: SearchRequest) -> list[list[Hit]]:
        """Each request's hits, scored by dense similarity (ordered by the fused score when hybrid)."""
        search = self._hybrid if request.hybrid else self._dense
        results = search(request, list(range(len(request.vectors))), self._index_params(_LITE_EF, request.limit))
        if self._info.capabilities.narrow_filter_misses:
            # Milvus Lite's graph walk can miss rows behind a narrow filter (``ServerCapabilities``): the
            # requests that came back with fewer hits than asked are searched again with a wide ``ef``. A
            # short answer is also what a small organisation legitimately gets; then the second search
            # finds nothing more and costs one more search of a small filtered set.
            short = [i for i, hits in enumerate(results) if len(hits) < request.limit]
            if short:
                again = search(request, short, self._index_params(_WIDE_EF, request.limit))
                for i, hits in zip(short, again):
                    if len(hits) > len(results[i]):
                        results[i] = hits
        return results

    def rows(
        self, expression: str, params: dict[str, object], fields: list[str], *, limit: int, consistency: str
    ) -> list[dict[str, Any]]:
        """Up to ``limit`` rows matching ``expression``, with ``fields`` (a query, not a search)."""
        try:
            return list(
                self._client.query(
                    self._info.name,
                    filter=expression,
                    output_fields=fields,
                    limit=limit,
                    consistency_level=consistency,
                    timeout=self._timeout,
                    **({"filter_params": params} if params else {}),
                )
            )
        except MILVUS_CALL_ERRORS as error:
            raise milvus_call_error(error, where=self._where, timeout=self._timeout) from None

    def _dense(self, request: SearchRequest, which: list[int], index_params: dict[str, int]) -> list[list[Hit]]:
        info = self._info
        found = self._call(
            self._client.search,
            info.name,
            data=[request.vectors[i] for i in which],
            anns_field=info.vector_field,
            limit=request.limit,
            filter=request.expression,
            output_fields=info.output_fields(info.text_field),
            search_params=self._search_params(index_params),
            consistency_level=request.consistency,
            **self._grouping(),
            **({"filter_params": request.params} if request.params else {}),
        )
        pk = info.pk_field
        return [
            [Hit(_hit_pk(hit, pk), hit["entity"], score=similarity(hit["distance"], info.metric)) for hit in hits]
            for hits in found
        ]

    def _hybrid(self, request: SearchRequest, which: list[int], index_params: dict[str, int]) -> list[list[Hit]]:
        info = self._info
        templated = {"expr_params": request.params} if request.params else {}
        vectors = [request.vectors[i] for i in which]
        requests = [
            AnnSearchRequest(
                data=vectors,
                anns_field=info.vector_field,
                param=self._search_params(index_params),
                limit=request.limit,
                expr=request.expression,
                **templated,
            ),
            AnnSearchRequest(
                data=[request.texts[i] for i in which],
                anns_field=info.sparse_field or "",
                param={"metric_type": "BM25"},
                limit=request.limit,
                expr=request.expression,
                **templated,
            ),
        ]
        found = self._call(
            self._client.hybrid_search,
            info.name,
            requests,
            WeightedRanker(HYBRID_DENSE_WEIGHT, 1.0 - HYBRID_DENSE_WEIGHT),
            limit=request.limit,
            output_fields=[*info.output_fields(info.text_field), info.vector_field],
            consistency_level=request.consistency,
            **self._grouping(),
        )
        return [self._ranked(vector, list(hits)) for vector, hits in zip(vectors, found)]

    def _ranked(self, vector: list[float], hits: list[dict[str, Any]]) -> list[Hit]:
        """Hits of a server-fused search: ranked by the fused score, scored by their dense similarity."""
        pk = self._info.pk_field
        entities = [dict(hit["entity"]) for hit in hits]
        stored = [entity.pop(self._info.vector_field, None) for entity in entities]
        present = [i for i, v in enumerate(stored) if v]
        scores = dict(zip(present, cosine(vector, [stored[i] for i in present])))
        return [
            Hit(_hit_pk(hit, pk), entity, score=scores.get(i, 0.0), rank=float(hit["distance"]))
            for i, (hit, entity) in enumerate(zip(hits, entities))
        ]

    def _search_params(self, index_params: dict[str, int]) -> dict[str, Any]:
        params: dict[str, Any] = {"metric_type": self._info.metric}
        if index_params:
            params["params"] = index_params
        return params

    def _index_params(self, ef: int, limit: int) -> dict[str, int]:
        """Search ``params`` for this collection's index: HNSW's ``ef`` on Milvus Lite, IVF's ``nprobe``."""
        params = {}
        if self._info.capabilities.narrow_filter_misses:
            params["ef"] = max(ef, limit)
        if self._info.index_type.startswith("IVF"):
            params["nprobe"] = _IVF_NPROBE
        return params

    def _grouping(self) -> dict[str, str]:
        """One hit per record from the server, where ``_ab_record_id`` is a declared field."""
        return {"group_by_field": RECORD_ID_FIELD} if self._info.record_id_declared else {}

    def _call(self, method: Callable[..., Any], *args: Any, **kwargs: Any) -> list[Sequence[dict[str, Any]]]:
        try:
            return [list(hits) for hits in method(*args, timeout=self._timeout, **kwargs)]
        except MILVUS_CALL_ERRORS as error:
            raise milvus_call_error(error, where=self._where, timeout=self._timeout) from None


def _hit_pk(hit: dict[str, Any], pk_field: str) -> Any:
    """The chunk's primary key: pymilvus 2.6+ keys a hit by the pk field's name, older versions by ``id``.

    Never ``hit["id"]`` alone: pymilvus falls back to the entity, where ``id`` is a record's metadata.
    """
    return hit[pk_field] if pk_field in hit else hit.get("id")
