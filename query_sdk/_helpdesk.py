"""What the two questions mean in a help desk: which tickets count (open, one tenant), which articles (published).

``HelpDesk`` turns a question's arguments into filter clauses (``query_sdk.filters``), with Zendesk's
field names and meanings, checking every value (``filters.check_value``) and matching it to the type
the collection declares for its field.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Sequence

from pymilvus import DataType

from query_sdk._arguments import filter_values, flag, open_status_values, string_filter_values
from query_sdk.collection import CollectionInfo
from query_sdk.contract import AUDIENCE_FIELD, EVERYONE, STREAM_FIELD
from query_sdk.errors import ConfigurationError
from query_sdk.filters import Clause, Condition, ContainsAny, FilterValue, NotTrue, check_value

__all__ = ["ARTICLE_FIELDS", "DEFAULT_OPEN_STATUSES", "HelpDesk", "HelpDeskFields", "readers"]

#: Zendesk statuses that mean "still being worked on".
DEFAULT_OPEN_STATUSES: tuple[str, ...] = ("new", "open", "pending", "hold")
#: Zendesk Help Center article fields the article filters read (as the Zendesk source names them).
ARTICLE_FIELDS = {"draft": "draft", "locale": "locale", "section_id": "section_id", "label_names": "label_names"}
_INTEGER = re.compile(r"-?[0-9]{1,19}")


def readers(user_segment_ids: Sequence[FilterValue]) -> tuple[str, ...]:
    """The ``_ab_audience`` values a reader of these user segments may see: everyone's, and each segment's."""
    return (EVERYONE, *(f"segment:{segment}" for segment in user_segment_ids))


@dataclass(frozen=True)
class HelpDeskFields:
    """Where a collection keeps what the questions filter on (the Zendesk source's names by default)."""

    tickets_stream: str = "tickets"
    articles_stream: str = "articles"
    organization_field: str = "organization_id"
    requester_field: str = "requester_id"
    status_field: str = "status"


class HelpDesk:
    """The filter clauses of the two questions, for one collection."""

    def __init__(self, info: CollectionInfo, fields: HelpDeskFields) -> None:
        self._info = info
        self.fields = fields

    def open_tickets(
        self,
        open_statuses: Sequence[str],
        *,
        organization_id: FilterValue | None,
        requester_id: FilterValue | None,
    ) -> list[Clause]:
        """Open tickets of one tenant: the organisation, the requester, or both (the requester's within it)."""
        if organization_id is None and requester_id is None:
            raise ConfigurationError(
                "find_duplicate_tickets needs organization_id= or requester_id=: "
                "duplicates are only ever searched within one organisation or one requester.",
                guidance="Pass the customer's organization_id, or requester_id when they have no organisation.",
            )
        fields = self.fields
        clauses: list[Clause] = [Condition(STREAM_FIELD, fields.tickets_stream)]
        for field, value, what in (
            (fields.organization_field, organization_id, "organization_id"),
            (fields.requester_field, requester_id, "requester_id"),
        ):
            if value is not None:
                clauses.append(Condition(field, self._typed(field, check_value(value, what=what))))
        clauses.append(Condition(fields.status_field, open_status_values(open_statuses)))
        return clauses

    def published_articles(
        self,
        locale: str | Sequence[str] | None,
        section_id: FilterValue | Sequence[FilterValue] | None,
        label_names: str | Sequence[str] | None,
        *,
        include_drafts: bool,
    ) -> list[Clause]:
        """Articles: published only (unless drafts are asked for), of a locale, section or label when given."""
        clauses: list[Clause] = [Condition(STREAM_FIELD, self.fields.articles_stream)]
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
            labels = string_filter_values("label_names", label_names)
            clauses.append(ContainsAny(field, tuple(check_value(v, what="label_names") for v in labels)))
        return clauses

    def readable_by(self, audience: Sequence[str]) -> Clause:
        """Rows one of whose ``_ab_audience`` values the reader has (``readers``)."""
        return ContainsAny(AUDIENCE_FIELD, tuple(check_value(value, what="audience") for value in audience))

    def audience_probe(self) -> list[Clause]:
        """Articles any reader may see: at least one is there wherever the collection records visibility."""
        return [Condition(STREAM_FIELD, self.fields.articles_stream), ContainsAny(AUDIENCE_FIELD, (EVERYONE,))]

    def any_article(self) -> list[Clause]:
        """Every article row."""
        return [Condition(STREAM_FIELD, self.fields.articles_stream)]

    def _has_field(self, field: str) -> bool:
        """Whether rows can carry ``field``: a declared field, or any key of the dynamic field."""
        return field in self._info.scalar_types or self._info.dynamic

    def _filterable(self, key: str) -> str:
        field = ARTICLE_FIELDS[key]
        if not self._has_field(field):
            raise ConfigurationError(
                f"Collection {self._info.name!r} has no {field!r} field to filter {key}= on: its articles were "
                "synced without it.",
                guidance=f"Leave {key}= out, or have the collection synced with {field!r} as metadata.",
            )
        return field

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
