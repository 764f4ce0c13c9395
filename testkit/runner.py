"""Run the connector through its real entry points, and build the configs, catalogs and messages it reads.

``run_main`` starts ``python main.py spec|check|write`` in a subprocess; ``run_in_process`` calls
``DestinationMilvusSupport().run(args)`` with stdin and stdout swapped; ``write_messages`` iterates
``DestinationMilvusSupport().write(...)`` so a test can stop between two yielded messages.
``MilvusReader`` reads what landed, with a plain ``MilvusClient``.
"""

from __future__ import annotations

import contextlib
import io
import json
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, Iterator, Sequence

import orjson
from airbyte_cdk.models import (
    AirbyteMessage,
    AirbyteMessageSerializer,
    ConfiguredAirbyteCatalog,
    ConfiguredAirbyteCatalogSerializer,
    Type,
)
from pymilvus import MilvusClient
from pymilvus.exceptions import MilvusException

from destination_milvus_support.destination import DestinationMilvusSupport

REPO = Path(__file__).resolve().parents[1]
MAIN = REPO / "main.py"

TICKET_PROPERTIES: dict[str, Any] = {
    "id": {"type": "integer"},
    "subject": {"type": ["null", "string"]},
    "description": {"type": ["null", "string"]},
    "status": {"type": ["null", "string"]},
    "organization_id": {"type": ["null", "integer"]},
}

# -- configs ----------------------------------------------------------------------------------------


def fake_embedding(dimensions: int = 16) -> dict[str, Any]:
    return {"mode": "fake", "dimensions": dimensions}


def stub_embedding(base_url: str, *, api_key: str = "sk-stub-key", dimensions: int = 64) -> dict[str, Any]:
    """The OpenAI-compatible mode pointed at the stub server (the real ``openai`` client talks to it)."""
    return {
        "mode": "openai_compatible",
        "api_key": api_key,
        "base_url": base_url,
        "model_name": "text-embedding-3-small",
        "dimensions": dimensions,
    }


def make_config(
    host: str,
    collection: str,
    *,
    embedding: dict[str, Any] | None = None,
    chunk_size: int = 30,
    text_fields: Sequence[str] = ("subject", "description"),
    metadata_fields: Sequence[str] = ("status", "organization_id"),
    **indexing: Any,
) -> dict[str, Any]:
    return {
        "processing": {
            "chunk_size": chunk_size,
            "chunk_overlap": 0,
            "text_fields": list(text_fields),
            "metadata_fields": list(metadata_fields),
        },
        "embedding": embedding or fake_embedding(),
        "indexing": {"host": host, "collection": collection, **indexing},
    }


def lean_config(host: str, collection: str, **kwargs: Any) -> dict[str, Any]:
    """``make_config`` with fewer indexes to build (one metadata field, no BM25 field), for tests about
    something else: pymilvus waits 0.5 s per index when it creates a collection."""
    kwargs.setdefault("metadata_fields", ("status",))
    return make_config(host, collection, hybrid_search=False, **kwargs)


# -- catalogs and messages --------------------------------------------------------------------------


def stream(
    name: str,
    mode: str = "append",
    *,
    primary_key: Sequence[Sequence[str]] | None = (("id",),),
    properties: dict[str, Any] | None = None,
    generation_id: int | None = None,
    minimum_generation_id: int | None = None,
) -> dict[str, Any]:
    configured: dict[str, Any] = {
        "stream": {
            "name": name,
            "json_schema": {"type": "object", "properties": properties or TICKET_PROPERTIES},
            "supported_sync_modes": ["full_refresh", "incremental"],
        },
        "sync_mode": "incremental" if mode == "append_dedup" else "full_refresh",
        "destination_sync_mode": mode,
        "primary_key": [list(p) for p in primary_key] if primary_key else None,
    }
    if generation_id is not None:
        configured["generation_id"] = generation_id
        configured["minimum_generation_id"] = minimum_generation_id
        configured["sync_id"] = 1
    return configured


