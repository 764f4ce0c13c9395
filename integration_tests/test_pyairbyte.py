"""PyAirbyte drives the connector as a local executable: source-faker with the default and replace strategies,
and the bundled sample help desk.

PyAirbyte runs from its own venv (``pyairbyte_env.py``; first creation needs PyPI and takes about a
minute) and runs the examples themselves, so they cannot rot; what landed is read back from this
venv with pymilvus and query_sdk. Importing PyAirbyte takes 10-20 s, so syncs that need no check in
between share one interpreter.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import pytest
from milvus_lite.server_manager import server_manager_instance

from query_sdk import SupportSearch
from testkit.pyairbyte_env import DESTINATION_EXECUTABLE, REPO, PyAirbyteEnv, ensure_pyairbyte_env
from testkit.runner import MilvusReader

FAKER = REPO / "examples" / "pyairbyte_faker.py"
HELPDESK = REPO / "examples" / "pyairbyte_sample_helpdesk.py"
FAKER_STREAMS = ("users", "products", "purchases")
RUN_TIMEOUT = 480.0
#: Runs an example's ``main(argv)`` once per argv list, in one interpreter; stops at the first failure.
_DRIVER = """
import importlib.util, json, sys
spec = importlib.util.spec_from_file_location("example", sys.argv[1])
example = importlib.util.module_from_spec(spec)
spec.loader.exec_module(example)
for argv in json.loads(sys.argv[2]):
    code = example.main(argv)
    if code:
        sys.exit(code)
"""


@pytest.fixture(scope="module")
def pyairbyte() -> PyAirbyteEnv:
    """The PyAirbyte venv; a failure to create it (no PyPI) fails these tests, naming the step."""
    assert DESTINATION_EXECUTABLE.exists(), f"{DESTINATION_EXECUTABLE} is missing: pip install -e . in .venv"
    return ensure_pyairbyte_env()


def run_example(env: PyAirbyteEnv, example: Path, runs: list[list[str]], work: Path) -> None:
    """Run ``example`` with each argv in ``runs``, one after the other, in the PyAirbyte venv."""
    work.mkdir(parents=True, exist_ok=True)
    completed = subprocess.run(
        [str(env.python), "-c", _DRIVER, str(example), json.dumps(runs)],
        capture_output=True,
        text=True,
        env=env.environ(work),
        cwd=work,
        timeout=RUN_TIMEOUT,
        check=False,
    )
    if completed.returncode != 0:
        output = "\n".join(f"{completed.stdout}\n{completed.stderr}".strip().splitlines()[-60:])
        pytest.fail(f"{example.name} failed in the PyAirbyte venv (exit code {completed.returncode}):\n{output}")


def faker_args(
    db: str, collection: str, report: Path, *, count: int = 50, seed: int = 1, strategy: str, rerun: bool = False
) -> list[str]:
    """The faker example's arguments; a re-run skips the connection check the first run made."""
    return [
        "--db", db, "--collection", collection, "--count", str(count), "--seed", str(seed),
        "--strategy", strategy, "--report", str(report), *(["--skip-check"] if rerun else []),
    ]  # fmt: skip


def stored(db: str, collection: str, streams: tuple[str, ...]) -> dict[str, tuple[int, set[str]]]:
    """Per stream: the number of rows and the distinct record ids.

    Milvus Lite serves a folder to one process and keeps serving it until that process exits, so the
    folder is released afterwards: the next PyAirbyte run's destination must be able to open it.
    """
    try:
        with MilvusReader(db, collection) as reader:
            rows = reader.rows()
    finally:
        server_manager_instance.release_server(db)
    return {
        stream: (
            sum(1 for r in rows if r["_ab_stream"] == stream),
            {r["_ab_record_id"] for r in rows if r["_ab_stream"] == stream},
        )
        for stream in streams
    }


def faker_ids(stream: str, count: int) -> set[str]:
    return {f"{stream}_{i}" for i in range(1, count + 1)}


