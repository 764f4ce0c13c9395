"""Connecting to Milvus (Lite, server, cluster or Zilliz Cloud), reading capabilities, translating errors.

Public and shared: the connector opens its client and translates Milvus errors through this module.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from pymilvus import MilvusClient
from pymilvus.exceptions import ConnectionConfigException, MilvusException, MilvusUnavailableException

from query_sdk.errors import (
    CollectionNotFoundError,
    ConfigurationError,
    InternalError,
    SupportSearchError,
    TransientError,
)

__all__ = ["SERVER_SCHEMES", "ServerCapabilities", "connect_client", "is_local_path", "translate_milvus_error"]

# pymilvus logs every failed RPC with a traceback at ERROR; we translate and report errors ourselves.
logging.getLogger("pymilvus").setLevel(logging.CRITICAL)
# Milvus Lite serves pymilvus over an in-process gRPC server that logs unimplemented optional calls.
logging.getLogger("grpc").setLevel(logging.CRITICAL)
# Milvus Lite logs a failed open (a folder another process holds) with a traceback; the translated
# error already says what to fix.
logging.getLogger("milvus_lite").setLevel(logging.CRITICAL)

#: URI schemes pymilvus 3 connects with (its ConnectionManager); anything else with a scheme is
#: refused, not taken for a folder. ``grpc://`` is not one of them: Milvus' gRPC port takes ``tcp://``.
SERVER_SCHEMES = ("http", "https", "tcp", "unix")
#: ``word:`` at the start (two letters or more, so a Windows drive ``C:`` stays a path): meant as a URI.
_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]+):")
_URI_GUIDANCE = (
    "Use a server URI such as http://host:19530, https://... or tcp://host:19530 (indexing.host in the "
    "connector), or a local path ending in .db for Milvus Lite (./support.db)."
)
#: Milvus status codes (milvus-io/milvus pkg/util/merr) that this package tells apart.
_COLLECTION_NOT_FOUND = 100
_AUTH_CODES = {1800, 1801, 1802, 1803, 1804, 1805, 1806, 1807, 1808, 1809, 1810, 65535}
_UNAVAILABLE_CODES = {2, 3, 4}  # connect failed, unavailable / not ready, timeout


def is_local_path(uri: str) -> bool:
    """True when ``uri`` names a Milvus Lite data directory, False for a server URI.

    Raises ``ConfigurationError`` for anything that is neither, rather than opening a folder named
    after it: a scheme Milvus does not speak (``ftp://``), a server URI without a host or with a bad
    port, ``host:port`` without a scheme, a local path that does not end in ``.db`` (pymilvus opens
    Milvus Lite only then). The message never repeats the URI (it may hold a password).
    """
    text = uri.strip()
    if not text:
        raise ConfigurationError("The Milvus URI is empty.", guidance=_URI_GUIDANCE)
    match = _SCHEME.match(text)
    if match is None:
        if not text.endswith(".db"):  # pymilvus opens Milvus Lite only for a path ending in .db
            raise ConfigurationError(
                "A Milvus Lite data path must end in .db (e.g. ./support.db).", guidance=_URI_GUIDANCE
            )
        return True
    scheme = match.group(1).lower()
    if not text[match.end() :].startswith("//"):
        raise ConfigurationError(
            f"The Milvus URI starts with '{match.group(0)}' but is not a URI (no '//').", guidance=_URI_GUIDANCE
        )
    if scheme == "grpc":
        raise ConfigurationError(
            "pymilvus does not connect to grpc:// URIs; Milvus' gRPC port takes tcp://host:19530.",
            guidance=_URI_GUIDANCE,
        )
    if scheme not in SERVER_SCHEMES:
        raise ConfigurationError(
            f"The Milvus URI scheme '{scheme}' is not supported (use one of {', '.join(SERVER_SCHEMES)}).",
            guidance=_URI_GUIDANCE,
        )
    parts = urlsplit(text)
    if scheme == "unix":
        if not (parts.netloc or parts.path):
            raise ConfigurationError("The Milvus unix:// URI names no socket.", guidance=_URI_GUIDANCE)
        return False
    try:
        parts.port  # noqa: B018 - urlsplit checks the port only when it is read
    except ValueError:
        raise ConfigurationError("The Milvus URI has an invalid port.", guidance=_URI_GUIDANCE) from None
    if not parts.hostname:
        raise ConfigurationError("The Milvus URI has no host name.", guidance=_URI_GUIDANCE)
    return False


def translate_milvus_error(error: MilvusException, *, where: str) -> SupportSearchError:
    """Map a pymilvus exception to this package's families by its type and status code."""
    code = getattr(error, "code", None)
    if isinstance(error, ConnectionConfigException):
        return ConfigurationError(
            f"Milvus at {where} could not be opened ({_short(error)}).",
            guidance="Check the Milvus URI (the connector's indexing.host): a server URI "
            "(http://host:19530) or a local folder path that exists; Milvus Lite allows one process per folder.",
        )
    if code == _COLLECTION_NOT_FOUND:
        return CollectionNotFoundError(f"Collection not found at {where}.")
    if code in _AUTH_CODES:
        return ConfigurationError(
            f"Milvus at {where} rejected the credentials (code {code}).",
            guidance="Check the token, or the username and password (the connector's indexing.auth).",
        )
    if isinstance(error, MilvusUnavailableException) or code in _UNAVAILABLE_CODES:
        return TransientError(
            f"Milvus at {where} is unreachable or not ready (code {code}).",
            guidance="Check the Milvus URI (indexing.host) and that the server is running, then retry.",
        )
    return InternalError(f"Milvus at {where} failed: {_short(error)} (code {code}).")


def _short(error: MilvusException) -> str:
    message = getattr(error, "message", None) or str(error)
    return message.splitlines()[0][:200]


def connect_client(uri: str, *, token: str = "", db: str = "", timeout: float = 10.0) -> MilvusClient:
    """Open a ``MilvusClient``; a bad host or credentials fail within ``timeout`` seconds."""
    uri = uri.strip()
    if is_local_path(uri):
        parent = Path(uri).expanduser().resolve().parent
        if not parent.is_dir():
            raise ConfigurationError(
                f"The folder {parent} for the Milvus Lite data does not exist.",
                guidance="Use a path in an existing folder, or a server URI (indexing.host in the connector).",
            )
        where = f"local path {uri}"
    else:
        where = uri
    try:
        kwargs: dict[str, object] = {"uri": uri, "timeout": timeout}
        if token:
            kwargs["token"] = token
        if db:
            kwargs["db_name"] = db
        client = MilvusClient(**kwargs)  # type: ignore[arg-type]
    except MilvusException as error:
        raise translate_milvus_error(error, where=where) from None
    if db:
        _require_database(client, uri, token=token, db=db, timeout=timeout, where=where)
    return client


def _require_database(client: MilvusClient, uri: str, *, token: str, db: str, timeout: float, where: str) -> None:
    """Fail now, naming the database, when ``db`` does not exist (pymilvus fails only at the first call).

    A missing database fails calls with code 800 (Milvus 2.3+) or 1 (Milvus Lite): the server's
    default database is asked whether ``db`` exists rather than the message read.
    """
    try:
        client.list_collections()
        return
    except MilvusException as error:
        client.close()
        if not _database_exists(uri, token=token, db=db, timeout=timeout):
            raise ConfigurationError(
                f"The database {db!r} does not exist at {where}.",
                guidance="Create it, or set the database name (indexing.db in the connector) to an existing "
                "one; empty means the default database.",
            ) from None
        raise translate_milvus_error(error, where=where) from None


def _database_exists(uri: str, *, token: str, db: str, timeout: float) -> bool:
    """Whether ``db`` is among the server's databases (True when that cannot be told)."""
    kwargs: dict[str, object] = {"uri": uri, "timeout": timeout}
    if token:
        kwargs["token"] = token
    try:
        client = MilvusClient(**kwargs)  # type: ignore[arg-type]
    except MilvusException:
        return True
    try:
        return db in client.list_databases()
    except MilvusException:
        return True
    finally:
        client.close()


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
    def detect(cls, client: MilvusClient) -> ServerCapabilities:
        """Ask the server for its version."""
        try:
            return cls.from_version(str(client.get_server_version()))
        except MilvusException:
            return cls.from_version("")
