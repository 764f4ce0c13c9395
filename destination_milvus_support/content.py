"""What names a row and what makes two rows the same: the one definition, used wherever work is skipped.

Two kinds of value live here, and they change under different rules:

- **Identity** (``record_id``, ``record_version``, ``chunk_primary_key``, ``record_hash``): the
  values rows are found and replaced by. Their encodings are frozen: a different byte would give a
  stored record a second set of rows instead of replacing the first. Each keeps the encoding it was
  first written with, and ``unit_tests/test_connector_content.py`` pins them to fixed digests.
- **Change detection** (``content_digest``, ``chunk_hash``, ``record_source``): what a row was made
  from, compared with what a record makes now, to skip unchanged records, reuse vectors of unchanged
  text and rewrite only what changed. All of them hash ``canonical_json``, one encoder. A change to
  these recipes costs one rewrite of every row with its stored vector (nothing is embedded, as long
  as the first half of ``chunk_hash`` is unchanged: it is pinned too).

What invalidates stored rows: the record's text and metadata, the processing settings and the
behaviour of the text pipeline (``DocumentProcessor.fingerprint``: rendering and splitting measured
on fixed probe texts, not the libraries' version numbers), and ``ROW_FORMAT``. A patch release of
the splitter or the tokenizer that cuts the probes the same way changes nothing stored.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any, Mapping, Sequence

import orjson

from query_sdk.contract import EmbeddingSpec

__all__ = [
    "ROW_FORMAT",
    "canonical_json",
    "chunk_hash",
    "chunk_primary_key",
    "content_digest",
    "deep_json",
    "parse_record_digest",
    "record_digest",
    "record_hash",
    "record_id",
    "record_source",
    "record_version",
    "same_source",
    "stored_chunk_count",
]

#: Bump when the rows a record makes change for the same input and settings in a way the probes of
#: ``DocumentProcessor.fingerprint`` cannot see (metadata shaping, a new bookkeeping value): every
#: record's digest then changes, and the next sync rewrites every record once (reusing its vectors).
ROW_FORMAT = 2
#: Hex digits of a content digest (and of the first half of a chunk hash).
_DIGITS = 32
_ORJSON_OPTIONS = orjson.OPT_SORT_KEYS | orjson.OPT_NON_STR_KEYS


# -- identity (frozen encodings) ---------------------------------------------------------------------


def record_id(stream: str, key_values: Sequence[Any], *, official: bool = False) -> str:
    """The value of ``_ab_record_id`` for a record with these primary-key values: the one rule for it.

    - A single-field key is ``stream_value`` in every collection (``tickets_4711``): the official
      Airbyte Milvus destination's form, so existing apps match.
    - A composite key, in collections this project creates, is JSON-encoded
      (``tickets_["a_b","c"]``), so ``("a_b", "c")`` and ``("a", "b_c")`` differ.
    - ``official``: in a collection the official destination made, each value as ``str()``, joined
      with ``_`` (``tickets_a_b_c``), exactly as it writes them (airbyte_cdk
      ``destinations/vector_db_based/document_processor.py``, ``_extract_primary_key``), so a dedup
      sync replaces the official rows. Composite keys can collide in that form, as they do there.
    """
    if len(key_values) == 1:
        return f"{stream}_{key_values[0]}"
    if official:
        return f"{stream}_{'_'.join(str(value) for value in key_values)}"
    return f"{stream}_{json.dumps(list(key_values), separators=(',', ':'), default=str)}"


def record_version(data: Mapping[str, Any]) -> str:
    """32 hex digits naming a record's whole content.

    It is the id of a record without a primary key, and the version part of an append stream's
    chunk keys (``sync_modes.chunk_key``). A record nested deeper than the standard library encodes
    (about 1,000 levels, which never could be written before) is encoded iteratively.
    """
    try:
        encoded = json.dumps(data, sort_keys=True, default=str)
    except RecursionError:
        encoded = deep_json(data)
    return hashlib.sha256(encoded.encode("utf-8", "surrogatepass")).hexdigest()[:_DIGITS]


def chunk_primary_key(stream: str, key: str, chunk_index: int) -> str:
    """The primary key of one chunk: a SHA-256 over an unambiguous encoding of (stream, key, index).

    ``key`` is the record's chunk key (``sync_modes.chunk_key``), so writing the same record again
    replaces its rows instead of doubling them.
    """
    encoded = json.dumps([stream, key, chunk_index], separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(encoded.encode("utf-8")).hexdigest()


def record_hash(stream: str, rid: str) -> str:
    """The ``_ab_record_hash`` of a record: record lookups filter on it, so no source value enters a filter."""
    return hashlib.sha256(json.dumps([stream, rid], ensure_ascii=False).encode("utf-8")).hexdigest()


# -- change detection (one encoder) ------------------------------------------------------------------


def canonical_json(value: Any) -> bytes:
    """The one encoding every content digest hashes: compact JSON, keys sorted, UTF-8, ``str()`` for the rest.

    orjson, except for integers beyond 64 bits and values nested beyond its 255 levels, which the
    standard library encodes with the same settings (for strings and integers, byte for byte the same).
    """
    try:
        return orjson.dumps(value, default=str, option=_ORJSON_OPTIONS)
    except orjson.JSONEncodeError:
        try:
            text = json.dumps(value, sort_keys=True, ensure_ascii=False, default=str, separators=(",", ":"))
        except RecursionError:
            text = deep_json(value)
        return text.encode("utf-8", "surrogatepass")


class _Token(str):
    """A piece of JSON syntax on ``deep_json``'s stack (a plain ``str`` there is a value to encode)."""


