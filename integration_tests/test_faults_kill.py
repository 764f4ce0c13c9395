"""SIGKILL of the real ``python main.py write`` at seeded points, then a resume from its last STATE: nothing lost, nothing doubled.

Each case runs the connector as Airbyte does (a process reading stdin), kills it with SIGKILL at a
point drawn from a fixed seed (during the first batches, after a given STATE, or after the last
STATE: in the final flush), then runs the sync the platform would run next: the records after the
last STATE the killed process passed on. Two checks: right after the kill, every record up to that
STATE is stored whole and no record has more chunks than it should; after the resume, the
collection holds exactly the chunks the processor cuts from every record. On Milvus Lite (a local
path) and Milvus Lite's gRPC server, in append + dedup and in append mode.
"""

from __future__ import annotations

import random

import pytest
from airbyte_cdk.models import Type

from testkit.faults import KillPoint, resume_lines, write_and_kill
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
    write_files,
)

SEED = 20261204
#: About 76 chunks a record at chunk_size 2: 14 records fill a 1,024-chunk batch, so three batches.
RECORDS = 40
#: The last STATE a batch passes on while stdin stays open (the last, partial batch waits for more input).
LAST_FULL_BATCH_CURSOR = 27


def _kill_points() -> list[tuple[str, str, KillPoint]]:
    rng = random.Random(SEED)
    cases = []
    for backend in ("lite", "lite_server"):
        for mode in ("append_dedup", "append"):
            for kind, count in (("first_batch", 2), ("mid_stream", 2), ("after_last_state", 1)):
                for _ in range(count):
                    if kind == "mid_stream":
                        point = KillPoint(kind, cursor=rng.randrange(0, LAST_FULL_BATCH_CURSOR + 1))
                    else:
                        point = KillPoint(kind, delay=round(rng.uniform(0.0, 1.5 if kind == "first_batch" else 0.4), 2))
                    cases.append((backend, mode, point))
    return cases


CASES = _kill_points()


def test_the_suite_kills_at_least_20_points_on_both_lite_backends():
    assert len(CASES) >= 20
    assert {(backend, point.kind) for backend, _, point in CASES} == {
        (backend, kind)
        for backend in ("lite", "lite_server")
        for kind in ("first_batch", "mid_stream", "after_last_state")
    }


@pytest.mark.parametrize(("backend", "mode", "point"), CASES, ids=[f"{b}-{m}-{p}" for b, m, p in CASES])
def test_a_killed_write_resumed_from_its_last_state_loses_and_doubles_nothing(
    request, tmp_path, collection_name, backend, mode, point
):
    uri = str(tmp_path / "milvus.db") if backend == "lite" else str(request.getfixturevalue("_lite_server_uri"))
    config = lean_config(uri, collection_name, chunk_size=2)
    configured = stream("tickets", mode)
    messages = records_with_states("tickets", range(RECORDS))
    expected = expected_chunk_counts(config, catalog(configured), [m for m in messages if m.type == Type.RECORD])
    config_path, catalog_path = write_files(tmp_path, config, catalog_dict(configured))

    killed = write_and_kill(main_command("write", config_path, catalog_path), messages, point)

    if point.kind == "first_batch":
        assert killed.acknowledged == []
    elif point.kind == "mid_stream":
        assert killed.last is not None and point.cursor <= killed.last < RECORDS - 1, killed.acknowledged
    else:
        assert killed.last == RECORDS - 1
    assert "Traceback" not in killed.stdout
    acknowledged = {f"tickets_{i}" for i in range(killed.last + 1)} if killed.last is not None else set()
    with MilvusReader(uri, collection_name) as reader:
        stored = reader.chunks_per_record() if reader.client.has_collection(collection_name) else {}
    assert {rid: stored.get(rid) for rid in acknowledged} == {rid: expected[rid] for rid in acknowledged}
    assert all(count <= expected[rid] for rid, count in stored.items())  # nothing doubled, even half-written

    out = run_in_process(
        "write", tmp_path, config=config, catalog=catalog_dict(configured), lines=resume_lines(messages, killed)
    )

    assert out.returncode == 0, out.stdout[-2000:]
    with MilvusReader(uri, collection_name) as reader:
        assert reader.chunks_per_record() == expected
