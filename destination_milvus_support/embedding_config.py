"""The connector's embedding options: OpenAI, Azure OpenAI, Cohere, OpenAI-compatible, local, fake, from a field.

The ``title`` and ``description`` texts are the connector's form in the Airbyte UI.
"""

from __future__ import annotations

from typing import Annotated, Literal, Union

from pydantic import BaseModel, Field, SecretStr

from destination_milvus_support.config_ui import dimensions_field as _dimensions
from destination_milvus_support.config_ui import option as _option
from destination_milvus_support.config_ui import secret as _secret
from query_sdk.embedders import LOCAL_MODELS, OPENAI_MODELS

__all__ = [
    "OFFICIAL_OPENAI_MODEL",
    "AzureOpenAIEmbedding",
    "CohereEmbedding",
    "EmbeddingConfig",
    "FakeEmbedding",
    "FromFieldEmbedding",
    "LocalEmbedding",
    "OpenAICompatibleEmbedding",
    "OpenAIEmbedding",
]

#: The model the official destination's OpenAI and Azure modes always use (it has no model key), so
#: an official config, which names no model, keeps embedding with it and its collections stay comparable.
OFFICIAL_OPENAI_MODEL = "text-embedding-ada-002"


class OpenAIEmbedding(BaseModel):
    model_config = _option(
        "OpenAI",
        "Use the OpenAI API to embed text. Without a model set, text-embedding-ada-002 (1536 dimensions), "
        "the model of the official Milvus destination.",
    )
    mode: Literal["openai"] = "openai"
    openai_key: SecretStr = _secret("OpenAI API key", "Your OpenAI API key (platform.openai.com, API keys).")
    model: Literal[tuple(OPENAI_MODELS)] = Field(  # type: ignore[valid-type]
        default=OFFICIAL_OPENAI_MODEL,
        title="Model",
        description="The embedding model. The default, text-embedding-ada-002, is what the official Milvus "
        "destination always used, so its collections continue unchanged; text-embedding-3-small is cheaper "
        "and better for a new collection. A collection keeps the model it was built with.",
    )
    dimensions: int | None = _dimensions(
        default=None,
        description="Shorter vectors from text-embedding-3 models (at most their native 1536 or 3072). Leave "
        "empty for the model's native size; ada-002 always returns 1536.",
    )


class AzureOpenAIEmbedding(BaseModel):
    model_config = _option(
        "Azure OpenAI",
        "Use an Azure OpenAI deployment of an embedding model (text-embedding-ada-002 unless you set the model).",
    )
    mode: Literal["azure_openai"] = "azure_openai"
    openai_key: SecretStr = _secret(
        "Azure OpenAI API key",
        "The API key of your Azure OpenAI resource (Azure portal, your resource, Keys and Endpoint).",
    )
    api_base: str = Field(
        title="Resource base URL",
        description="The endpoint of your Azure OpenAI resource (Azure portal, your resource, Keys and Endpoint).",
        examples=["https://your-resource-name.openai.azure.com"],
    )
    deployment: str = Field(
        title="Deployment",
        description="The name of the deployment of the embedding model in that resource (Azure AI Foundry, "
        "Deployments).",
        examples=["your-resource-name"],
    )
    model: Literal[tuple(OPENAI_MODELS)] = Field(  # type: ignore[valid-type]
        default=OFFICIAL_OPENAI_MODEL,
        title="Model",
        description="The model the deployment serves (it sets the vector size and the token counting).",
    )
    dimensions: int | None = _dimensions(
        default=None, description="Shorter vectors from text-embedding-3 models; leave empty for the native size."
    )


class CohereEmbedding(BaseModel):
    model_config = _option("Cohere", "Use the Cohere API (its OpenAI-compatible endpoint) to embed text.")
    mode: Literal["cohere"] = "cohere"
    cohere_key: SecretStr = _secret("Cohere API key", "Your Cohere API key (dashboard.cohere.com, API keys).")
    model: str = Field(
        default="embed-english-v3.0",
        title="Model",
        description="The Cohere embedding model, e.g. embed-english-v3.0 or embed-multilingual-v3.0 for tickets "
        "in several languages.",
        examples=["embed-english-v3.0", "embed-multilingual-v3.0"],
    )
    dimensions: int = _dimensions(default=1024)


class FakeEmbedding(BaseModel):
    model_config = _option(
        "Fake",
        "Deterministic hashed bag-of-words vectors, with no network and no cost: for testing a pipeline only.",
    )
    mode: Literal["fake"] = "fake"
    dimensions: int = _dimensions(default=1536, ge=2, le=32768)


class OpenAICompatibleEmbedding(BaseModel):
    model_config = _option(
        "OpenAI-compatible",
        "Use any service that speaks the OpenAI embeddings API (vLLM, Ollama's /v1, a LiteLLM proxy, ...).",
    )
    mode: Literal["openai_compatible"] = "openai_compatible"
    api_key: SecretStr = _secret(
        "API key", "The service's API key; leave empty if it needs none.", default=SecretStr("")
    )
    base_url: str = Field(
        title="Base URL",
        description="The base URL of the service, up to and including its version path: requests go to "
        "BASE_URL/embeddings.",
        examples=["https://your-service-name.com/v1"],
    )
    model_name: str = Field(
        default="text-embedding-ada-002",
        title="Model name",
        description="The name of the embedding model, as the service knows it.",
        examples=["text-embedding-ada-002", "nomic-embed-text"],
    )
    dimensions: int = _dimensions(examples=[1536, 384])


class FromFieldEmbedding(BaseModel):
    model_config = _option(
        "From Field", "Use a vector the records already carry in one of their fields; nothing is embedded."
    )
    mode: Literal["from_field"] = "from_field"
    field_name: str = Field(
        title="Field name",
        description="Name of the field in the record that holds the vector (a list of numbers).",
        examples=["embedding", "vector"],
    )
    dimensions: int = _dimensions(examples=[1536, 384])


class LocalEmbedding(BaseModel):
    model_config = _option(
        "Local model", "A sentence-embedding model on the worker's CPU: no network, no key (an image built with it)."
    )
    mode: Literal["local"] = "local"
    model: Literal[tuple(LOCAL_MODELS)] = Field(  # type: ignore[valid-type]
        default="all-MiniLM-L6-v2",
        title="Model",
        description="all-MiniLM-L6-v2: English help desks (384 dimensions, 254 tokens). "
        "universal-sentence-encoder-multilingual-3: help desks in French, Chinese and 14 more languages, as good "
        "in them as in English (512 dimensions, 254 tokens; needs the image built with the multilingual extra).",
    )


EmbeddingConfig = Annotated[
    Union[
        OpenAIEmbedding,
        AzureOpenAIEmbedding,
        CohereEmbedding,
        FakeEmbedding,
        OpenAICompatibleEmbedding,
        FromFieldEmbedding,
        LocalEmbedding,
    ],
    Field(discriminator="mode"),
]
