"""The snapshot a sync's lookups read (``milvus.snapshot``) holds whatever this machine's clock says.

Milvus 2.3.5 issues the timestamp itself (``AllocTimestamp``); Milvus Lite issues none and reads the
same at every level. Unit tests of the choice: ``unit_tests/test_connector_snapshot.py``.
"""

from __future__ import annotations

import datetime
import types

import pytest

from destination_milvus_support.content import chunk_primary_key
from destination_milvus_support.milvus import snapshot as snapshot_module
from integration_tests.test_connector_day2 import _indexer_on
from testkit.runner import MilvusReader

pytest_plugins = ["integration_tests.connector_fixtures"]


class _SlowClock(datetime.datetime):
    """This machine's clock, 30 s behind the server's."""

    @classmethod
    def now(cls, tz: datetime.tzinfo | None = None) -> _SlowClock:  # type: ignore[override]
        return super().now(tz) - datetime.timedelta(seconds=30)


@pytest.mark.parametrize(
    ("server", "anchor"), [("lite_uri", "clock"), ("_lite_server_uri", "clock"), ("_standalone_uri", "server")]
)
def test_lookups_see_a_row_written_just_before_the_sync_began_whatever_the_clock(
    request, server, anchor, collection_name, monkeypatch
):
    """With a clock 30 s slow, a guarantee timestamp taken from it would not wait for the write before it."""
    monkeypatch.setattr(snapshot_module, "datetime", types.SimpleNamespace(datetime=_SlowClock))
    uri = str(request.getfixturevalue(server))
    with _indexer_on(uri, collection_name) as indexer:
        pk = chunk_primary_key("tickets", "tickets_1", 0)
        for attempt in range(3):  # a read right after another client's write, three times over
            with MilvusReader(uri, collection_name) as reader:
                (row,) = [
                    {k: v for k, v in r.items() if k != "text_sparse"} for r in reader.rows(f'pk == "{pk}"', ["*"])
                ]
                reader.client.upsert(collection_name, [{**row, "_ab_record_digest": f"written-just-now-{attempt}:1"}])
            indexer.begin_sync()
            (found,) = indexer.rows_by_pk([pk])
            assert found.record_digest == f"written-just-now-{attempt}:1"
    assert indexer.snapshot.anchor == anchor
