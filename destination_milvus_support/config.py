"""The connector's configuration: a pydantic v2 superset of the official destination-milvus spec.

The ``title`` and ``description`` texts are the connector's form in the Airbyte UI.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal, Union

from pydantic import BaseModel, ConfigDict, Field, SecretStr, model_validator

from query_sdk.embedders import LOCAL_MODELS, OPENAI_MODELS

__all__ = [
    "AzureOpenAIEmbedding",
    "CohereEmbedding",
    "ConnectorConfig",
    "FakeEmbedding",
    "FromFieldEmbedding",
    "IndexingConfig",
    "LocalEmbedding",
    "OpenAICompatibleEmbedding",
    "OpenAIEmbedding",
    "ProcessingConfig",
]

_LANGUAGES = [
    "cpp", "go", "java", "js", "php", "proto", "python", "rst", "ruby", "rust",
    "scala", "swift", "markdown", "latex", "html", "sol",
]  # fmt: skip


def _option(title: str, description: str, order: int | None = None) -> ConfigDict:
    extra: dict[str, Any] = {"description": description}
    if order is not None:
        extra["order"] = order
    return ConfigDict(title=title, json_schema_extra=extra)


def _secret(title: str, description: str, **kwargs: Any) -> Any:
    return Field(title=title, description=description, json_schema_extra={"airbyte_secret": True}, **kwargs)


# -- text splitters -------------------------------------------------------------------------------


class SeparatorSplitter(BaseModel):
    model_config = _option("By Separator", "Split by the separators below, coarsest first.")
    mode: Literal["separator"] = "separator"
    separators: list[str] = Field(
        default=['"\\n\\n"', '"\\n"', '" "', '""'],
        title="Separators",
        description='Separator strings, each wrapped in double quotes, e.g. "\\n" for a newline.',
    )
    keep_separator: bool = Field(default=False, title="Keep separator")


class MarkdownSplitter(BaseModel):
    model_config = _option("By Markdown header", "Split at Markdown headers down to the given level.")
    mode: Literal["markdown"] = "markdown"
    split_level: int = Field(default=1, ge=1, le=6, title="Split level")


class CodeSplitter(BaseModel):
    model_config = _option("By Programming Language", "Split at the delimiters of a programming language.")
    mode: Literal["code"] = "code"
    language: Literal[tuple(_LANGUAGES)] = Field(title="Language")  # type: ignore[valid-type]


class FieldNameMapping(BaseModel):
    from_field: str = Field(title="From field name", description="The field name in the source")
    to_field: str = Field(title="To field name", description="The field name to use in the destination")


class ProcessingConfig(BaseModel):
    model_config = ConfigDict(title="ProcessingConfigModel", json_schema_extra={"group": "processing"})
    chunk_size: int = Field(
        ge=1,
        le=8191,
        title="Chunk size",
        description="Size of chunks in tokens of the embedding model (at most its input limit: 8191 for "
        "OpenAI models, 254 for the local model).",
    )
    chunk_overlap: int = Field(
        default=0, ge=0, title="Chunk overlap", description="Tokens shared by consecutive chunks."
    )
    text_fields: list[str] = Field(
        default_factory=list,
        title="Text fields to embed",
        description="Fields whose values are embedded, as 'field: value' lines. Dot paths (user.name) and "
        "wildcards (users.*.name) work. Empty means all fields.",
        json_schema_extra={"always_show": True, "examples": ["subject", "description", "users.*.name"]},
    )
    metadata_fields: list[str] = Field(
        default_factory=list,
        title="Fields to store as metadata",
        description="Fields stored next to each chunk for filtering and display (e.g. status, "
        "organization_id). Empty means all fields.",
        json_schema_extra={"always_show": True, "examples": ["status", "organization_id", "user.name"]},
    )
    text_splitter: (
        Annotated[Union[SeparatorSplitter, MarkdownSplitter, CodeSplitter], Field(discriminator="mode")] | None
    ) = Field(default=None, title="Text splitter", description="How text is split into chunks.")
    field_name_mappings: list[FieldNameMapping] = Field(
        default_factory=list, title="Field name mappings", description="Fields to rename."
    )
    html_to_text: bool = Field(
        default=False,
        title="Convert HTML to text",
        description="Turn HTML in text fields (e.g. Help Center article bodies) into plain text before chunking.",
    )


# -- embeddings -----------------------------------------------------------------------------------


class OpenAIEmbedding(BaseModel):
    model_config = _option("OpenAI", "Use the OpenAI API to embed text.", 0)
    mode: Literal["openai"] = "openai"
    openai_key: SecretStr = _secret("OpenAI API key", "Your OpenAI API key.")
    model: Literal[tuple(OPENAI_MODELS)] = Field(  # type: ignore[valid-type]
        default="text-embedding-3-small", title="Model", description="The embedding model."
    )
    dimensions: int | None = Field(
        default=None, ge=1, title="Dimensions", description="Shorter vectors (text-embedding-3 models only)."
    )


class AzureOpenAIEmbedding(BaseModel):
    model_config = _option("Azure OpenAI", "Use an Azure OpenAI deployment of an embedding model.", 1)
    mode: Literal["azure_openai"] = "azure_openai"
    openai_key: SecretStr = _secret("Azure OpenAI API key", "The key of your Azure OpenAI resource.")
    api_base: str = Field(title="Resource base URL", examples=["https://your-resource-name.openai.azure.com"])
    deployment: str = Field(title="Deployment", examples=["your-resource-name"])
    model: Literal[tuple(OPENAI_MODELS)] = Field(  # type: ignore[valid-type]
        default="text-embedding-ada-002", title="Model", description="The model the deployment serves."
    )
    dimensions: int | None = Field(default=None, ge=1, title="Dimensions")


class CohereEmbedding(BaseModel):
    model_config = _option("Cohere", "Use Cohere's OpenAI-compatible embeddings API.", 2)
    mode: Literal["cohere"] = "cohere"
    cohere_key: SecretStr = _secret("API key", "Your Cohere API key.")
    model: str = Field(default="embed-english-v3.0", title="Model")
    dimensions: int = Field(default=1024, ge=1, title="Dimensions")


class FakeEmbedding(BaseModel):
    model_config = _option("Fake", "Deterministic hashed bag-of-words vectors, for testing pipelines.", 3)
    mode: Literal["fake"] = "fake"
    dimensions: int = Field(default=1536, ge=2, le=32768, title="Dimensions")


class OpenAICompatibleEmbedding(BaseModel):
    model_config = _option("OpenAI-compatible", "Any service that speaks the OpenAI embeddings API.", 4)
    mode: Literal["openai_compatible"] = "openai_compatible"
    api_key: SecretStr = _secret("API key", "Leave empty if the service needs none.", default=SecretStr(""))
    base_url: str = Field(title="Base URL", examples=["https://your-service-name.com/v1"])
    model_name: str = Field(default="text-embedding-ada-002", title="Model name")
    dimensions: int = Field(ge=1, title="Embedding dimensions", examples=[1536, 384])


class FromFieldEmbedding(BaseModel):
    model_config = _option("From Field", "Use a precomputed vector stored in a field of the record.", 5)
    mode: Literal["from_field"] = "from_field"
    field_name: str = Field(title="Field name", examples=["embedding", "vector"])
    dimensions: int = Field(ge=1, title="Embedding dimensions", examples=[1536, 384])


class LocalEmbedding(BaseModel):
    model_config = _option("Local model", "A sentence-embedding model on this machine's CPU; no network.", 6)
    mode: Literal["local"] = "local"
    model: Literal[tuple(LOCAL_MODELS)] = Field(  # type: ignore[valid-type]
        default="all-MiniLM-L6-v2", title="Model", description="all-MiniLM-L6-v2: 384 dimensions, 254 tokens."
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


# -- indexing -------------------------------------------------------------------------------------


class TokenAuth(BaseModel):
    model_config = _option("API Token", "Authenticate with an API token (Zilliz Cloud) or 'user:password'.", 0)
    mode: Literal["token"] = "token"
    token: SecretStr = _secret("API Token", "API token for the Milvus instance.")


class UsernamePasswordAuth(BaseModel):
    model_config = _option("Username/Password", "Authenticate with a username and password.", 1)
    mode: Literal["username_password"] = "username_password"
    username: str = Field(title="Username", json_schema_extra={"order": 1})
    password: SecretStr = _secret("Password", "Password for the Milvus instance.")


class NoAuth(BaseModel):
    model_config = _option("No auth", "Do not authenticate (Milvus Lite, local servers).", 2)
    mode: Literal["no_auth"] = "no_auth"


class IndexingConfig(BaseModel):
    model_config = ConfigDict(
        title="Indexing", json_schema_extra={"group": "indexing", "description": "Where the vectors are stored."}
    )
    host: str = Field(
        title="Public Endpoint",
        description="A server or Zilliz Cloud URI (http://host:19530, https://...zillizcloud.com), or a "
        "local folder path for embedded Milvus Lite.",
        json_schema_extra={"order": 1, "examples": ["http://localhost:19530", "./support.db"]},
    )
    db: str = Field(default="", title="Database Name", json_schema_extra={"order": 2})
    collection: str = Field(
        title="Collection Name", json_schema_extra={"order": 3}, pattern=r"^[A-Za-z_][A-Za-z0-9_]*$"
    )
    auth: Annotated[Union[TokenAuth, UsernamePasswordAuth, NoAuth], Field(discriminator="mode")] = Field(
        default_factory=NoAuth, title="Authentication", json_schema_extra={"order": 4}
    )
    vector_field: str = Field(default="vector", title="Vector Field", pattern=r"^[A-Za-z_][A-Za-z0-9_]*$")
    text_field: str = Field(default="text", title="Text Field", pattern=r"^[A-Za-z_][A-Za-z0-9_]*$")
    hybrid_search: bool = Field(
        default=True,
        title="Full-text (BM25) field",
        description="When creating a collection on a server that supports it (Milvus 2.5+, Milvus Lite, "
        "Zilliz Cloud), add a BM25 field so query_sdk can fuse keyword and vector search.",
    )

    def token(self) -> str:
        """The credential string pymilvus takes (empty for no auth)."""
        auth = self.auth
        if isinstance(auth, TokenAuth):
            return auth.token.get_secret_value()
        if isinstance(auth, UsernamePasswordAuth):
            return f"{auth.username}:{auth.password.get_secret_value()}"
        return ""


class ConnectorConfig(BaseModel):
    """The whole configuration; impossible combinations are refused here, naming the field."""

    model_config = ConfigDict(title="Destination Config", extra="ignore")
    processing: ProcessingConfig
    embedding: EmbeddingConfig = Field(title="Embedding")
    indexing: IndexingConfig
    omit_raw_text: bool = Field(
        default=False,
        title="Do not store raw text",
        description="Store only vectors and metadata, not the chunk text (disables BM25 search).",
    )

    @model_validator(mode="after")
    def _cross_field_rules(self) -> ConnectorConfig:
        processing = self.processing
        if processing.chunk_overlap >= processing.chunk_size:
            raise ValueError("processing.chunk_overlap must be smaller than processing.chunk_size")
        embedding = self.embedding
        if isinstance(embedding, LocalEmbedding):
            limit = LOCAL_MODELS[embedding.model][1] - 2
            if processing.chunk_size > limit:
                raise ValueError(
                    f"processing.chunk_size {processing.chunk_size} is above the {limit} tokens the local "
                    f"model {embedding.model} accepts; lower it (text is never truncated)"
                )
        if isinstance(embedding, (OpenAIEmbedding, AzureOpenAIEmbedding)) and embedding.dimensions:
            native, shortenable = OPENAI_MODELS[embedding.model]
            if embedding.dimensions != native and not shortenable:
                raise ValueError(f"embedding.dimensions: {embedding.model} always returns {native} dimensions")
            if embedding.dimensions > native:
                raise ValueError(f"embedding.dimensions: {embedding.model} returns at most {native}")
        return self
