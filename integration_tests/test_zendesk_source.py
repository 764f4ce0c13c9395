"""The tutorial end to end: the real Zendesk Support source (4.9.1) syncs ``tickets`` and ``articles`` into the connector.

The source runs from its own venv (``zendesk_env.py``) against the HTTPS stub of Zendesk's API
(``zendesk_stub.py``) in a private mount + network namespace, so its hard-coded
``https://SUBDOMAIN.zendesk.com`` reaches loopback and the machine's /etc/hosts is left alone. Two
paths, as in docs/tutorial.md: a shell pipe (``source read | main.py write``, the catalog the source
discovered, Incremental | Append + Deduped on its own cursors) and PyAirbyte with ``cache=False``
(``examples/pyairbyte_zendesk.py``). Each syncs twice: the second time the stub's account has
moved on (a ticket solved, one rewritten, an article edited) and the source reads from the state the
destination passed on. What an app sees is checked through ``query_sdk.SupportSearch``.
"""

from __future__ import annotations

import json
import shlex
import sys
from collections import Counter
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterator

import pytest
from milvus_lite.server_manager import server_manager_instance

from query_sdk import SupportSearch
from testkit import zendesk_stub as stub
from testkit.pyairbyte_env import DESTINATION_EXECUTABLE, REPO, PyAirbyteEnv, ensure_pyairbyte_env
from testkit.runner import MilvusReader
from testkit.zendesk_env import ZendeskSandbox, ensure_zendesk_source_env, namespace_problem

HOST = f"{stub.SUBDOMAIN}.zendesk.com"
EXAMPLE = REPO / "examples" / "pyairbyte_zendesk.py"
STREAMS = ("tickets", "articles")
#: The tutorial's source config (the API token comes from the environment in the PyAirbyte example).
SOURCE_CONFIG = {
    "subdomain": stub.SUBDOMAIN,
    "start_date": "2025-01-01T00:00:00Z",
    "credentials": {"credentials": "api_token", "email": stub.EMAIL, "api_token": stub.API_TOKEN},
}
TICKETS, ARTICLES = len(stub.account_tickets(1)), len(stub.account_articles(1))
ID = {name: fields["id"] for name, fields in stub.SCRIPTED.items()}


@pytest.fixture(scope="module")
def sandbox(tmp_path_factory: pytest.TempPathFactory) -> ZendeskSandbox:
    """The source's venv (created once, then cached) and the stub's certificates and hosts file."""
    problem = namespace_problem()
    assert problem is None, f"The Zendesk source test needs a private network namespace: {problem}"
    return ZendeskSandbox.create(ensure_zendesk_source_env(), tmp_path_factory.mktemp("zendesk"), HOST)


def destination_config(db: str, collection: str) -> dict[str, Any]:
    """The tutorial's destination config with the fake embedding (the page uses the local model)."""
    sys.path.insert(0, str(EXAMPLE.parent))
    try:
        import pyairbyte_zendesk  # the example owns the tutorial's config
    finally:
        sys.path.remove(str(EXAMPLE.parent))
    config: dict[str, Any] = pyairbyte_zendesk.destination_config(db, collection, "fake")
    return config


def discovered_catalog(sandbox: ZendeskSandbox, work: Path) -> dict[str, Any]:
    """``check`` and ``discover``, then tickets and articles configured as the Airbyte UI does for Incremental | Append + Deduped."""
    config = work / "source.json"
    config.write_text(json.dumps(SOURCE_CONFIG))
    source, checked, out = shlex.quote(str(sandbox.env.executable)), work / "check.jsonl", work / "discover.jsonl"
    log = work / "requests-discover.jsonl"
    commands = f"{source} check --config {config} > {checked}; {source} discover --config {config} > {out}"
    done = sandbox.run(commands, phase=1, log=log)
    assert done.returncode == 0, done.stderr[-3000:]
    status = next(json.loads(line)["connectionStatus"] for line in checked.open() if '"CONNECTION_STATUS"' in line)
    assert status["status"] == "SUCCEEDED", status
    assert [json.loads(line)["path"] for line in log.open()] == ["/api/v2/account/settings.json"]
    catalog = next(json.loads(line)["catalog"] for line in out.open() if '"CATALOG"' in line)
    configured = []
    for stream in catalog["streams"]:
        if stream["name"] in STREAMS:
            assert stream["source_defined_cursor"] and "incremental" in stream["supported_sync_modes"]
            configured.append(
                {
                    "stream": stream,
                    "sync_mode": "incremental",
                    "destination_sync_mode": "append_dedup",
                    "cursor_field": stream["default_cursor_field"],
                    "primary_key": stream["source_defined_primary_key"],
                    "generation_id": 1,
                    "minimum_generation_id": 0,
                    "sync_id": 1,
                }
            )
    return {"streams": sorted(configured, key=lambda s: s["stream"]["name"])}


