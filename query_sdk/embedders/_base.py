"""The embedder base: subclasses send one request (``embed_batch``); the base owns batching and concurrency."""

from __future__ import annotations

import abc
from concurrent.futures import ThreadPoolExecutor
from typing import Callable, Iterator, Sequence

from query_sdk.contract import EmbeddingSpec
from query_sdk.errors import ConfigurationError, TransientError

__all__ = ["Embedder"]


class Embedder(abc.ABC):
    """Turns texts into vectors.

    A subclass implements ``embed_batch`` (one request to the model or service), ``spec`` and
    ``count_tokens``, and sets the class limits below. ``embed`` splits any number of texts into
    requests that respect ``max_batch_inputs`` and ``max_batch_tokens``, keeps up to
    ``concurrency`` of them in flight, and returns vectors in input order. Retries belong to the
    subclass's client (the ``openai`` client retries 429, 5xx and timeouts itself); a subclass that
    paces requests by their size overrides ``embed_request`` (it gets each request's token count)
    and ``request_token_budget`` (the request size the service's limits allow now).
    """

    #: Largest input the model accepts, in its own tokens.
    max_input_tokens: int = 8191
    #: Most inputs in one request.
    max_batch_inputs: int = 256
    #: Most tokens (summed over inputs) in one request.
    max_batch_tokens: int = 300_000
    #: Requests in flight at once.
    concurrency: int = 1
    #: Batch texts of similar length together (less padding for models that pad a batch).
    sort_by_length: bool = False

    @property
    @abc.abstractmethod
    def spec(self) -> EmbeddingSpec:
        """Mode, model and dimensions, as stored in the collection contract."""

    @property
    def dimensions(self) -> int:
        """Length of every vector this embedder returns."""
        return self.spec.dimensions

    @abc.abstractmethod
    def embed_batch(self, texts: Sequence[str]) -> list[list[float]]:
        """Embed one request's worth of texts (already within the limits)."""

    @abc.abstractmethod
    def count_tokens(self, text: str) -> int:
        """Length of ``text`` in the model's own tokens."""

    def count_tokens_many(self, texts: Sequence[str]) -> list[int]:
        """``count_tokens`` of each text; subclasses whose tokenizer counts many at once in one call override it."""
        return [self.count_tokens(text) for text in texts]

    def token_counter(self) -> Callable[[str], int]:
        """The function text splitters use to measure chunk sizes."""
        return self.count_tokens

    def embed(self, texts: Sequence[str], *, token_counts: Sequence[int] | None = None) -> list[list[float]]:
        """Embed any number of texts, batched and concurrent, in input order."""
        if not texts:
            return []
        counts = list(token_counts) if token_counts is not None else [self.count_tokens(t) for t in texts]
        for position, count in enumerate(counts):
            if count > self.max_input_tokens:
                raise ConfigurationError(
                    f"A text of {count} tokens is longer than the {self.max_input_tokens} tokens "
                    f"model {self.spec.model!r} accepts (input #{position}).",
                    guidance="Use <setting:chunk_size>; text is never truncated silently.",
                )
        order = sorted(range(len(texts)), key=counts.__getitem__) if self.sort_by_length else range(len(texts))
        batches = list(self._batches([texts[i] for i in order], [counts[i] for i in order]))
        if len(batches) == 1 or self.concurrency <= 1:
            results = [self._checked(*batch) for batch in batches]
        else:
            with ThreadPoolExecutor(max_workers=min(self.concurrency, len(batches))) as pool:
                results = list(pool.map(lambda batch: self._checked(*batch), batches))
        vectors: list[list[float]] = [[] for _ in texts]
        for position, vector in zip(order, (v for batch in results for v in batch)):
            vectors[position] = vector
        return vectors

    def embed_request(self, texts: Sequence[str], tokens: int) -> list[list[float]]:
        """Send one request of ``texts`` (``tokens`` in all); the default is ``embed_batch``."""
        return self.embed_batch(texts)

    def request_token_budget(self) -> int:
        """Most tokens one request may carry now; the default is ``max_batch_tokens``."""
        return self.max_batch_tokens

    def close(self) -> None:  # noqa: B027  (optional hook: most embedders hold nothing)
        """Release clients and sessions; the default holds none."""

    def __enter__(self) -> Embedder:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def _batches(self, texts: Sequence[str], counts: Sequence[int]) -> Iterator[tuple[list[str], int]]:
        batch: list[str] = []
        tokens = 0
        budget = self.request_token_budget()
        for text, count in zip(texts, counts):
            if batch and (len(batch) >= self.max_batch_inputs or tokens + count > budget):
                yield batch, tokens
                batch, tokens = [], 0
            batch.append(text)
            tokens += count
        if batch:
            yield batch, tokens

    def _checked(self, batch: list[str], tokens: int) -> list[list[float]]:
        vectors = self.embed_request(batch, tokens)
        expected = self.dimensions
        if len(vectors) != len(batch):
            # A malformed answer to a well-formed request: no config change cures it, a retry often does.
            raise TransientError(
                f"The embedding service returned {len(vectors)} vectors for {len(batch)} texts.",
                guidance="Retry; if it repeats, check that <setting:base_url> points at an OpenAI-compatible "
                "embeddings API.",
            )
        for vector in vectors:
            if len(vector) != expected:
                raise ConfigurationError(
                    f"The embedding model returned vectors of {len(vector)} dimensions, but {expected} are configured.",
                    guidance="Set <setting:dimensions> to the model's output size.",
                )
        return vectors
