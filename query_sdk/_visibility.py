"""Who may see what a search returns: the tickets a customer may see, the articles a reader may read.

The rules are Zendesk's (``query_sdk.viewers``). For articles, a collection must record who may read
each one (``_ab_audience``, kept by the connector whenever a record carries ``user_segment_id``); one
that does not is refused rather than taken for all-public, unless the app declares every article
public (``all_articles_public``).
"""

from __future__ import annotations

from typing import Mapping

from query_sdk._arguments import flag
from query_sdk._helpdesk import HelpDesk, readers
from query_sdk._milvus_search import MilvusSearch
from query_sdk.collection import CollectionInfo
from query_sdk.contract import AUDIENCE_FIELD
from query_sdk.errors import ConfigurationError
from query_sdk.filters import FilterValue, build_filter
from query_sdk.viewers import Customer, segment_ids

__all__ = ["Visibility", "tickets_of"]

#: Article rows read to tell "every article restricted" from "visibility not recorded" (only when none is public).
_SAMPLE = 1000


def tickets_of(
    customer: Customer | None, *, organization_id: FilterValue | None, requester_id: FilterValue | None
) -> dict[str, FilterValue | None]:
    """The tenant of a duplicate search: the ids given, or what ``customer`` may see."""
    if customer is None:
        return {"organization_id": organization_id, "requester_id": requester_id}
    _check_customer(customer)
    if organization_id is not None or requester_id is not None:
        raise ConfigurationError(
            "Pass customer= or organization_id= / requester_id=, not both: the customer decides which tickets "
            "are searched."
        )
    return {"organization_id": None, "requester_id": None, **customer.ticket_tenant()}


class Visibility:
    """The article audience of one collection's searches."""

    def __init__(
        self, info: CollectionInfo, desk: HelpDesk, milvus: MilvusSearch, *, all_articles_public: bool
    ) -> None:
        self._info = info
        self._desk = desk
        self._milvus = milvus
        self._all_public = flag(all_articles_public, name="all_articles_public")
        #: Whether the collection records who may read its articles; None until first asked.
        self._recorded: bool | None = None

    def audience(self, user_segment_ids: object, customer: Customer | None, level: str) -> tuple[str, ...] | None:
        """The ``_ab_audience`` values the reader may see; None where every article was declared public."""
        if customer is not None:
            _check_customer(customer)
            if user_segment_ids is not None:
                raise ConfigurationError("Pass customer= or user_segment_ids=, not both.")
            segments = customer.user_segment_ids
        else:
            segments = segment_ids(() if user_segment_ids is None else user_segment_ids)
        if self._all_public:
            return None
        if self._recorded is None:
            self._recorded = self._records_audience(level)
        if not self._recorded:
            raise ConfigurationError(
                f"Collection {self._info.name!r} does not record who may read its articles (it was synced before "
                "destination-milvus-support kept article visibility, by the official Airbyte Milvus destination, or "
                "from a source whose articles carry no user_segment_id), so restricted articles cannot be told from "
                "public ones.",
                guidance="Have its articles synced again by destination-milvus-support (a sync of the articles "
                "stream records it), or, for a help centre whose articles are all public, pass "
                "all_articles_public=True to SupportSearch.connect.",
            )
        return readers(segments)

    def _records_audience(self, level: str) -> bool:
        """Whether some article row says who may read it (one public article is enough), or there is no article."""
        caps = self._info.capabilities
        public, _ = build_filter(self._desk.audience_probe(), templating=False, null_checks=caps.nullable_fields)
        if self._milvus.rows(public, {}, [self._info.pk_field], limit=1, consistency=level):
            return True
        if not self._info.dynamic:  # the audience lives in the dynamic field: none can be there
            articles, _ = build_filter(self._desk.any_article(), templating=False)
            return not self._milvus.rows(articles, {}, [self._info.pk_field], limit=1, consistency=level)
        articles, _ = build_filter(self._desk.any_article(), templating=False)
        rows = self._milvus.rows(articles, {}, ["$meta"], limit=_SAMPLE, consistency=level)
        return not rows or any(_audience_of(row) for row in rows)


def _audience_of(row: Mapping[str, object]) -> object:
    meta = row.get("$meta")
    return (meta if isinstance(meta, Mapping) else row).get(AUDIENCE_FIELD)


def _check_customer(customer: object) -> None:
    if not isinstance(customer, Customer):
        raise ConfigurationError(f"customer must be a query_sdk.Customer, not {type(customer).__name__}.")
