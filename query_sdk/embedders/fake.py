"""A deterministic, similarity-preserving embedder (hashed bag of words) for tests and benchmarks."""

from __future__ import annotations

import hashlib
import itertools
import math
import re
from functools import lru_cache
from typing import Sequence

from query_sdk.contract import EmbeddingSpec
from query_sdk.embedders._base import Embedder

__all__ = ["FakeEmbedder"]

_WORD = re.compile(r"\w+", re.UNICODE)


@lru_cache(maxsize=200_000)
def _slot(token: str, dimensions: int) -> tuple[int, float]:
    digest = hashlib.blake2b(token.encode("utf-8"), digest_size=8).digest()
    value = int.from_bytes(digest, "little")
    return value % dimensions, 1.0 if (value >> 63) & 1 else -1.0


class FakeEmbedder(Embedder):
    """Hashes words and word pairs into a signed, L2-normalised vector.

    The same text always gives the same vector; texts sharing words get similar vectors, so tests
    can assert on retrieval without a model. Not a semantic model: use ``local`` or OpenAI for that.
    """

    max_input_tokens = 8191
    max_batch_inputs = 2048

    def __init__(self, dimensions: int = 384) -> None:
        if dimensions < 2:
            raise ValueError("dimensions must be at least 2")
        self._spec = EmbeddingSpec(mode="fake", model="hashed-bag-of-words", dimensions=dimensions)

    @property
    def spec(self) -> EmbeddingSpec:
        """Mode ``fake`` with the configured dimensions."""
        return self._spec

    def count_tokens(self, text: str) -> int:
        """Words are the tokens."""
        return len(_WORD.findall(text))

    def embed_batch(self, texts: Sequence[str]) -> list[list[float]]:
        """Embed locally; never fails."""
        return [self._vector(text) for text in texts]

    def _vector(self, text: str) -> list[float]:
        dimensions = self._spec.dimensions
        vector = [0.0] * dimensions
        words = [w.lower() for w in _WORD.findall(text)]
        for token in words + [f"{a} {b}" for a, b in itertools.pairwise(words)]:
            slot, sign = _slot(token, dimensions)
            vector[slot] += sign
        norm = math.sqrt(sum(v * v for v in vector))
        if norm == 0.0:
            vector[0] = 1.0
            return vector
        return [v / norm for v in vector]