def catalog_dict(*streams: dict[str, Any]) -> dict[str, Any]:
    return {"streams": list(streams)}


def catalog(*streams: dict[str, Any]) -> ConfiguredAirbyteCatalog:
    return ConfiguredAirbyteCatalogSerializer.load(catalog_dict(*streams))


def ticket(
    ticket_id: int | str, *, words: int = 5, status: str = "open", organization_id: int = 42, tag: str = "v1"
) -> dict[str, Any]:
    """A help-desk ticket; ``words`` sets the description length (one fake-embedder token per word)."""
    return {
        "id": ticket_id,
        "subject": f"Printer {ticket_id} {tag}",
        "description": " ".join(f"w{ticket_id}x{i}" for i in range(words)),
        "status": status,
        "organization_id": organization_id,
    }


def record(stream_name: str, data: dict[str, Any], namespace: str | None = None) -> AirbyteMessage:
    payload: dict[str, Any] = {"stream": stream_name, "data": data, "emitted_at": 0}
    if namespace:
        payload["namespace"] = namespace
    return AirbyteMessageSerializer.load({"type": "RECORD", "record": payload})


def state(stream_name: str, value: Any) -> AirbyteMessage:
    return AirbyteMessageSerializer.load(
        {
            "type": "STATE",
            "state": {
                "type": "STREAM",
                "stream": {"stream_descriptor": {"name": stream_name}, "stream_state": {"cursor": value}},
            },
        }
    )


def stream_status(stream_name: str, status: str) -> AirbyteMessage:
    return AirbyteMessageSerializer.load(
        {
            "type": "TRACE",
            "trace": {
                "type": "STREAM_STATUS",
                "emitted_at": 0,
                "stream_status": {"stream_descriptor": {"name": stream_name}, "status": status},
            },
        }
    )


def to_line(message: AirbyteMessage) -> str:
    return orjson.dumps(AirbyteMessageSerializer.dump(message)).decode()


def cursor_of(message: AirbyteMessage) -> Any:
    """The ``cursor`` value of a STATE built by ``state``."""
    assert message.state is not None and message.state.stream is not None
    stream_state = message.state.stream.stream_state
    return vars(stream_state)["cursor"]  # an AirbyteStateBlob keeps the state's keys as attributes


# -- running -----------------------------------------------------------------------------------------


@dataclass
class Output:
    """What one run printed: parsed messages, raw text, exit code."""

    messages: list[AirbyteMessage]
    stdout: str = ""
    stderr: str = ""
    returncode: int = 0
    unparsed: list[str] = field(default_factory=list)

    @property
    def states(self) -> list[AirbyteMessage]:
        return [m for m in self.messages if m.type == Type.STATE]

    @property
    def errors(self) -> list[Any]:
        return [m.trace.error for m in self.messages if m.type == Type.TRACE and m.trace and m.trace.error]

    @property
    def logs(self) -> list[str]:
        return [m.log.message for m in self.messages if m.type == Type.LOG and m.log]

    @property
    def connection_status(self) -> Any:
        statuses = [m.connectionStatus for m in self.messages if m.type == Type.CONNECTION_STATUS]
        assert len(statuses) == 1, self.stdout
        return statuses[0]

    @property
    def spec(self) -> Any:
        specs = [m.spec for m in self.messages if m.type == Type.SPEC]
        assert len(specs) == 1, self.stdout
        return specs[0]


def parse_output(stdout: str) -> tuple[list[AirbyteMessage], list[str]]:
    messages, unparsed = [], []
    for line in stdout.splitlines():
        try:
            messages.append(AirbyteMessageSerializer.load(orjson.loads(line)))
        except Exception:
            unparsed.append(line)
    return messages, unparsed


