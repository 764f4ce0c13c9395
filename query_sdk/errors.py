"""The error hierarchy of query_sdk: one root, three families (configuration, transient, internal).

Public: apps catch these (also re-exported from ``query_sdk``), and the connector maps them to Airbyte
failure types.
"""

from __future__ import annotations

__all__ = [
    "CollectionNotFoundError",
    "ConfigurationError",
    "ContractMismatchError",
    "InternalError",
    "SupportSearchError",
    "TransientError",
    "UnsafeFilterValueError",
]


class SupportSearchError(Exception):
    """Root of every error this package raises on purpose.

    ``message`` states the fact in a short sentence; ``guidance`` names what to change.
    Neither ever contains a secret or the text of a record.
    """

    def __init__(self, message: str, *, guidance: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.guidance = guidance

    def __str__(self) -> str:
        if self.guidance:
            return f"{self.message} {self.guidance}"
        return self.message


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