def pipe_sync(sandbox: ZendeskSandbox, work: Path, *, phase: int, state: Path | None) -> dict[str, Any]:
    """``source read | main.py write`` in the sandbox; returns the records read and the STATEs passed on."""
    q = shlex.quote
    source = f"{q(str(sandbox.env.executable))} read --config {work / 'source.json'} --catalog {work / 'catalog.json'}"
    if state is not None:
        source += f" --state {state}"
    read, written = work / f"read-{phase}.jsonl", work / f"written-{phase}.jsonl"
    destination = f"PYTHONPATH={q(str(REPO))} {q(sys.executable)} main.py write --config {work / 'destination.json'}"
    commands = f"{source} | tee {read} | {destination} --catalog {work / 'catalog.json'} > {written}"
    log = work / f"requests-{phase}.jsonl"
    done = sandbox.run(commands, phase=phase, log=log)
    assert done.returncode == 0, f"exit code {done.returncode}\n{done.stderr[-3000:]}"
    messages = [json.loads(line) for line in read.open()]
    passed_on = [json.loads(line) for line in written.open() if '"STATE"' in line]
    return {
        "records": Counter(m["record"]["stream"] for m in messages if m["type"] == "RECORD"),
        "ids": {(m["record"]["stream"], m["record"]["data"]["id"]) for m in messages if m["type"] == "RECORD"},
        "states": passed_on,
        "requests": [json.loads(line) for line in log.open()],
    }


def state_file(states: list[dict[str, Any]], path: Path) -> Path:
    """The last STATE per stream the destination passed on, as the platform hands them to the next read."""
    last = {m["state"]["stream"]["stream_descriptor"]["name"]: m["state"] for m in states}
    path.write_text(json.dumps(list(last.values())))
    return path


def chunks(db: str, collection: str) -> dict[str, Counter[str]]:
    """Rows per record id, per stream, read with a plain client (then the Lite folder is released)."""
    try:
        with MilvusReader(db, collection) as reader:
            rows = reader.rows()
    finally:
        server_manager_instance.release_server(db)
    return {s: Counter(r["_ab_record_id"] for r in rows if r["_ab_stream"] == s) for s in STREAMS}


def texts(db: str, collection: str, record_id: str) -> str:
    try:
        with MilvusReader(db, collection) as reader:
            return "\n".join(reader.texts(record_id))
    finally:
        server_manager_instance.release_server(db)


@pytest.fixture
def search_of(lite_uri: str, collection_name: str) -> Iterator[Any]:
    """Open ``SupportSearch`` on the synced collection for one block of questions (``with search_of() as s``)."""

    @contextmanager
    def opened() -> Iterator[SupportSearch]:
        try:
            with SupportSearch.connect(uri=lite_uri, collection=collection_name) as search:
                yield search
        finally:
            server_manager_instance.release_server(lite_uri)

    yield opened


def ticket_ids(matches: list[Any]) -> list[int]:
    return [int(m.record_id) for m in matches]