def deep_json(value: Any) -> str:
    """Compact JSON with keys sorted (as text), built without recursion: for values nested beyond the encoders.

    The input parser accepts 1,024 levels; orjson encodes 255 and the standard library about 1,000.
    """
    parts: list[str] = []
    stack: list[Any] = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, _Token):
            parts.append(item)
        elif isinstance(item, dict):
            entries = sorted(item.items(), key=lambda entry: str(entry[0]))
            stack.append(_Token("}"))
            for position in range(len(entries) - 1, -1, -1):
                key, child = entries[position]
                stack.append(child)
                comma = "," if position else ""
                stack.append(_Token(comma + json.dumps(str(key), ensure_ascii=False) + ":"))
            stack.append(_Token("{"))
        elif isinstance(item, (list, tuple)):
            stack.append(_Token("]"))
            for position in range(len(item) - 1, -1, -1):
                stack.append(item[position])
                if position:
                    stack.append(_Token(","))
            stack.append(_Token("["))
        else:
            parts.append(json.dumps(item, ensure_ascii=False, default=str))
    return "".join(parts)


def content_digest(value: Any) -> str:
    """32 hex digits of SHA-256 over ``canonical_json(value)``."""
    return hashlib.sha256(canonical_json(value)).hexdigest()[:_DIGITS]


def chunk_hash(
    text: str,
    embedding: EmbeddingSpec,
    metadata: Mapping[str, Any],
    *,
    vector: Sequence[float] | None = None,
    text_stored: bool = True,
) -> str:
    """The ``_ab_chunk_hash`` of a row: 32 hex digits naming its vector's source, then 32 naming the whole row.

    The first half hashes what the vector was made from: the chunk text and the embedding contract
    (mode, model, dimensions), or the vector itself when the record carried one. A stored row whose
    first half matches holds a vector that can be reused. The second half also covers the metadata,
    so a row whose whole hash matches needs no write at all.
    """
    source = content_digest(
        [text, embedding.mode, embedding.model, embedding.dimensions, list(vector) if vector else []]
    )
    return source + content_digest([source, dict(metadata), text_stored])


def same_source(stored: str | None, new: str) -> bool:
    """True when a stored row's vector was made from what ``new`` describes (None: an older row, unknown)."""
    return bool(stored) and str(stored)[:_DIGITS] == new[:_DIGITS]


def record_source(content: str, embedding: EmbeddingSpec, *, text_stored: bool = True) -> str:
    """What a record's rows are made from: its content digest (``DocumentProcessor.prepare``) and the contract.

    Equal sources mean equal chunks, equal metadata and vectors from the same model, so the rows
    already stored for that source can be left as they are.
    """
    return content_digest([content, embedding.mode, embedding.model, embedding.dimensions, text_stored])


def record_digest(source: str, chunks: int) -> str:
    """The ``_ab_record_digest`` of each of a record's rows: its ``record_source`` and its chunk count."""
    return f"{source}:{chunks}"


def parse_record_digest(stored: str | None) -> tuple[str, int | None]:
    """(record source, chunk count) of a stored ``_ab_record_digest``; ("", None) for none or a malformed one."""
    if not stored:
        return "", None
    source, _, count = str(stored).partition(":")
    return (source, int(count)) if count.isdigit() else ("", None)


def stored_chunk_count(stored: str | None, source: str) -> int | None:
    """The chunk count a stored ``_ab_record_digest`` names for ``source``; None for another source or none."""
    found, count = parse_record_digest(stored)
    return count if found == source else None
