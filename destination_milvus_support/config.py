"""The connector's configuration: a pydantic v2 superset of the official destination-milvus spec.

The ``title`` and ``description`` texts are the connector's form in the Airbyte UI; fields appear
in the order they are declared here (``spec.py`` numbers them). Every key of the official spec is
kept with its meaning; every key added here is optional.
"""

from __future__ import annotations

from typing import Annotated, Literal, Union

from pydantic import BaseModel, ConfigDict, Field, SecretStr, field_validator, model_validator

from destination_milvus_support.config_ui import group as _group
from destination_milvus_support.config_ui import option as _option
from destination_milvus_support.config_ui import secret as _secret
from destination_milvus_support.embedding_config import (
    OFFICIAL_OPENAI_MODEL,
    AzureOpenAIEmbedding,
    CohereEmbedding,
    EmbeddingConfig,
    FakeEmbedding,
    FromFieldEmbedding,
    LocalEmbedding,
    OpenAICompatibleEmbedding,
    OpenAIEmbedding,
)
from query_sdk.connection import is_local_path
from query_sdk.embedders import LOCAL_MODELS, OPENAI_MODELS
from query_sdk.errors import ConfigurationError

__all__ = [
    "OFFICIAL_OPENAI_MODEL",
    "AzureOpenAIEmbedding",
    "CohereEmbedding",
    "ConnectorConfig",
    "EmbeddingConfig",
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
_NAME_PATTERN = r"^[A-Za-z_][A-Za-z0-9_]*$"


# -- text splitters -------------------------------------------------------------------------------


class SeparatorSplitter(BaseModel):
    model_config = _option(
        "By Separator",
        "Split text at the separators below, trying the first one first, until each piece fits in a chunk: "
        "paragraphs, then lines, then words.",
    )
    mode: Literal["separator"] = "separator"
    separators: list[str] = Field(
        default=['"\\n\\n"', '"\\n"', '" "', '""'],
        title="Separators",
        description='Separator strings, each wrapped in double quotes (JSON), coarsest first: "\\n\\n" splits '
        'paragraphs, "\\n" lines, " " words, "." sentences.',
    )
    keep_separator: bool = Field(
        default=False,
        title="Keep separator",
        description="Keep the separator at the start of the piece that follows it.",
    )


class MarkdownSplitter(BaseModel):
    model_config = _option(
        "By Markdown header",
        "Split text at Markdown headers down to the given level; sections that fit together share a chunk.",
    )
    mode: Literal["markdown"] = "markdown"
    split_level: int = Field(
        default=1,
        ge=1,
        le=6,
        title="Split level",
        description="The deepest header level to split at: 1 splits at '#', 2 at '#' and '##', up to 6.",
    )


class CodeSplitter(BaseModel):
    model_config = _option(
        "By Programming Language", "Split code at the definitions and blocks of a programming language."
    )
    mode: Literal["code"] = "code"
    language: Literal[tuple(_LANGUAGES)] = Field(  # type: ignore[valid-type]
        title="Language", description="The programming language of the text fields."
    )


class FieldNameMapping(BaseModel):
    model_config = _group("Field name mapping", "Rename one source field before it is embedded and stored.")
    from_field: str = Field(title="From field name", description="The field name in the source")
    to_field: str = Field(title="To field name", description="The field name to use in the destination")


class ProcessingConfig(BaseModel):
    model_config = _group(
        "Processing", "Which fields are embedded, which are stored as metadata, and how text is cut into chunks.",
        group="processing",
    )  # fmt: skip
    chunk_size: int = Field(
        ge=1,
        le=8191,
        title="Chunk size",
        description="Size of chunks in tokens of the embedding model (at most its input limit: 8191 for "
        "OpenAI models, 512 for Cohere v3, 254 for the local model). A record whose text fits is never split.",
        examples=[512, 1000],
    )
    chunk_overlap: int = Field(
        default=0,
        ge=0,
        title="Chunk overlap",
        description="Tokens shared by consecutive chunks of one record, so text cut at a chunk border is still "
        "found. Must be smaller than the chunk size.",
    )
    text_fields: list[str] = Field(
        default=[],
        title="Text fields to embed",
        description="Fields whose values are embedded, one 'field: value' line each (for tickets: subject, "
        "description; for articles: title, body). Dot paths reach nested fields (user.name) and wildcards "
        "every entry of a list (users.*.name). Fields a record lacks are skipped. Empty means all fields.",
        json_schema_extra={"always_show": True, "examples": ["subject", "description", "users.*.name"]},
    )
    omit_field_names_from_embeddings: bool = Field(
        default=False,
        title="Omit field names from embeddings",
        description="Embed only the values ('Printer jams'), not 'field: value' lines ('subject: Printer jams'). "
        "Off by default: vectors already in a collection were made with the names, and changing this "
        "changes what new vectors mean, so keep it as the collection was built.",
        json_schema_extra={"always_show": True},
    )
    html_to_text: bool = Field(
        default=False,
        title="Convert HTML to text",
        description="Turn HTML in text fields (e.g. Help Center article bodies) into plain text before chunking.",
    )
    email_text_fields: list[str] = Field(
        default=[],
        title="E-mail text fields to clean",
        description="Text fields that hold e-mail written by customers (for Zendesk tickets: description). "
        "Before chunking, their quoted replies, signatures, greetings, confidentiality footers and pasted logs or "
        "stack traces are removed, so tickets are matched on the problem rather than on text every e-mail shares; "
        "the app's requests are cleaned the same way (query_sdk reads the setting from the collection). "
        "Recommended for ticket collections. Set it when you create the collection: a collection keeps the "
        "setting it was built with (syncing with another one is refused), because cleaned and uncleaned chunks "
        "do not compare. Empty (the default) cleans nothing.",
        json_schema_extra={"examples": ["description", "comments.*.body"]},
    )
    metadata_fields: list[str] = Field(
        default=[],
        title="Fields to store as metadata",
        description="Fields stored next to each chunk for filtering and display (for tickets: status, "
        "organization_id, updated_at; for articles: locale, draft, html_url). Dot paths and wildcards work as "
        "for text fields; a path that matches several values stores a list. Empty means all fields.",
        json_schema_extra={"always_show": True, "examples": ["status", "organization_id", "user.name"]},
    )
    text_splitter: (
        Annotated[Union[SeparatorSplitter, MarkdownSplitter, CodeSplitter], Field(discriminator="mode")] | None
    ) = Field(
        default=None,
        title="Text splitter",
        description="How text longer than a chunk is split. Unset means at paragraphs, lines, then sentence ends "
        "(English, French, Chinese and Japanese punctuation, full-width included), then words.",
        json_schema_extra={"type": "object"},
    )
    field_name_mappings: list[FieldNameMapping] = Field(
        default=[],
        title="Field name mappings",
        description="Fields to rename, e.g. description to body. Not for nested fields, but for paths already "
        "flattened by dot notation.",
    )

    @property
    def mappings(self) -> dict[str, str]:
        """``field_name_mappings`` as source name -> stored name."""
        return {m.from_field: m.to_field for m in self.field_name_mappings}


# -- indexing -------------------------------------------------------------------------------------


class TokenAuth(BaseModel):
    model_config = _option(
        "API Token", "Authenticate with an API token (Zilliz Cloud) or 'user:password' (self-managed Milvus)."
    )
    mode: Literal["token"] = "token"
    token: SecretStr = _secret("API Token", "API Token for the Milvus instance")


class UsernamePasswordAuth(BaseModel):
    model_config = _option(
        "Username/Password", "Authenticate with a username and password (self-managed Milvus with authentication)."
    )
    mode: Literal["username_password"] = "username_password"
    username: str = Field(title="Username", description="Username for the Milvus instance")
    password: SecretStr = _secret("Password", "Password for the Milvus instance")


class NoAuth(BaseModel):
    model_config = _option(
        "No auth", "Do not authenticate: Milvus Lite, or a local test server; never a server with a public address."
    )
    mode: Literal["no_auth"] = "no_auth"


class IndexingConfig(BaseModel):
    model_config = _group(
        "Indexing", "Where the vectors are stored: the Milvus server, database and collection.", "indexing"
    )
    host: str = Field(
        title="Public Endpoint",
        description="The Milvus server or cluster URI (http://host:19530, https://..., tcp://host:19530), a Zilliz "
        "Cloud public endpoint, or a local folder path for embedded Milvus Lite (outside Airbyte only).",
        examples=["https://my-instance.zone.zillizcloud.com", "tcp://host.docker.internal:19530", "./support.db"],
    )
    db: str = Field(
        default="",
        title="Database Name",
        description="The Milvus database that holds the collection; it must exist. Empty means the server's "
        "default database (Milvus Lite has only that one).",
    )
    collection: str = Field(
        title="Collection Name",
        description="The collection to load data into: letters, digits and underscores, not starting with a "
        "digit. Created on the first sync if it does not exist.",
        pattern=_NAME_PATTERN,
        examples=["zendesk_support"],
    )
    auth: Annotated[Union[TokenAuth, UsernamePasswordAuth, NoAuth], Field(discriminator="mode")] = Field(
        default=NoAuth(),
        title="Authentication",
        description="How the connector signs in to Milvus.",
        json_schema_extra={"type": "object"},
    )
    vector_field: str = Field(
        default="vector",
        title="Vector Field",
        description="The field in the entity that contains the vector (in an existing collection: its vector "
        "field's name).",
        pattern=_NAME_PATTERN,
    )
    text_field: str = Field(
        default="text",
        title="Text Field",
        description="The field in the entity that contains the embedded text (in an existing collection: its "
        "text field's name).",
        pattern=_NAME_PATTERN,
    )
    hybrid_search: bool = Field(
        default=True,
        title="Full-text (BM25) field",
        description="When creating a collection on a server that supports it (Milvus 2.5+, Milvus Lite, "
        "Zilliz Cloud), add a BM25 field so query_sdk can fuse keyword and vector search.",
    )
    text_language: Literal["english", "french", "chinese", "other"] = Field(
        default="english",
        title="Language of the text (full-text search)",
        description="How the BM25 field cuts text into words, set when the collection is created: english and "
        "other by spaces and punctuation; french the same, with French stemming on Milvus 2.5+ servers (Milvus "
        "Lite ignores stemming); chinese with the jieba word segmenter (built into Milvus 2.5+; Milvus Lite needs "
        "the multilingual extra). Chinese text in a collection made for english finds no keyword match at all.",
    )

    @field_validator("host")
    @classmethod
    def _server_uri_or_folder(cls, host: str) -> str:
        try:
            is_local_path(host)
        except ConfigurationError as error:
            raise ValueError(error.render({"uri": "indexing.host"})) from None
        return host

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

    model_config = ConfigDict(
        title="Destination Config",
        extra="ignore",
        json_schema_extra={
            "description": "Chunk, embed and index help-desk records (Zendesk tickets, Help Center articles, ...) "
            "into a Milvus collection."
        },
    )
    processing: ProcessingConfig
    embedding: EmbeddingConfig = Field(
        title="Embedding",
        description="The service or model that turns chunks into vectors.",
        json_schema_extra={"type": "object", "group": "embedding"},
    )
    indexing: IndexingConfig
    omit_raw_text: bool = Field(
        default=False,
        title="Do not store raw text",
        description="Store only vectors and metadata, not the chunk text (disables BM25 search and snippets).",
        json_schema_extra={"group": "advanced"},
    )

    @model_validator(mode="after")
    def _cross_field_rules(self) -> ConnectorConfig:
        processing = self.processing
        if processing.chunk_overlap >= processing.chunk_size:
            raise ValueError("processing.chunk_overlap must be smaller than processing.chunk_size")
        if processing.text_fields:
            stray = [f for f in processing.email_text_fields if f not in processing.text_fields]
            if stray:
                raise ValueError(
                    f"processing.email_text_fields names {', '.join(stray)}, which processing.text_fields does "
                    "not embed; list it there too"
                )
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
