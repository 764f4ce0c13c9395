"""The error hierarchy of query_sdk: one root, three families (configuration, transient, internal).

Public: apps catch these (also re-exported from ``query_sdk``), and the connector maps them to Airbyte
failure types.
"""

from __future__ import annotations

import re
from typing import Mapping

__all__ = [
    "SDK_SETTINGS",
    "CollectionNotFoundError",
    "ConfigurationError",
    "ContractMismatchError",
    "InternalError",
    "SupportSearchError",
    "TransientError",
    "UnsafeFilterValueError",
]


#: What messages call the settings a reader of them can change: the app's arguments. Code both
#: packages share (connecting to Milvus, embedders) writes ``<setting:NAME>`` where it names one;
#: ``str(error)`` says it the SDK's way, and the connector renders the same error with its own names
#: (``destination_milvus_support.errors.CONNECTOR_SETTINGS``: ``indexing.host``, ``embedding.dimensions``...).
SDK_SETTINGS: Mapping[str, str] = {
    "uri": "the Milvus URI (uri= of SupportSearch.connect, --uri of support-search)",
    "db": "db= of SupportSearch.connect",
    "credentials": "token= of SupportSearch.connect (a token, or 'user:password') and the user's privileges",
    "collection": "collection= (a collection destination-milvus-support synced)",
    "fields": "that collection= names a collection destination-milvus-support synced",
    "hybrid": "search without hybrid=True",
    "chunk_size": "texts within the model's max_input_tokens",
    "dimensions": "dimensions= of the embedder",
    "model": "the model (model= of the embedder, or the one stored with the collection)",
    "base_url": "base_url= of the embedder (or the one stored with the collection)",
    "azure": "azure_endpoint= and azure_deployment= of the embedder",
    "call_timeout": "call_timeout= in SupportSearch.connect",
}
_SETTING = re.compile(r"<setting:([a-z_]+)>")


class SupportSearchError(Exception):
    """Root of every error this package raises on purpose.

    ``message`` states the fact in a short sentence; ``guidance`` names what to change.
    Neither ever contains a secret or the text of a record. Both may name a setting as
    ``<setting:NAME>``, said in the words of whoever reads it (``render``).
    """

    def __init__(self, message: str, *, guidance: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.guidance = guidance

    def render(self, settings: Mapping[str, str]) -> str:
        """The message and guidance, each ``<setting:NAME>`` said as ``settings`` names it."""
        text = f"{self.message} {self.guidance}" if self.guidance else self.message
        return _SETTING.sub(lambda found: settings.get(found.group(1), found.group(1)), text)

    def __str__(self) -> str:
        return self.render(SDK_SETTINGS)


class ConfigurationError(SupportSearchError):
    """Something the user configured or passed in is wrong; retrying will not help."""


class TransientError(SupportSearchError):
    """A service was unavailable, slow or rate-limited; the same call may succeed later."""


class InternalError(SupportSearchError):
    """A bug or an unexpected answer from a service; report it."""


class ContractMismatchError(ConfigurationError):
    """The embedder or settings do not match how the collection was built."""


class CollectionNotFoundError(ConfigurationError):
    """The named collection does not exist."""


class UnsafeFilterValueError(ConfigurationError):
    """A value meant for a filter is not an integer or a plain string."""
