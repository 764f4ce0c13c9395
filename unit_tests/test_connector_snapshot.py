"""The timestamp a sync's lookups read at (``milvus.snapshot.Snapshot``), on a stand-in client (no server).

Against real servers: ``integration_tests/test_connector_snapshot.py``.
"""

from __future__ import annotations

from typing import Any

from destination_milvus_support.milvus.snapshot import Snapshot


class _OlderConnection:
    """A pymilvus connection without ``alloc_timestamp``."""

    server_address = "127.0.0.1:19530"


class _Connection(_OlderConnection):
    def __init__(self, issued: int) -> None:
        self.issued = issued

    def alloc_timestamp(self, timeout: float | None = None) -> int:
        return self.issued


class _Context:
    def get_db_name(self) -> str:
        return "default"


class _Client:
    """What ``Snapshot`` asks of a ``MilvusClient``; records the deletes it is sent."""

    def __init__(self, issued: int | None) -> None:
        self.connection = _OlderConnection() if issued is None else _Connection(issued)
        self.deletes: list[Any] = []

    def _get_connection(self) -> _OlderConnection:
        return self.connection

    def _generate_call_context(self) -> _Context:
        return _Context()

    def delete(self, collection: str, *, ids: list[Any], timeout: float) -> dict[str, int]:
        self.deletes.append(ids)
        return {"delete_count": 0}


def test_lookups_read_at_the_timestamp_the_server_issued():
    """No clock and no margin: the server's oracle orders every earlier write before this timestamp."""
    issued = (1_796_702_050_732 << 18) + 3
    client = _Client(issued)
    snapshot = Snapshot(client, "desk")  # type: ignore[arg-type]

    snapshot.begin("~no-such-row~")

    assert snapshot.read_options() == {"consistency_level": "Customized", "guarantee_timestamp": issued}
    assert snapshot.anchor == "server"
    assert client.deletes == []  # no write is needed to learn a timestamp
    assert snapshot.read_options(latest=True) == {"consistency_level": "Strong"}


def test_a_server_that_issues_no_timestamp_falls_back_to_the_clock():
    """pymilvus answers 0 where the server lacks AllocTimestamp (Milvus Lite too); a pymilvus may lack the call."""
    for issued in (0, None):
        client = _Client(issued)
        snapshot = Snapshot(client, "desk")  # type: ignore[arg-type]

        snapshot.begin("~no-such-row~")

        assert snapshot.anchor == "clock"
        assert snapshot.level == "Customized"
        assert client.deletes == [["~no-such-row~"]]
