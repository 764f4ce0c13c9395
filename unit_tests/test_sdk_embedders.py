import math
from collections.abc import Sequence

import pytest

from query_sdk import ConfigurationError, EmbeddingSpec, FakeEmbedder, OpenAIEmbedder, embedder_from_spec
from query_sdk.embedders import Embedder


def test_fake_vectors_are_deterministic_and_unit_length():
    first = FakeEmbedder(64).embed(["Card declined at the shop", ""])
    again = FakeEmbedder(64).embed(["Card declined at the shop", ""])
    assert first == again
    for vector in first:
        assert len(vector) == 64
        assert math.isclose(sum(v * v for v in vector), 1.0, rel_tol=1e-9)


def test_fake_vectors_are_closer_for_texts_sharing_words():
    query, near, far = FakeEmbedder(64).embed(["card declined at shop", "my card declined at the shop", "reset pw"])
    assert sum(a * b for a, b in zip(query, near)) > sum(a * b for a, b in zip(query, far))


class _Numbered(Embedder):
    """Embeds text ``"n"`` as a one-hot vector at n, in batches of at most 3 inputs / 5 tokens."""

    max_batch_inputs = 3
    max_batch_tokens = 5
    concurrency = 2

    def __init__(self) -> None:
        self.batches: list[list[str]] = []

    @property
    def spec(self) -> EmbeddingSpec:
        return EmbeddingSpec(mode="test", model="numbered", dimensions=20)

    def count_tokens(self, text: str) -> int:
        return 2

    def embed_batch(self, texts: Sequence[str]) -> list[list[float]]:
        self.batches.append(list(texts))
        return [[1.0 if i == int(t) else 0.0 for i in range(20)] for t in texts]


def test_the_base_batches_within_limits_and_keeps_input_order():
    embedder = _Numbered()
    vectors = embedder.embed([str(n) for n in range(11)])
    assert [vector.index(1.0) for vector in vectors] == list(range(11))
    assert all(len(batch) <= 2 for batch in embedder.batches)  # 5 tokens at 2 tokens each
    assert sorted(t for batch in embedder.batches for t in batch) == sorted(str(n) for n in range(11))


def test_texts_over_the_input_limit_are_refused_not_cut():
    embedder = FakeEmbedder(8)
    embedder.max_input_tokens = 3
    with pytest.raises(ConfigurationError, match="input #1"):
        embedder.embed(["one two", "one two three four"])


def test_the_stored_spec_rebuilds_the_fake_embedder():
    embedder = embedder_from_spec(EmbeddingSpec(mode="fake", model="hashed-bag-of-words", dimensions=32))
    assert isinstance(embedder, FakeEmbedder)
    assert embedder.dimensions == 32


def test_an_openai_collection_needs_the_key_from_the_environment(monkeypatch):
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    with pytest.raises(ConfigurationError, match="OPENAI_API_KEY"):
        embedder_from_spec(EmbeddingSpec(mode="openai", model="text-embedding-3-small", dimensions=1536))


def test_an_openai_compatible_spec_keeps_its_base_url():
    spec = EmbeddingSpec(mode="openai_compatible", model="m", dimensions=16, options={"base_url": "http://h/v1"})
    embedder = embedder_from_spec(spec)
    assert isinstance(embedder, OpenAIEmbedder)
    assert embedder.spec == spec
    embedder.close()


def test_unknown_modes_ask_for_an_explicit_embedder():
    with pytest.raises(ConfigurationError, match="embedder="):
        embedder_from_spec(EmbeddingSpec(mode="cohere_v9", model="x", dimensions=8))


_AWKWARD_TEXTS = [
    "",
    " ",
    "Card payment declined twice at the same shop.  ",
    "  leading spaces and a trailing newline\n",
    "\n\n",
    "a<|endoftext|>b",
    "<|endoftext|>",
    "x <|fim_prefix|> y <|endofprompt|>",
    "émojis 🙂🙂 and ñ",
    "word " * 300,
]


def test_counting_many_texts_in_one_call_gives_each_text_its_own_count():
    from query_sdk.embedders.openai import count_cl100k_tokens, count_cl100k_tokens_many

    assert count_cl100k_tokens_many(_AWKWARD_TEXTS) == [count_cl100k_tokens(t) for t in _AWKWARD_TEXTS]
    with_surrogate = [*_AWKWARD_TEXTS, "ok \ud800 lone surrogate"]  # tiktoken's encode repairs it
    assert count_cl100k_tokens_many(with_surrogate) == [count_cl100k_tokens(t) for t in with_surrogate]
    assert count_cl100k_tokens_many(_AWKWARD_TEXTS[::-1]) == [count_cl100k_tokens(t) for t in _AWKWARD_TEXTS[::-1]]
    assert count_cl100k_tokens_many([]) == []


def test_every_embedder_counts_many_texts_as_it_counts_one():
    from query_sdk.embedders.local import LocalEmbedder

    for embedder in (
        FakeEmbedder(8),
        LocalEmbedder(),
        OpenAIEmbedder(api_key="sk-test", model="text-embedding-3-small"),
    ):
        assert embedder.count_tokens_many(_AWKWARD_TEXTS) == [embedder.count_tokens(t) for t in _AWKWARD_TEXTS]
