"""SupportSearch: duplicate open tickets of one organisation, and article recommendations."""

from __future__ import annotations

import logging
import math
from pathlib import Path
from typing import Iterable, Mapping, Sequence, TypeVar

from pymilvus import MilvusClient

from query_sdk._arguments import (
    CONSISTENCY_LEVELS,
    consistency_level,
    result_limit,
    score_threshold,
    search_texts,
)
from query_sdk._desk_store import DeskStore
from query_sdk._helpdesk import ARTICLE_FIELDS, DEFAULT_OPEN_STATUSES, HelpDesk, HelpDeskFields
from query_sdk._milvus_search import MilvusSearch, SearchRequest
from query_sdk._ranking import best_per_record, cosine
from query_sdk._requests import RequestPieces
from query_sdk._visibility import Visibility, tickets_of
from query_sdk.collection import CollectionInfo
from query_sdk.connection import connect_client, display_uri, is_local_path
from query_sdk.contract import RECORD_ID_FIELD
from query_sdk.email_text import clean_email
from query_sdk.embedders import Embedder, embedder_for
from query_sdk.errors import CollectionNotFoundError, ConfigurationError
from query_sdk.filters import Clause, FilterValue, build_filter
from query_sdk.merge_history import Feedback, desk_thresholds, record_feedback
from query_sdk.results import ArticleMatch, Match, TicketMatch, match_of
from query_sdk.thresholds import Calibration, ModelDefaults, calibrate
from query_sdk.viewers import Customer

__all__ = [
    "ARTICLE_FIELDS",
    "CALL_TIMEOUT",
    "CONSISTENCY_LEVELS",
    "DEFAULT_OPEN_STATUSES",
    "LOAD_TIMEOUT",
    "SupportSearch",
]

log = logging.getLogger("query_sdk")

