"""A Milvus host that accepts TCP connections and never answers: ``check`` and ``write`` end within 30 s, plainly.

``SilentServer`` listens on 127.0.0.1, accepts every connection and never sends a byte (a hung
proxy, a firewall that lets SYNs through, a frozen server). Both commands run as real processes;
the 30 seconds include starting Python.

On the search side, SupportSearch connected to a real collection on Milvus Lite's gRPC server that
is then frozen (SIGSTOP) fails each search with a TransientError at its ``call_timeout``, and
searches again once the server is thawed.
"""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from typing import Iterator

import pytest
from airbyte_cdk.models import FailureType, Status

from integration_tests.sdk_fixtures import CARD_QUERY, HELPDESK, ORG, sync
from query_sdk import SupportSearch, TransientError
from testkit.runner import (
    catalog_dict,
    lean_config,
    record,
    run_main,
    state,
    stream,
    ticket,
    to_line,
)
from testkit.servers import LiteServer

#: What the issue asks for: an answer within this many seconds, from process start to exit.
ANSWER_WITHIN = 30.0


@contextlib.contextmanager
def silent_server() -> Iterator[int]:
    """A TCP server on 127.0.0.1 that accepts connections and never answers; yields its port."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(64)
    held: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        while not stop.is_set():
            with contextlib.suppress(OSError):
                connection, _ = listener.accept()
                held.append(connection)  # kept open, never read from or written to

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    try:
        yield int(listener.getsockname()[1])
    finally:
        stop.set()
        listener.close()
        for connection in held:
            connection.close()
        thread.join(timeout=5)


def test_check_against_a_silent_server_fails_within_30_seconds_naming_the_host(tmp_path):
    with silent_server() as port:
        config = lean_config(f"tcp://127.0.0.1:{port}", "tickets")
        started = time.monotonic()
        out = run_main("check", tmp_path, config=config, timeout=120)
        elapsed = time.monotonic() - started

    assert out.returncode == 0, out.stderr[-1000:]
    status = out.connection_status
    assert status.status == Status.FAILED
    assert "unreachable" in status.message and "indexing.host" in status.message
    assert elapsed < ANSWER_WITHIN, elapsed
    assert "Traceback" not in out.stdout + out.stderr


def test_write_against_a_silent_server_ends_transient_within_30_seconds_with_no_state(tmp_path):
    with silent_server() as port:
        config = lean_config(f"http://127.0.0.1:{port}", "tickets")
        lines = [to_line(record("tickets", ticket(1))), to_line(state("tickets", 1))]
        started = time.monotonic()
        out = run_main(
            "write", tmp_path, config=config, catalog=catalog_dict(stream("tickets")), lines=lines, timeout=120
        )
        elapsed = time.monotonic() - started

    assert out.returncode == 1
    assert out.states == []
    [error] = out.errors
    assert error.failure_type == FailureType.transient_error
    assert "unreachable" in error.message and "indexing.host" in error.message
    assert elapsed < ANSWER_WITHIN, elapsed
    assert "Traceback" not in out.stdout + out.stderr


@pytest.fixture
def lite_server(tmp_path):
    data = tmp_path / "lite-data"
    data.mkdir()
    server = LiteServer(data)
    server.start()
    yield server
    server.stop()  # thaws first


@pytest.mark.parametrize("hybrid", [False, True], ids=["dense", "hybrid"])
def test_a_search_on_a_frozen_server_fails_transient_at_its_deadline_and_works_after_a_thaw(
    lite_server, collection_name, hybrid
):
    sync(lite_server.uri, collection_name, HELPDESK)
    with SupportSearch.connect(
        uri=lite_server.uri, collection=collection_name, hybrid=hybrid, call_timeout=2
    ) as search:
        assert search.hybrid is hybrid  # the Lite server fuses on the server (hybrid_search)
        before = search.find_duplicate_tickets(CARD_QUERY, organization_id=ORG)
        assert before

        lite_server.freeze()
        try:
            with pytest.raises(TransientError) as raised:
                search.find_duplicate_tickets(CARD_QUERY, organization_id=ORG)
            with pytest.raises(TransientError, match="did not answer within 2 s"):
                search.recommend_articles(CARD_QUERY)
        finally:
            lite_server.thaw()

        error = raised.value
        assert (
            error.message
            == f"Milvus at collection {collection_name!r} did not answer within 2 s (the call's deadline)."
        )
        assert error.guidance is not None and "call_timeout" in error.guidance
        assert error.__cause__ is None and error.__suppress_context__  # raised "from None": no gRPC chain shown
        assert "Traceback" not in str(error) and "_InactiveRpcError" not in str(error)
        assert search.find_duplicate_tickets(CARD_QUERY, organization_id=ORG) == before
