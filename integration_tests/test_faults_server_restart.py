"""Milvus Lite's gRPC server killed (SIGKILL) and started again on the same data folder in the middle of a sync.

The sync, a real ``python main.py write`` process, either rides the restart out (pymilvus reconnects
within a call's deadline) or ends with one transient_error TRACE; never a traceback or a
system_error. Every STATE it passed on names records that survived the kill, and the sync the
platform runs next, from the last STATE, leaves every record whole and none doubled. Kill points
and outages come from a fixed seed.
"""

from __future__ import annotations

import random
import time

import pytest
from airbyte_cdk.models import FailureType, Type

from testkit.faults import RunningWrite, records_after
from testkit.runner import (
    MilvusReader,
    catalog,
    catalog_dict,
    expected_chunk_counts,
    lean_config,
    main_command,
    records_with_states,
    run_in_process,
    stream,
    to_line,
    write_files,
)
from testkit.servers import LiteServer

SEED = 20261205
RECORDS = 40
#: (STATE after which the server is killed, seconds it stays down, sync mode)
CASES = [
    (random.Random(SEED + n).randrange(0, 20), round(random.Random(SEED + n).uniform(0.0, 3.0), 2), mode)
    for n, mode in enumerate(["append_dedup", "append_dedup", "append"])
]


@pytest.fixture
def server(tmp_path):
    data = tmp_path / "lite-data"
    data.mkdir()
    lite = LiteServer(data)
    lite.start()
    yield lite
    lite.stop()


@pytest.mark.parametrize(("after", "down", "mode"), CASES, ids=[f"state{a}-down{d}s-{m}" for a, d, m in CASES])
def test_a_sync_survives_the_lite_server_killed_and_restarted_or_ends_transient(
    server, tmp_path, collection_name, after, down, mode
):
    config = lean_config(server.uri, collection_name, chunk_size=2)
    configured = stream("tickets", mode)
    messages = records_with_states("tickets", range(RECORDS))
    config_path, catalog_path = write_files(tmp_path, config, catalog_dict(configured))

    run = RunningWrite(main_command("write", config_path, catalog_path))
    run.send(messages)  # stdin stays open: the writer is busy with later batches when the server dies
    run.wait_until(lambda: max(run.cursors(), default=-1) >= after)
    assert run.process.poll() is None, "".join(run.lines)[-2000:]
    server.kill()
    time.sleep(down)
    server.start()
    run.send([], close=True)
    out = run.finish(timeout=600)

    assert "Traceback" not in out.stdout + out.stderr
    assert out.unparsed == []
    if out.returncode != 0:
        [error] = out.errors
        assert error.failure_type == FailureType.transient_error, error.message
    else:
        assert out.errors == []
    acknowledged = run.cursors()
    last = acknowledged[-1] if acknowledged else None
    expected = expected_chunk_counts(config, catalog(configured), [m for m in messages if m.type == Type.RECORD])
    with MilvusReader(server.uri, collection_name) as reader:
        stored = reader.chunks_per_record()
    for cursor in range(last + 1 if last is not None else 0):  # acknowledged before or after the restart
        assert stored.get(f"tickets_{cursor}") == expected[f"tickets_{cursor}"], cursor

    resumed = run_in_process(
        "write",
        tmp_path,
        config=config,
        catalog=catalog_dict(configured),
        lines=[to_line(m) for m in records_after(messages, last)],
    )

    assert resumed.returncode == 0, resumed.stdout[-2000:]
    with MilvusReader(server.uri, collection_name) as reader:
        assert reader.chunks_per_record() == expected
