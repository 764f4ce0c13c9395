"""The connector's Milvus calls: their deadlines, and the one place what pymilvus raises is translated.

Every method of the connector that calls Milvus is decorated with ``translated``: a pymilvus or gRPC
error leaving it becomes a ``query_sdk`` error (``query_sdk.milvus_errors``) naming the collection,
which ``errors.to_traced_exception`` reports in the words of the connector's config.
"""

from __future__ import annotations

import functools
from typing import Any, Callable, Iterator, TypeVar

from pymilvus import MilvusClient

from query_sdk.milvus_errors import MILVUS_CALL_ERRORS, translate_milvus_error

__all__ = ["CALL_TIMEOUT", "MAX_ROWS_PER_CALL", "SLOW_CALL_TIMEOUT", "pages", "translated"]

#: Seconds one Milvus call may take, retries included (pymilvus retries an unreachable server
#: within it): a server that stops answering mid-sync fails the sync, transient, instead of holding it.
CALL_TIMEOUT = 60.0
#: The same for calls that take long on big collections: create (with indexes), load, flush.
SLOW_CALL_TIMEOUT = 600.0
#: Rows per upsert, delete or page, so a request stays far below gRPC's 64 MB message limit.
MAX_ROWS_PER_CALL = 1000

F = TypeVar("F", bound=Callable[..., Any])


def translated(method: F) -> F:
    """Decorate a method of an object with a ``where`` attribute: Milvus errors leave it translated."""

    @functools.wraps(method)
    def call(self: Any, *args: Any, **kwargs: Any) -> Any:
        try:
            return method(self, *args, **kwargs)
        except MILVUS_CALL_ERRORS as error:
            raise translate_milvus_error(error, where=self.where) from None

    return call  # type: ignore[return-value]


def pages(
    client: MilvusClient, collection: str, expression: str, fields: list[str], **options: Any
) -> Iterator[list[dict[str, Any]]]:
    """The rows matching ``expression`` (every row for ""), a page of 1,000 at a time; closes the iterator.

    The iterator pins its own timestamp, the newest, at its first page. Callers consume it inside a
    ``translated`` method.
    """
    iterator = client.query_iterator(
        collection,
        batch_size=MAX_ROWS_PER_CALL,
        filter=expression,
        output_fields=fields,
        timeout=CALL_TIMEOUT,
        **options,
    )
    try:
        while page := iterator.next():
            yield page
    finally:
        iterator.close()
