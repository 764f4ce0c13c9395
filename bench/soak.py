"""Soak: many seeded faults in a row, each sync resumed from its last STATE until it completes; prints counts.

Usage: python -m bench.soak [--cycles 40] [--seed 7] [--records 80] [--backends lite,lite_server]
                             [--freezes 1] [--hangs 1]

Per backend, one collection takes ``cycles`` syncs, alternating between a dedup stream (``tickets``:
ids drawn from a pool, so records come back in new versions) and an append stream (``events``: new
ids every cycle). Every sync is a real ``python main.py write`` process, embedding through the
OpenAI-compatible stub (``testkit/openai_stub.py``). A seeded fault hits each sync:

- ``kill``: SIGKILL of the write process at a seeded point (first batches, after a STATE, after the
  last STATE); the resumed sync may be killed again (up to 3 kills in a row);
- ``restart`` (Lite gRPC server only): the server SIGKILLed and started again on its data folder
  0 to 3 s later, mid-sync;
- ``outage``: the embedding service answers 429 for good from a STATE on, then recovers;
- ``freeze`` (``--freezes`` times, Lite gRPC server): the server SIGSTOPped mid-sync until the sync
  gives up (its Milvus call deadlines), then SIGCONTed;
- ``hang`` (``--hangs`` times): every embedding request hangs until the sync gives up (the client's
  timeout and retries), then the service recovers;
- ``none``: a clean sync.

After each fault: every record up to the last STATE passed on is stored whole (``lost`` counts the
ones that are not). After each cycle (all resumes done): the collection holds, per record, exactly
the chunks of its latest version (``doubled`` and ``missing`` count the differences). A process
that ends with a traceback, an unparsable line or a system_error is counted too. All must be 0.
Chunks are counted by primary key: Milvus Lite 3.2.2's first reader after a killed writer can return
each row twice (the next reader sees it once); such reads are reported apart, not as doubled records.
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from airbyte_cdk.models import AirbyteMessage, FailureType, Type
from pymilvus import MilvusClient

from testkit.faults import KillPoint, RunningWrite, records_after
from testkit.openai_stub import OpenAIStub
from testkit.runner import (
    catalog,
    catalog_dict,
    cursor_of,
    expected_chunk_counts,
    lean_config,
    main_command,
    record,
    state,
    stream,
    stub_embedding,
    ticket,
    write_files,
)
from testkit.servers import LiteServer

#: The repository root: the ``--stored`` child runs from here as ``python -m bench.soak``.
ROOT = Path(__file__).resolve().parent.parent

CHUNK_SIZE = 8
MAX_KILLS_IN_A_ROW = 3
#: Only the end-of-sync summary says this; it is printed after the final flush and load.
_SUMMARY = " CDC deletes, "
#: Syncs of one cycle before the soak stops: a sync that cannot complete without faults is a finding.
MAX_ATTEMPTS = 8


@dataclass
class Counts:
    cycles: int = 0
    syncs: int = 0
    faults: Counter[str] = field(default_factory=Counter)
    kill_points: Counter[str] = field(default_factory=Counter)
    endings: Counter[str] = field(default_factory=Counter)
    records_acknowledged: int = 0
    lost: int = 0
    doubled: int = 0
    missing: int = 0
    tracebacks: int = 0
    system_errors: int = 0
    unparsed: int = 0
    #: Rows a check read more than once (the same primary key): Milvus Lite 3.2.2's first reader after a
    #: killed writer can return each row twice. What is stored is counted by primary key; reported, not a failure.
    reread: int = 0
    seconds: float = 0.0


class Soak:
    def __init__(self, uri: str, folder: Path, stub: OpenAIStub, server: LiteServer | None, rng: random.Random):
        self.uri, self.folder, self.stub, self.server, self.rng = uri, folder, stub, server, rng
        self.collection = "soak"
        embedding = stub_embedding(stub.base_url, dimensions=stub.state.dimensions)
        self.config = lean_config(uri, self.collection, embedding=embedding, chunk_size=CHUNK_SIZE)
        self.expected: dict[str, int] = {}
        self.next_event = 0
        self.counts = Counts()

    # -- one cycle: a sync of new data, faulted, resumed until complete --------------------------------

    def cycle(self, number: int, records: int, special: str | None) -> None:
        dedup = number % 2 == 0
        name = "tickets" if dedup else "events"
        configured = stream(name, "append_dedup" if dedup else "append")
        messages: list[AirbyteMessage] = []
        # dedup: ids from a pool, each once per sync (a record comes back in a new version in a later sync)
        ids = (
            self.rng.sample(range(3 * records), records) if dedup else range(self.next_event, self.next_event + records)
        )
        self.next_event += 0 if dedup else records
        for index, record_id in enumerate(ids):
            data = ticket(record_id, words=self.rng.randint(5, 60), tag=f"c{number}")
            messages += [record(name, data), state(name, index)]
        config_path, catalog_path = write_files(self.folder, self.config, catalog_dict(configured))
        command = main_command("write", config_path, catalog_path)
        fault = special or self._pick_fault()
        self.counts.faults[fault] += 1
        remaining, kills, attempts = messages, 0, 0
        while remaining:
            attempts += 1
            if attempts > MAX_ATTEMPTS:
                raise RuntimeError(f"cycle {number}: no complete sync after {MAX_ATTEMPTS} attempts")
            self.counts.syncs += 1
            run = RunningWrite(command)
            killed = self._sync(run, remaining, fault)
            acknowledged = run.cursors()
            self._check_acknowledged(configured, remaining, acknowledged)
            if not killed and run.process.returncode == 0:
                break  # a completed sync stored everything it was sent
            if acknowledged:
                remaining = records_after(remaining, acknowledged[-1])
            kills += fault == "kill"
            chained = fault == "kill" and kills < MAX_KILLS_IN_A_ROW and self.rng.random() < 0.4
            fault = "kill" if chained else "none"
        self.counts.cycles += 1
        all_records = [m for m in messages if m.type == Type.RECORD]
        self.expected.update(expected_chunk_counts(self.config, catalog(configured), all_records))
        self._check_collection(number)

    def _pick_fault(self) -> str:
        kinds = ["kill", "kill", "kill", "outage", "none"] + (["restart", "restart"] if self.server else [])
        return self.rng.choice(kinds)

    def _sync(self, run: RunningWrite, messages: list[AirbyteMessage], fault: str) -> bool:
        """Run one sync with ``fault``; True when it was killed (SIGKILL of the write process)."""
        states = [cursor_of(m) for m in messages if m.type == Type.STATE]
        if fault == "kill":
            point = self._kill_point(states)
            self.counts.kill_points[point.kind] += 1
            run.send(messages if point.kind != "first_batch" else [m for m in messages if m.type == Type.RECORD])
            if point.kind == "after_last_state":
                run.send([], close=True)
            if point.kind == "first_batch":
                run.wait_until(lambda: bool(run.lines))
                time.sleep(point.delay)
            elif point.kind == "mid_stream":
                run.wait_until(lambda: max(run.cursors(), default=-1) >= point.cursor)
            else:
                run.wait_until(lambda: states[-1] in run.cursors())
                time.sleep(point.delay)
            result = run.kill()
            if result.exited is not None:
                self.counts.endings["kill: exited before it"] += 1
            elif point.kind == "after_last_state" and _SUMMARY not in result.stdout:
                self.counts.endings["kill: after the last STATE, before the end-of-sync summary (flush, load)"] += 1
            else:
                self.counts.endings[f"kill: {point.kind}"] += 1
            return result.exited is None
        run.send(messages)
        after = self.rng.choice(states[: max(1, len(states) // 2)])
        if fault in ("restart", "outage", "freeze", "hang"):
            run.wait_until(lambda: max(run.cursors(), default=-1) >= after)
        if fault == "restart" and self.server:
            self.server.kill()
            time.sleep(self.rng.uniform(0.0, 3.0))
            self.server.start()
        elif fault == "outage":
            self.stub.state.down = 429
            self.stub.state.retry_after = "0.01"
        elif fault == "freeze" and self.server:
            self.server.freeze()
        elif fault == "hang":
            self.stub.state.stall_next, self.stub.state.stall_seconds = -1, 120.0
        run.send([], close=True)
        out = run.finish(timeout=1800)
        self.stub.state.down = 0
        self.stub.state.stall_next = 0
        if fault == "freeze" and self.server:
            self.server.thaw()
        self.counts.tracebacks += "Traceback" in out.stdout + out.stderr
        self.counts.unparsed += len(out.unparsed)
        for error in out.errors:
            self.counts.system_errors += error.failure_type == FailureType.system_error
            self.counts.endings[f"{fault}: {error.failure_type.value}"] += 1
        if out.returncode == 0:
            self.counts.endings[f"{fault}: completed"] += 1
        return False

    def _kill_point(self, states: list[int]) -> KillPoint:
        kind = self.rng.choice(["first_batch", "mid_stream", "mid_stream", "after_last_state"])
        if kind == "mid_stream":
            return KillPoint(kind, cursor=self.rng.choice(states[: max(1, len(states) * 2 // 3)]))
        return KillPoint(kind, delay=self.rng.uniform(0.0, 1.5 if kind == "first_batch" else 0.5))

    # -- checks -----------------------------------------------------------------------------------------

    def _stored(self) -> Counter[str]:
        """Chunks per record id in the collection, read by a child process (a process that opens a Milvus
        Lite folder keeps it locked until it exits, and the next write process needs it). A row is one primary
        key: rows read more than once are counted in ``reread``, not as chunks."""
        child = subprocess.run(
            [sys.executable, "-m", "bench.soak", "--stored", self.uri, self.collection],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
        )
        read = json.loads(child.stdout.splitlines()[-1])
        self.counts.reread += read["reread"]
        return Counter(read["chunks"])

    def _check_acknowledged(
        self, configured: dict[str, Any], messages: list[AirbyteMessage], cursors: list[int]
    ) -> None:
        if not cursors:
            return
        last = cursors[-1]
        done, seen = [], False
        for message in messages:
            if message.type == Type.RECORD and not seen:
                done.append(message)
            elif message.type == Type.STATE and cursor_of(message) == last:
                seen = True
        wanted = expected_chunk_counts(self.config, catalog(configured), done)
        stored = self._stored()
        self.counts.records_acknowledged += len(done)
        self.counts.lost += sum(1 for rid, count in wanted.items() if stored.get(rid) != count)

    def _check_collection(self, number: int) -> None:
        stored = self._stored()
        doubled = sum(1 for rid, count in stored.items() if count > self.expected.get(rid, 0))
        missing = sum(1 for rid, count in self.expected.items() if stored.get(rid, 0) < count)
        self.counts.doubled += doubled
        self.counts.missing += missing
        if doubled or missing:
            print(f"  cycle {number}: {doubled} records doubled, {missing} missing", flush=True)


def _print_stored(uri: str, collection: str) -> None:
    """Print chunks per record id of ``collection`` (distinct primary keys) and the rows read twice, as JSON."""
    client = MilvusClient(uri)
    record_of: dict[str, str] = {}
    rows = 0
    try:
        if client.has_collection(collection):
            client.load_collection(collection)
            iterator = client.query_iterator(
                collection, batch_size=4000, filter="_ab_record_id != ''", output_fields=["pk", "_ab_record_id"]
            )
            while page := iterator.next():
                rows += len(page)
                record_of.update((row["pk"], row["_ab_record_id"]) for row in page)
            iterator.close()
    finally:
        client.close()
    print(json.dumps({"chunks": Counter(record_of.values()), "reread": rows - len(record_of)}))


def _report(backend: str, counts: Counts) -> None:
    print(f"== {backend}: {counts.cycles} cycles, {counts.syncs} write processes, {counts.seconds:.0f} s")
    print(f"  faults: {dict(sorted(counts.faults.items()))}")
    print(f"  kill points: {dict(sorted(counts.kill_points.items()))}")
    print(f"  endings: {dict(sorted(counts.endings.items()))}")
    print(
        f"  acknowledged records checked when a sync ended: {counts.records_acknowledged}; lost {counts.lost}; "
        f"records doubled {counts.doubled}; missing {counts.missing}; tracebacks {counts.tracebacks}; "
        f"system errors {counts.system_errors}; unparsable lines {counts.unparsed}",
        flush=True,
    )
    if counts.reread:
        print(
            f"  rows read twice by a check (the same primary key; Milvus Lite's first reader after a killed "
            f"writer): {counts.reread}",
            flush=True,
        )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--cycles", type=int, default=40)
    parser.add_argument("--records", type=int, default=80)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--backends", default="lite,lite_server")
    parser.add_argument("--freezes", type=int, default=1, help="server freezes per Lite gRPC server soak")
    parser.add_argument("--hangs", type=int, default=1, help="embedding hangs per backend")
    parser.add_argument("--stored", nargs=2, metavar=("URI", "COLLECTION"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.stored:
        _print_stored(*args.stored)
        return 0
    failures = 0
    for backend in args.backends.split(","):
        folder = Path(tempfile.mkdtemp(prefix=f"soak-{backend}-"))
        server = None
        try:
            if backend == "lite_server":
                (folder / "data").mkdir()
                server = LiteServer(folder / "data")
                server.start()
                uri = server.uri
            else:
                uri = str(folder / "milvus.db")
            rng = random.Random(f"{args.seed}-{backend}")
            specials = {}
            for _ in range(args.hangs):
                specials[rng.randrange(1, args.cycles)] = "hang"
            for _ in range(args.freezes if server else 0):
                specials[rng.randrange(1, args.cycles)] = "freeze"
            with OpenAIStub(dimensions=16) as stub:
                soak = Soak(uri, folder, stub, server, rng)
                started = time.monotonic()
                for number in range(args.cycles):
                    soak.cycle(number, args.records, specials.get(number))
                    soak.counts.seconds = time.monotonic() - started
                    if number % 10 == 9:
                        print(f"  {backend}: {number + 1} cycles in {soak.counts.seconds:.0f} s", flush=True)
            _report(backend, soak.counts)
            c = soak.counts
            failures += c.lost + c.doubled + c.missing + c.tracebacks + c.system_errors + c.unparsed
        finally:
            if server:
                server.stop()
            shutil.rmtree(folder, ignore_errors=True)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
