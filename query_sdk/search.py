"""SupportSearch: duplicate open tickets of one organisation, and article recommendations."""

from __future__ import annotations

import logging
import math
import re
from pathlib import Path
from typing import Any, Iterable, Mapping, Sequence, TypeVar

from pymilvus import DataType, MilvusClient

from query_sdk._arguments import (
    CONSISTENCY_LEVELS,
    consistency_level,
    filter_values,
    flag,
    open_status_values,
    result_limit,
    score_threshold,
    search_texts,
    string_filter_values,
)
from query_sdk._ranking import Hit, best_per_record, fuse, similarity
from query_sdk._requests import RequestPieces
from query_sdk._snippets import plain_snippet
from query_sdk.collection import CollectionInfo
from query_sdk.connection import connect_client, display_uri, is_local_path
from query_sdk.contract import RECORD_ID_FIELD, STREAM_FIELD
from query_sdk.email_text import clean_email
from query_sdk.embedders import Embedder, embedder_from_spec
from query_sdk.errors import CollectionNotFoundError, ConfigurationError, ContractMismatchError
from query_sdk.filters import Clause, Condition, ContainsAny, FilterValue, NotTrue, build_filter, check_value
from query_sdk.milvus_errors import MILVUS_CALL_ERRORS, milvus_call_error
from query_sdk.results import ArticleMatch, Match, TicketMatch
from query_sdk.thresholds import Calibration, calibrate, default_threshold

__all__ = [
    "ARTICLE_FIELDS",
    "CALL_TIMEOUT",
    "CONSISTENCY_LEVELS",
    "DEFAULT_OPEN_STATUSES",
    "LOAD_TIMEOUT",
    "SupportSearch",
]

log = logging.getLogger("query_sdk")

#: Zendesk statuses that mean "still being worked on".
DEFAULT_OPEN_STATUSES: tuple[str, ...] = ("new", "open", "pending", "hold")
#: Zendesk Help Center article fields the article filters read (as the Zendesk source names them).
ARTICLE_FIELDS = {"draft": "draft", "locale": "locale", "section_id": "section_id", "label_names": "label_names"}
#: Weight of dense similarity in the hybrid ranking (the rest is BM25), on the server (WeightedRanker)
#: and in the Python fusion used where the server has no hybrid_search; see bench/quality.py.
HYBRID_DENSE_WEIGHT = 0.7
#: ``k`` of reciprocal-rank fusion (``RRFRanker``), Milvus' default; measured, not used (bench/README.md).
RRF_K = 60
#: HNSW ``ef`` on Milvus Lite, whose filtered graph walk misses rows behind narrow filters (on 100,000
#: chunks with 3% passing the filter, 200 queries: the default 64 left 153 answers short and 42 empty;
#: 1,024 left 8 short for 15-25% more time), and for a second search of answers still short (4,096: none).
_LITE_EF = 1024
_WIDE_EF = 4096
#: ``nprobe`` for IVF indexes (the official destination builds IVF_FLAT with nlist 1024): every list
#: of such an index is searched, so a duplicate in an unprobed list is never missed. Milvus' default
#: (8 of 1,024 lists) missed the second- and third-nearest open tickets of an organisation.
_IVF_NPROBE = 1024
#: Seconds one Milvus call of a search may take (``call_timeout``), pymilvus' retries included: a
#: server that stops answering fails the search with a ``TransientError`` instead of holding the app.
CALL_TIMEOUT = 30.0
#: Seconds ``connect`` waits for a collection that is not loaded yet to load (big collections take minutes).
LOAD_TIMEOUT = 600.0
_M = TypeVar("_M", bound=Match)
_INTEGER = re.compile(r"-?[0-9]{1,19}")