def write_files(
    tmp_path: Path, config: dict[str, Any] | None, catalog: dict[str, Any] | None = None
) -> tuple[str | None, str | None]:
    """Write config and catalog JSON files; returns their paths."""
    config_path = catalog_path = None
    if config is not None:
        config_path = str(tmp_path / "config.json")
        Path(config_path).write_text(json.dumps(config))
    if catalog is not None:
        catalog_path = str(tmp_path / "catalog.json")
        Path(catalog_path).write_text(json.dumps(catalog))
    return config_path, catalog_path


def _args(command: str, config_path: str | None, catalog_path: str | None) -> list[str]:
    args = [command]
    if config_path:
        args += ["--config", config_path]
    if catalog_path:
        args += ["--catalog", catalog_path]
    return args


def main_command(command: str, config_path: str | None = None, catalog_path: str | None = None) -> list[str]:
    return [sys.executable, str(MAIN), *_args(command, config_path, catalog_path)]


def run_main(
    command: str,
    tmp_path: Path,
    *,
    config: dict[str, Any] | None = None,
    catalog: dict[str, Any] | None = None,
    lines: Iterable[str] = (),
    timeout: float = 120.0,
) -> Output:
    """``python main.py COMMAND --config ... --catalog ... < lines`` in a subprocess."""
    config_path, catalog_path = write_files(tmp_path, config, catalog)
    completed = subprocess.run(
        main_command(command, config_path, catalog_path),
        input="".join(f"{line}\n" for line in lines),
        capture_output=True,
        text=True,
        timeout=timeout,
        cwd=REPO,
        check=False,
    )
    messages, unparsed = parse_output(completed.stdout)
    return Output(messages, completed.stdout, completed.stderr, completed.returncode, unparsed)


def run_in_process(
    command: str,
    tmp_path: Path,
    *,
    config: dict[str, Any] | None = None,
    catalog: dict[str, Any] | None = None,
    lines: Iterable[str] = (),
) -> Output:
    """``DestinationMilvusSupport().run(args)`` in this process, with stdin and stdout swapped for buffers."""
    config_path, catalog_path = write_files(tmp_path, config, catalog)
    stdin = io.TextIOWrapper(io.BytesIO("".join(f"{line}\n" for line in lines).encode()), encoding="utf-8")
    stdout = io.StringIO()
    returncode = 0
    old_stdin = sys.stdin
    sys.stdin = stdin
    try:
        with contextlib.redirect_stdout(stdout):
            DestinationMilvusSupport().run(_args(command, config_path, catalog_path))
    except SystemExit as exit_:
        returncode = int(exit_.code or 0)
    finally:
        sys.stdin = old_stdin
    messages, unparsed = parse_output(stdout.getvalue())
    return Output(messages, stdout.getvalue(), "", returncode, unparsed)


def write_messages(
    config: dict[str, Any], configured: ConfiguredAirbyteCatalog, messages: Iterable[AirbyteMessage]
) -> Iterator[AirbyteMessage]:
    """The destination's own ``write`` generator: iterate it to drive the sync one message at a time."""
    return iter(DestinationMilvusSupport().write(config, configured, messages))


def write_all(
    config: dict[str, Any], configured: ConfiguredAirbyteCatalog, messages: Iterable[AirbyteMessage]
) -> Output:
    return Output(list(write_messages(config, configured, messages)))


# -- reading Milvus -----------------------------------------------------------------------------------


#: Most rows one Milvus query returns.
_QUERY_LIMIT = 16384


def _connect(uri: str, attempts: int = 3) -> MilvusClient:
    """A client on ``uri``, connecting again if the first try fails.

    Milvus Lite's in-process gRPC server answers pymilvus' keepalive pings with GOAWAY
    ``too_many_pings`` after a minute or so; a new client connecting at that moment can fail with
    code 2 ("Fail connecting to server"), and the same call a moment later succeeds.
    """
    for attempt in range(1, attempts + 1):
        try:
            return MilvusClient(uri=uri)
        except MilvusException:
            if attempt == attempts:
                raise
            time.sleep(1.0)
    raise AssertionError("unreachable")


