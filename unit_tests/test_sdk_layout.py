"""Row hashes stay byte-for-byte what earlier versions stored: a changed digest would re-embed every record."""

import hashlib
import json

import pytest

from query_sdk.contract import EmbeddingSpec
from query_sdk.layout import chunk_hash, record_hash, record_source

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
        vector = [0.25, -1.0, 3e-07]
        with_vector = _old_digest([text, spec.mode, spec.model, spec.dimensions, vector])
        assert chunk_hash(text, spec, metadata, vector=vector, text_stored=text_stored) == with_vector + _old_digest(
            [with_vector, metadata, text_stored]
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


def test_a_lone_surrogate_fails_as_before():
    with pytest.raises(UnicodeEncodeError):
        record_hash("tickets", "\ud800")
    with pytest.raises(UnicodeEncodeError):
        record_source("\ud800", SPECS[0])


def test_a_float_or_boolean_where_an_integer_belongs_is_digested_as_the_old_formula_did():
    """The fixed tail is cached by type too: 384.0 encodes as 384.0, not as a cached 384."""
    for dims in (384, 384.0, True, 1):
        spec = EmbeddingSpec(mode="openai", model="m", dimensions=dims)  # type: ignore[arg-type]
        assert record_source("x", spec) == _old_digest(["x", "openai", "m", dims, True])