class SupportSearch:
    """Ask a collection synced by destination-milvus-support the two questions of a support desk.

    Build it with ``SupportSearch.connect``; use it as a context manager or call ``close``.
    """

    def __init__(
        self,
        client: MilvusClient,
        info: CollectionInfo,
        embedder: Embedder,
        *,
        tickets_stream: str = "tickets",
        articles_stream: str = "articles",
        organization_field: str = "organization_id",
        requester_field: str = "requester_id",
        status_field: str = "status",
        hybrid: bool = False,
        consistency: str = "bounded",
        clean_requests: bool | None = None,
        call_timeout: float = CALL_TIMEOUT,
    ) -> None:
        self._consistency = consistency_level(consistency)
        self._call_timeout = _positive_seconds(call_timeout)
        self._client = client
        self._info = info
        self._embedder = embedder
        self.tickets_stream = tickets_stream
        self.articles_stream = articles_stream
        self.organization_field = organization_field
        self.requester_field = requester_field
        self.status_field = status_field
        can_hybrid = info.sparse_field is not None and info.capabilities.bm25
        if hybrid and not can_hybrid:
            log.warning("Hybrid search needs a BM25 field and Milvus 2.5+; using dense search only.")
        # Measured on Banking77 (bench/quality.py): fusing BM25 did not raise duplicate P@1 (0.915 vs
        # 0.917 dense), raised articles' by a point, and took 2-3.5x the time: dense unless asked.
        self.hybrid = bool(hybrid and can_hybrid)
        # Fusion on the server where it has hybrid_search (Milvus Lite, 2.5+), in Python elsewhere:
        # "weighted" (WeightedRanker, dense 0.7 + BM25 0.3), "rrf" (RRFRanker) or "python" (``fuse``).
        self._fusion = "weighted" if info.capabilities.hybrid_search else "python"
        contract = info.contract
        #: Whether requests lose their e-mail boilerplate before search (``query_sdk.email_text``): by
        #: default when the collection's e-mail fields were cleaned at sync time, so both sides match.
        self.clean_requests = (
            contract is not None and contract.email_cleaning is not None if clean_requests is None else clean_requests
        )
        spec = embedder.spec
        self._thresholds = {
            kind: default_threshold(spec.mode, spec.model, hybrid=self.hybrid, kind=kind)
            for kind in ("duplicate", "article")
        }

    @classmethod
    def connect(
        cls,
        *,
        uri: str,
        collection: str,
        token: str = "",
        db: str = "",
        embedder: Embedder | None = None,
        tickets_stream: str = "tickets",
        articles_stream: str = "articles",
        organization_field: str = "organization_id",
        requester_field: str = "requester_id",
        status_field: str = "status",
        hybrid: bool = False,
        consistency: str = "bounded",
        timeout: float = 10.0,
        clean_requests: bool | None = None,
        call_timeout: float = CALL_TIMEOUT,
    ) -> SupportSearch:
        """Open ``collection`` at ``uri`` (a Milvus Lite path or a server / Zilliz URI).

        Without ``embedder``, the one the connector stored in the collection's contract is built
        (API keys from the environment). A given embedder must match that contract. Collections
        made by the official Airbyte Milvus destination have no contract: pass ``embedder``.
        ``hybrid=True`` fuses BM25 full-text matches into the ranking where the collection and
        server support it (it helps queries that hinge on exact terms: error codes, product names);
        the server fuses them where it has ``hybrid_search``, and scores stay dense similarities.
        The default is dense search: as good for duplicates on Banking77, and faster.
        ``consistency`` is the Milvus consistency level of every search (``CONSISTENCY_LEVELS``):
        ``"bounded"`` by default, which does not wait for the server's time tick and may miss rows
        written in the last seconds; ``"strong"`` for apps that must read their own writes (each
        search can also pass ``consistency=``).
        ``clean_requests`` removes quoted replies, signatures, greetings, legal footers and logs from
        every request before it is embedded (``query_sdk.email_text``); by default it follows the
        collection: on when the connector cleaned its e-mail fields (``processing.email_text_fields``).
        ``timeout`` is the seconds a connection may take to open (a wrong host fails within it);
        ``call_timeout`` (``CALL_TIMEOUT``, 30 s) the seconds every later Milvus call may take, retries
        included (describing the collection, each search and hybrid search): a server that stops
        answering fails that call with a ``TransientError`` saying so, instead of holding the app.
        Loading a collection that is not loaded yet may take ``LOAD_TIMEOUT`` (10 minutes).
        """
        level = consistency_level(consistency)
        deadline = _positive_seconds(call_timeout)
        if is_local_path(uri) and not Path(uri.strip()).expanduser().exists():
            # Opening a missing Milvus Lite folder would create it: a search must not leave one behind.
            raise CollectionNotFoundError(
                f"There is no Milvus Lite data at {uri}.", guidance="Run a sync into it first, or check the path."
            )
        client = connect_client(uri, token=token, db=db, timeout=timeout)
        try:
            info = CollectionInfo.read(
                client, collection, where=display_uri(uri), timeout=deadline, load_timeout=LOAD_TIMEOUT
            )
            embedder = _matching_embedder(info, embedder)
        except BaseException:
            client.close()
            raise
        return cls(
            client,
            info,
            embedder,
            tickets_stream=tickets_stream,
            articles_stream=articles_stream,
            organization_field=organization_field,
            requester_field=requester_field,
            status_field=status_field,
            hybrid=hybrid,
            consistency=level,
            clean_requests=clean_requests,
            call_timeout=deadline,
        )

    @property
    def call_timeout(self) -> float:
        """Seconds every Milvus call of a search may take (``connect(call_timeout=...)``)."""
        return self._call_timeout

    @property
    def info(self) -> CollectionInfo:
        """The collection's layout as read at connect time."""
        return self._info

    @property
    def embedder(self) -> Embedder:
        """The embedder queries go through."""
        return self._embedder

    def default_threshold(self, kind: str) -> float:
        """The default similarity threshold for ``'duplicate'`` or ``'article'``."""
        return self._thresholds[kind]

    def find_duplicate_tickets(
        self,
        text: str,
        *,
        organization_id: FilterValue | None = None,
        requester_id: FilterValue | None = None,
        limit: int = 5,
        threshold: float | None = None,
        open_statuses: Sequence[str] = DEFAULT_OPEN_STATUSES,
        consistency: str | None = None,
    ) -> list[TicketMatch]:
        """Open tickets of one tenant that look like ``text``, best first, one per ticket.

        The tenant is ``organization_id`` (tickets of that organisation) or, for customers without
        one, ``requester_id`` (that requester's tickets). One of them is required; given both, a
        ticket must match both (the requester's tickets within that organisation). No search ever
        crosses the tenant: both values pass ``query_sdk.filters`` and are never formatted into text.
        """
        return self.find_duplicate_tickets_many(
            [text],
            organization_id=organization_id,
            requester_id=requester_id,
            limit=limit,
            threshold=threshold,
            open_statuses=open_statuses,
            consistency=consistency,
        )[0]

    def find_duplicate_tickets_many(
        self,
        texts: Sequence[str],
        *,
        organization_id: FilterValue | None = None,
        requester_id: FilterValue | None = None,
        limit: int = 5,
        threshold: float | None = None,
        open_statuses: Sequence[str] = DEFAULT_OPEN_STATUSES,
        consistency: str | None = None,
    ) -> list[list[TicketMatch]]:
        """``find_duplicate_tickets`` for many texts: one embedding request, one search call."""
        texts = search_texts(texts, single="find_duplicate_tickets")
        conditions: list[Clause] = [
            Condition(STREAM_FIELD, self.tickets_stream),
            *self._tenant(organization_id, requester_id),
            Condition(self.status_field, open_status_values(open_statuses)),
        ]
        given = score_threshold(threshold, bounded=self._info.metric != "IP")
        cutoff = self._thresholds["duplicate"] if given is None else given
        return self._search(texts, conditions, limit, cutoff, TicketMatch, self.tickets_stream, consistency)

    def recommend_articles(
        self,
        text: str,
        *,
        limit: int = 5,
        threshold: float | None = None,
        locale: str | Sequence[str] | None = None,
        section_id: FilterValue | Sequence[FilterValue] | None = None,
        label_names: str | Sequence[str] | None = None,
        include_drafts: bool = False,
        consistency: str | None = None,
    ) -> list[ArticleMatch]:
        """Help-center articles that may answer ``text``, best first, one per article.

        Draft articles (Zendesk's ``draft: true``) are left out unless ``include_drafts=True``; an
        article without a ``draft`` field counts as published. ``locale`` keeps articles of that
        locale (Zendesk codes as stored, e.g. ``"fr"``, ``"en-us"``; several allowed),
        ``section_id`` those of that section (or sections), ``label_names`` those carrying any of
        the given labels. The fields must have been synced as metadata (``ARTICLE_FIELDS``).
        """
        return self.recommend_articles_many(
            [text],
            limit=limit,
            threshold=threshold,
            locale=locale,
            section_id=section_id,
            label_names=label_names,
            include_drafts=include_drafts,
            consistency=consistency,
        )[0]

    def recommend_articles_many(
        self,
        texts: Sequence[str],
        *,
        limit: int = 5,
        threshold: float | None = None,
        locale: str | Sequence[str] | None = None,
        section_id: FilterValue | Sequence[FilterValue] | None = None,
        label_names: str | Sequence[str] | None = None,
        include_drafts: bool = False,
        consistency: str | None = None,
    ) -> list[list[ArticleMatch]]:
        """``recommend_articles`` for many texts: one embedding request, one search call."""
        texts = search_texts(texts, single="recommend_articles")
        given = score_threshold(threshold, bounded=self._info.metric != "IP")
        cutoff = self._thresholds["article"] if given is None else given
        conditions: list[Clause] = [Condition(STREAM_FIELD, self.articles_stream)]
        conditions += self._article_filters(locale, section_id, label_names, include_drafts=include_drafts)
        return self._search(texts, conditions, limit, cutoff, ArticleMatch, self.articles_stream, consistency)

    def calibrate(self, pairs: Iterable[tuple[str, str, bool]]) -> Calibration:
        """Fit the duplicate threshold on labelled ``(text_a, text_b, is_duplicate)`` pairs.

        Scores each pair by the dense similarity this embedder gives it and returns the threshold
        maximising F1. Pass it as ``threshold=`` (for hybrid scores, calibrate on search results
        with ``query_sdk.calibrate``).
        """
        triples = None if isinstance(pairs, (str, bytes, Mapping)) else list(pairs)  # a generator is read once
        if triples is None or not all(isinstance(pair, (tuple, list)) and len(pair) == 3 for pair in triples):
            raise ConfigurationError(
                "SupportSearch.calibrate takes (text_a, text_b, is_duplicate) triples.",
                guidance="For (score, is_duplicate) pairs from search results, use query_sdk.calibrate.",
            )
        if not triples:
            return calibrate([])  # the error that names what is missing
        search_texts([a for a, _, _ in triples] + [b for _, b, _ in triples])
        left = self._embedder.embed([a for a, _, _ in triples])
        right = self._embedder.embed([b for _, b, _ in triples])
        return calibrate((_cosine(a, b), label) for a, b, (_, _, label) in zip(left, right, triples))

    def close(self) -> None:
        """Close the Milvus connection and the embedder."""
        self._embedder.close()
        self._client.close()

    def __enter__(self) -> SupportSearch:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # -- internals -----------------------------------------------------------------------------

    def _tenant(self, organization_id: FilterValue | None, requester_id: FilterValue | None) -> list[Condition]:
        """The isolation conditions of a duplicate search: the organisation, the requester, or both."""
        if organization_id is None and requester_id is None:
            raise ConfigurationError(
                "find_duplicate_tickets needs organization_id= or requester_id=: "
                "duplicates are only ever searched within one organisation or one requester.",
                guidance="Pass the customer's organization_id, or requester_id when they have no organisation.",
            )
        tenant = []
        for field, value, what in (
            (self.organization_field, organization_id, "organization_id"),
            (self.requester_field, requester_id, "requester_id"),
        ):
            if value is not None:
                tenant.append(Condition(field, self._typed(field, check_value(value, what=what))))
        return tenant

    def _article_filters(
        self,
        locale: str | Sequence[str] | None,
        section_id: FilterValue | Sequence[FilterValue] | None,
        label_names: str | Sequence[str] | None,
        *,
        include_drafts: bool,
    ) -> list[Clause]:
        """Help-center conditions: published only (unless drafts are asked for), locale, section, labels."""
        clauses: list[Clause] = []
        draft = ARTICLE_FIELDS["draft"]
        # A collection that cannot hold the draft flag has no drafts.
        if not flag(include_drafts, name="include_drafts") and self._has_field(draft):
            clauses.append(NotTrue(draft))
        for key, given in (("locale", locale), ("section_id", section_id)):
            if given is None:
                continue
            field = self._filterable(key)
            listed = string_filter_values(key, given) if key == "locale" else filter_values(key, given)
            values = tuple(self._typed(field, check_value(v, what=key)) for v in listed)
            clauses.append(Condition(field, values[0] if len(values) == 1 else values))
        if label_names is not None:
            field = self._filterable("label_names")
            clauses.append(
                ContainsAny(
                    field,
                    tuple(check_value(v, what="label_names") for v in string_filter_values("label_names", label_names)),
                )
            )
        return clauses

    def _has_field(self, field: str) -> bool:
        """Whether rows can carry ``field``: a declared field, or any key of the dynamic field."""
        return field in self._info.scalar_types or self._info.dynamic

    def _filterable(self, key: str) -> str:
        field = ARTICLE_FIELDS[key]
        if not self._has_field(field):
            raise ConfigurationError(
                f"Collection {self._info.name!r} has no {field!r} field to filter {key}= on.",
                guidance=f"Sync {field!r} as metadata (the connector's processing.metadata_fields).",
            )
        return field

    def _level(self, consistency: str | None) -> str:
        return self._consistency if consistency is None else consistency_level(consistency)

    def _typed(self, field: str, value: FilterValue) -> FilterValue:
        """Match a value to a declared field's type, so ``"42"`` finds an INT64 ``42``."""
        kind = self._info.scalar_types.get(field)
        if kind == DataType.INT64 and isinstance(value, str):
            # ASCII digits only: str.isdigit() also admits superscripts (int() fails) and full-width digits.
            if not _INTEGER.fullmatch(value):
                raise ConfigurationError(f"{field} must be an integer in this collection.")
            return check_value(int(value), what=field)
        if kind == DataType.VARCHAR and isinstance(value, int):
            return str(value)
        return value

    def _search(
        self,
        texts: Sequence[str],
        conditions: list[Clause],
        limit: int,
        threshold: float,
        kind: type[_M],
        stream: str,
        consistency: str | None = None,
    ) -> list[list[_M]]:
        limit = result_limit(limit)
        if not texts:
            return []
        info = self._info
        expression, params = build_filter(
            conditions,
            templating=info.capabilities.filter_templating,
            null_checks=info.capabilities.nullable_fields,
        )
        level = self._level(consistency)
        if self.clean_requests:  # as the connector cleaned the tickets' e-mail fields
            texts = [clean_email(text) for text in texts]
        # A request longer than the model's input is searched in pieces and fused per record (_requests.py).
        pieces = RequestPieces.of(
            texts, max_tokens=self._embedder.max_input_tokens, count_tokens=self._embedder.count_tokens
        )
        vectors = self._embedder.embed(pieces.texts, token_counts=pieces.tokens)
        grouped = info.record_id_declared
        request: dict[str, Any] = dict(
            data=vectors,
            anns_field=info.vector_field,
            limit=limit * 3 if grouped else limit * 10,
            filter=expression,
            filter_params=params,
            output_fields=info.output_fields(info.text_field),
            search_params={"metric_type": info.metric},
            consistency_level=level,
            **({"group_by_field": RECORD_ID_FIELD} if grouped else {}),
        )
        index_params = self._index_params(_LITE_EF, request["limit"])
        if index_params:
            request["search_params"]["params"] = index_params
        if self.hybrid and self._fusion != "python":
            scored = self._server_hybrid(request, pieces.texts, limit * 3)
        else:
            dense = self._run(**request)
            if info.capabilities.narrow_filter_misses:
                dense = self._widen_short(request, dense)
            lexical: list[list[dict[str, Any]]] = [[] for _ in vectors]
            if self.hybrid and info.sparse_field:
                lexical = self._run(
                    data=pieces.texts,
                    anns_field=info.sparse_field,
                    limit=limit * 3,
                    filter=expression,
                    filter_params=params,
                    output_fields=info.output_fields(info.text_field, info.vector_field),
                    search_params={"metric_type": "BM25"},
                    consistency_level=level,
                )
            scored = [self._score(v, d, lx) for v, d, lx in zip(vectors, dense, lexical)]
        per_piece = [best_per_record(hits, record_key=RECORD_ID_FIELD) for hits in scored]
        return [
            [self._match(kind, hit, stream) for hit in ranked if hit.score >= threshold][:limit]
            for ranked in pieces.fuse(per_piece, record_key=RECORD_ID_FIELD)
        ]

    def _server_hybrid(self, request: dict[str, Any], texts: list[str], lexical_limit: int) -> list[list[Hit]]:
        """Dense + BM25 fused by the server (one ``hybrid_search``); scores are dense similarities.

        The server's fused score orders the hits (``Hit.rank``): ``WeightedRanker`` with the dense
        weight of the Python fusion (the server normalises each route's scores its own way, so the
        fused score is only used for ordering). Each hit's ``score`` is the cosine of the request's
        vector with the chunk's stored vector, returned with the hit, so thresholds mean what they
        mean in dense search. On Milvus Lite, queries whose answer came back short are searched
        again with a wide ``ef``, as dense searches are.
        """
        from pymilvus import AnnSearchRequest, RRFRanker, WeightedRanker

        ranker = (
            RRFRanker(RRF_K)
            if self._fusion == "rrf"
            else WeightedRanker(HYBRID_DENSE_WEIGHT, 1.0 - HYBRID_DENSE_WEIGHT)
        )

        info = self._info
        templated = {"expr_params": request["filter_params"]} if request.get("filter_params") else {}

        def search(vectors: list[list[float]], queries: list[str], dense_params: dict[str, Any]) -> list[list[Hit]]:
            requests = [
                AnnSearchRequest(
                    data=vectors,
                    anns_field=info.vector_field,
                    param=dense_params,
                    limit=request["limit"],
                    expr=request["filter"],
                    **templated,
                ),
                AnnSearchRequest(
                    data=queries,
                    anns_field=info.sparse_field or "",
                    param={"metric_type": "BM25"},
                    limit=lexical_limit,
                    expr=request["filter"],
                    **templated,
                ),
            ]
            try:
                found = self._client.hybrid_search(
                    info.name,
                    requests,
                    ranker,
                    limit=request["limit"],
                    output_fields=[*request["output_fields"], info.vector_field],
                    consistency_level=request["consistency_level"],
                    timeout=self._call_timeout,
                    **({"group_by_field": request["group_by_field"]} if "group_by_field" in request else {}),
                )
            except MILVUS_CALL_ERRORS as error:
                raise milvus_call_error(error, where=f"collection {info.name!r}", timeout=self._call_timeout) from None
            return [self._ranked(vector, list(hits)) for vector, hits in zip(vectors, found)]

        vectors = request["data"]
        results = search(vectors, texts, request["search_params"])
        if info.capabilities.narrow_filter_misses:
            short = [i for i, hits in enumerate(results) if len(hits) < request["limit"]]
            if short:
                wider = {**request["search_params"], "params": self._index_params(_WIDE_EF, request["limit"])}
                again = search([vectors[i] for i in short], [texts[i] for i in short], wider)
                for i, hits in zip(short, again):
                    if len(hits) > len(results[i]):
                        results[i] = hits
        return results

    def _index_params(self, ef: int, limit: int) -> dict[str, int]:
        """Search ``params`` for this collection's index: HNSW's ``ef`` on Milvus Lite, IVF's ``nprobe``."""
        params = {}
        if self._info.capabilities.narrow_filter_misses:
            params["ef"] = max(ef, limit)
        if self._info.index_type.startswith("IVF"):
            params["nprobe"] = _IVF_NPROBE
        return params

    def _ranked(self, vector: list[float], hits: list[dict[str, Any]]) -> list[Hit]:
        """Hits of a server-fused search: ranked by the fused score, scored by their dense similarity."""
        pk = self._info.pk_field
        ranked = []
        for hit in hits:
            entity = dict(hit["entity"])
            stored = entity.pop(self._info.vector_field, None)
            dense = _cosine(vector, stored) if stored else 0.0
            ranked.append(Hit(_hit_pk(hit, pk), entity, dense=dense, score=dense, rank=float(hit["distance"])))
        return ranked

    def _widen_short(self, request: dict[str, Any], results: list[list[dict[str, Any]]]) -> list[list[dict[str, Any]]]:
        """Search again, with a wide HNSW ``ef``, the queries that came back with fewer hits than asked.

        Milvus Lite's graph walk can miss rows behind a narrow filter (see ``ServerCapabilities``).
        A short answer is also what a small organisation legitimately gets; then the second search
        finds nothing more and costs one more search of a small filtered set.
        """
        short = [i for i, hits in enumerate(results) if len(hits) < request["limit"]]
        if not short:
            return results
        wider = {**request["search_params"], "params": self._index_params(_WIDE_EF, request["limit"])}
        again = self._run(**{**request, "data": [request["data"][i] for i in short], "search_params": wider})
        for i, hits in zip(short, again):
            if len(hits) > len(results[i]):
                results[i] = hits
        return results

    def _run(self, **kwargs: Any) -> list[list[dict[str, Any]]]:
        if not kwargs.get("filter_params"):
            kwargs.pop("filter_params", None)
        try:
            found = self._client.search(self._info.name, timeout=self._call_timeout, **kwargs)
            return [list(hits) for hits in found]
        except MILVUS_CALL_ERRORS as error:
            where = f"collection {self._info.name!r}"
            raise milvus_call_error(error, where=where, timeout=self._call_timeout) from None

    def _score(
        self, vector: list[float], dense_hits: list[dict[str, Any]], lexical_hits: list[dict[str, Any]]
    ) -> list[Hit]:
        metric = self._info.metric
        pk = self._info.pk_field
        dense = [Hit(_hit_pk(h, pk), h["entity"], dense=similarity(h["distance"], metric)) for h in dense_hits]
        if not lexical_hits:
            for hit in dense:
                hit.score = hit.dense or 0.0
            return dense
        # Lite reports BM25 as negative numbers (more negative is better); servers as positive.
        sign = -1.0 if all(h["distance"] <= 0 for h in lexical_hits) else 1.0
        lexical = []
        for h in lexical_hits:
            entity = dict(h["entity"])
            stored = entity.pop(self._info.vector_field, None)
            similar = _cosine(vector, stored) if stored else 0.0
            lexical.append(Hit(_hit_pk(h, pk), entity, dense=similar, lexical=sign * h["distance"]))
        return fuse(dense, lexical, dense_weight=HYBRID_DENSE_WEIGHT)

    def _match(self, kind: type[_M], hit: Hit, stream: str) -> _M:
        entity = dict(hit.entity)
        meta = entity.pop("$meta", None)
        if isinstance(meta, dict):
            entity.update(meta)
        snippet = plain_snippet(str(entity.pop(self._info.text_field, "") or ""))
        raw_id = str(entity.get(RECORD_ID_FIELD, hit.pk))
        prefix = f"{entity.get(STREAM_FIELD, stream)}_"
        record = raw_id[len(prefix) :] if raw_id.startswith(prefix) else raw_id
        fields = {
            k: v for k, v in entity.items() if v is not None and not k.startswith("_ab_") and k != self._info.pk_field
        }
        return kind(record_id=record, score=hit.score, snippet=snippet, fields=fields, stream=stream)