class MilvusReader:
    """A second, plain client on the same Milvus: what an app would see."""

    def __init__(self, uri: str, collection: str) -> None:
        self.client = _connect(uri)
        self.collection = collection

    def __enter__(self) -> MilvusReader:
        return self

    def __exit__(self, *exc: object) -> None:
        self.client.close()

    def rows(self, filter: str = "", fields: Sequence[str] = ("_ab_stream", "_ab_record_id")) -> list[dict[str, Any]]:
        self.client.load_collection(self.collection)
        rows = list(
            self.client.query(
                self.collection,
                filter=filter or "_ab_record_id != ''",
                output_fields=list(fields),
                limit=_QUERY_LIMIT,
                consistency_level="Strong",
            )
        )
        assert len(rows) < _QUERY_LIMIT, "more rows than one query returns: the test would miss some"
        return rows

    def count(self, filter: str = "") -> int:
        self.client.load_collection(self.collection)
        result = self.client.query(
            self.collection, filter=filter, output_fields=["count(*)"], consistency_level="Strong"
        )
        return int(result[0]["count(*)"])

    def chunks_per_record(self, filter: str = "") -> dict[str, int]:
        counts: dict[str, int] = {}
        for row in self.rows(filter):
            counts[row["_ab_record_id"]] = counts.get(row["_ab_record_id"], 0) + 1
        return counts

    def texts(self, record_id: str, text_field: str = "text") -> list[str]:
        return [r[text_field] for r in self.rows(f'_ab_record_id == "{record_id}"', fields=[text_field])]


class Feed:
    """Input messages that count how many the destination has pulled so far.

    With ``pause_at``, the source goes quiet before that message until ``resume()``, as a
    rate-limited help desk does; ``timed_out`` tells that nobody resumed it within 60 s.
    """

    def __init__(self, messages: Sequence[AirbyteMessage], *, pause_at: int | None = None) -> None:
        self.messages = list(messages)
        self.consumed = 0
        self.pause_at = pause_at
        self.timed_out = False
        self._resumed = threading.Event()

    def resume(self) -> None:
        self._resumed.set()

    def __iter__(self) -> Iterator[AirbyteMessage]:
        for index, message in enumerate(self.messages):
            if index == self.pause_at:
                self.timed_out = not self._resumed.wait(timeout=60)
            self.consumed += 1
            yield message

    @property
    def exhausted(self) -> bool:
        return self.consumed >= len(self.messages)


def records_with_states(stream_name: str, ids: Iterable[int], *, words: int = 150) -> list[AirbyteMessage]:
    """``record, STATE(cursor=id)`` pairs: each STATE acknowledges every record up to its id."""
    messages: list[AirbyteMessage] = []
    for ticket_id in ids:
        messages += [record(stream_name, ticket(ticket_id, words=words)), state(stream_name, ticket_id)]
    return messages


def expected_chunk_counts(
    config: dict[str, Any], configured: ConfiguredAirbyteCatalog, data: Iterable[Any], *, official_ids: bool = False
) -> dict[str, int]:
    """Chunks per record id as the connector's own processor cuts them (the oracle for 'nothing doubled').

    ``official_ids``: ids as written into a collection of the official destination (no contract of ours).
    """
    from destination_milvus_support.config import ConnectorConfig
    from destination_milvus_support.embedding import build_embedder
    from destination_milvus_support.keys import OWN_COLLECTION, official_collection
    from destination_milvus_support.processor import DocumentProcessor

    parsed = ConnectorConfig.model_validate(config)
    embedder = build_embedder(parsed.embedding)
    assert embedder is not None
    kind = official_collection(assigned_keys=True) if official_ids else OWN_COLLECTION
    processor = DocumentProcessor(parsed.processing, configured, embedder.token_counter(), record_ids=kind.record_id)
    counts = {}
    for message in data:
        prepared = processor.prepare(message.record)
        counts[prepared.record_id] = len(processor.chunk_many([prepared])[0])
    return counts
