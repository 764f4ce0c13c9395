"""After a sync that changed tickets: the duplicate flag refitted on the desk's merges (``query_sdk.merge_history``).

Only streams named ``tickets`` (or ``<prefix>_tickets``, a namespaced or prefixed connection) are
ticket streams here. The fit reads a bounded sample (``merge_history.SAMPLE``, ``SCAN_LIMIT``) and
embeds nothing (stored vectors are compared), and a fit younger than ``REFIT_AFTER`` is kept, so an
hourly schedule pays for it a few times a day. It runs after every STATE was passed on, so it can
never cost a record: a failure is logged and the sync still succeeds.
"""

from __future__ import annotations

import datetime
import logging
from typing import Iterator

from airbyte_cdk.models import AirbyteMessage, Level

from destination_milvus_support.config import ConnectorConfig
from destination_milvus_support.errors import describe
from destination_milvus_support.progress import Progress, log_message
from query_sdk import SupportSearch
from query_sdk.embedders import Embedder
from query_sdk.errors import SupportSearchError
from query_sdk.merge_history import CALIBRATION_STREAM, fit_merge_history, read_fit, store_fit

__all__ = ["REFIT_AFTER", "refit_duplicate_flag", "ticket_streams"]

#: A stored fit younger than this is kept: history grows slowly next to a sync schedule.
REFIT_AFTER = datetime.timedelta(hours=6)

log = logging.getLogger("airbyte")


def ticket_streams(progress: Progress) -> list[str]:
    """The ticket streams whose rows this sync wrote or deleted."""
    return sorted(
        name
        for name, counts in progress.streams.items()
        if (name == "tickets" or name.endswith("_tickets")) and (counts.rows_written or counts.stale_deleted)
    )


def refit_duplicate_flag(config: ConnectorConfig, embedder: Embedder, progress: Progress) -> Iterator[AirbyteMessage]:
    """Refit and store the duplicate threshold of each changed ticket stream; say what came of it."""
    indexing = config.indexing
    for stream in ticket_streams(progress):
        try:
            with SupportSearch.connect(
                uri=indexing.host,
                collection=indexing.collection,
                token=indexing.token(),
                db=indexing.db,
                embedder=embedder,
                tickets_stream=stream,
            ) as search:
                kept = read_fit(search.desk_store)
                if kept is not None and _age(kept.fitted_at) < REFIT_AFTER:
                    yield log_message(f"Stream {stream}: duplicate flag kept, {kept.describe()}.")
                    continue
                fit, said = fit_merge_history(search.desk_store)
                if fit is not None:
                    store_fit(search.desk_store, fit)
                    # one Strong read: apps that connect after the sync returns (Bounded) see the new fit
                    search.desk_store.app_rows(CALIBRATION_STREAM, limit=1, latest=True)
        except SupportSearchError as error:
            yield log_message(f"Stream {stream}: the duplicate flag was not refitted: {describe(error)}", Level.WARN)
            continue
        yield log_message(f"Stream {stream}: duplicate flag {said}.")


def _age(fitted_at: str) -> datetime.timedelta:
    """How long ago a fit was made (``DeskFit.fitted_at``, UTC); a date that cannot be read counts as old."""
    try:
        made = datetime.datetime.strptime(fitted_at, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=datetime.timezone.utc)
    except ValueError:
        return REFIT_AFTER
    return datetime.datetime.now(datetime.timezone.utc) - made
