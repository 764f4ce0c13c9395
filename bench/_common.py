"""Shared benchmark helpers: Zendesk-shaped data, the connector config and catalog, timing, RSS, servers."""

from __future__ import annotations

import contextlib
import json
import platform
import random
import resource
import statistics
import subprocess
import sys
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any, Iterator

from airbyte_cdk.models import (
    AirbyteMessage,
    AirbyteRecordMessage,
    AirbyteStateBlob,
    AirbyteStateMessage,
    AirbyteStateType,
    AirbyteStream,
    AirbyteStreamState,
    ConfiguredAirbyteCatalog,
    ConfiguredAirbyteStream,
    DestinationSyncMode,
    StreamDescriptor,
    SyncMode,
    Type,
)

from sample_data.build import load_banking77

#: The repository root: phases run from here as ``python -m bench.<name>`` (bench, testkit and sample_data
#: live at the root, not in the wheel).
ROOT = Path(__file__).resolve().parent.parent
DIMENSIONS = 384
CHUNK_SIZE = 256
STATUSES = ["new", "open", "pending", "hold", "solved", "closed"]
STATUS_WEIGHTS = [10, 25, 15, 5, 30, 15]
OPEN_STATUSES = ("new", "open", "pending", "hold")
PRIORITIES = [None, "low", "normal", "high", "urgent"]
NAMES = ["Alex", "Sam", "Priya", "Jonas", "Maria", "Chen", "Fatima", "Lucas", "Aiko", "Omar", "Grace", "Ivan"]
GREETINGS = ["", "Hi, ", "Hello, ", "Hi team, ", "Good morning. ", "Hey there, ", "Dear support, "]
SIGN_OFFS = ["", " Thanks.", " Thank you!", " Please help.", " Any update?", " Regards, {name}", " Cheers, {name}"]
EPOCH = datetime(2024, 1, 1, tzinfo=timezone.utc)


# -- data ---------------------------------------------------------------------------------------------


def banking77() -> list[tuple[str, str]]:
    """(text, category) pairs of the Banking77 training queries (real customer questions; sample_data/banking77)."""
    return [(text.strip(), category) for text, category in load_banking77(split="train")]


