"""Turning an Airbyte record into chunks in two steps: ``prepare`` (cheap, every record), ``chunk_many`` (changed ones).

``prepare`` reads what a record is (stream, id, chunk key, metadata, the raw values of its text
fields) and digests it, without rendering or counting anything: a scheduled re-sync recognises an
unchanged record from that digest alone. ``render`` (HTML to text, e-mail cleaning, ``field: value``
lines) and the splitting in ``chunk_many`` run only for records that changed.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import dpath
from airbyte_cdk.models import AirbyteRecordMessage, ConfiguredAirbyteCatalog

from destination_milvus_support.config import FromFieldEmbedding, ProcessingConfig
from destination_milvus_support.content import (
    ROW_FORMAT,
    chunk_primary_key,
    content_digest,
    record_id,
    record_version,
)
from destination_milvus_support.errors import RecordError
from destination_milvus_support.keys import OWN_COLLECTION
from destination_milvus_support.milvus.schema import AUDIENCE_FIELD, EVERYONE
from destination_milvus_support.splitter import ChunkSplitter
from destination_milvus_support.sync_modes import chunk_key
from destination_milvus_support.text import html_to_text, render_value, rough_length
from destination_milvus_support.validation import check_metadata_names
from query_sdk.contract import RECORD_ID_FIELD, STREAM_FIELD, stream_identifier
from query_sdk.email_text import clean_email

__all__ = [
    "ACCESS_FIELDS",
    "CDC_DELETED_FIELD",
    "HISTORY_FIELDS",
    "Chunk",
    "DocumentProcessor",
    "PreparedRecord",
    "audience",
    "render_text",
]

CDC_DELETED_FIELD = "_ab_cdc_deleted_at"
#: Fields that say who may see a record, kept as metadata whenever a record carries them, whatever
#: ``processing.metadata_fields`` lists: a search must be able to leave out what a reader may not see.
#: Zendesk: an article's ``user_segment_id`` (null: everyone) or ``user_segment_ids``; a ticket's
#: requester and organisation.
ACCESS_FIELDS = ("user_segment_id", "user_segment_ids", "organization_id", "requester_id")
#: Fields query_sdk learns the duplicate flag from (``query_sdk.merge_history``): Zendesk tags a ticket
#: merged into another ``closed_by_merge``; kept likewise.
HISTORY_FIELDS = ("tags", "created_at")
_SEGMENT_FIELDS = ("user_segment_id", "user_segment_ids")
#: Milvus VARCHAR limit of the text field, in UTF-8 bytes.
TEXT_MAX_BYTES = 65535
_BOOKKEEPING = ("_airbyte_", "_ab_cdc_")
_HTML_TAG = re.compile(r"<[A-Za-z/!][^>]*>")
#: Characters that make a field path a dpath glob; other paths are looked up directly (dpath walks the whole record).
_GLOB = re.compile(r"[*?\[\]]")
#: Texts the fingerprint renders and splits with the configured settings: if a new version of the
#: splitter, the tokenizer or the HTML and e-mail handling treats any of them differently, every
#: stored record is rewritten once; a version that treats them alike changes nothing stored.
_PROBES: tuple[tuple[str, str], ...] = (
    (
        "body",
        "<h2>Card delivery</h2><p>Your new card arrives within <b>5 working days</b>. "
        "Track it in the <a href='/app'>app</a>.</p><ul><li>Check your address</li><li>Order a new card</li></ul>",
    ),
    (
        "description",
        "Hi team,\n\nMy card was declined at the supermarket twice today.\n\nKind regards,\nAnna\n--\nAnna Smith\n"
        "On 3 Nov 2025, Acme Support wrote:\n> Could you send us a screenshot?\n> Thanks",
    ),
    ("description", " ".join(f"word{i % 50} of a long complaint, sentence {i}." for i in range(160))),
    ("description", "Ma carte a été refusée au supermarché. Pourriez-vous vérifier mon compte ? " * 12),
    ("description", "我的银行卡在超市被拒绝了。请帮我查一下账户。我已经等了三天，还没有收到新卡！" * 12),  # noqa: RUF001
    ("body", "# Title\n\nIntro text.\n## Part one\n" + "A line of markdown text.\n" * 30 + "```\ncode()\n```"),
    ("description", "x" * 3000),
)


@dataclass(frozen=True)
class Chunk:
    """One piece of a record's text, ready to embed and write."""

    pk: str
    text: str
    tokens: int
    metadata: Mapping[str, Any]
    vector: Sequence[float] | None = None


