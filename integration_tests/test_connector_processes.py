"""``python main.py`` as real processes: killed mid-sync and resumed, two writers sharing one server; spec."""

import contextlib
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from airbyte_cdk.models import Type

from testkit.runner import (
    REPO,
    MilvusReader,
    catalog,
    catalog_dict,
    cursor_of,
    expected_chunk_counts,
    lean_config,
    main_command,
    parse_output,
    record,
    records_with_states,
    run_in_process,
    run_main,
    state,
    stream,
    ticket,
    to_line,
    write_all,
    write_files,
)

RECORDS = 60  # ~76 chunks each at chunk_size 2: several write batches, so STATEs flow before the input ends
FED = 40  # records sent before the kill; stdin stays open, so the writer cannot reach the end of input
ACKNOWLEDGED = 10  # the kill waits for a STATE at least this far (the first batch holds ~14 records)


def _write_then_kill(command, messages, *, acknowledged_at_least):
    """Send ``messages``, keep stdin open, wait for a STATE with cursor >= ``acknowledged_at_least``, kill -9.

    Returns the cursors of every STATE the process emitted before it died. The writer emits a batch's
    STATEs one line at a time, so waiting for "any STATE" would race with those lines.
    """
    process = subprocess.Popen(
        command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, cwd=REPO
    )
    lines: list[str] = []
    reader = threading.Thread(target=lambda: lines.extend(process.stdout), daemon=True)
    reader.start()

    def acknowledged():
        states = [m for m in parse_output("".join(list(lines)))[0] if m.type == Type.STATE]
        return [cursor_of(m) for m in states]

    try:
        process.stdin.write("".join(to_line(m) + "\n" for m in messages))
        process.stdin.flush()
        deadline = time.monotonic() + 120
        while max(acknowledged(), default=-1) < acknowledged_at_least and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        os.kill(process.pid, signal.SIGKILL)
        process.wait()
        reader.join(timeout=10)
        with contextlib.suppress(BrokenPipeError):
            process.stdin.close()
    return acknowledged()


def test_killed_dedup_sync_resumes_from_its_last_state_without_doubled_chunks(lite_uri, collection_name, tmp_path):
    config = lean_config(lite_uri, collection_name, chunk_size=2)
    dedup = stream("tickets", "append_dedup")
    messages = records_with_states("tickets", range(RECORDS))
    config_path, catalog_path = write_files(tmp_path, config, catalog_dict(dedup))

    fed = messages[: 2 * FED]
    acknowledged = _write_then_kill(
        main_command("write", config_path, catalog_path), fed, acknowledged_at_least=ACKNOWLEDGED
    )

    assert acknowledged, "the writer emitted no STATE before it was killed"
    last = acknowledged[-1]
    assert ACKNOWLEDGED <= last < FED  # killed mid-sync (records up to RECORDS never arrived), after a first batch

    # The platform resumes from the last STATE, resending a few records from before it; the records
    # before those are not sent again, so they are there only if they survived the kill.
    resend = [to_line(m) for m in records_with_states("tickets", range(last - 5, RECORDS))]
    out = run_main("write", tmp_path, config=config, catalog=catalog_dict(dedup), lines=resend)

    assert out.returncode == 0, out.stdout[-2000:]
    expected = expected_chunk_counts(config, catalog(dedup), [m for m in messages if m.type == Type.RECORD])
    with MilvusReader(lite_uri, collection_name) as reader:
        assert reader.chunks_per_record() == expected  # every record, no chunk doubled


def test_two_writer_processes_share_a_lite_server(_lite_server_uri, collection_name, tmp_path):
    config = lean_config(_lite_server_uri, collection_name)
    runs = []
    for name in ("tickets", "articles"):
        folder = tmp_path / name
        folder.mkdir()
        config_path, catalog_path = write_files(folder, config, catalog_dict(stream(name)))
        lines = [to_line(record(name, ticket(i))) for i in range(10)] + [to_line(state(name, 10))]
        process = subprocess.Popen(
            main_command("write", config_path, catalog_path),
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            cwd=REPO,
        )
        runs.append((process, "".join(f"{line}\n" for line in lines)))
    outputs = [process.communicate(data, timeout=120) for process, data in runs]

    assert [process.returncode for process, _ in runs] == [0, 0], [o[0][-1000:] for o in outputs]
    for stdout, _ in outputs:
        assert [m for m in parse_output(stdout)[0] if m.type == Type.STATE]
    with MilvusReader(_lite_server_uri, collection_name) as reader:
        present = set(reader.chunks_per_record())
    assert present == {f"{name}_{i}" for name in ("tickets", "articles") for i in range(10)}


def test_spec_through_the_entry_point(tmp_path):
    out = run_in_process("spec", tmp_path)
    assert out.returncode == 0
    assert "$ref" not in str(out.spec.connectionSpecification)
    assert out.spec.connectionSpecification["properties"]["embedding"]["oneOf"]


@pytest.mark.parametrize("entry", ["main.py", "console script"])
def test_no_command_prints_the_usage_not_a_traceback(entry, tmp_path):
    # The CDK raises a bare "No command entered." exception, which used to escape with its traceback.
    script = Path(sys.executable).with_name("destination-milvus-support")
    command = [sys.executable, str(REPO / "main.py")] if entry == "main.py" else [str(script)]
    done = subprocess.run(command, cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert (done.returncode, done.stdout) == (2, "")
    assert done.stderr.startswith("usage: destination-milvus-support {spec,check,write}")
    assert "Traceback" not in done.stderr


def test_concurrent_first_syncs_both_use_the_collection_one_of_them_created(_lite_server_uri, collection_name):
    config = lean_config(_lite_server_uri, collection_name)
    errors = []

    def sync(name):
        try:
            write_all(config, catalog(stream(name)), [record(name, ticket(i)) for i in range(3)])
        except Exception as error:  # reported below, by stream
            errors.append((name, error))

    threads = [threading.Thread(target=sync, args=(name,)) for name in ("tickets", "articles", "macros")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    with MilvusReader(_lite_server_uri, collection_name) as reader:
        assert len(reader.chunks_per_record()) == 9
