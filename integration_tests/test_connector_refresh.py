"""Refreshes as the Airbyte platform sends them (``supportsRefreshes: true``), through ``run(["write", ...])``.

A refresh re-reads streams from the start under a new ``generation_id``:

- **truncate refresh**: ``minimum_generation_id == generation_id``: at the end only the new
  generation's rows remain; while it runs, readers still see the old rows;
- **merge refresh**: ``minimum_generation_id == 0``: earlier generations stay, and a dedup stream
  replaces each re-sent record by its primary key.

The catalog carries the platform's fields (``generation_id``, ``minimum_generation_id``, ``sync_id``
= the job id), and the input has its stream statuses and per-stream STATEs with ``sourceStats``.
"""

from __future__ import annotations

import re
from typing import Any

import orjson
import pytest
from airbyte_cdk.models import AirbyteMessage, AirbyteMessageSerializer, ConfiguredAirbyteCatalogSerializer, Type

from testkit.runner import (
    TICKET_PROPERTIES,
    Feed,
    MilvusReader,
    lean_config,
    record,
    run_in_process,
    ticket,
    to_line,
    write_all,
    write_messages,
)

#: The job ids the platform would use: any number, never the 1/1/1 PyAirbyte sends.
FIRST_JOB, REFRESH_JOB = 4011, 4012
FIELDS = ("_ab_stream", "_ab_record_id", "_ab_generation_id")


def platform_stream(name: str, mode: str, *, generation: int, minimum: int, sync_id: int) -> dict[str, Any]:
    """A configured stream as the platform writes it into the destination's catalog."""
    return {
        "stream": {
            "name": name,
            "json_schema": {"type": "object", "properties": TICKET_PROPERTIES},
            "supported_sync_modes": ["full_refresh", "incremental"],
            "source_defined_cursor": True,
            "default_cursor_field": ["updated_at"],
            "source_defined_primary_key": [["id"]],
            "is_resumable": True,
        },
        "sync_mode": "incremental",
        "cursor_field": ["updated_at"],
        "destination_sync_mode": mode,
        "primary_key": [["id"]],
        "generation_id": generation,
        "minimum_generation_id": minimum,
        "sync_id": sync_id,
    }


def status_line(name: str, status: str) -> str:
    message = {
        "type": "TRACE",
        "trace": {
            "type": "STREAM_STATUS",
            "emitted_at": 1.0,
            "stream_status": {"stream_descriptor": {"name": name}, "status": status},
        },
    }
    return orjson.dumps(message).decode()


def state_line(name: str, cursor: int, count: int) -> str:
    message = {
        "type": "STATE",
        "state": {
            "type": "STREAM",
            "stream": {"stream_descriptor": {"name": name}, "stream_state": {"updated_at": cursor}},
            "sourceStats": {"recordCount": float(count)},
        },
    }
    return orjson.dumps(message).decode()


def sync_lines(streams: dict[str, list[dict[str, Any]]], *, status: str = "COMPLETE") -> list[str]:
    """One stream after another: STARTED, RUNNING, its records, one STATE, then ``status``."""
    lines: list[str] = []
    for name, records in streams.items():
        lines += [status_line(name, "STARTED"), status_line(name, "RUNNING")]
        lines += [to_line(record(name, data)) for data in records]
        lines += [state_line(name, len(records), len(records)), status_line(name, status)]
    return lines


def messages_of(lines: list[str]) -> list[AirbyteMessage]:
    return [AirbyteMessageSerializer.load(orjson.loads(line)) for line in lines]


def _rows(uri: str, collection: str) -> dict[tuple[str, str], set[int]]:
    """(stream, record id) -> the generations of its rows."""
    found: dict[tuple[str, str], set[int]] = {}
    with MilvusReader(uri, collection) as reader:
        for row in reader.rows(fields=FIELDS):
            found.setdefault((row["_ab_stream"], row["_ab_record_id"]), set()).add(row["_ab_generation_id"])
    return found


def _versions(uri: str, collection: str, record_id: str) -> set[str]:
    """The ``tag`` of every version of the record whose text is stored ("v1", "v2")."""
    with MilvusReader(uri, collection) as reader:
        return {tag for text in reader.texts(record_id) for tag in re.findall(r"Printer \d+ (v\d)", text)}


def _first_sync(uri: str, collection: str, tmp_path: Any) -> dict[str, Any]:
    """Generation 2 of three streams (dedup, dedup, append), as a normal sync writes it."""
    config = lean_config(uri, collection)
    catalog = {
        "streams": [
            platform_stream("tickets", "append_dedup", generation=2, minimum=0, sync_id=FIRST_JOB),
            platform_stream("articles", "append_dedup", generation=2, minimum=0, sync_id=FIRST_JOB),
            platform_stream("users", "append", generation=2, minimum=0, sync_id=FIRST_JOB),
        ]
    }
    data = {
        "tickets": [ticket(i) for i in (1, 2, 3, 4)],
        "articles": [ticket(i) for i in (1, 2)],
        "users": [ticket(i) for i in (1, 2)],
    }
    out = run_in_process("write", tmp_path / "first", config=config, catalog=catalog, lines=sync_lines(data))
    assert out.returncode == 0, out.stdout[-2000:]
    return config


