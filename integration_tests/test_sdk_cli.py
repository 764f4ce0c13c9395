"""The ``support-search`` console script, run as a user would, on a help desk synced by ``main.py write``."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from integration_tests.sdk_fixtures import (
    CARD_QUERY,
    ORG,
    OTHER_ORG,
    RARE_WORD,
    TICKETS,
    subprocess_helpdesk,  # noqa: F401  (fixture)
)

SCRIPT = Path(sys.executable).with_name("support-search")
OTHER_ORG_IDS = {str(t["id"]) for t in TICKETS if t["organization_id"] == OTHER_ORG}


@pytest.fixture
def run(subprocess_helpdesk, tmp_path):  # noqa: F811
    def run(*args: str) -> subprocess.CompletedProcess:
        where = ["--uri", subprocess_helpdesk.uri, "--collection", subprocess_helpdesk.collection]
        return subprocess.run([str(SCRIPT), *args, *where], cwd=tmp_path, capture_output=True, text=True, timeout=120)

    return run


def test_duplicates_print_an_aligned_table(run):
    done = run("duplicates", CARD_QUERY, "--org", str(ORG), "--threshold", "0.3")
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0].split() == ["SCORE", "ID", "SUBJECT", "STATUS"]
    rows = [line.split() for line in lines[1:]]
    assert rows[0][1] == "101"
    assert rows[0][-1] == "open"
    assert not {row[1] for row in rows} & OTHER_ORG_IDS
    scores = [float(row[0]) for row in rows]
    assert scores == sorted(scores, reverse=True)
    status_column = lines[0].index("STATUS")
    assert all(line[status_column - 1] == " " and line[status_column] != " " for line in lines)


def test_duplicates_as_json_with_a_limit_and_statuses(run):
    done = run("duplicates", CARD_QUERY, "--org", str(ORG), "--json", "--limit", "2", "--threshold", "-1",
               "--status", "solved", "--status", "open")  # fmt: skip
    assert done.returncode == 0, done.stderr
    found = json.loads(done.stdout)
    assert [m["record_id"] for m in found] == ["105", "101"]
    assert set(found[0]) == {"record_id", "score", "snippet", "stream", "fields"}
    assert found[0]["fields"] == {
        "id": 105,
        "organization_id": ORG,
        "requester_id": 501,
        "status": "solved",
        "subject": "Card declined",
    }
    assert found[0]["stream"] == "tickets"


def test_articles_as_json_carry_their_link(run):
    done = run("articles", "why was my card declined", "--json", "--limit", "1")
    assert done.returncode == 0, done.stderr
    found = json.loads(done.stdout)
    assert [(m["record_id"], m["fields"]["html_url"]) for m in found] == [
        ("301", "https://help.example.com/articles/301")
    ]


def test_hybrid_ranks_a_rare_keyword_higher(run):
    query = f"my debit card shows {RARE_WORD}"
    ranked = {}
    for mode in ("dense", "hybrid"):
        extra = ["--hybrid"] if mode == "hybrid" else []
        done = run("duplicates", query, "--org", str(ORG), "--json", "--limit", "20", "--threshold", "-1", *extra)
        assert done.returncode == 0, done.stderr
        ranked[mode] = [m["record_id"] for m in json.loads(done.stdout)]
    assert ranked["hybrid"].index("109") < ranked["dense"].index("109")


def test_no_matches_say_so(run):
    done = run("duplicates", CARD_QUERY, "--org", str(ORG), "--threshold", "1.01")
    assert (done.returncode, done.stdout.strip()) == (0, "No matching tickets.")


def test_a_bad_org_exits_2_with_one_plain_line(run):
    done = run("duplicates", CARD_QUERY, "--org", '42" or "1"=="1')
    assert done.returncode == 2
    assert done.stdout == ""
    assert done.stderr.startswith("support-search: error: ")
    assert len(done.stderr.strip().splitlines()) == 1
    assert "Traceback" not in done.stderr


def test_a_missing_collection_exits_2_naming_it(subprocess_helpdesk, tmp_path):  # noqa: F811
    done = subprocess.run(
        [str(SCRIPT), "articles", "x", "--uri", subprocess_helpdesk.uri, "--collection", "nope"],
        cwd=tmp_path, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert done.returncode == 2
    assert done.stderr.strip().splitlines() == [
        f"support-search: error: Collection 'nope' does not exist at {subprocess_helpdesk.uri}. "
        "Run a sync into it first, or check the collection name."
    ]
