"""The main job: sync the bundled sample help desk into Milvus Lite through the real ``write`` entry point,
then ask both questions with query_sdk.

Run it with ``bash scripts/demo.sh`` (which installs what it needs), or directly:
``python examples/sync_and_search.py [--db ./support.db] [--embedding local|fake]``.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "sample_data"
NEW_REQUEST = "I ordered a new card two weeks ago and it still has not arrived. Where is it?"
REFUND_REQUEST = "I want a refund of 700 euros for my order"
#: The sample desk's user segment of agents and managers (sample_data/articles.py).
AGENTS_SEGMENT = 360000000101


def _bar(done: int, total: int, acked: int, started: float) -> str:
    width = 30
    filled = int(width * done / max(total, 1))
    rate = done / max(time.monotonic() - started, 1e-9)
    return (
        f"\r  [{'#' * filled}{'.' * (width - filled)}] {done}/{total} records sent, {acked} acknowledged, {rate:.0f}/s"
    )


def sync(db: Path, embedding: str) -> None:
    """Pipe the sample messages into ``main.py write`` and show progress from its STATE messages."""
    config = json.loads((SAMPLE / f"config_{embedding}.json").read_text())
    config["indexing"]["host"] = str(db)
    work = Path(tempfile.mkdtemp(prefix="support-demo-"))
    (work / "config.json").write_text(json.dumps(config))
    lines = (SAMPLE / "messages.jsonl").read_text().splitlines()
    total = sum(1 for line in lines if '"RECORD"' in line[:20])
    process = subprocess.Popen(
        [sys.executable, str(ROOT / "main.py"), "write", "--config", str(work / "config.json"),
         "--catalog", str(SAMPLE / "catalog_append_dedup.json")],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    assert process.stdin is not None and process.stdout is not None
    sent = [0]
    records_before_state: list[int] = []

    def feed() -> None:
        assert process.stdin is not None
        for line in lines:
            if '"RECORD"' in line[:20]:
                sent[0] += 1
            else:
                records_before_state.append(sent[0])
            try:
                process.stdin.write(line + "\n")
            except BrokenPipeError:  # the connector stopped early; its TRACE message says why
                return
        with contextlib.suppress(BrokenPipeError):
            process.stdin.close()

    started = time.monotonic()
    threading.Thread(target=feed, daemon=True).start()
    acked, summary, failure = 0, [], None
    for raw in process.stdout:
        message = json.loads(raw)
        if message["type"] == "STATE" and records_before_state:
            acked = records_before_state.pop(0)
        elif message["type"] == "LOG" and message["log"]["message"].startswith(("Stream ", "Created")):
            summary.append(message["log"]["message"])
        elif message["type"] == "TRACE" and message["trace"].get("error"):
            failure = message["trace"]["error"]["message"]
        sys.stderr.write(_bar(sent[0], total, acked, started))
    process.wait()
    sys.stderr.write(_bar(sent[0], total, acked, started) + "\n")
    if process.returncode != 0:
        sys.exit(f"The sync failed: {failure}")
    for line in summary:
        print(f"  {line}")


def ask(db: Path) -> None:
    """Ask both questions of the synced collection and print the answers."""
    from query_sdk import SupportSearch

    with SupportSearch.connect(uri=str(db), collection="zendesk") as search:
        org = 360001
        print(f'\nA customer of organisation {org} writes:\n  "{NEW_REQUEST}"\n')
        duplicates = search.find_duplicate_tickets(NEW_REQUEST, organization_id=org, limit=3)
        if duplicates:
            print("Likely duplicate of open tickets in the same organisation:")
            for match in duplicates:
                print(f"  #{match.record_id:<6} {match.score:.3f}  [{match.status}] {match.subject}")
        else:
            print("No open ticket of this organisation looks like it: accept the request.")
        print("\nArticles that may answer it:")
        for article in search.recommend_articles(NEW_REQUEST, limit=3):
            print(f"  {article.score:.3f}  {article.title}\n         {article.html_url}")
        print(f'\nWho sees what: "{REFUND_REQUEST}"')
        for reader, segments in (("a customer", []), ("an agent", [AGENTS_SEGMENT])):
            found = search.recommend_articles(REFUND_REQUEST, limit=2, user_segment_ids=segments)
            print(f"  {reader:<11} is recommended: " + "; ".join(a.title or a.record_id for a in found))
        spec, thresholds = search.embedder.spec, search.thresholds
        print(f"\n(dense search; embedding: {spec.mode} {spec.model}; duplicate threshold {thresholds.duplicate:.3f},")
        print(f" {thresholds.basis}: {thresholds.source})")


def main() -> None:
    """Parse arguments, sync, ask."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--db",
        type=Path,
        help="Milvus Lite folder (default: ./support.db, or ./support-fake.db with --embedding fake: a "
        "collection keeps the embedding it was built with)",
    )
    parser.add_argument("--embedding", choices=["local", "fake"], default="local")
    args = parser.parse_args()
    if args.db is None:
        args.db = ROOT / ("support.db" if args.embedding == "local" else f"support-{args.embedding}.db")
    print(f"Syncing the sample help desk into Milvus Lite at {args.db} ...")
    sync(args.db.resolve(), args.embedding)
    ask(args.db.resolve())


if __name__ == "__main__":
    main()
