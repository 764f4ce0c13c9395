"""query_sdk: find duplicate open tickets and recommend help-center articles from a Milvus collection.

The collection is the one destination-milvus-support syncs (or the official Airbyte Milvus
destination, with the embedder given explicitly). This package never imports airbyte-cdk, and
importing it changes no logging level and no environment variable (see ``quiet_milvus_logging``).
"""

from query_sdk import _environment  # noqa: F401  (first: imports pymilvus, leaving os.environ as it was)
from query_sdk.connection import quiet_milvus_logging
from query_sdk.contract import CollectionContract, EmbeddingSpec
from query_sdk.embedders import Embedder, FakeEmbedder, LocalEmbedder, OpenAIEmbedder, embedder_from_spec
from query_sdk.errors import (
    CollectionNotFoundError,
    ConfigurationError,
    ContractMismatchError,
    InternalError,
    SupportSearchError,
    TransientError,
    UnsafeFilterValueError,
)
from query_sdk.results import ArticleMatch, Match, TicketMatch
from query_sdk.search import DEFAULT_OPEN_STATUSES, SupportSearch
from query_sdk.thresholds import Calibration, calibrate
from query_sdk.viewers import Customer

__all__ = [
    "DEFAULT_OPEN_STATUSES",
    "ArticleMatch",
    "Calibration",
    "CollectionContract",
    "CollectionNotFoundError",
    "Customer",
    "ConfigurationError",
    "ContractMismatchError",
    "Embedder",
    "EmbeddingSpec",
    "FakeEmbedder",
    "InternalError",
    "LocalEmbedder",
    "Match",
    "OpenAIEmbedder",
    "SupportSearch",
    "SupportSearchError",
    "TicketMatch",
    "TransientError",
    "UnsafeFilterValueError",
    "calibrate",
    "embedder_from_spec",
    "quiet_milvus_logging",
]
