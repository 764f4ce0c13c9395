"""Milvus errors in one place: what pymilvus raises, translated by type and code into query_sdk's families.

Public and shared: the connector translates its Milvus calls through this module too
(``destination_milvus_support.milvus.calls``). Messages name the place and the code, never the
server's text (it may quote a request's values); guidance names settings as ``<setting:NAME>``
(``query_sdk.errors``), so each package says them in its own words.
"""

from __future__ import annotations

from dataclasses import dataclass

import grpc
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
    "GRPC_STATUS_CODES",
    "MILVUS_CALL_ERRORS",
    "MILVUS_ERROR_TABLE",
    "MilvusErrorRow",
    "milvus_call_error",
    "translate_milvus_error",
]

# -- Milvus error codes ----------------------------------------------------------------------------
# The codes are Milvus' own (milvus-io/milvus, pkg/util/merr/errors.go: the ``code`` of a Status),
# plus pymilvus' CONNECT_FAILED (2, pymilvus/client/types.py). ``{where}`` is the URI or collection.
# Unknown codes are transient: Airbyte retries them, and a code that Milvus adds later is more often
# a server state than a wrong config. docs/destination-milvus-support.md ("Errors") shows this table.

_CREDENTIALS = "Check <setting:credentials>."


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
        "Check <setting:uri> and that the server is running, then retry.",
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
        "Check <setting:db>: the database must exist (leave it empty for 'default').",
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
        "Drop unused collections, or use an existing one (<setting:collection>).",
    ),
    # 10 ErrServiceUnimplemented, 3000 ErrOperationNotSupported
    _row(
        {10, 3000},
        ConfigurationError,
        "Milvus at {where} does not support an operation this needs (code {code}).",
        "Upgrade Milvus to 2.5 or later, or <setting:hybrid>.",
    ),
    # 105 illegal collection schema, 1700 ErrFieldNotFound, 1701 ErrFieldInvalidName
    _row(
        {105, 1700, 1701},
        ConfigurationError,
        "The collection at {where} does not have the fields destination-milvus-support writes (code {code}).",
        "Check <setting:fields>.",
    ),
    # 1100 invalid parameter, 1101 missing parameter, 1102 parameter too large, 1804 invalid insert
    # data, 1806 bad primary key: records are validated before any write, so these are our own bug
    _row(
        {1100, 1101, 1102, 1804, 1806},
        InternalError,
        "Milvus at {where} rejected a request this package built (code {code}).",
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
            guidance="Check <setting:uri>: a server URI (http://host:19530) or a local folder path that exists; "
            "Milvus Lite allows one process per folder.",
        )
    if isinstance(error, _CLIENT_CHECKS):
        return InternalError(
            f"pymilvus refused a request this package built for {where} ({type(error).__name__}).",
            guidance="Please report it.",
        )
    code = getattr(error, "code", None)
    row = _BY_CODE[2] if isinstance(error, MilvusUnavailableException) else _BY_CODE.get(code or -1, _UNKNOWN)
    return row.family(row.message.format(where=where, code=code), guidance=row.guidance or None)


def _short(error: MilvusException) -> str:
    message = getattr(error, "message", None) or str(error)
    return message.splitlines()[0][:200]


def milvus_call_error(error: BaseException, *, where: str, timeout: float | None) -> SupportSearchError:
    """``translate_milvus_error``, with a call that ran out of its ``timeout`` said in those words."""
    if timeout is not None and _deadline_exceeded(error):
        return TransientError(
            f"Milvus at {where} did not answer within {timeout:g} s (the call's deadline).",
            guidance="Check that the Milvus server is running and not overloaded, then retry; a slow "
            "server may need a longer <setting:call_timeout>.",
        )
    return translate_milvus_error(error, where=where)


def _deadline_exceeded(error: BaseException) -> bool:
    """Whether a pymilvus call failed on its deadline: raw (gRPC), or after pymilvus' retries ran out."""
    if isinstance(error, grpc.FutureTimeoutError):
        return True
    if isinstance(error, grpc.RpcError):
        return callable(getattr(error, "code", None)) and error.code() == grpc.StatusCode.DEADLINE_EXCEEDED
    code = getattr(error, "code", None)
    return code == grpc.StatusCode.DEADLINE_EXCEEDED or code == 10001  # Milvus' own "timeout"