def _positive_seconds(value: float) -> float:
    """A call deadline in seconds: a finite number above zero."""
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value) or value <= 0:
        raise ConfigurationError("call_timeout must be a number of seconds above 0.")
    return float(value)


def _hit_pk(hit: dict[str, Any], pk_field: str) -> Any:
    """The chunk's primary key: pymilvus 2.6+ keys a hit by the pk field's name, older versions by ``id``.

    Never ``hit["id"]`` alone: pymilvus falls back to the entity, where ``id`` is a record's metadata.
    """
    return hit[pk_field] if pk_field in hit else hit.get("id")


def _cosine(a: Sequence[float], b: Sequence[float]) -> float:
    dot = sum(x * y for x, y in zip(a, b))
    norm = math.sqrt(sum(x * x for x in a)) * math.sqrt(sum(y * y for y in b))
    return dot / norm if norm else 0.0


def _matching_embedder(info: CollectionInfo, embedder: Embedder | None) -> Embedder:
    contract = info.contract
    if embedder is None:
        if contract is None:
            raise ConfigurationError(
                f"Collection {info.name!r} has no stored embedding settings (it was not written by "
                "destination-milvus-support).",
                guidance="Pass embedder= with the model that wrote it.",
            )
        return embedder_from_spec(contract.embedding)
    if info.dimensions and embedder.dimensions != info.dimensions:
        raise ContractMismatchError(
            f"The embedder returns {embedder.dimensions} dimensions; collection {info.name!r} holds "
            f"vectors of {info.dimensions}.",
            guidance="Use the embedding model the collection was synced with.",
        )
    if contract is not None:
        stored = contract.embedding
        if (stored.model, stored.dimensions) != (embedder.spec.model, embedder.spec.dimensions):
            raise ContractMismatchError(
                f"Collection {info.name!r} was embedded with {stored.mode} model {stored.model!r} "
                f"({stored.dimensions} dims), not {embedder.spec.model!r} ({embedder.spec.dimensions} dims).",
                guidance="Pass the same embedding model, or omit embedder= to use the stored one.",
            )
    return embedder
