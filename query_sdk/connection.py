"""Connecting to Milvus: Milvus Lite by path, a server, a cluster or Zilliz Cloud by URI.

Public and shared: the connector opens its client through ``connect_client`` too.
"""

from __future__ import annotations

import logging
import re
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from pymilvus import MilvusClient

from query_sdk.errors import ConfigurationError
from query_sdk.milvus_errors import MILVUS_CALL_ERRORS, translate_milvus_error

__all__ = [
    "SERVER_SCHEMES",
    "connect_client",
    "display_uri",
    "is_local_path",
    "quiet_milvus_logging",
]

SERVER_SCHEMES = ("http", "https", "tcp", "unix")
#: ``word:`` at the start (two letters or more, so a Windows drive ``C:`` stays a path): meant as a URI.
_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]+):")
_URI_GUIDANCE = (
    "Use a server URI such as http://host:19530, https://... or tcp://host:19530, or a local path ending "
    "in .db for Milvus Lite (./support.db), as <setting:uri>."
)
_LOGGERS = ("pymilvus", "grpc", "milvus_lite")


def quiet_milvus_logging(level: int = logging.CRITICAL) -> None:
    """Silence the pymilvus, grpc and milvus_lite loggers (an app's choice; importing query_sdk does not).

    pymilvus logs every failed RPC with a traceback at ERROR, Milvus Lite's in-process gRPC server
    logs unimplemented optional calls, and Milvus Lite logs a failed open with a traceback. Callers
    that translate errors themselves (``translate_milvus_error``) and report them plainly, as the
    connector does at startup, call this once. It sets those three loggers' levels and nothing else.
    """
    for name in _LOGGERS:
        logging.getLogger(name).setLevel(level)


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


def display_uri(uri: str) -> str:
    """A server URI as messages show it: scheme, host, port and path, never a user name, password or query.

    (``https://user:secret@host:19530/?token=...`` shows as ``https://host:19530/``.) Local paths are shown as given.
    """
    text = uri.strip()
    if not _SCHEME.match(text):
        return text
    try:
        parts = urlsplit(text)
        host = parts.hostname or ""
        port = f":{parts.port}" if parts.port else ""
    except ValueError:
        return "the configured Milvus URI"
    if ":" in host:  # an IPv6 address
        host = f"[{host}]"
    return urlunsplit((parts.scheme, host + port, parts.path, "", ""))


def connect_client(uri: str, *, token: str = "", db: str = "", timeout: float = 10.0) -> MilvusClient:
    """Open a ``MilvusClient``; a bad host or credentials fail within ``timeout`` seconds."""
    uri = uri.strip()
    if is_local_path(uri):
        parent = Path(uri).expanduser().resolve().parent
        if not parent.is_dir():
            raise ConfigurationError(
                f"The folder {parent} for the Milvus Lite data does not exist.",
                guidance="Use a path in an existing folder, or a server URI, as <setting:uri>.",
            )
        where = f"local path {uri}"
    else:
        where = display_uri(uri)
    try:
        kwargs: dict[str, object] = {"uri": uri, "timeout": timeout}
        if token:
            kwargs["token"] = token
        if db:
            kwargs["db_name"] = db
        client = MilvusClient(**kwargs)  # type: ignore[arg-type]
    except MILVUS_CALL_ERRORS as error:
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
        client.list_collections(timeout=timeout)
        return
    except MILVUS_CALL_ERRORS as error:
        client.close()
        if not _database_exists(uri, token=token, db=db, timeout=timeout):
            raise ConfigurationError(
                f"The database {db!r} does not exist at {where}.",
                guidance="Create it, or set <setting:db> to an existing one; empty means the default database.",
            ) from None
        raise translate_milvus_error(error, where=where) from None


def _database_exists(uri: str, *, token: str, db: str, timeout: float) -> bool:
    """Whether ``db`` is among the server's databases (True when that cannot be told)."""
    kwargs: dict[str, object] = {"uri": uri, "timeout": timeout}
    if token:
        kwargs["token"] = token
    try:
        client = MilvusClient(**kwargs)  # type: ignore[arg-type]
    except MILVUS_CALL_ERRORS:
        return True
    try:
        return db in client.list_databases(timeout=timeout)
    except MILVUS_CALL_ERRORS:
        return True
    finally:
        client.close()
