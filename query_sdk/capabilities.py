"""What a Milvus deployment supports (Lite, 2.3, 2.4, 2.5+, Zilliz Cloud), read off its version."""

from __future__ import annotations

import re
from dataclasses import dataclass

from pymilvus import MilvusClient

from query_sdk.milvus_errors import MILVUS_CALL_ERRORS

__all__ = ["ServerCapabilities"]


@dataclass(frozen=True)
class ServerCapabilities:
    """What a Milvus deployment supports, read off its version string.

    Milvus Lite 3.x: everything but filter templating. Milvus 2.5+ / Zilliz Cloud: everything.
    2.4: hybrid search, group-by, INVERTED, a second vector field; no BM25, nullable or templating.
    2.3: group-by on one field; no hybrid search, BM25, sparse vectors, nullable or templating.

    ``narrow_filter_misses``: Milvus Lite searches its HNSW graph (FAISS) with the filter applied
    during the walk and the default ``ef`` of 64, so when few rows pass the filter a search can
    return fewer hits than exist, or none (measured in bench/README.md, "Latency").
    """

    version: str
    filter_templating: bool
    bm25: bool
    hybrid_search: bool
    nullable_fields: bool
    inverted_index: bool
    narrow_filter_misses: bool = False

    @property
    def lite(self) -> bool:
        """Milvus Lite (a local folder, or its gRPC server), whose analyzers are its own Python ones."""
        return self.version.lower().startswith(("milvus_lite", "milvus-lite"))

    @classmethod
    def from_version(cls, version: str) -> ServerCapabilities:
        """Parse ``get_server_version()`` output; an unknown version is assumed modern (2.5)."""
        text = version.lower()
        if text.startswith("milvus_lite") or text.startswith("milvus-lite"):
            return cls(version, False, True, True, True, True, narrow_filter_misses=True)
        match = re.search(r"(\d+)\.(\d+)", text.split("compatible with milvus")[-1])
        major, minor = (int(match.group(1)), int(match.group(2))) if match else (2, 5)
        at_least = (major, minor)
        return cls(
            version=version,
            filter_templating=at_least >= (2, 5),
            bm25=at_least >= (2, 5),
            hybrid_search=at_least >= (2, 4),
            nullable_fields=at_least >= (2, 5),
            inverted_index=at_least >= (2, 4),
        )

    @classmethod
    def detect(cls, client: MilvusClient, *, timeout: float | None = None) -> ServerCapabilities:
        """Ask the server for its version (within ``timeout`` seconds; an unknown version when it cannot tell)."""
        try:
            return cls.from_version(str(client.get_server_version(timeout=timeout)))
        except MILVUS_CALL_ERRORS:
            return cls.from_version("")