def assert_first_sync_answers(search: SupportSearch) -> None:
    """Duplicates stay within the organisation; the ticket to be solved is still open; articles are found."""
    duplicates = search.find_duplicate_tickets(stub.DUPLICATE_TEXT, organization_id=360001)
    assert ticket_ids(duplicates)[:1] == [ID["duplicate_a"]], duplicates
    assert {m.fields["organization_id"] for m in duplicates} == {360001}
    other = search.find_duplicate_tickets(stub.DUPLICATE_TEXT, organization_id=360002)
    assert ticket_ids(other)[:1] == [ID["duplicate_other_org"]]
    assert ID["duplicate_no_org"] not in ticket_ids(duplicates + other)  # no organisation: nobody's duplicate
    open_one = search.find_duplicate_tickets(stub.SOLVED_TEXT, organization_id=360001)
    assert ticket_ids(open_one)[:1] == [ID["to_be_solved"]] and open_one[0].status == "open"
    long_article = next(a for a in stub.account_articles(1) if a["id"] == stub.LONG_ARTICLE_ID)
    found = search.recommend_articles("check the delivery address and the PIN settings of my card")
    assert found and int(found[0].record_id) == long_article["id"], found
    german = search.recommend_articles("Wo ist meine neue Karte? Versandstatus prüfen")
    assert german and int(german[0].record_id) == stub.GERMAN_ARTICLE_ID
    assert german[0].fields["locale"] == "de"
    # Restricted to agents: never shown to a customer; first for a reader of that segment.
    everyone = search.recommend_articles(stub.AGENTS_ONLY_QUERY, threshold=-1.0, limit=50)
    assert stub.AGENTS_ONLY_ARTICLE_ID not in {int(m.record_id) for m in everyone}
    agents = search.recommend_articles(stub.AGENTS_ONLY_QUERY, user_segment_ids=[stub.AGENTS_SEGMENT_ID])
    assert agents and int(agents[0].record_id) == stub.AGENTS_ONLY_ARTICLE_ID


def assert_second_sync_answers(search: SupportSearch) -> None:
    """The solved ticket is no longer an open duplicate; the rewritten one is found by its new text."""
    assert ID["to_be_solved"] not in ticket_ids(search.find_duplicate_tickets(stub.SOLVED_TEXT, organization_id=360001))
    rewritten = search.find_duplicate_tickets(stub.NEW_TEXT, organization_id=360003)
    assert ticket_ids(rewritten)[:1] == [ID["rewritten"]] and rewritten[0].status == "open"
    edited = next(a for a in stub.account_articles(2) if a["id"] == stub.EDITED_ARTICLE_ID)
    found = search.recommend_articles(edited["title"])
    assert found and int(found[0].record_id) == edited["id"] and found[0].fields["title"] == edited["title"]


def assert_collection_holds_the_account(db: str, collection: str) -> None:
    """One set of rows per ticket and article (dedup kept no old versions); the long article is split."""
    stored = chunks(db, collection)
    assert len(stored["tickets"]) == TICKETS and len(stored["articles"]) == ARTICLES
    assert set(stored["tickets"]) == {f"tickets_{t['id']}" for t in stub.account_tickets(1)}
    assert stored["articles"][f"articles_{stub.LONG_ARTICLE_ID}"] > 3
    try:
        with MilvusReader(db, collection) as reader:
            drafts = {r["_ab_record_id"] for r in reader.rows('_ab_stream == "articles" and draft == true')}
    finally:
        server_manager_instance.release_server(db)
    assert drafts == {f"articles_{stub.DRAFT_ARTICLE_ID}"}  # stored and filterable; whether apps show drafts is theirs
    assert max(stored["tickets"].values()) == 1  # ticket texts are short: one chunk each


def test_shell_pipe_syncs_the_real_source_twice_and_the_app_sees_the_changes(
    sandbox, lite_uri, collection_name, search_of, tmp_path
):
    catalog = discovered_catalog(sandbox, tmp_path)
    assert [(s["stream"]["name"], s["cursor_field"]) for s in catalog["streams"]] == [
        ("articles", ["updated_at"]),
        ("tickets", ["generated_timestamp"]),
    ]
    (tmp_path / "catalog.json").write_text(json.dumps(catalog))
    (tmp_path / "destination.json").write_text(json.dumps(destination_config(lite_uri, collection_name)))

    first = pipe_sync(sandbox, tmp_path, phase=1, state=None)
    assert first["records"] == {"tickets": TICKETS, "articles": ARTICLES}
    paths = Counter(r["path"] for r in first["requests"])
    assert paths["/api/v2/incremental/tickets/cursor.json"] == 3  # start_time, then two after_url pages
    assert paths["/api/v2/help_center/incremental/articles"] == 4  # three pages of 30, then an empty one
    assert {m["state"]["stream"]["stream_descriptor"]["name"] for m in first["states"]} == set(STREAMS)
    assert_collection_holds_the_account(lite_uri, collection_name)
    with search_of() as search:
        assert_first_sync_answers(search)

    state = state_file(first["states"], tmp_path / "state.json")
    second = pipe_sync(sandbox, tmp_path, phase=2, state=state)
    cursor = {
        s["stream"]["stream_descriptor"]["name"]: s["stream"]["stream_state"] for s in json.loads(state.read_text())
    }
    ticket_calls = [r for r in second["requests"] if r["path"].endswith("/tickets/cursor.json")]
    assert ticket_calls[0]["query"]["start_time"] == str(cursor["tickets"]["generated_timestamp"])
    assert second["ids"] == {
        ("tickets", ID["to_be_solved"]), ("tickets", ID["rewritten"]), ("articles", stub.EDITED_ARTICLE_ID),
    }  # fmt: skip
    assert_collection_holds_the_account(lite_uri, collection_name)
    stored = texts(lite_uri, collection_name, f"tickets_{ID['rewritten']}")
    assert "duplicate fee" in stored and "Greenfield" not in stored
    with search_of() as search:
        assert_second_sync_answers(search)


