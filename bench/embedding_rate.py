"""Embedding at the service's limit: base64 vs float vectors, a 429 storm vs a clean service, a tokens-per-minute limit.

Usage: python -m bench.embedding_rate [--texts 4096] [--records 6000] [--dimensions 1536] [--repeats 3]
                                      [--sync-repeats 2] [--latency 0.25] [--storm-retry-after 1.0]
                                      [--tpm-share 0.5] [--skip-vectors | --skip-sync]

The OpenAI-compatible stub (``testkit/openai_stub.py``) runs in a process of its own, so
its work does not share the measured interpreter; the real ``openai`` client talks to it.

1. vectors: ``OpenAIEmbedder.embed`` of ``--texts`` Zendesk-shaped texts at ``--dimensions``, asking
   for base64 (what it does now) against a stub that answers base64, and against one that answers
   float JSON whatever is asked (what every request cost before: the float path, client and server
   side). The stubs are warmed first (their vectors cached), no latency; repeats interleaved.
2. sync: the connector's ``write`` (Milvus Lite, a fresh database per run) of ``--records`` tickets
   against a stub with ``--latency`` per request: clean; with every other request answered 429 +
   Retry-After ``--storm-retry-after`` s (target: at most 2.5x the clean time); and with a
   tokens-per-minute limit set to ``--tpm-share`` of the clean run's token rate (target: the stub's
   own counters show at least 85% of the limit used: served tokens over what the bucket allowed
   between the first and last admitted request). ``--tpm-share 0`` skips it.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterator

from bench import _common as c

MODULE = "bench.embedding_rate"


@contextmanager
def stub(**settings: Any) -> Iterator[str]:
    """An OpenAI-compatible stub in its own process; yields its base URL."""
    process = subprocess.Popen(
        [sys.executable, "-m", "testkit.openai_stub", json.dumps(settings)],
        cwd=c.ROOT,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        yield process.stdout.readline().strip()
    finally:
        assert process.stdin is not None
        process.stdin.close()
        process.wait(timeout=30)


def stats(base_url: str) -> dict[str, Any]:
    with urllib.request.urlopen(base_url.removesuffix("/v1") + "/stats", timeout=30) as answer:
        return dict(json.loads(answer.read()))


def texts(count: int) -> list[str]:
    """Ticket texts (subject and description) as the connector would embed them, cut to 256 tokens."""
    out = []
    for ticket in c.tickets(count):
        out.append(f"{ticket.get('subject') or ''}\n{ticket.get('description') or ''}"[:1200])
    return out


# -- phases (each in its own process) -------------------------------------------------------------------


def phase_embed(url: str, count: int, dimensions: int) -> dict[str, Any]:
    from query_sdk.embedders import OpenAIEmbedder

    inputs = texts(count)
    with OpenAIEmbedder(
        api_key="k", model="stub", dimensions=dimensions, mode="openai_compatible", base_url=url, max_batch_inputs=256
    ) as embedder:
        counts = [embedder.count_tokens(t) for t in inputs]
        with c.Stopwatch() as sw:
            vectors = embedder.embed(inputs, token_counts=counts)
    assert len(vectors) == count and all(len(v) == dimensions for v in vectors)
    return {"seconds": sw.seconds, "rss_mb": c.rss_mb()}


def phase_sync(url: str, records: int, dimensions: int, workdir: str) -> dict[str, Any]:
    from destination_milvus_support.destination import DestinationMilvusSupport

    config = c.config(str(Path(workdir) / "milvus.db"), f"b_{uuid.uuid4().hex[:8]}")
    config["embedding"] = {
        "mode": "openai_compatible",
        "api_key": "k",
        "base_url": url,
        "model_name": "stub",
        "dimensions": dimensions,
    }
    catalog = c.catalog()
    destination = DestinationMilvusSupport()
    for _ in destination.write(config, catalog, iter([])):  # creates the collection, untimed
        pass
    states = 0
    with c.Stopwatch() as sw:
        for message in destination.write(config, catalog, c.ticket_messages(records)):
            states += message.state is not None
    return {"seconds": sw.seconds, "states": states, "peak_rss_mb": c.rss_mb()}


# -- orchestration ----------------------------------------------------------------------------------------


def _phase(args: list[str]) -> dict[str, Any]:
    return c.run_phase(MODULE, ["--phase", *args])


def bench_vectors(count: int, dimensions: int, repeats: int) -> dict[str, Any]:
    times: dict[str, list[float]] = {"base64": [], "float": []}
    with stub(dimensions=dimensions) as b64, stub(dimensions=dimensions, base64_support="ignore") as floats:
        urls = {"base64": b64, "float": floats}
        for url in urls.values():  # warm the stubs' vector caches
            _phase(["embed", url, str(count), str(dimensions)])
        for _ in range(repeats):
            for name, url in urls.items():
                times[name].append(_phase(["embed", url, str(count), str(dimensions)])["seconds"])
    result = {name: statistics.median(values) for name, values in times.items()}
    result["float_over_base64"] = result["float"] / result["base64"]
    result["runs"] = times
    return result


def _sync(settings: dict[str, Any], records: int, dimensions: int) -> dict[str, Any]:
    workdir = tempfile.mkdtemp(prefix="embedrate-")
    try:
        with stub(dimensions=dimensions, **settings) as url:
            outcome = _phase(["sync", url, str(records), str(dimensions), workdir])
            outcome["stub"] = stats(url)
        return outcome
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def bench_sync(
    records: int, dimensions: int, latency: float, storm_retry_after: float, tpm_share: float, repeats: int
) -> dict:
    cleans, storms = [], []
    for _ in range(repeats):  # interleaved: the machine's load changes between runs
        cleans.append(_sync({"latency": latency}, records, dimensions))
        storms.append(
            _sync({"latency": latency, "storm_every": 2, "storm_retry_after": storm_retry_after}, records, dimensions)
        )
    # The fastest run of each: the one the machine's other work disturbed least.
    clean = min(cleans, key=lambda run: run["seconds"])
    storm = min(storms, key=lambda run: run["seconds"])
    tokens_per_second = clean["stub"]["tokens_served"] / clean["seconds"]
    tpm = int(tokens_per_second * 60 * tpm_share)
    limited = _sync({"latency": latency, "tokens_per_minute": tpm}, records, dimensions) if tpm_share else None
    return {
        "clean": clean,
        "storm": storm,
        "storm_over_clean": storm["seconds"] / clean["seconds"],
        "runs": {"clean": [r["seconds"] for r in cleans], "storm": [r["seconds"] for r in storms]},
        "tokens_per_minute": tpm,
        "limited": limited,
        "utilisation": limited["stub"]["token_utilisation"] if limited else None,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--phase", nargs="+")
    parser.add_argument("--texts", type=int, default=4096)
    parser.add_argument("--records", type=int, default=6000)
    parser.add_argument("--dimensions", type=int, default=1536)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--latency", type=float, default=0.25)
    parser.add_argument("--storm-retry-after", type=float, default=1.0)
    parser.add_argument("--tpm-share", type=float, default=0.5, help="0 skips the limited run")
    parser.add_argument("--sync-repeats", type=int, default=2)
    skip = parser.add_mutually_exclusive_group()
    skip.add_argument("--skip-vectors", action="store_true", help="only the syncs (2.)")
    skip.add_argument("--skip-sync", action="store_true", help="only the vectors (1.)")
    args = parser.parse_args()
    if args.phase:
        kind, url, amount, dimensions, *rest = args.phase
        if kind == "embed":
            print(json.dumps(phase_embed(url, int(amount), int(dimensions))))
        else:
            print(json.dumps(phase_sync(url, int(amount), int(dimensions), rest[0])))
        return
    print(c.machine())
    started = time.time()
    if not args.skip_vectors:
        vectors = bench_vectors(args.texts, args.dimensions, args.repeats)
        print(
            f"vectors: {args.texts} texts at {args.dimensions} dims: base64 {vectors['base64']:.2f} s, "
            f"float {vectors['float']:.2f} s, float/base64 {vectors['float_over_base64']:.2f}x  "
            f"(runs {json.dumps(vectors['runs'])})"
        )
    if args.skip_sync:
        print(f"total {time.time() - started:.0f} s")
        return
    sync = bench_sync(
        args.records, args.dimensions, args.latency, args.storm_retry_after, args.tpm_share, args.sync_repeats
    )
    clean, storm, limited = sync["clean"], sync["storm"], sync["limited"]
    print(
        f"sync of {args.records} tickets at {args.dimensions} dims (Lite, stub latency {args.latency} s): "
        f"clean {clean['seconds']:.1f} s ({clean['stub']['inputs_embedded']} inputs, "
        f"{clean['stub']['tokens_served']} tokens, {clean['stub']['requests']} requests)"
    )
    print(
        f"429 storm (every other request, Retry-After {args.storm_retry_after} s): {storm['seconds']:.1f} s, "
        f"{sync['storm_over_clean']:.2f}x clean (target <= 2.5x); {storm['stub']['rate_limited']} 429s of "
        f"{storm['stub']['requests']} requests; {storm['states']} STATEs (clean {clean['states']}); "
        f"fastest of {json.dumps(sync['runs'])}"
    )
    if limited is not None:
        print(
            f"tokens-per-minute limit {sync['tokens_per_minute']} ({args.tpm_share:.0%} of the clean rate): "
            f"{limited['seconds']:.1f} s, utilisation {sync['utilisation']:.1%} (target >= 85%); "
            f"{limited['stub']['rate_limited']} 429s of {limited['stub']['requests']} requests"
        )
    print(f"total {time.time() - started:.0f} s")


if __name__ == "__main__":
    main()
