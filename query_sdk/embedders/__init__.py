"""Embedders shared by the connector and query_sdk, and the factory that builds one from a stored spec."""

from __future__ import annotations

import os

from query_sdk.contract import EmbeddingSpec
from query_sdk.embedders._base import Embedder
from query_sdk.embedders.fake import FakeEmbedder
from query_sdk.embedders.local import LOCAL_MODELS, LocalEmbedder
from query_sdk.embedders.openai import OPENAI_MODELS, OpenAIEmbedder
from query_sdk.errors import ConfigurationError

__all__ = [
    "LOCAL_MODELS",
    "OPENAI_MODELS",
    "Embedder",
    "FakeEmbedder",
    "LocalEmbedder",
    "OpenAIEmbedder",
    "embedder_from_spec",
]


def embedder_from_spec(spec: EmbeddingSpec) -> Embedder:
    """Build the embedder a collection was written with; API keys come from the environment.

    ``OPENAI_API_KEY`` for ``openai`` and ``openai_compatible`` (optional there),
    ``AZURE_OPENAI_API_KEY`` for ``azure_openai``.
    """
    if spec.mode == "fake":
        return FakeEmbedder(spec.dimensions)
    if spec.mode == "local":
        return LocalEmbedder(spec.model)
    if spec.mode in ("openai", "openai_compatible"):
        key = os.environ.get("OPENAI_API_KEY", "")
        if spec.mode == "openai" and not key:
            raise ConfigurationError(
                "The collection was embedded with OpenAI, and OPENAI_API_KEY is not set.",
                guidance="Export OPENAI_API_KEY or pass embedder= to SupportSearch.connect.",
            )
        return OpenAIEmbedder(
            api_key=key,
            model=spec.model,
            dimensions=spec.dimensions,
            mode=spec.mode,
            base_url=spec.options.get("base_url"),
        )
    if spec.mode == "azure_openai":
        key = os.environ.get("AZURE_OPENAI_API_KEY", "")
        if not key:
            raise ConfigurationError(
                "The collection was embedded with Azure OpenAI, and AZURE_OPENAI_API_KEY is not set.",
                guidance="Export AZURE_OPENAI_API_KEY or pass embedder= to SupportSearch.connect.",
            )
        return OpenAIEmbedder(
            api_key=key,
            model=spec.model,
            dimensions=spec.dimensions,
            mode="azure_openai",
            azure_endpoint=spec.options.get("api_base"),
            azure_deployment=spec.options.get("deployment"),
        )
    raise ConfigurationError(
        f"Vectors in this collection came from {spec.mode!r}, which query_sdk cannot rebuild.",
        guidance="Pass embedder= to SupportSearch.connect with the model that made them.",
    )