#: Seconds one Milvus call of a search may take (``call_timeout``), pymilvus' retries included: a
#: server that stops answering fails the search with a ``TransientError`` instead of holding the app.
CALL_TIMEOUT = 30.0
#: Seconds ``connect`` waits for a collection that is not loaded yet to load (big collections take minutes).
LOAD_TIMEOUT = 600.0
_M = TypeVar("_M", bound=Match)


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
        all_articles_public: bool = False,
    ) -> None:
        self._consistency = consistency_level(consistency)
        self._owns_embedder = True
        self._call_timeout = _positive_seconds(call_timeout)
        self._client = client
        self._info = info
        self._embedder = embedder
        self._desk = HelpDesk(
            info,
            HelpDeskFields(tickets_stream, articles_stream, organization_field, requester_field, status_field),
        )
        self._milvus = MilvusSearch(client, info, self._call_timeout)
        self._visibility = Visibility(info, self._desk, self._milvus, all_articles_public=all_articles_public)
        can_hybrid = info.sparse_field is not None and info.capabilities.bm25 and info.capabilities.hybrid_search
        if hybrid and not can_hybrid:
            log.warning("Hybrid search needs a BM25 field and Milvus 2.5+; using dense search only.")
        # Measured on Banking77 (bench/quality.py): fusing BM25 did not raise duplicate P@1 (0.915 vs
        # 0.917 dense), raised articles' by a point, and took 2-3.5x the time: dense unless asked.
        self.hybrid = bool(hybrid and can_hybrid)
        contract = info.contract
        #: Whether requests lose their e-mail boilerplate before search (``query_sdk.email_text``): by
        #: default when the collection's e-mail fields were cleaned at sync time, so both sides match.
        self.clean_requests = (
            contract is not None and contract.email_cleaning is not None if clean_requests is None else clean_requests
        )
        self.desk_store = DeskStore(
            client,
            info,
            self._desk.fields,
            embedder,
            self._milvus,
            call_timeout=self._call_timeout,
            consistency=self._consistency,
        )
        #: The default thresholds and what they rest on: the model's, or one fitted on this desk's merges.
        self.thresholds: ModelDefaults = desk_thresholds(self.desk_store)

    @property
    def tickets_stream(self) -> str:
        """The ``_ab_stream`` of the tickets (``tickets``, or ``namespace_tickets`` / ``prefix_tickets``)."""
        return self._desk.fields.tickets_stream

    @property
    def articles_stream(self) -> str:
        """The ``_ab_stream`` of the articles."""
        return self._desk.fields.articles_stream

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
        all_articles_public: bool = False,
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
        ``all_articles_public=True`` declares every article of the help centre public: articles are
        then recommended without checking who may read them, even where the collection does not
        record it (``recommend_articles`` refuses such a collection otherwise).
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
            given = embedder
            embedder = embedder_for(info, embedder)
        except BaseException:
            client.close()
            raise
        search = cls(
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
            all_articles_public=all_articles_public,
        )
        search._owns_embedder = given is None  # an embedder the app passed in stays the app's to close
        return search

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
        """The default similarity threshold for ``'duplicate'`` or ``'article'`` (``thresholds`` says why)."""
        return self.thresholds.duplicate if kind == "duplicate" else self.thresholds.article

    def record_feedback(self, text: str, *, ticket_id: FilterValue, is_duplicate: bool) -> Feedback:
        """Keep a customer's or agent's answer to "is ``text`` the same as ticket ``ticket_id``?".

        Answers are stored in the collection and count as history the next time the duplicate flag
        is fitted (``query_sdk.merge_history``; the connector refits after syncs that change tickets).
        """
        return record_feedback(self.desk_store, text, ticket_id=ticket_id, is_duplicate=is_duplicate)

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
        customer: Customer | None = None,
    ) -> list[TicketMatch]:
        """Open tickets of one tenant that look like ``text``, best first, one per ticket.

        The tenant is ``organization_id`` (tickets of that organisation) or, for customers without
        one, ``requester_id`` (that requester's tickets). One of them is required; given both, a
        ticket must match both (the requester's tickets within that organisation). No search ever
        crosses the tenant: both values pass ``query_sdk.filters`` and are never formatted into text.
        ``customer=`` instead searches only what that end user may see (``query_sdk.viewers``): their
        own tickets, or their organisation's where it shares tickets.
        """
        return self.find_duplicate_tickets_many(
            [text],
            organization_id=organization_id,
            requester_id=requester_id,
            limit=limit,
            threshold=threshold,
            open_statuses=open_statuses,
            consistency=consistency,
            customer=customer,
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
        customer: Customer | None = None,
    ) -> list[list[TicketMatch]]:
        """``find_duplicate_tickets`` for many texts: one embedding request, one search call."""
        texts = search_texts(texts, single="find_duplicate_tickets")
        tenant = tickets_of(customer, organization_id=organization_id, requester_id=requester_id)
        conditions = self._desk.open_tickets(open_statuses, **tenant)
        given = score_threshold(threshold, bounded=self._info.metric != "IP")
        cutoff = self.thresholds.duplicate if given is None else given
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
        user_segment_ids: Sequence[FilterValue] | None = None,
        customer: Customer | None = None,
    ) -> list[ArticleMatch]:
        """Help-center articles that may answer ``text`` and that the reader may see, best first, one per article.

        Only articles for everyone are recommended, plus those restricted to one of the reader's
        ``user_segment_ids`` (Zendesk's name and meaning; or ``customer.user_segment_ids``); never
        an article of another segment. A collection that does not record who may read its articles
        is refused with a ``ConfigurationError``, unless ``connect(all_articles_public=True)``.
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
            user_segment_ids=user_segment_ids,
            customer=customer,
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
        user_segment_ids: Sequence[FilterValue] | None = None,
        customer: Customer | None = None,
    ) -> list[list[ArticleMatch]]:
        """``recommend_articles`` for many texts: one embedding request, one search call."""
        texts = search_texts(texts, single="recommend_articles")
        given = score_threshold(threshold, bounded=self._info.metric != "IP")
        cutoff = self.thresholds.article if given is None else given
        conditions = self._desk.published_articles(locale, section_id, label_names, include_drafts=include_drafts)
        audience = self._visibility.audience(user_segment_ids, customer, self._level(consistency))
        if audience is not None:
            conditions.append(self._desk.readable_by(audience))
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
        return calibrate((cosine(a, [b])[0], label) for a, b, (_, _, label) in zip(left, right, triples))

    def close(self) -> None:
        """Close the Milvus connection, and the embedder ``connect`` built (not one passed in)."""
        if self._owns_embedder:
            self._embedder.close()
        self._client.close()

    def __enter__(self) -> SupportSearch:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # -- internals -----------------------------------------------------------------------------

    def _level(self, consistency: str | None) -> str:
        return self._consistency if consistency is None else consistency_level(consistency)

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
        scored = self._milvus.run(
            SearchRequest(
                vectors=vectors,
                texts=pieces.texts,
                expression=expression,
                params=params,
                # several chunks of one record may come first; grouped on the server, a few per record suffice
                limit=limit * 3 if info.record_id_declared else limit * 10,
                consistency=level,
                hybrid=self.hybrid,
            )
        )
        per_piece = [best_per_record(hits, record_key=RECORD_ID_FIELD) for hits in scored]
        return [
            [
                match_of(
                    kind,
                    hit.entity,
                    hit.score,
                    stream=stream,
                    text_field=info.text_field,
                    pk=hit.pk,
                    pk_field=info.pk_field,
                )
                for hit in ranked
                if hit.score >= threshold
            ][:limit]
            for ranked in pieces.fuse(per_piece, record_key=RECORD_ID_FIELD)
        ]


def _positive_seconds(value: float) -> float:
    """A call deadline in seconds: a finite number above zero."""
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value) or value <= 0:
        raise ConfigurationError("call_timeout must be a number of seconds above 0.")
    return float(value)
