"""Building the embedder a config asks for (query_sdk's embedders; from_field needs none)."""

from __future__ import annotations

from destination_milvus_support.config import (
    AzureOpenAIEmbedding,
    CohereEmbedding,
    EmbeddingConfig,
    FakeEmbedding,
    FromFieldEmbedding,
    LocalEmbedding,
    OpenAICompatibleEmbedding,
    OpenAIEmbedding,
)
from query_sdk.contract import EmbeddingSpec
from query_sdk.embedders import Embedder, FakeEmbedder, LocalEmbedder, OpenAIEmbedder

__all__ = ["COHERE_COMPATIBILITY_URL", "build_embedder", "embedding_spec"]

#: Cohere's OpenAI-compatible endpoint (the official connector's "cohere" mode maps here).
COHERE_COMPATIBILITY_URL = "https://api.cohere.ai/compatibility/v1"


def build_embedder(config: EmbeddingConfig, *, timeout: float = 30.0, max_retries: int = 5) -> Embedder | None:
    """The embedder for ``config``; None for ``from_field`` (vectors come with the records)."""
    if isinstance(config, FromFieldEmbedding):
        return None
    if isinstance(config, FakeEmbedding):
        return FakeEmbedder(config.dimensions)
    if isinstance(config, LocalEmbedding):
        return LocalEmbedder(config.model)
    if isinstance(config, OpenAIEmbedding):
        return OpenAIEmbedder(
            api_key=config.openai_key.get_secret_value(),
            model=config.model,
            dimensions=config.dimensions,
            timeout=timeout,
            max_retries=max_retries,
        )
    if isinstance(config, AzureOpenAIEmbedding):
        return OpenAIEmbedder(
            api_key=config.openai_key.get_secret_value(),
            model=config.model,
            dimensions=config.dimensions,
            mode="azure_openai",
            azure_endpoint=config.api_base,
            azure_deployment=config.deployment,
            timeout=timeout,
            max_retries=max_retries,
        )
    if isinstance(config, CohereEmbedding):
        return OpenAIEmbedder(
            api_key=config.cohere_key.get_secret_value(),
            model=config.model,
            dimensions=config.dimensions,
            mode="openai_compatible",
            base_url=COHERE_COMPATIBILITY_URL,
            max_batch_inputs=96,
            timeout=timeout,
            max_retries=max_retries,
        )
    assert isinstance(config, OpenAICompatibleEmbedding)
    return OpenAIEmbedder(
        api_key=config.api_key.get_secret_value(),
        model=config.model_name,
        dimensions=config.dimensions,
        mode="openai_compatible",
        base_url=config.base_url,
        max_batch_inputs=256,
        timeout=timeout,
        max_retries=max_retries,
    )


def embedding_spec(config: EmbeddingConfig, embedder: Embedder | None) -> EmbeddingSpec:
    """What the collection contract records about the embedding."""
    if embedder is not None:
        return embedder.spec
    assert isinstance(config, FromFieldEmbedding)
    return EmbeddingSpec(mode="from_field", model=config.field_name, dimensions=config.dimensions)
