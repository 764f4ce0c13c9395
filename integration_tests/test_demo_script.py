"""The demo (examples/sync_and_search.py, what ``scripts/demo.sh`` runs) when its sync cannot run.

A Milvus Lite folder keeps the embedding its collection was built with, so the demo run with one
embedder against a folder built with the other must stop with the connector's plain message: it
used to add a BrokenPipeError traceback from the thread feeding the connector's stdin.
"""

import subprocess
import sys
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[1]
DEMO = PROJECT / "examples" / "sync_and_search.py"


def _demo(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(DEMO), *args], cwd=PROJECT, capture_output=True, text=True, timeout=600)


def test_a_demo_against_a_folder_of_the_other_embedder_fails_with_one_plain_message(tmp_path):
    db = str(tmp_path / "support.db")
    built = _demo("--embedding", "fake", "--db", db)
    assert built.returncode == 0, built.stderr[-2000:]
    assert "Articles that may answer it:" in built.stdout
    clash = _demo("--embedding", "local", "--db", db)
    assert clash.returncode == 1
    assert "Traceback" not in clash.stderr
    assert "BrokenPipeError" not in clash.stderr
    last = clash.stderr.strip().splitlines()[-1]
    assert last.startswith("The sync failed: ")
    assert "built with fake model 'hashed-bag-of-words', not 'all-MiniLM-L6-v2'" in last
