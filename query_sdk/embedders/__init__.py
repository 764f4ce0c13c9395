"""Embedders shared by the connector and query_sdk, and the factory that builds one from a stored spec."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

from query_sdk.contract import EmbeddingSpec
from query_sdk.embedders._base import Embedder
from query_sdk.embedders.fake import FakeEmbedder
from query_sdk.embedders.local import LOCAL_MODELS, LocalEmbedder
from query_sdk.embedders.openai import OPENAI_MODELS, OpenAIEmbedder
from query_sdk.errors import ConfigurationError, ContractMismatchError

if TYPE_CHECKING:
    from query_sdk.collection import CollectionInfo

__all__ = [
    "LOCAL_MODELS",
    "OPENAI_MODELS",
    "Embedder",
    "FakeEmbedder",
    "LocalEmbedder",
    "OpenAIEmbedder",
    "embedder_for",
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


def embedder_for(info: CollectionInfo, embedder: Embedder | None) -> Embedder:
    """The embedder a search of ``info``'s collection uses: ``embedder``, checked against it, or the stored one."""
    contract = info.contract
    if embedder is None:
        if contract is None:
            raise ConfigurationError(
                f"Collection {info.name!r} has no stored embedding settings (it was not written by "
                "destination-milvus-support).",
                guidance="Pass embedder= with the model that wrote it.",
            )
        return embedder_from_spec(contract.embedding)
    if info.dimensions and embedder.dimensions != info.dimensions:
        raise ContractMismatchError(
            f"The embedder returns {embedder.dimensions} dimensions; collection {info.name!r} holds "
            f"vectors of {info.dimensions}.",
            guidance="Use the embedding model the collection was synced with.",
        )
    if contract is not None:
        stored = contract.embedding
        if (stored.model, stored.dimensions) != (embedder.spec.model, embedder.spec.dimensions):
            raise ContractMismatchError(
                f"Collection {info.name!r} was embedded with {stored.mode} model {stored.model!r} "
                f"({stored.dimensions} dims), not {embedder.spec.model!r} ({embedder.spec.dimensions} dims).",
                guidance="Pass the same embedding model, or omit embedder= to use the stored one.",
            )
    return embedder