def test_truncate_and_merge_refresh_in_one_sync(milvus_uri, collection_name, tmp_path):
    (tmp_path / "first").mkdir()
    (tmp_path / "refresh").mkdir()
    config = _first_sync(milvus_uri, collection_name, tmp_path)
    first = _rows(milvus_uri, collection_name)
    assert len(first) == 8
    assert all(generations == {2} for generations in first.values())

    # The user refreshes tickets (truncate), articles (merge) and users (truncate, now empty at the source).
    catalog = {
        "streams": [
            platform_stream("tickets", "append_dedup", generation=3, minimum=3, sync_id=REFRESH_JOB),
            platform_stream("articles", "append_dedup", generation=3, minimum=0, sync_id=REFRESH_JOB),
            platform_stream("users", "append", generation=3, minimum=3, sync_id=REFRESH_JOB),
        ]
    }
    data = {
        "tickets": [ticket(1, tag="v2"), ticket(2, tag="v2"), ticket(5, tag="v2")],
        "articles": [ticket(1, tag="v2"), ticket(3, tag="v2")],
        "users": [],
    }
    lines = sync_lines(data)
    out = run_in_process("write", tmp_path / "refresh", config=config, catalog=catalog, lines=lines)

    assert out.returncode == 0, out.stdout[-2000:]
    assert out.errors == []
    sent_states = [orjson.loads(line) for line in lines if '"STATE"' in line]
    # Every STATE is passed on as sent, sourceStats included.
    assert [orjson.loads(to_line(m))["state"] for m in out.states] == [m["state"] for m in sent_states]
    rows = _rows(milvus_uri, collection_name)
    # Truncate: only generation 3 is left; records the refresh did not send are gone.
    assert {rid: g for (s, rid), g in rows.items() if s == "tickets"} == {
        "tickets_1": {3},
        "tickets_2": {3},
        "tickets_5": {3},
    }
    assert _versions(milvus_uri, collection_name, "tickets_1") == {"v2"}
    assert not any(s == "users" for s, _ in rows)  # an empty truncate refresh empties the stream
    # Merge: generation 2 stays where the refresh did not resend; a resent record is replaced by key.
    assert {rid: g for (s, rid), g in rows.items() if s == "articles"} == {
        "articles_1": {3},
        "articles_2": {2},
        "articles_3": {3},
    }
    assert _versions(milvus_uri, collection_name, "articles_1") == {"v2"}


def test_a_truncate_refresh_keeps_old_rows_readable_until_the_stream_completes(lite_uri, collection_name, tmp_path):
    (tmp_path / "first").mkdir()
    config = _first_sync(lite_uri, collection_name, tmp_path)
    config["processing"]["chunk_size"] = 2  # many chunks: the refresh writes several batches
    old = {k for k in _rows(lite_uri, collection_name) if k[0] == "tickets"}
    catalog = ConfiguredAirbyteCatalogSerializer.load(
        {"streams": [platform_stream("tickets", "append_dedup", generation=3, minimum=3, sync_id=REFRESH_JOB)]}
    )
    lines = [status_line("tickets", "STARTED")]
    for i in range(100, 145):
        lines += [to_line(record("tickets", ticket(i, words=150, tag="v2"))), state_line("tickets", i, 1)]
    lines.append(status_line("tickets", "COMPLETE"))
    interleaved = messages_of(lines)
    feed = Feed(interleaved, pause_at=len(interleaved) // 2)
    sync = write_messages(config, catalog, feed)

    next(m for m in sync if m.type == Type.STATE)  # the refresh's first batch is written ...
    assert not feed.exhausted and not feed.timed_out  # ... while the source is quiet mid-sync
    during = {k for k in _rows(lite_uri, collection_name) if k[0] == "tickets"}
    assert during >= old
    assert during - old
    feed.resume()
    list(sync)

    after = {k for k in _rows(lite_uri, collection_name) if k[0] == "tickets"}
    assert after == {("tickets", f"tickets_{i}") for i in range(100, 145)}


@pytest.mark.parametrize("mode", ["append", "append_dedup"])
def test_an_incomplete_truncate_refresh_keeps_the_old_generation_until_its_retry_completes(
    lite_uri, collection_name, tmp_path, mode
):
    (tmp_path / "first").mkdir()
    config = _first_sync(lite_uri, collection_name, tmp_path)
    refresh = ConfiguredAirbyteCatalogSerializer.load(
        {"streams": [platform_stream("users", mode, generation=3, minimum=3, sync_id=REFRESH_JOB)]}
    )
    lines = sync_lines({"users": [ticket(7, tag="v2")]}, status="INCOMPLETE")

    write_all(config, refresh, messages_of(lines))  # attempt 1 fails
    assert {k: g for k, g in _rows(lite_uri, collection_name).items() if k[0] == "users"} == {
        ("users", "users_1"): {2},
        ("users", "users_2"): {2},
        ("users", "users_7"): {3},
    }

    retry = sync_lines({"users": [ticket(8, tag="v2")]})  # attempt 2 of the same job resumes after user 7
    write_all(config, refresh, messages_of(retry))
    assert {k: g for k, g in _rows(lite_uri, collection_name).items() if k[0] == "users"} == {
        ("users", "users_7"): {3},
        ("users", "users_8"): {3},
    }
