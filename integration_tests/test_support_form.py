"""The Streamlit support form (examples/support_form/app.py) under AppTest.

It runs against a real Milvus Lite collection synced from the sample help desk by the real connector
(examples/sync_and_search.py, fake embedder), so scores, thresholds and filters are the ones an app gets.
"""

from __future__ import annotations

import importlib.util
import json
import re
import shutil
from functools import cache
from pathlib import Path
from typing import Any, Callable, Iterator

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

PROJECT = Path(__file__).resolve().parent.parent
APP = PROJECT / "examples" / "support_form" / "app.py"

# Picked on the fake embedder at the SDK's default thresholds (hybrid search), and stable since both
# the sample data and the embedder are deterministic:
LONE = 49  # open ("new") in org 360002; no other organisation has an open ticket like it
SHARED = 385  # open in org 360001; org 360002 has its own open look-alike, SHARED_TWIN
SHARED_TWIN = 562
GIBBERISH = "qwxz vlorpt zindle"  # no ticket or article scores above 0.12 for it


@cache
def sample_tickets() -> dict[int, dict[str, Any]]:
    """The tickets of the bundled sample help desk by id, as the source emitted them."""
    lines = (PROJECT / "sample_data" / "messages.jsonl").read_text().splitlines()
    records = [json.loads(line).get("record", {}) for line in lines]
    return {r["data"]["id"]: r["data"] for r in records if r.get("stream") == "tickets"}


def sample_ticket(ticket_id: int) -> dict[str, Any]:
    return sample_tickets()[ticket_id]


def agent_link(ticket_id: int) -> str:
    return f"https://acme.zendesk.com/agent/tickets/{ticket_id}"


