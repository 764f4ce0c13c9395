"""Turning one Airbyte record into chunks: text from the text fields, metadata, keys, token counts."""

from __future__ import annotations

import hashlib
import importlib.metadata
import json
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import dpath
import orjson
from airbyte_cdk.models import AirbyteRecordMessage, ConfiguredAirbyteCatalog

from destination_milvus_support.config import FromFieldEmbedding, ProcessingConfig
from destination_milvus_support.errors import RecordError
from destination_milvus_support.splitter import ChunkSplitter
from destination_milvus_support.sync_modes import chunk_key
from destination_milvus_support.text import html_to_text, render_value
from destination_milvus_support.validation import check_metadata_names, fit_record_id
from query_sdk.contract import RECORD_ID_FIELD, STREAM_FIELD, chunk_primary_key, record_id, stream_identifier
from query_sdk.email_text import clean_email

__all__ = [
    "CDC_DELETED_FIELD",
    "Chunk",
    "DocumentProcessor",
    "PreparedRecord",
    "ProcessedRecord",
    "html_to_text",
    "render_text",
]

CDC_DELETED_FIELD = "_ab_cdc_deleted_at"
#: Milvus VARCHAR limit of the text field, in UTF-8 bytes.
TEXT_MAX_BYTES = 65535
_BOOKKEEPING = ("_airbyte_", "_ab_cdc_")
_HTML_TAG = re.compile(r"<[A-Za-z/!][^>]*>")
#: Bump when the rows a record makes change for the same input and settings (chunking, metadata
#: shaping): every record's digest then changes, and the next sync rewrites every record once.
_ROW_FORMAT = 1
#: The libraries whose version can change where a text is cut (the tokenizers count the tokens).
_SPLITTER_LIBRARIES = ("langchain-text-splitters", "tiktoken", "tokenizers")
#: Characters that make a field path a dpath glob; other paths are looked up directly (dpath walks the whole record).
_GLOB = re.compile(r"[*?\[\]]")


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
    """A record before chunking (``DocumentProcessor.prepare``); a CDC delete has no text."""

    stream: str
    record_id: str
    #: What its chunk primary keys are made from (``sync_modes.chunk_key``).
    key: str
    text: str = ""
    metadata: Mapping[str, Any] = field(default_factory=dict)
    vector: Sequence[float] | None = None
    #: Names everything its rows are made from (text, metadata, key, vector, processing settings).
    digest: str = ""
    deleted: bool = False


