"""Typed, immutable search results: one per ticket or article, with its best-matching chunk."""

from __future__ import annotations

import json
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any, Mapping, TypeVar

from query_sdk._snippets import plain_snippet
from query_sdk.contract import RECORD_ID_FIELD, STREAM_FIELD

__all__ = ["ArticleMatch", "Match", "TicketMatch", "match_of"]


@dataclass(frozen=True)
class Match:
    """One source record (ticket or article) that matched a query.

    ``score`` is a similarity, higher is more similar, whatever the collection's metric
    (COSINE and IP as Milvus reports them, squared L2 turned into ``1 - d/2``, which equals
    cosine for unit vectors). ``snippet`` is the text of the record's best chunk and ``fields``
    the stored metadata (read-only).
    """

    record_id: str
    score: float
    snippet: str
    fields: Mapping[str, Any]
    stream: str

    def __post_init__(self) -> None:
        object.__setattr__(self, "fields", _frozen(self.fields))

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dictionary."""
        return {
            "record_id": self.record_id,
            "score": round(self.score, 6),
            "snippet": self.snippet,
            "stream": self.stream,
            "fields": _plain(self.fields),
        }


def _frozen(value: Any) -> Any:
    """A read-only copy, all the way down: mappings become read-only views, lists become tuples."""
    if isinstance(value, Mapping):
        return MappingProxyType({key: _frozen(item) for key, item in value.items()})
    if isinstance(value, (list, tuple)):
        return tuple(_frozen(item) for item in value)
    return value


def _plain(value: Any) -> Any:
    """The JSON-ready form of a ``_frozen`` value (dicts and lists)."""
    if isinstance(value, Mapping):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, tuple):
        return [_plain(item) for item in value]
    return value


@dataclass(frozen=True)
class TicketMatch(Match):
    """An open ticket of the same organisation that may be a duplicate."""

    @property
    def subject(self) -> str | None:
        """The ticket's subject, when it was synced as metadata."""
        value = self.fields.get("subject")
        return None if value is None else str(value)

    @property
    def status(self) -> str | None:
        """The ticket's status (new, open, pending, hold, ...)."""
        value = self.fields.get("status")
        return None if value is None else str(value)

    @property
    def requester_id(self) -> Any:
        """Who asked (Zendesk user id, as stored): an app shows another requester's ticket only where it may."""
        return self.fields.get("requester_id")

    @property
    def organization_id(self) -> Any:
        """The ticket's organisation (as stored), None without one."""
        return self.fields.get("organization_id")

    @property
    def url(self) -> str | None:
        """The ticket's API URL, when synced."""
        value = self.fields.get("url")
        return None if value is None else str(value)


@dataclass(frozen=True)
class ArticleMatch(Match):
    """A help-center article that may answer the request."""

    @property
    def title(self) -> str | None:
        """The article's title, when it was synced as metadata."""
        value = self.fields.get("title")
        return None if value is None else str(value)

    @property
    def html_url(self) -> str | None:
        """The public link to the article, when synced."""
        value = self.fields.get("html_url")
        return None if value is None else str(value)

    @property
    def locale(self) -> str | None:
        """The article's locale (``en-us``, ``fr``, ...), when synced."""
        value = self.fields.get("locale")
        return None if value is None else str(value)

    @property
    def section_id(self) -> Any:
        """The Help Center section the article belongs to, when synced (as stored: usually an integer)."""
        return self.fields.get("section_id")

    @property
    def label_names(self) -> tuple[str, ...]:
        """The article's labels; empty when it has none or they were not synced."""
        value = self.fields.get("label_names")
        if isinstance(value, str):  # a list kept in a VARCHAR field is stored as its JSON text
            try:
                value = json.loads(value)
            except ValueError:
                return (value,)
        if not isinstance(value, (list, tuple)):
            return ()
        return tuple(str(label) for label in value)

    @property
    def draft(self) -> bool:
        """True only for an article stored with ``draft: true`` (no flag means published)."""
        return self.fields.get("draft") is True


_M = TypeVar("_M", bound=Match)


def match_of(
    kind: type[_M], entity: Mapping[str, Any], score: float, *, stream: str, text_field: str, pk: Any, pk_field: str
) -> _M:
    """A result from a hit's entity: its record id without the stream prefix, its snippet, its metadata.

    Keys of the dynamic field (``$meta``) count as fields; the connector's ``_ab_`` bookkeeping and
    the primary key do not.
    """
    fields = dict(entity)
    meta = fields.pop("$meta", None)
    if isinstance(meta, dict):
        fields.update(meta)
    snippet = plain_snippet(str(fields.pop(text_field, "") or ""))
    raw_id = str(fields.get(RECORD_ID_FIELD, pk))
    prefix = f"{fields.get(STREAM_FIELD, stream)}_"
    record = raw_id[len(prefix) :] if raw_id.startswith(prefix) else raw_id
    shown = {k: v for k, v in fields.items() if v is not None and not k.startswith("_ab_") and k != pk_field}
    return kind(record_id=record, score=score, snippet=snippet, fields=shown, stream=stream)
