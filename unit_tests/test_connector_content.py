"""What names and compares rows (``content``): identity values frozen, text digests byte-for-byte as earlier versions stored them.

A changed primary key or record hash would give stored records a second set of rows; a changed first
half of a chunk hash would re-embed every chunk. Both are pinned here to the formulas earlier
versions used and to literal values.
"""

import hashlib
import json

import pytest

from destination_milvus_support.content import (
    canonical_json,
    chunk_hash,
    chunk_primary_key,
    record_hash,
    record_id,
    record_source,
    record_version,
)
from query_sdk.contract import EmbeddingSpec

# Texts a help desk sends: accents, CJK, emoji, quotes, backslashes, control characters, line separators.
TEXTS = [
    "",
    "Printer jams",
    'He said "no" \\ then left',
    "Zoë's café: naïve façade",
    "打印机卡纸了",
    "🙂 emoji 👍🏽 and ZWJ 👨‍👩‍👧",
    "tab\tnew\nline\rcarriage\x00nul\x01\x1f\x7f del",
    "line\u2028separator\u2029paragraph",
    "\ufeffBOM and \uffff",
    "</script><b>html</b>&amp;",
    "x" * 5000,
]
SPECS = [
    EmbeddingSpec(mode="openai", model="text-embedding-3-small", dimensions=1536),
    EmbeddingSpec(mode="local", model="all-MiniLM-L6-v2", dimensions=384),
    EmbeddingSpec(mode="openai_compatible", model='odd "model" \\ ü', dimensions=7),
]


def _old_digest(value):
    """The digest as every earlier version computed it."""
    encoded = json.dumps(value, sort_keys=True, ensure_ascii=False, default=str, separators=(",", ":"))
    return hashlib.sha256(encoded.encode("utf-8")).hexdigest()[:32]


@pytest.mark.parametrize("spec", SPECS)
@pytest.mark.parametrize("text_stored", [True, False])
def test_record_and_chunk_hashes_are_the_bytes_earlier_versions_stored(spec, text_stored):
    metadata = {"status": "open", "tags": ["a", "ü"], "organization_id": 360033549136, "score": 0.1, "none": None}
    for text in TEXTS:
        assert record_source(text, spec, text_stored=text_stored) == _old_digest(
            [text, spec.mode, spec.model, spec.dimensions, text_stored]
        )
        source = _old_digest([text, spec.mode, spec.model, spec.dimensions, []])
        assert chunk_hash(text, spec, metadata, text_stored=text_stored) == source + _old_digest(
            [source, metadata, text_stored]
        )
        # A vector the record carried (from_field) is digested by the one encoder: 3e-07 is written 3e-7, so
        # such rows were rewritten once, with their own vectors (nothing is embedded in that mode).
        vector = [0.25, -1.0, 3e-07]
        with_vector = hashlib.sha256(canonical_json([text, spec.mode, spec.model, spec.dimensions, vector]))
        assert (
            chunk_hash(text, spec, metadata, vector=vector, text_stored=text_stored)[:32]
            == with_vector.hexdigest()[:32]
        )


@pytest.mark.parametrize("stream", ["tickets", "zendesk_tickets", "ns.tickets", 'tïckets "q"'])
def test_record_hash_is_the_bytes_earlier_versions_stored(stream):
    for rid in [*TEXTS, 'tickets_["a",1]', "42"]:
        old = hashlib.sha256(json.dumps([stream, rid], ensure_ascii=False).encode("utf-8")).hexdigest()
        assert record_hash(stream, rid) == old


def test_digests_are_pinned():
    """Literal values, so a change to the old formulas above cannot pass unnoticed either."""
    spec = SPECS[0]
    assert record_hash("tickets", "1") == hashlib.sha256(b'["tickets", "1"]').hexdigest()
    assert (
        record_source("abc", spec)
        == hashlib.sha256(b'["abc","openai","text-embedding-3-small",1536,true]').hexdigest()[:32]
    )
    assert (
        chunk_hash("Printer jams", spec, {})[:32]
        == hashlib.sha256(b'["Printer jams","openai","text-embedding-3-small",1536,[]]').hexdigest()[:32]
    )


def test_a_lone_surrogate_in_content_is_digested_and_in_an_identity_fails_as_before():
    assert record_source("\ud800", SPECS[0]) != record_source("\ud801", SPECS[0])
    with pytest.raises(UnicodeEncodeError):
        record_hash("tickets", "\ud800")


def test_identity_values_are_pinned():
    """Primary keys, record ids and record versions name stored rows: these literal values must never change."""
    assert (
        chunk_primary_key("tickets", "tickets_42", 0)
        == "9a21b74b1697a146f7917de60a6d0083dfb3f84d11f21e0ee7649205ca4b4d18"
    )
    assert (
        chunk_primary_key("tickets", 'tickets_["a_b","c"]#abc', 3)
        == "0818a8714600fd94eb91d31476f08139ebbd98274ea42c5d059f57c72883329e"
    )
    assert record_hash("tickets", "tickets_42") == "86e4150307f174cf0a5a5a3dde12997831d5b9e0aa81764faa6ba31f7e040359"
    assert record_version({"id": 42, "subject": "Printer jams", "tags": ["a", "b"], "n": 1.5}) == (
        "0e50d6f426af77e6ed6038087e6136ff"
    )
    assert record_id("tickets", ["a_b", "c"]) == 'tickets_["a_b","c"]'
    assert record_id("tickets", ["a_b", "c"], official=True) == "tickets_a_b_c"
    assert record_id("tickets", [42]) == "tickets_42"


def test_content_nested_beyond_orjsons_limit_or_wider_than_64_bits_is_still_encoded():
    deep: object = "x"
    for _ in range(400):
        deep = [deep]
    assert canonical_json([deep]).startswith(b"[[[")
    assert canonical_json({"b": 2**70, "a": "é"}) == '{"a":"é","b":1180591620717411303424}'.encode()


def test_a_float_or_boolean_where_an_integer_belongs_is_digested_as_the_old_formula_did():
    """The fixed tail is cached by type too: 384.0 encodes as 384.0, not as a cached 384."""
    for dims in (384, 384.0, True, 1):
        spec = EmbeddingSpec(mode="openai", model="m", dimensions=dims)  # type: ignore[arg-type]
        assert record_source("x", spec) == _old_digest(["x", "openai", "m", dims, True])


def test_record_ids_keep_the_official_form_and_composite_keys_do_not_collide():
    assert record_id("tickets", [101]) == "tickets_101"
    assert record_id("s", ["a_b", "c"]) != record_id("s", ["a", "b_c"])


@pytest.mark.parametrize(
    ("values", "official"),
    [
        ([101], "tickets_101"),
        (["acme", 7], "tickets_acme_7"),
        (["a_b", "c"], "tickets_a_b_c"),
        ([1.5, True, "x y"], "tickets_1.5_True_x y"),
        ([{"k": 1}, [1, 2]], "tickets_{'k': 1}_[1, 2]"),
    ],
)
def test_official_record_ids_are_str_values_joined_by_underscores(values, official):
    # airbyte_cdk DocumentProcessor._extract_primary_key: "_".join(str(value) ...), prefixed "stream_"
    assert record_id("tickets", values, official=True) == official
    if len(values) == 1:
        assert record_id("tickets", values) == official  # single keys have one form


def test_chunk_keys_differ_per_stream_record_and_chunk():
    keys = {chunk_primary_key(s, k, i) for s in ("a", "a_b") for k in ("b_c", "c") for i in (0, 1)}
    assert len(keys) == 8