def _stamp(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def tickets(count: int, *, orgs: int = 40, seed: int = 7, long_every: int = 20) -> Iterator[dict[str, Any]]:
    """``count`` Zendesk ``tickets`` records built from Banking77 queries, cycled with variations.

    Each text gets a greeting, a sign-off and sometimes an order number, so repeats differ;
    every ``long_every``-th ticket is an email thread of 25-45 queries (over 256 words: several
    chunks). Organisations follow a skewed (Zipf-like) distribution, as in a real help desk.
    """
    queries = banking77()
    rng = random.Random(seed)
    org_ids = [360_000_000 + 1_000 * i for i in range(orgs)]
    org_weights = [1.0 / (i + 1) for i in range(orgs)]
    for number in range(count):
        text, category = queries[number % len(queries)]
        name = rng.choice(NAMES)
        body = rng.choice(GREETINGS) + text + rng.choice(SIGN_OFFS).format(name=name)
        if rng.random() < 0.3:
            body += f" Reference {rng.randint(100_000, 999_999)}."
        if long_every and number % long_every == long_every - 1:
            thread = [queries[rng.randrange(len(queries))][0] for _ in range(rng.randint(25, 45))]
            body += "\n\n" + "\n\n".join(f"On {rng.randint(1, 28)} May, {name} wrote: {q}" for q in thread)
        created = EPOCH + timedelta(minutes=7 * number + rng.randint(0, 6))
        ticket_id = 10_000 + number
        yield {
            "id": ticket_id,
            "url": f"https://acme.zendesk.com/api/v2/tickets/{ticket_id}.json",
            "subject": f"{category.replace('_', ' ').capitalize()} ({name})",
            "description": body,
            "status": rng.choices(STATUSES, STATUS_WEIGHTS)[0],
            "priority": rng.choice(PRIORITIES),
            "organization_id": rng.choices(org_ids, org_weights)[0],
            "requester_id": 900_000 + rng.randrange(5_000),
            "tags": sorted({category, rng.choice(["web", "mobile", "email", "chat"])}),
            "created_at": _stamp(created),
            "updated_at": _stamp(created + timedelta(hours=rng.randint(0, 72))),
        }


def articles(count: int, *, seed: int = 11) -> Iterator[dict[str, Any]]:
    """``count`` Help Center ``articles`` records: the sample articles, cycled per locale/section."""
    from sample_data.articles import ARTICLES

    rng = random.Random(seed)
    for number in range(count):
        source = ARTICLES[number % len(ARTICLES)]
        edition = number // len(ARTICLES)
        article_id = 500_000 + number
        yield {
            "id": article_id,
            "url": f"https://acme.zendesk.com/hc/en-us/articles/{article_id}",
            "title": source["title"] + (f" (edition {edition})" if edition else ""),
            "body": source["body_html"],
            "section_id": 7_000 + rng.randrange(40),
            "locale": "en-us",
            "updated_at": _stamp(EPOCH + timedelta(days=rng.randint(0, 300))),
        }


def _record(stream: str, data: dict[str, Any]) -> AirbyteMessage:
    return AirbyteMessage(
        type=Type.RECORD, record=AirbyteRecordMessage(stream=stream, data=data, emitted_at=1_700_000_000_000)
    )


def _state(stream: str, cursor: str) -> AirbyteMessage:
    return AirbyteMessage(
        type=Type.STATE,
        state=AirbyteStateMessage(
            type=AirbyteStateType.STREAM,
            stream=AirbyteStreamState(
                stream_descriptor=StreamDescriptor(name=stream),
                stream_state=AirbyteStateBlob(updated_at=cursor),
            ),
        ),
    )


def ticket_messages(count: int, *, state_every: int = 1_000, **kwargs: Any) -> Iterator[AirbyteMessage]:
    """RECORD messages for ``tickets(count)`` with a STATE after every ``state_every`` records."""
    last = ""
    for number, data in enumerate(tickets(count, **kwargs), start=1):
        last = data["updated_at"]
        yield _record("tickets", data)
        if number % state_every == 0:
            yield _state("tickets", last)
    if count % state_every:
        yield _state("tickets", last)


def article_messages(count: int, *, state_every: int = 1_000) -> Iterator[AirbyteMessage]:
    """RECORD messages for ``articles(count)`` with STATE messages, like ``ticket_messages``."""
    last = ""
    for number, data in enumerate(articles(count), start=1):
        last = data["updated_at"]
        yield _record("articles", data)
        if number % state_every == 0:
            yield _state("articles", last)
    yield _state("articles", last)


# -- connector config and catalog ---------------------------------------------------------------------

_STRING = {"type": ["null", "string"]}
_DATETIME = {"type": ["null", "string"], "format": "date-time", "airbyte_type": "timestamp_with_timezone"}
TICKET_SCHEMA: dict[str, Any] = {
    "$schema": "http://json-schema.org/draft-07/schema#",
    "type": "object",
    "properties": {
        "id": {"type": "integer"},
        "url": _STRING,
        "subject": _STRING,
        "description": _STRING,
        "status": _STRING,
        "priority": _STRING,
        "organization_id": {"type": ["null", "integer"]},
        "requester_id": {"type": ["null", "integer"]},
        "tags": {"type": ["null", "array"], "items": {"type": "string"}},
        "created_at": _DATETIME,
        "updated_at": _DATETIME,
    },
}
ARTICLE_SCHEMA: dict[str, Any] = {
    "$schema": "http://json-schema.org/draft-07/schema#",
    "type": "object",
    "properties": {
        "id": {"type": "integer"},
        "url": _STRING,
        "title": _STRING,
        "body": _STRING,
        "section_id": {"type": ["null", "integer"]},
        "locale": _STRING,
        "updated_at": _DATETIME,
    },
}
SCHEMAS = {"tickets": TICKET_SCHEMA, "articles": ARTICLE_SCHEMA}
TEXT_FIELDS = ["subject", "description"]
METADATA_FIELDS = ["id", "subject", "status", "organization_id", "priority", "tags", "updated_at", "url"]


def catalog(streams: tuple[str, ...] = ("tickets",)) -> ConfiguredAirbyteCatalog:
    """An append_dedup catalog with the streams' real JSON schemas, primary key ``id``."""
    return ConfiguredAirbyteCatalog(
        streams=[
            ConfiguredAirbyteStream(
                stream=AirbyteStream(
                    name=name,
                    json_schema=SCHEMAS[name],
                    supported_sync_modes=[SyncMode.full_refresh, SyncMode.incremental],
                    source_defined_cursor=True,
                    default_cursor_field=["updated_at"],
                    source_defined_primary_key=[["id"]],
                ),
                sync_mode=SyncMode.incremental,
                destination_sync_mode=DestinationSyncMode.append_dedup,
                cursor_field=["updated_at"],
                primary_key=[["id"]],
            )
            for name in streams
        ]
    )


def config(
    uri: str,
    collection: str,
    *,
    text_fields: list[str] | None = None,
    metadata_fields: list[str] | None = None,
    html_to_text: bool = False,
) -> dict[str, Any]:
    """The connector config of both benchmarks: fake 384-dim embedder, 256-token chunks, no auth."""
    return {
        "processing": {
            "chunk_size": CHUNK_SIZE,
            "text_fields": text_fields or TEXT_FIELDS,
            "metadata_fields": metadata_fields or METADATA_FIELDS,
            "html_to_text": html_to_text,
        },
        "embedding": {"mode": "fake", "dimensions": DIMENSIONS},
        "indexing": {"host": uri, "collection": collection, "auth": {"mode": "no_auth"}},
    }


# -- measuring ------------------------------------------------------------------------------------------


def rss_mb() -> float:
    """Peak resident set size of this process so far, in MiB: ``VmHWM``, the high-water mark of its memory.

    ``getrusage(RUSAGE_SELF).ru_maxrss`` would be wrong here: Linux carries the pre-``exec`` peak into
    it, so a phase started from the orchestrator (about 310 MiB with airbyte-cdk and pymilvus imported)
    never reports less than the orchestrator's size. ``VmHWM`` starts afresh with the new program.
    """
    with open("/proc/self/status") as handle:
        for line in handle:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024.0
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0  # not Linux: best available


def current_rss_mb() -> float:
    """Resident set size now, in MiB."""
    with open("/proc/self/statm") as handle:
        pages = int(handle.read().split()[1])
    return pages * resource.getpagesize() / 2**20


def percentile(values: list[float], q: float) -> float:
    """The ``q``-th percentile (0-100) by linear interpolation."""
    ordered = sorted(values)
    if len(ordered) == 1:
        return ordered[0]
    position = (len(ordered) - 1) * q / 100.0
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def median(values: list[float]) -> float:
    return statistics.median(values)


class Stopwatch:
    """``with Stopwatch() as sw: ...`` then ``sw.seconds``."""

    seconds: float = 0.0

    def __enter__(self) -> Stopwatch:
        self._start = time.perf_counter()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.seconds = time.perf_counter() - self._start


def machine() -> str:
    """One line on the conditions: CPU count, load average, Python, library versions."""
    import os
    from importlib.metadata import version

    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    return (
        f"{os.cpu_count()} CPUs, load average {load}, Python {platform.python_version()}, "
        f"pymilvus {version('pymilvus')}, milvus-lite {version('milvus-lite')}, milvus (server) {version('milvus')}"
    )


def run_phase(module: str, args: list[str], *, timeout: float = 3_600) -> dict[str, Any]:
    """Run ``python -m module --phase ...`` in a fresh interpreter; return the JSON its last stdout line holds."""
    completed = subprocess.run(
        [sys.executable, "-m", module, *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    lines = [line for line in completed.stdout.splitlines() if line.startswith("{")]
    if completed.returncode != 0 or not lines:
        raise RuntimeError(
            f"phase {args} failed (exit {completed.returncode}):\n"
            f"{completed.stdout[-3000:]}\n{completed.stderr[-3000:]}"
        )
    return dict(json.loads(lines[-1]))


@contextlib.contextmanager
def backend(name: str, workdir: Path) -> Iterator[str | None]:
    """Start the named backend; yield its URI (None for ``lite``: each phase gets a fresh local path)."""
    from testkit.servers import milvus_lite_server, milvus_standalone_server

    if name == "lite":
        yield None
    elif name == "lite_server":
        (workdir / "lite-server").mkdir(parents=True, exist_ok=True)
        with milvus_lite_server(workdir / "lite-server") as uri:
            yield uri
    elif name == "server":
        _wait_for_free_etcd_port()
        (workdir / "milvus-2.3.5").mkdir(parents=True, exist_ok=True)
        with milvus_standalone_server(workdir / "milvus-2.3.5") as uri:
            yield uri
    else:
        raise ValueError(f"unknown backend {name!r} (lite, lite_server, server)")


def _wait_for_free_etcd_port(timeout: float = 1_800.0) -> None:
    """Milvus 2.3.5's embedded etcd binds the fixed port 2380: one such server per machine at a time.

    Other test sessions on a shared machine start their own; wait for theirs to stop instead of failing.
    """
    import socket

    deadline = time.monotonic() + timeout
    announced = False
    while time.monotonic() < deadline:
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", 2380)) != 0:
                return
        if not announced:
            print("  waiting: another Milvus 2.3.5 server holds port 2380 (its embedded etcd)", flush=True)
            announced = True
        time.sleep(5)
    raise TimeoutError("port 2380 stayed busy: another Milvus 2.3.5 server is running")


BACKEND_LABELS = {
    "lite": "Milvus Lite 3.2.2, local path (in-process)",
    "lite_server": "Milvus Lite 3.2.2 gRPC server (another process)",
    "server": "Milvus 2.3.5 standalone (C++ server)",
}