@dataclass(frozen=True)
class PreparedRecord:
    """A record before rendering and chunking (``DocumentProcessor.prepare``); a CDC delete has no fields."""

    stream: str
    record_id: str
    #: What its chunk primary keys are made from (``sync_modes.chunk_key``).
    key: str
    #: The text fields' values as the record holds them (after ``field_name_mappings``), rendered by ``render``.
    fields: Mapping[str, Any] = field(default_factory=dict)
    metadata: Mapping[str, Any] = field(default_factory=dict)
    vector: Sequence[float] | None = None
    #: Names everything its rows are made from (raw text values, metadata, key, vector, the fingerprint).
    digest: str = ""
    #: About how many characters its text has (for batching only).
    size: int = 0
    deleted: bool = False


def _fit_bytes(text: str) -> list[str]:
    """Split ``text`` at character boundaries into parts of at most ``TEXT_MAX_BYTES`` bytes."""
    if len(text.encode("utf-8")) <= TEXT_MAX_BYTES:
        return [text]
    middle = len(text) // 2
    return _fit_bytes(text[:middle]) + _fit_bytes(text[middle:])


class DocumentProcessor:
    """Builds chunks from records as the official connector does (``field: value`` lines).

    Unlike it, sizes are counted in the embedding model's tokens, keys are injective, and errors
    quote no record content.
    """

    def __init__(
        self,
        config: ProcessingConfig,
        catalog: ConfiguredAirbyteCatalog,
        token_counter: Callable[[str], int],
        *,
        count_many: Callable[[Sequence[str]], list[int]] | None = None,
        from_field: FromFieldEmbedding | None = None,
        reserved: frozenset[str] = frozenset(),
        record_ids: Callable[[str, Sequence[Any]], str] = OWN_COLLECTION.record_id,
    ) -> None:
        """``count_many`` counts many texts in one call (``Embedder.count_tokens_many``).

        ``record_ids`` makes ``_ab_record_id`` from a stream and its key values: the collection's
        ``keys.CollectionKind.record_id`` (the official destination's form in its collections).
        """
        self._record_ids = record_ids
        self._config = config
        self._reserved = reserved
        self._count = token_counter
        self._count_many = count_many or (lambda texts: [token_counter(text) for text in texts])
        self._from_field = from_field
        self._splitter = ChunkSplitter(config, token_counter, self._count_many)
        self._streams = {stream_identifier(s.stream.name, s.stream.namespace): s for s in catalog.streams}
        #: Streams whose schema declares a user segment: their records say who may read them even when the
        #: source leaves a null out (the Python CDK drops null values when it writes a record).
        self._segment_streams = {
            name
            for name, configured in self._streams.items()
            if set(_SEGMENT_FIELDS) & set((configured.stream.json_schema or {}).get("properties") or {})
        }
        self._mappings = config.mappings
        #: Text fields (as named after mapping) whose e-mail boilerplate is removed (query_sdk.email_text).
        self._email_fields = frozenset(self._mappings.get(f, f) for f in config.email_text_fields)
        self._fingerprint: str | None = None

    @property
    def fingerprint(self) -> str:
        """What shapes every record's rows besides the record: settings, ``ROW_FORMAT``, the pipeline's behaviour.

        The behaviour is measured, not read off version numbers: the probe texts (``_PROBES``) are
        rendered and split as records are, and their pieces and token counts are digested.
        """
        if self._fingerprint is None:
            probes = []
            for name, value in _PROBES:
                text = self._render(name, {name: value}, frozenset({name}) if self._email_fields else frozenset())
                probes.append([(piece, tokens) for piece, tokens in self._splitter.split(text, self._count(text))])
            self._fingerprint = content_digest([ROW_FORMAT, self._config.model_dump_json(), probes])
        return self._fingerprint

    def prepare(self, record: AirbyteRecordMessage) -> PreparedRecord:
        """Everything about ``record`` but its text and chunks: stream, id, key, metadata, raw text values, digest.

        Cheap (nothing is rendered, counted or split), so the writer can tell unchanged records from
        their stored rows before paying for ``chunk_many``. Raises ``RecordError`` naming stream and
        field (never content) for a record that cannot be written as configured.
        """
        stream = stream_identifier(record.stream, record.namespace)
        configured = self._streams.get(stream)
        if configured is None:
            raise RecordError(f"A record arrived for stream {stream!r}, which is not in the configured catalog.")
        data = record.data or {}
        rid = self._record_id(stream, configured, data)
        if data.get(CDC_DELETED_FIELD):
            return PreparedRecord(stream, rid, key=rid, deleted=True)
        fields = self._text_fields(stream, data)
        vector = self._vector(stream, data) if self._from_field else None
        metadata = self._metadata(data)
        check_metadata_names(stream, metadata, self._reserved)
        readers = audience(data, declared=stream in self._segment_streams)
        if readers is not None:
            metadata[AUDIENCE_FIELD] = readers
        metadata[STREAM_FIELD] = stream
        metadata[RECORD_ID_FIELD] = rid
        key = chunk_key(configured, rid, lambda: record_version(data))  # the sync mode decides what a key names
        digest = content_digest([self.fingerprint, key, fields, metadata, vector])
        size = rough_length(fields)
        return PreparedRecord(stream, rid, key, fields, metadata, vector, digest=digest, size=size)

    def estimate(self, prepared: PreparedRecord) -> tuple[int, int]:
        """(chunks, tokens) a prepared record will about make, for batching only.

        Three characters a token: English text runs about four in OpenAI's and MiniLM's tokenizers,
        so batches of ordinary text come out a little smaller than the limits, not larger.
        """
        tokens = prepared.size // 3 + 1
        return -(-tokens // self._config.chunk_size), tokens

    def render(self, prepared: PreparedRecord) -> str:
        """The text embedded for a prepared record: its text fields as ``field: value`` lines (``render_text``)."""
        return self._render(prepared.stream, prepared.fields, self._email_fields)

    def chunk_many(self, records: Sequence[PreparedRecord]) -> list[list[Chunk]]:
        """Render each record and split its text into chunks of at most ``chunk_size`` tokens.

        The whole texts are counted in one call (most need no split).
        """
        texts = [self.render(prepared) for prepared in records]
        totals = self._count_many(texts)
        return [self._chunk(p, text, total) for p, text, total in zip(records, texts, totals, strict=True)]

    def _chunk(self, prepared: PreparedRecord, text: str, total: int) -> list[Chunk]:
        pieces = self._splitter.split(text, total)
        if any(len(piece) * 4 > TEXT_MAX_BYTES for piece, _ in pieces):  # only then pay for encoding
            pieces = [(part, self._count(part)) for piece, _ in pieces for part in _fit_bytes(piece)]
        return [
            Chunk(
                pk=chunk_primary_key(prepared.stream, prepared.key, index),
                text=piece,
                tokens=tokens,
                metadata=prepared.metadata,
                vector=prepared.vector,
            )
            for index, (piece, tokens) in enumerate(pieces)
        ]

    def _record_id(self, stream: str, configured: Any, data: Mapping[str, Any]) -> str:
        key_paths: list[list[str]] = configured.primary_key or configured.stream.source_defined_primary_key or []
        if not key_paths:
            return record_id(stream, [record_version(data)])  # short: no need to fit
        values = []
        for path in key_paths:
            value: Any = data
            for part in path:
                value = value.get(part) if isinstance(value, Mapping) else None
            if value is None:
                raise RecordError(
                    f"A record of stream {stream!r} has no value for its primary key field {'.'.join(path)!r}.",
                    guidance="Check the stream's primary key in the connection settings.",
                )
            values.append(value)
        return self._record_ids(stream, values)

    def _extract(self, data: Mapping[str, Any], paths: Sequence[str]) -> dict[str, Any]:
        if not paths:  # "all fields": but not the platform's bookkeeping (PyAirbyte's _airbyte_raw_id, CDC columns)
            return {self._mappings.get(k, k): v for k, v in data.items() if not k.startswith(_BOOKKEEPING)}
        found: dict[str, Any] = {}
        for path in paths:
            values = _values(data, path)
            if values:
                found[self._mappings.get(path, path)] = values if len(values) > 1 else values[0]
        return found

    def _text_fields(self, stream: str, data: Mapping[str, Any]) -> dict[str, Any]:
        fields = self._extract(data, self._config.text_fields)
        if self._from_field and not self._config.text_fields:  # "all fields" never means the vector itself
            name = self._from_field.field_name
            fields.pop(self._mappings.get(name, name), None)
        fields = {k: v for k, v in fields.items() if v is not None and v != "" and v != [] and v != {}}
        if not fields:
            raise _no_text(stream, self._config.text_fields)
        return fields

    def _render(self, stream: str, fields: Mapping[str, Any], email_fields: frozenset[str]) -> str:
        if self._config.html_to_text:
            fields = {
                k: html_to_text(v) if isinstance(v, str) and _HTML_TAG.search(v) else v for k, v in fields.items()
            }
        if email_fields:
            fields = {k: _cleaned(v) if k in email_fields else v for k, v in fields.items()}
        rendered = {k: text for k, text in ((k, render_value(v)) for k, v in fields.items()) if text}
        if not rendered:
            raise _no_text(stream, self._config.text_fields)
        return render_text(rendered, with_names=not self._config.omit_field_names_from_embeddings)

    def _metadata(self, data: Mapping[str, Any]) -> dict[str, Any]:
        metadata = self._extract(data, self._config.metadata_fields)
        metadata.pop(CDC_DELETED_FIELD, None)
        if self._from_field:
            metadata.pop(self._from_field.field_name, None)
        for name in (*ACCESS_FIELDS, *HISTORY_FIELDS):
            if name in data:
                metadata.setdefault(self._mappings.get(name, name), data[name])
        return metadata

    def _vector(self, stream: str, data: Mapping[str, Any]) -> list[float]:
        assert self._from_field is not None
        name = self._from_field.field_name
        values = _values(data, name)
        vector = values[0] if values else None
        if not isinstance(vector, list) or not all(
            isinstance(v, (int, float)) and not isinstance(v, bool) for v in vector
        ):
            raise RecordError(
                f"A record of stream {stream!r} has no list of numbers in field {name!r}.",
                guidance="Check embedding.field_name.",
            )
        if len(vector) != self._from_field.dimensions:
            raise RecordError(
                f"A record of stream {stream!r} has a vector of {len(vector)} dimensions in field "
                f"{name!r}; {self._from_field.dimensions} are configured.",
                guidance="Set embedding.dimensions to the vectors' length.",
            )
        return [float(v) for v in vector]


def audience(data: Mapping[str, Any], *, declared: bool = False) -> list[str] | None:
    """Who may read a record, as ``_ab_audience`` stores it; None when the record does not say.

    ``["everyone"]`` for a Zendesk article whose ``user_segment_id`` is null or left out (where the
    stream's schema ``declared`` the field), ``["segment:<id>"]`` for one restricted to a user segment
    (each of ``user_segment_ids`` where a record lists several). query_sdk recommends an article only
    to readers of one of these (``recommend_articles``).
    """
    if not declared and not any(name in data for name in _SEGMENT_FIELDS):
        return None
    segments: list[Any] = []
    for name in _SEGMENT_FIELDS:
        value = data.get(name)
        segments.extend(value if isinstance(value, list) else [value])
    named = sorted({f"segment:{segment}" for segment in segments if segment is not None and segment != ""})
    return named or [EVERYONE]


def _no_text(stream: str, text_fields: Sequence[str]) -> RecordError:
    names = ", ".join(text_fields) or "any field"
    return RecordError(
        f"A record of stream {stream!r} has none of the text fields ({names}).",
        guidance="Check processing.text_fields: every record needs at least one of them.",
    )


def _cleaned(value: Any) -> Any:
    """An e-mail field's value without its boilerplate; each text of a list (``comments.*.body``) on its own."""
    if isinstance(value, str):
        return clean_email(value)
    if isinstance(value, (list, tuple)):
        return [clean_email(item) if isinstance(item, str) else item for item in value]
    return value


def render_text(fields: Mapping[str, Any], *, with_names: bool = True) -> str:
    """The text embedded for a record: one ``field: value`` line per text field, or only the values.

    With names (the default, as the official connector writes), ``subject: Printer jams``; without
    (``processing.omit_field_names_from_embeddings``), ``Printer jams``.
    """
    if with_names:
        return "\n".join(f"{key}: {value}" for key, value in fields.items())
    return "\n".join(f"{value}" for value in fields.values())


def _values(data: Mapping[str, Any], path: str) -> list[Any]:
    """What ``dpath.values(data, path, separator=".")`` returns, without a full walk for plain dot paths."""
    if _GLOB.search(path):
        return list(dpath.values(dict(data), path, separator="."))
    value: Any = data
    for part in path.lstrip(".").split("."):
        if isinstance(value, Mapping) and part in value:
            value = value[part]
        elif isinstance(value, (list, tuple)) and part.lstrip("-").isdigit() and -len(value) <= int(part) < len(value):
            value = value[int(part)]
        else:
            return []
    return [value]
