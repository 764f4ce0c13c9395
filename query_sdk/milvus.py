"""Connecting to Milvus (Lite, server, cluster or Zilliz Cloud), reading capabilities, translating errors.

Public and shared: the connector opens its client and translates Milvus errors through this module.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import grpc
from pymilvus import MilvusClient
from pymilvus.exceptions import (
    ConnectionConfigException,
    DataNotMatchException,
    DataTypeNotMatchException,
    FieldsTypeException,
    FieldTypeException,
    MilvusException,
    MilvusUnavailableException,
    ParamError,
    PrimaryKeyException,
)

from query_sdk.errors import (
    CollectionNotFoundError,
    ConfigurationError,
    InternalError,
    SupportSearchError,
    TransientError,
)

__all__ = [
    "display_uri",
    "GRPC_STATUS_CODES",
    "MILVUS_CALL_ERRORS",
    "MILVUS_ERROR_TABLE",
    "SERVER_SCHEMES",
    "MilvusErrorRow",
    "ServerCapabilities",
    "connect_client",
    "is_local_path",
    "quiet_milvus_logging",
    "translate_milvus_error",
]

#: URI schemes pymilvus 3 connects with (its ConnectionManager); anything else with a scheme is
#: refused, not taken for a folder. ``grpc://`` is not one of them: Milvus' gRPC port takes ``tcp://``.
SERVER_SCHEMES = ("http", "https", "tcp", "unix")
#: ``word:`` at the start (two letters or more, so a Windows drive ``C:`` stays a path): meant as a URI.
_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]+):")
_URI_GUIDANCE = (
    "Use a server URI such as http://host:19530, https://... or tcp://host:19530, or a local path ending "
    "in .db for Milvus Lite (./support.db): the connector's indexing.host, or uri= / --uri of a search."
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


# -- Milvus error codes ----------------------------------------------------------------------------
# The codes are Milvus' own (milvus-io/milvus, pkg/util/merr/errors.go: the ``code`` of a Status),
# plus pymilvus' CONNECT_FAILED (2, pymilvus/client/types.py). ``{where}`` is the URI or collection.
# Unknown codes are transient: Airbyte retries them, and a code that Milvus adds later is more often
# a server state than a wrong config. docs/destination-milvus-support.md ("Errors") shows this table.

_CREDENTIALS = (
    "Check the token, or the username and password (the connector's indexing.auth), and the user's privileges."
)


@dataclass(frozen=True)
class MilvusErrorRow:
    """One row of the table: which Milvus codes mean what, for the user."""

    codes: frozenset[int]
    family: type[SupportSearchError]
    message: str
    guidance: str


def _row(codes: set[int], family: type[SupportSearchError], message: str, guidance: str) -> MilvusErrorRow:
    return MilvusErrorRow(frozenset(codes), family, message, guidance)


MILVUS_ERROR_TABLE: tuple[MilvusErrorRow, ...] = (
    # 1 ErrServiceNotReady, 2 ErrServiceUnavailable (pymilvus: CONNECT_FAILED), 4 request limit
    # exceeded, 8 ErrServiceRateLimit, 12 resource insufficient, 1807 ErrHTTPRateLimit
    _row(
        {1, 2, 4, 8, 12, 1807},
        TransientError,
        "Milvus at {where} is unreachable, not ready or rate-limiting (code {code}).",
        "Check the Milvus URI (the connector's indexing.host, or uri= / --uri of a search) and that the "
        "server is running, then retry.",
    ),
    # 3 memory limit exceeded, 7 disk limit exceeded, 9 quota exceeded, 11 time tick long delay
    _row(
        {3, 7, 9, 11},
        TransientError,
        "Milvus at {where} refused the request: out of memory, disk or quota (code {code}).",
        "Free capacity on the Milvus server or raise its quota, then retry.",
    ),
    # 103 collection not fully loaded, 106 collection on recovering, 202 partition not fully loaded,
    # 401 replica not available, 503 channel not available, 1002 unexpected EOF, 10000 canceled,
    # 10001 timeout
    _row(
        {103, 106, 202, 401, 503, 1002, 10000, 10001},
        TransientError,
        "Milvus at {where} is busy loading or recovering, or the call timed out (code {code}).",
        "Retry once the server has finished loading.",
    ),
    # 65535 errUnexpected: Milvus' catch-all for an error it did not classify
    _row(
        {65535},
        TransientError,
        "Milvus at {where} reported an unexpected error (code {code}).",
        "This is often a passing server state: retry, and check the Milvus server logs if it repeats.",
    ),
    # 100 ErrCollectionNotFound, 1600 ErrAliasNotFound
    _row({100, 1600}, CollectionNotFoundError, "Collection not found at {where} (code {code}).", ""),
    # 800 ErrDatabaseNotFound, 802 ErrDatabaseInvalidName
    _row(
        {800, 802},
        ConfigurationError,
        "Milvus at {where} has no such database (code {code}).",
        "Check indexing.db: the database must exist (leave it empty for 'default').",
    ),
    # 1400 ErrPrivilegeNotAuthenticated, 1401 ErrPrivilegeNotPermitted, 1800 ErrNeedAuthenticate
    _row(
        {1400, 1401, 1800},
        ConfigurationError,
        "Milvus at {where} rejected the credentials (code {code}).",
        _CREDENTIALS,
    ),
    # 102 too many collections, 801 too many databases
    _row(
        {102, 801},
        ConfigurationError,
        "Milvus at {where} has reached its limit of collections or databases (code {code}).",
        "Drop unused collections, or write to an existing one (indexing.collection).",
    ),
    # 10 ErrServiceUnimplemented, 3000 ErrOperationNotSupported
    _row(
        {10, 3000},
        ConfigurationError,
        "Milvus at {where} does not support an operation the connector needs (code {code}).",
        "Upgrade Milvus to 2.5 or later, or turn off indexing.hybrid_search.",
    ),
    # 105 illegal collection schema, 1700 ErrFieldNotFound, 1701 ErrFieldInvalidName
    _row(
        {105, 1700, 1701},
        ConfigurationError,
        "The collection at {where} does not have the fields the connector writes (code {code}).",
        "Check indexing.text_field and indexing.vector_field, or write to a new collection.",
    ),
    # 1100 invalid parameter, 1101 missing parameter, 1102 parameter too large, 1804 invalid insert
    # data, 1806 bad primary key: records are validated before any write, so these are our own bug
    _row(
        {1100, 1101, 1102, 1804, 1806},
        InternalError,
        "Milvus at {where} rejected a request the connector built (code {code}).",
        "Please report it.",
    ),
)
_BY_CODE = {code: row for row in MILVUS_ERROR_TABLE for code in row.codes}
#: What pymilvus lets through as a raw gRPC error (a call's deadline, a refused login, a bad
#: argument: the codes its retry loop does not retry), or puts in a MilvusException's ``code``
#: when its retries run out, read as the Milvus code of the same meaning. Other statuses are transient.
GRPC_STATUS_CODES: dict[grpc.StatusCode, int] = {
    grpc.StatusCode.DEADLINE_EXCEEDED: 10001,  # timeout
    grpc.StatusCode.UNAVAILABLE: 2,  # ServiceUnavailable
    grpc.StatusCode.RESOURCE_EXHAUSTED: 8,  # rate limit
    grpc.StatusCode.UNAUTHENTICATED: 1800,  # NeedAuthenticate
    grpc.StatusCode.PERMISSION_DENIED: 1401,  # PrivilegeNotPermitted
    grpc.StatusCode.UNIMPLEMENTED: 10,  # ServiceUnimplemented
    grpc.StatusCode.INVALID_ARGUMENT: 1100,  # ParameterInvalid: a request the connector built
}
#: What a pymilvus call raises: its own exception, a raw gRPC error, or a connect that timed out.
MILVUS_CALL_ERRORS: tuple[type[BaseException], ...] = (MilvusException, grpc.RpcError, grpc.FutureTimeoutError)
_UNKNOWN = MilvusErrorRow(
    frozenset(),
    TransientError,
    "Milvus at {where} failed with code {code}.",
    "Retry; check the Milvus server logs if it repeats.",
)
# pymilvus' own checks of a request before it is sent: they carry code 1, which is not a server code.
_CLIENT_CHECKS = (
    ParamError,
    DataTypeNotMatchException,
    DataNotMatchException,
    PrimaryKeyException,
    FieldTypeException,
    FieldsTypeException,
)


def translate_milvus_error(error: BaseException, *, where: str) -> SupportSearchError:
    """Map what a pymilvus call raised (``MILVUS_CALL_ERRORS``) to this package's families.

    By type first, then by ``MILVUS_ERROR_TABLE``; a gRPC status (a raw gRPC error, or the code of
    a MilvusException whose retries ran out) through ``GRPC_STATUS_CODES``. The message names where
    and the code, never the server's text (it may quote a request's values), except for a failed
    local open, whose first line names the folder problem.
    """
    if isinstance(error, grpc.FutureTimeoutError):
        status: object = grpc.StatusCode.DEADLINE_EXCEEDED
    elif isinstance(error, grpc.RpcError):
        status = error.code() if callable(getattr(error, "code", None)) else grpc.StatusCode.UNKNOWN
    else:
        status = getattr(error, "code", None)
    if isinstance(status, grpc.StatusCode):
        row = _BY_CODE.get(GRPC_STATUS_CODES.get(status, -1), _UNKNOWN)
        return row.family(row.message.format(where=where, code=f"gRPC {status.name}"), guidance=row.guidance or None)
    if isinstance(error, ConnectionConfigException):
        return ConfigurationError(
            f"Milvus at {where} could not be opened ({_short(error)}).",
            guidance="Check the Milvus URI (the connector's indexing.host, or uri= / --uri of a search): a "
            "server URI (http://host:19530) or a local folder path that exists; Milvus Lite allows one process "
            "per folder.",
        )
    if isinstance(error, _CLIENT_CHECKS):
        return InternalError(
            f"pymilvus refused a request the connector built for {where} ({type(error).__name__}).",
            guidance="Please report it.",
        )
    code = getattr(error, "code", None)
    row = _BY_CODE[2] if isinstance(error, MilvusUnavailableException) else _BY_CODE.get(code or -1, _UNKNOWN)
    return row.family(row.message.format(where=where, code=code), guidance=row.guidance or None)


def _short(error: MilvusException) -> str:
    message = getattr(error, "message", None) or str(error)
    return message.splitlines()[0][:200]


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
                guidance="Use a path in an existing folder, or a server URI (the connector's indexing.host, "
                "or uri= / --uri of a search).",
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
    except MILVUS_CALL_ERRORS:
        return True
    try:
        return db in client.list_databases(timeout=timeout)
    except MILVUS_CALL_ERRORS:
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
    def detect(cls, client: MilvusClient, *, timeout: float | None = None) -> ServerCapabilities:
        """Ask the server for its version (within ``timeout`` seconds; an unknown version when it cannot tell)."""
        try:
            return cls.from_version(str(client.get_server_version(timeout=timeout)))
        except MILVUS_CALL_ERRORS:
            return cls.from_version("")