@pytest.fixture(scope="module")
def pyairbyte() -> PyAirbyteEnv:
    assert DESTINATION_EXECUTABLE.exists(), f"{DESTINATION_EXECUTABLE} is missing: pip install -e . in .venv"
    return ensure_pyairbyte_env()


def pyairbyte_sync(
    sandbox: ZendeskSandbox, pyairbyte: PyAirbyteEnv, work: Path, db: str, collection: str, *, phase: int
) -> int:
    """The tutorial's PyAirbyte example in the sandbox; returns the number of records it sent."""
    report = work / f"report-{phase}.json"
    args = [
        str(pyairbyte.python), str(EXAMPLE), "--subdomain", stub.SUBDOMAIN, "--email", stub.EMAIL,
        "--db", db, "--collection", collection, "--embedding", "fake", "--state-dir", str(work / "state"),
        "--source-executable", str(sandbox.env.executable), "--report", str(report),
    ]  # fmt: skip
    env = pyairbyte.environ(work) | {"ZENDESK_API_TOKEN": stub.API_TOKEN}
    done = sandbox.run(shlex.join(args), phase=phase, log=work / f"requests-{phase}.jsonl", env=env)
    assert done.returncode == 0, f"exit code {done.returncode}\n{(done.stdout + done.stderr)[-3000:]}"
    sent: int = json.loads(report.read_text())["records"]
    return sent


def test_pyairbyte_without_cache_sends_only_what_the_source_read(
    sandbox, pyairbyte, lite_uri, collection_name, search_of, tmp_path
):
    assert pyairbyte_sync(sandbox, pyairbyte, tmp_path, lite_uri, collection_name, phase=1) == TICKETS + ARTICLES
    assert_collection_holds_the_account(lite_uri, collection_name)
    with search_of() as search:
        assert_first_sync_answers(search)

    assert pyairbyte_sync(sandbox, pyairbyte, tmp_path, lite_uri, collection_name, phase=2) == 3
    assert_collection_holds_the_account(lite_uri, collection_name)
    with search_of() as search:
        assert_second_sync_answers(search)


def _json_blocks(markdown: str) -> list[Any]:
    blocks, inside, lines = [], False, []
    for line in markdown.splitlines():
        if line.strip() == "```json":
            inside, lines = True, []
        elif inside and line.strip() == "```":
            inside = False
            blocks.append(json.loads("\n".join(lines)))
        elif inside:
            lines.append(line)
    return blocks


def test_the_tutorial_shows_the_configs_this_test_runs():
    """docs/tutorial.md's JSON configs are the ones above (the page's proof must test what the page says)."""
    page = (REPO / "docs" / "tutorial.md").read_text()
    source, destination = _json_blocks(page)
    assert source["credentials"].keys() == SOURCE_CONFIG["credentials"].keys()
    assert source.keys() == SOURCE_CONFIG.keys() and source["start_date"] == SOURCE_CONFIG["start_date"]
    tested = destination_config(destination["indexing"]["host"], destination["indexing"]["collection"])
    assert destination == tested | {"embedding": {"mode": "local"}}, "the page and the test use different configs"
    for stream, cursor in (("tickets", "generated_timestamp"), ("articles", "updated_at")):
        assert f"| `{stream}` | `{cursor}` | `id` |" in page
    assert '_ab_stream == "tickets"' in page and "cache=False" in page and "examples/support_form" in page