def test_default_strategy_lands_every_faker_record_once_and_a_rerun_does_not_double_them(
    pyairbyte, lite_uri, collection_name, tmp_path
):
    first, second = tmp_path / "first.json", tmp_path / "second.json"
    run_example(pyairbyte, FAKER, [faker_args(lite_uri, collection_name, first, strategy="auto")], tmp_path / "run1")
    sent: dict[str, Any] = json.loads(first.read_text())

    assert sent["destination_sync_modes"] == dict.fromkeys(FAKER_STREAMS, "append_dedup")
    after_first = stored(lite_uri, collection_name, FAKER_STREAMS)
    for stream in FAKER_STREAMS:
        rows, ids = after_first[stream]
        assert len(ids) == sent["records"][stream] > 0, stream
        assert rows == len(ids), f"{stream}: one chunk per faker record"
    assert after_first["users"][1] == faker_ids("users", 50)

    rerun = faker_args(lite_uri, collection_name, second, strategy="auto", rerun=True)
    run_example(pyairbyte, FAKER, [rerun], tmp_path / "run2")

    assert json.loads(second.read_text())["records"] == sent["records"]
    assert stored(lite_uri, collection_name, FAKER_STREAMS) == after_first


def test_replace_strategy_leaves_exactly_the_last_runs_records(pyairbyte, lite_uri, collection_name, tmp_path):
    first, second = tmp_path / "first.json", tmp_path / "second.json"
    runs = [
        faker_args(lite_uri, collection_name, first, count=50, seed=1, strategy="replace"),
        faker_args(lite_uri, collection_name, second, count=30, seed=2, strategy="replace", rerun=True),
    ]
    run_example(pyairbyte, FAKER, runs, tmp_path / "runs")
    sent_first, sent_second = json.loads(first.read_text()), json.loads(second.read_text())

    assert sent_second["destination_sync_modes"] == dict.fromkeys(FAKER_STREAMS, "overwrite")
    assert sent_second["records"]["users"] == 30 < sent_first["records"]["users"]
    now = stored(lite_uri, collection_name, FAKER_STREAMS)
    for stream in FAKER_STREAMS:
        rows, ids = now[stream]
        assert rows == len(ids) == sent_second["records"][stream], (
            f"{stream}: {rows} rows of {len(ids)} records after replace; the last run sent {sent_second['records']}"
        )
    assert now["users"][1] == faker_ids("users", 30)
    assert now["products"][1] == faker_ids("products", 30)


def _sample_count(stream: str) -> int:
    """How many distinct records of ``stream`` the bundled sample holds."""
    with open(REPO / "sample_data" / "messages.jsonl", encoding="utf-8") as lines:
        records = (json.loads(line).get("record") or {} for line in lines)
        return len({r["data"]["id"] for r in records if r.get("stream") == stream})


def _open_ticket() -> dict[str, Any]:
    """The first open ticket of the sample, as the source emits it."""
    with open(REPO / "sample_data" / "messages.jsonl", encoding="utf-8") as lines:
        for line in lines:
            message = json.loads(line)
            record = message.get("record") or {}
            if record.get("stream") == "tickets" and record["data"]["status"] == "open":
                return dict(record["data"])
    raise AssertionError("the sample has no open ticket")


def test_sample_helpdesk_through_pyairbyte_and_its_cache_finds_duplicate_tickets(
    pyairbyte, lite_uri, collection_name, tmp_path
):
    args = ["--db", lite_uri, "--collection", collection_name, "--no-search", "--cache"]
    run_example(pyairbyte, HELPDESK, [args], tmp_path / "run")

    landed = stored(lite_uri, collection_name, ("tickets", "articles"))
    assert len(landed["tickets"][1]) == _sample_count("tickets") == 1200
    assert len(landed["articles"][1]) == _sample_count("articles")
    ticket = _open_ticket()
    try:
        with SupportSearch.connect(uri=lite_uri, collection=collection_name) as search:
            matches = search.find_duplicate_tickets(
                f"{ticket['subject']}\n{ticket['description']}", organization_id=ticket["organization_id"]
            )
    finally:
        server_manager_instance.release_server(lite_uri)
    assert matches, "no duplicate found for a ticket's own text"
    assert matches[0].record_id == str(ticket["id"])
    assert matches[0].status == "open"