@dataclass
class ProcessedRecord:
    """What one record becomes: its chunks, or a deletion (CDC) of its earlier chunks."""

    stream: str
    record_id: str
    chunks: list[Chunk] = field(default_factory=list)
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
        official_ids: bool = False,
    ) -> None:
        """``count_many`` counts many texts in one call (``Embedder.count_tokens_many``).

        ``chunk_many`` counts a batch's whole texts with it, and the splitter each level's pieces.

        Set ``official_ids`` for a collection without our contract (the official destination's).

        Record ids then take the official form (``query_sdk.contract.record_id``) and are kept whole.
        """
        self._official_ids = official_ids
        self._config = config
        self._reserved = reserved
        self._count = token_counter
        self._count_many = count_many or (lambda texts: [token_counter(text) for text in texts])
        self._from_field = from_field
        self._splitter = ChunkSplitter(config, token_counter, self._count_many)
        self._streams = {stream_identifier(s.stream.name, s.stream.namespace): s for s in catalog.streams}
        self._mappings = {m.from_field: m.to_field for m in config.field_name_mappings}
        #: Every processing setting and what else shapes a record's rows (the row format, the splitter
        #: libraries' versions), so a change to any of them makes every record's digest change.
        self._fingerprint = _content_digest([_ROW_FORMAT, _splitter_versions(), config.model_dump_json()])
        #: Text fields (as named after mapping) whose e-mail boilerplate is removed (query_sdk.email_text).
        self._email_fields = frozenset(self._mappings.get(f, f) for f in config.email_text_fields)

    def process(self, record: AirbyteRecordMessage) -> ProcessedRecord:
        """Chunk ``record``; raise ``RecordError`` (naming stream and field, never content) if it can't be."""
        prepared = self.prepare(record)
        if prepared.deleted:
            return ProcessedRecord(prepared.stream, prepared.record_id, deleted=True)
        return ProcessedRecord(prepared.stream, prepared.record_id, self.chunk(prepared))

    def prepare(self, record: AirbyteRecordMessage) -> PreparedRecord:
        """Everything about ``record`` but its chunks: stream, id, text, metadata and a content digest.

        Cheap (no token counting, no splitting), so the writer can tell unchanged records from
        their stored rows before paying for ``chunk``. Raises ``RecordError`` as ``process`` does.
        """
        stream = stream_identifier(record.stream, record.namespace)
        configured = self._streams.get(stream)
        if configured is None:
            raise RecordError(f"A record arrived for stream {stream!r}, which is not in the configured catalog.")
        data = record.data or {}
        rid = self._record_id(stream, configured, data)
        if data.get(CDC_DELETED_FIELD):
            return PreparedRecord(stream, rid, key=rid, deleted=True)
        text = self._text(stream, data)
        vector = self._vector(stream, data) if self._from_field else None
        metadata = self._metadata(data)
        check_metadata_names(stream, metadata, self._reserved)
        metadata[STREAM_FIELD] = stream
        metadata[RECORD_ID_FIELD] = rid
        key = chunk_key(configured, rid, lambda: _digest(data))  # the sync mode decides what a key names
        digest = _content_digest([self._fingerprint, key, text, metadata, vector])
        return PreparedRecord(stream, rid, key=key, text=text, metadata=metadata, vector=vector, digest=digest)

    def estimate(self, prepared: PreparedRecord) -> tuple[int, int]:
        """(chunks, tokens) a prepared record will about make, for batching only.

        Three characters a token: English text runs about four in OpenAI's and MiniLM's tokenizers,
        so batches of ordinary text come out a little smaller than the limits, not larger.
        """
        tokens = len(prepared.text) // 3 + 1
        return -(-tokens // self._config.chunk_size), tokens

    def chunk(self, prepared: PreparedRecord) -> list[Chunk]:
        """Split a prepared record's text into chunks of at most ``chunk_size`` tokens."""
        return self._chunk(prepared, self._count(prepared.text))

    def chunk_many(self, records: Sequence[PreparedRecord]) -> list[list[Chunk]]:
        """``chunk`` each record; their whole texts are counted in one call (most need no split)."""
        totals = self._count_many([prepared.text for prepared in records])
        return [self._chunk(prepared, total) for prepared, total in zip(records, totals, strict=True)]

    def _chunk(self, prepared: PreparedRecord, total: int) -> list[Chunk]:
        pieces = self._splitter.split(prepared.text, total)
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
            return record_id(stream, [_digest(data)])  # short: no need to fit
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
        if self._official_ids:  # a dynamic-field key there, with no 4,096-byte limit: kept as the official writes it
            return record_id(stream, values, official=True)
        return fit_record_id(record_id(stream, values))

    def _extract(self, data: Mapping[str, Any], paths: Sequence[str]) -> dict[str, Any]:
        if not paths:  # "all fields": but not the platform's bookkeeping (PyAirbyte's _airbyte_raw_id, CDC columns)
            return {self._mappings.get(k, k): v for k, v in data.items() if not k.startswith(_BOOKKEEPING)}
        found: dict[str, Any] = {}
        for path in paths:
            values = _values(data, path)
            if values:
                found[self._mappings.get(path, path)] = values if len(values) > 1 else values[0]
        return found

    def _text(self, stream: str, data: Mapping[str, Any]) -> str:
        fields = self._extract(data, self._config.text_fields)
        if self._from_field and not self._config.text_fields:  # "all fields" never means the vector itself
            name = self._from_field.field_name
            fields.pop(self._mappings.get(name, name), None)
        if self._config.html_to_text:
            fields = {
                k: html_to_text(v) if isinstance(v, str) and _HTML_TAG.search(v) else v for k, v in fields.items()
            }
        if self._email_fields:
            fields = {k: _cleaned(v) if k in self._email_fields else v for k, v in fields.items()}
        fields = {k: text for k, text in ((k, render_value(v)) for k, v in fields.items()) if text}
        if not fields:
            names = ", ".join(self._config.text_fields) or "any field"
            raise RecordError(
                f"A record of stream {stream!r} has none of the text fields ({names}).",
                guidance="Check processing.text_fields: every record needs at least one of them.",
            )
        return render_text(fields, with_names=not self._config.omit_field_names_from_embeddings)

    def _metadata(self, data: Mapping[str, Any]) -> dict[str, Any]:
        metadata = self._extract(data, self._config.metadata_fields)
        metadata.pop(CDC_DELETED_FIELD, None)
        if self._from_field:
            metadata.pop(self._from_field.field_name, None)
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


def _splitter_versions() -> list[str]:
    """Versions of the libraries that cut text into chunks (another version may cut differently)."""
    found = []
    for name in _SPLITTER_LIBRARIES:
        try:
            found.append(f"{name}=={importlib.metadata.version(name)}")
        except importlib.metadata.PackageNotFoundError:
            found.append(f"{name} absent")
    return found


def _digest(data: Mapping[str, Any]) -> str:
    """A short content hash of a record: its id when it has no primary key, its version otherwise."""
    return hashlib.sha256(json.dumps(data, sort_keys=True, default=str).encode()).hexdigest()[:32]


def _content_digest(parts: list[Any]) -> str:
    """A record's content digest: 32 hex digits of SHA-256 over an unambiguous JSON encoding."""
    try:
        encoded = orjson.dumps(parts, default=str, option=orjson.OPT_SORT_KEYS | orjson.OPT_NON_STR_KEYS)
    except TypeError:  # an integer beyond 64 bits: the standard library encodes it
        encoded = json.dumps(parts, sort_keys=True, default=str, separators=(",", ":")).encode("utf-8")
    return hashlib.sha256(encoded).hexdigest()[:32]
