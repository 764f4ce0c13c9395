"""The ``support-search`` console script, run as a user would, on a help desk synced by ``main.py write``."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from integration_tests.sdk_fixtures import (
    AGENTS_SEGMENT,
    CARD_QUERY,
    METADATA_FIELDS,
    ORG,
    OTHER_ORG,
    RARE_WORD,
    TICKETS,
    subprocess_helpdesk,  # noqa: F401  (fixture)
    sync_in_subprocess,
)
from integration_tests.test_sdk_articles import ARTICLES as HC_ARTICLES
from integration_tests.test_sdk_articles import HC_FIELDS
from integration_tests.test_sdk_articles import PUBLISHED as HC_PUBLISHED
from integration_tests.test_sdk_articles import QUERY as HC_QUERY

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
    done = run("duplicates", CARD_QUERY, "--org", str(ORG), "--threshold", "0.999")
    assert (done.returncode, done.stdout.strip()) == (0, "No matching tickets.")


@pytest.mark.parametrize("threshold", ["1.5", "nan", "inf"])
def test_a_threshold_no_score_can_reach_is_an_error_not_an_empty_answer(run, threshold):
    done = run("duplicates", CARD_QUERY, "--org", str(ORG), "--threshold", threshold)
    assert (done.returncode, done.stdout) == (2, "")
    assert done.stderr.startswith("support-search: error: threshold ")
    assert len(done.stderr.strip().splitlines()) == 1


def test_an_empty_request_is_an_error(run):
    done = run("duplicates", "  \n ", "--org", str(ORG))
    assert (done.returncode, done.stdout) == (2, "")
    assert "empty" in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1


def test_a_customer_without_organisation_is_searched_by_requester(run):
    done = run("duplicates", CARD_QUERY, "--requester", "501", "--json", "--threshold", "-1", "--limit", "50")
    assert done.returncode == 0, done.stderr
    found = json.loads(done.stdout)
    requester_501_open = {"101", "102", "103", "104", "415"}  # 105/106 are solved/closed; 415 has no organisation
    assert {m["record_id"] for m in found} == requester_501_open
    assert {m["fields"]["requester_id"] for m in found} == {501}
    assert found[0]["record_id"] in {"101", "415"}  # the card-declined tickets


@pytest.mark.parametrize(
    ("options", "expected"),
    [
        (["--customer", "501", "--org", str(ORG)], {"101", "102", "103", "104", "415"}),  # own tickets only
        (["--customer", "501", "--org", str(ORG), "--shared-tickets"], None),  # the organisation's open tickets
    ],
    ids=["not_shared", "shared"],
)
def test_a_customer_sees_their_own_tickets_or_their_organisations_where_shared(run, options, expected):
    done = run("duplicates", CARD_QUERY, *options, "--json", "--threshold", "-1", "--limit", "50")
    assert done.returncode == 0, done.stderr
    found = json.loads(done.stdout)
    if expected is None:
        assert {m["fields"]["organization_id"] for m in found} == {ORG}
        assert len({m["fields"]["requester_id"] for m in found}) > 1
    else:
        assert {m["record_id"] for m in found} == expected


def test_articles_for_a_readers_segments_and_only_public_ones_without(run):
    query = "I returned the headphones and the refund is still missing"
    public = run("articles", query, "--json", "--threshold", "-1", "--limit", "50")
    agents = run("articles", query, "--segment", str(AGENTS_SEGMENT), "--json", "--threshold", "-1", "--limit", "50")
    assert public.returncode == agents.returncode == 0, public.stderr + agents.stderr
    assert "306" not in {m["record_id"] for m in json.loads(public.stdout)}
    assert json.loads(agents.stdout)[0]["record_id"] == "306"


def test_duplicates_without_a_tenant_is_a_usage_error(run):
    done = run("duplicates", CARD_QUERY)
    assert (done.returncode, done.stdout) == (2, "")
    assert "--org" in done.stderr and "--requester" in done.stderr
    assert "Traceback" not in done.stderr


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


@pytest.fixture(scope="module")
def help_centre(tmp_path_factory):
    """test_sdk_articles' help centre (drafts, locales, sections, labels), synced in a child process."""
    work = tmp_path_factory.mktemp("cli-help-centre")
    uri = str(work / "support.db")
    sync_in_subprocess(uri, "hc", {"articles": HC_ARTICLES}, work, metadata_fields=HC_FIELDS)
    return uri


def _articles(uri, *args):
    done = subprocess.run(
        [str(SCRIPT), "articles", HC_QUERY, "--uri", uri, "--collection", "hc", "--json", "--threshold", "-1",
         "--limit", "50", *args],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    return [m["record_id"] for m in json.loads(done.stdout)]


def test_articles_leave_drafts_out_unless_asked(help_centre):
    assert set(_articles(help_centre)) == HC_PUBLISHED
    with_drafts = _articles(help_centre, "--include-drafts")
    assert set(with_drafts) == {str(a["id"]) for a in HC_ARTICLES}
    assert with_drafts[0] == "802"  # the draft that repeats the query


def test_articles_filter_by_locale_section_and_label(help_centre):
    assert _articles(help_centre, "--locale", "fr") == ["803"]
    assert set(_articles(help_centre, "--locale", "fr", "--locale", "en-us")) == HC_PUBLISHED
    assert set(_articles(help_centre, "--section", "12")) == {"803", "804"}
    assert set(_articles(help_centre, "--section", "11", "--section", "13")) == {"801", "805"}
    assert _articles(help_centre, "--label", "cards") == ["801"]
    assert set(_articles(help_centre, "--label", "cards", "--include-drafts")) == {"801", "802"}


def test_a_namespaced_connection_is_searched_by_naming_its_stream(tmp_path):
    # A destination namespace stores tickets as acme_tickets: the default stream finds nothing.
    uri = str(tmp_path / "support.db")
    fields = [*METADATA_FIELDS, *(f for f in HC_FIELDS if f not in METADATA_FIELDS)]
    desk = {"tickets": TICKETS, "articles": HC_ARTICLES}
    sync_in_subprocess(uri, "zendesk", desk, tmp_path, metadata_fields=fields, namespace="acme")

    def search(*args):
        done = subprocess.run(
            [str(SCRIPT), *args, "--uri", uri, "--collection", "zendesk", "--json", "--threshold", "-1"],
            capture_output=True, text=True, timeout=120,
        )  # fmt: skip
        assert done.returncode == 0, done.stderr
        return [m["record_id"] for m in json.loads(done.stdout)]

    assert search("duplicates", CARD_QUERY, "--org", str(ORG)) == []
    assert search("duplicates", CARD_QUERY, "--org", str(ORG), "--stream", "acme_tickets")[0] == "101"
    assert search("articles", HC_QUERY) == []
    assert search("articles", HC_QUERY, "--stream", "acme_articles")[0] == "801"