def sync_sample_helpdesk(db: Path) -> None:
    """Sync sample_data/ into the Milvus Lite folder ``db`` with the fake embedder, in a child process."""
    spec = importlib.util.spec_from_file_location("sync_and_search", PROJECT / "examples" / "sync_and_search.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    module.sync(db, "fake")


_SYNCED: dict[str, Path] = {}


@pytest.fixture(scope="module")
def sample_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample help desk in a Milvus Lite folder of this module's own (collection ``zendesk``).

    Synced once per test run into a folder no process opens afterwards, then copied for each module
    that uses it: Milvus Lite locks a folder to the first process that opens it, and the browser test
    serves the form from another process than this one.
    """
    if "sample" not in _SYNCED:
        _SYNCED["sample"] = tmp_path_factory.mktemp("sample-helpdesk") / "support.db"
        sync_sample_helpdesk(_SYNCED["sample"])
    db = tmp_path_factory.mktemp("support-form") / "support.db"
    shutil.copytree(_SYNCED["sample"], db)
    return db


@pytest.fixture
def form(sample_db: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[..., AppTest]]:
    """Start the app with its configuration in the environment; returns it after its first run."""

    def start(collection: str = "zendesk") -> AppTest:
        monkeypatch.setenv("MILVUS_URI", str(sample_db))
        monkeypatch.setenv("COLLECTION", collection)
        monkeypatch.delenv("MILVUS_TOKEN", raising=False)
        st.cache_resource.clear()  # the app connects once per process: start each test afresh
        return AppTest.from_file(str(APP), default_timeout=60).run()

    yield start
    st.cache_resource.clear()


def send(at: AppTest, org: int | None, subject: str, description: str, *, requester: int | None = None) -> AppTest:
    if org is not None:
        at.number_input(key="org").set_value(org)
    if requester is not None:
        at.number_input(key="requester").set_value(requester)
    at.text_input(key="subject").input(subject)
    at.text_area(key="description").input(description)
    at.button(key="send").click().run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def send_ticket(at: AppTest, org: int, ticket_id: int) -> AppTest:
    ticket = sample_ticket(ticket_id)
    return send(at, org, ticket["subject"], ticket["description"])


def shown(elements: Any) -> str:
    """The text of some elements as a reader sees it (Markdown backslash escapes removed)."""
    return "\n".join(re.sub(r"\\(.)", r"\1", str(e.value)) for e in elements)


def test_duplicate_of_an_open_ticket_is_held_back_until_submitted_anyway(form):
    ticket = sample_ticket(LONE)
    assert ticket["status"] in ("new", "open", "pending", "hold")
    at = send_ticket(form(), ticket["organization_id"], LONE)

    assert "not** sent" in shown(at.warning)
    assert not at.success
    listed = shown(at.markdown)
    assert ticket["subject"] in listed
    assert f"#{LONE} " in listed
    assert f"({agent_link(LONE)})" in listed
    assert f"status **{ticket['status']}**" in listed
    assert re.search(r"score 0\.\d\d", listed)

    at.button(key="submit_anyway").click().run()
    assert not at.exception
    assert not at.warning
    assert "Request received" in shown(at.success)
    assert "](https://acme.zendesk.com/hc/en-us/articles/" in shown(at.markdown)


def test_request_matching_nothing_is_accepted(form):
    at = send(form(), 360001, "", GIBBERISH)
    assert not at.warning and not at.error
    assert "Request received" in shown(at.success)
    assert "No help-center article matches" in shown(at.info)


def test_request_like_another_organisations_ticket_is_accepted_with_articles(form):
    at = send_ticket(form(), 360001, LONE)  # LONE belongs to 360002
    assert not at.warning and not at.error
    assert "Request received" in shown(at.success)
    assert f"#{LONE}" not in shown(at.markdown)
    links = re.findall(r"\[([^\]]+)\]\((https://acme\.zendesk\.com/hc/en-us/articles/[^)]+)\)", shown(at.markdown))
    assert links, shown(at.markdown)
    assert any("exchange rate" in title.lower() for title, _ in links)
    assert at.caption and all(caption.value.strip() for caption in at.caption)  # one snippet per article


def test_duplicates_come_from_the_requesters_organisation_only(form):
    at = send_ticket(form(), 360001, SHARED)
    assert f"({agent_link(SHARED)})" in shown(at.markdown)

    at = send_ticket(form(), 360002, SHARED)  # 360002 has an open look-alike of its own
    assert at.warning
    assert f"({agent_link(SHARED_TWIN)})" in shown(at.markdown)
    assert agent_link(SHARED) not in shown(at.markdown)


def test_closed_tickets_are_not_duplicates(form):
    # The text of a solved ticket, sent by its own organisation, must not be held back by that ticket.
    ticket = next(t for t in sample_tickets().values() if t["status"] == "solved")
    at = send_ticket(form(), ticket["organization_id"], ticket["id"])
    assert agent_link(ticket["id"]) + ")" not in shown(at.markdown)


def test_empty_request_is_refused_without_a_search(form):
    # A collection that does not exist: any search would end in an error.
    at = send(form(collection="no_such_collection"), 360001, "  ", "\n")
    assert "enter a subject or a description" in shown(at.warning)
    assert not at.error and not at.success


def test_missing_organisation_and_user_id_is_refused(form):
    at = send(form(), None, "My card", "It does not work")
    assert "organisation ID, or your user ID" in shown(at.warning)
    assert not at.error and not at.success


def test_a_customer_without_organisation_is_checked_against_their_own_tickets(form):
    ticket = sample_ticket(LONE)
    at = send(form(), None, ticket["subject"], ticket["description"], requester=ticket["requester_id"])
    assert "you have already open" in shown(at.warning)
    assert f"({agent_link(LONE)})" in shown(at.markdown)

    other = next(t["requester_id"] for t in sample_tickets().values() if t["requester_id"] != ticket["requester_id"])
    at = send(form(), None, ticket["subject"], ticket["description"], requester=other)
    assert agent_link(LONE) not in shown(at.markdown)


def test_missing_collection_is_a_plain_error(form):
    at = send(form(collection="no_such_collection"), 360001, "Card", "My card has not arrived")
    assert not at.exception
    assert len(at.error) == 1
    message = at.error[0].value
    assert "no_such_collection" in message and "does not exist" in message
    assert "Traceback" not in message and "Error(" not in message
    assert not at.success and not at.warning


PRIVATE_ORG = 360003  # sample_data/organizations.json: its users do not see each other's tickets


def private_ticket() -> dict[str, Any]:
    """An open ticket of the organisation that does not share tickets."""
    return next(
        t for t in sample_tickets().values() if t["organization_id"] == PRIVATE_ORG and t["status"] in ("open", "new")
    )


def test_an_organisation_that_does_not_share_tickets_needs_the_users_id(form):
    ticket = private_ticket()
    at = send(form(), PRIVATE_ORG, ticket["subject"], ticket["description"])
    assert "keeps each person's requests private" in shown(at.warning)
    assert not at.success and agent_link(ticket["id"]) not in shown(at.markdown)


def test_a_colleagues_ticket_is_never_shown_where_the_organisation_does_not_share_them(form):
    ticket = private_ticket()
    colleague = next(
        t["requester_id"]
        for t in sample_tickets().values()
        if t["organization_id"] == PRIVATE_ORG and t["requester_id"] != ticket["requester_id"]
    )
    at = send(form(), PRIVATE_ORG, ticket["subject"], ticket["description"], requester=colleague)
    assert agent_link(ticket["id"]) not in shown(at.markdown)  # the colleague's ticket, subject and all
    assert ticket["subject"] not in shown(at.markdown)
    at = send(form(), PRIVATE_ORG, ticket["subject"], ticket["description"], requester=ticket["requester_id"])
    assert f"({agent_link(ticket['id'])})" in shown(at.markdown)  # the customer's own ticket


@pytest.mark.parametrize("button", ["submit_anyway", "is_duplicate"])
def test_the_customers_answer_is_recorded_for_the_next_fit(form, sample_db, button):
    from query_sdk import SupportSearch
    from query_sdk.merge_history import read_feedback

    ticket = sample_ticket(LONE)
    at = send_ticket(form(), ticket["organization_id"], LONE)
    assert at.warning
    at.button(key=button).click().run()
    assert not at.exception
    if button == "is_duplicate":
        assert f"Follow ticket #{LONE}" in shown(at.info) and not at.success
    else:
        assert "Request received" in shown(at.success)
    st.cache_resource.clear()  # the app's connection holds the Lite folder: release it to read
    with SupportSearch.connect(uri=str(sample_db), collection="zendesk", consistency="strong") as search:
        answers = read_feedback(search.desk_store)
    assert [a.is_duplicate for a in answers][-1:] == [button == "is_duplicate"]
