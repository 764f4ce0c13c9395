"""The duplicate flag learnt from the desk's own merges, on every backend: fitted, stored, used by every app.

The desk is Zendesk-shaped: a ticket merged into another is closed with the tag ``closed_by_merge``
(as the real source delivers it: tags are a list). Each merged ticket restates an earlier ticket of
its organisation; the other tickets are new kinds of request. The fake embedder scores shared words,
so restatements score high and new kinds low: the fitted threshold must fall between them.
"""

from __future__ import annotations

import json
import random
import subprocess
import sys

import pytest

from integration_tests.sdk_fixtures import PROJECT, sync, sync_in_subprocess
from query_sdk import ConfigurationError, SupportSearch
from query_sdk.merge_history import MIN_MERGES, fit_merge_history, read_feedback, read_fit, store_fit

_WORDS = [f"w{i:03d}" for i in range(400)]


def merge_desk(kinds: int, *, seed: int = 3) -> list[dict]:
    """``kinds`` originals, each restated once by a later ticket merged into it, and ``kinds`` new kinds of request."""
    rng = random.Random(seed)
    tickets = []
    for kind in range(kinds):
        vocabulary = rng.sample(_WORDS, 10)
        org = 360000 + kind % 5
        original = {
            "id": 1000 + kind,
            "organization_id": org,
            "status": "open",
            "tags": ["web"],
            "created_at": "2025-01-01T00:00:00Z",
            "description": " ".join(rng.sample(vocabulary, 8)),
        }
        merged = {
            "id": 2000 + kind,
            "organization_id": org,
            "status": "closed",
            "tags": ["web", "closed_by_merge"],
            "created_at": "2025-01-02T00:00:00Z",
            "description": " ".join(rng.sample(vocabulary, 8)),
        }
        new = {
            "id": 3000 + kind,
            "organization_id": org,
            "status": "open",
            "tags": ["email"],
            "created_at": "2025-01-03T00:00:00Z",
            "description": " ".join(rng.sample(_WORDS, 8)),
        }
        tickets += [original, merged, new]  # fmt: skip
    return tickets


@pytest.fixture(scope="module")
def desk_uri(tmp_path_factory, request):
    backend = request.param
    if backend == "lite":
        return str(tmp_path_factory.mktemp("merges") / "milvus.db")
    return str(request.getfixturevalue("_lite_server_uri" if backend == "lite_server" else "_standalone_uri"))


@pytest.fixture(scope="module")
def synced(desk_uri):
    messages = sync(desk_uri, "merges", {"tickets": merge_desk(40)})
    return desk_uri, messages


@pytest.mark.parametrize("desk_uri", ["lite", "lite_server", "milvus_2_3"], indirect=True)
def test_a_sync_that_changed_tickets_fits_the_flag_on_the_merges_and_every_app_uses_it(synced):
    uri, messages = synced
    said = [m.log.message for m in messages if m.log and "duplicate flag" in m.log.message]
    assert len(said) == 1 and "fitted on 40 merged and 40 other tickets" in said[0], said
    with SupportSearch.connect(uri=uri, collection="merges", consistency="strong") as search:
        fit = read_fit(search.desk_store)
        assert fit is not None and fit.recall >= 0.95 and fit.merges == fit.others == 40
        assert search.thresholds.basis == "fitted" and search.default_threshold("duplicate") == fit.threshold
        assert search.thresholds.article == 0.20  # articles keep the model's default
        # the fitted threshold separates this desk: restatements are flagged, new kinds mostly not
        restated = search.find_duplicate_tickets(merge_desk(40)[1]["description"], organization_id=360000)
        assert [m.record_id for m in restated][:1] == ["1000"]


@pytest.mark.parametrize("desk_uri", ["lite", "milvus_2_3"], indirect=True)
def test_an_explicit_threshold_still_wins_over_the_fit(synced):
    uri, _ = synced
    with SupportSearch.connect(uri=uri, collection="merges", consistency="strong") as search:
        text = merge_desk(40)[1]["description"]
        assert search.find_duplicate_tickets(text, organization_id=360000, threshold=1.0) == []


@pytest.mark.parametrize("desk_uri", ["lite", "milvus_2_3"], indirect=True)
def test_answers_recorded_by_an_app_are_kept_and_count_as_history(synced):
    uri, _ = synced
    with SupportSearch.connect(uri=uri, collection="merges", consistency="strong") as search:
        before = len(read_feedback(search.desk_store))
        text = merge_desk(40)[4]["description"]
        yes = search.record_feedback(text, ticket_id=1001, is_duplicate=True)
        no = search.record_feedback("w399 w398 w397 w396", ticket_id=1001, is_duplicate=False)
        assert yes.score > no.score
        assert len(read_feedback(search.desk_store)) == before + 2
        fit, _ = fit_merge_history(search.desk_store)
        assert fit is not None and fit.feedback == before + 2
        with pytest.raises(ConfigurationError, match="no ticket"):
            search.record_feedback(text, ticket_id=99999, is_duplicate=True)


def test_a_desk_with_too_little_history_keeps_the_models_default_and_says_so(tmp_path):
    uri = str(tmp_path / "milvus.db")
    messages = sync(uri, "few", {"tickets": merge_desk(MIN_MERGES - 10)})
    said = [m.log.message for m in messages if m.log and "duplicate flag" in m.log.message]
    assert len(said) == 1 and "too little history" in said[0] and "the model's default stays" in said[0]
    with SupportSearch.connect(uri=uri, collection="few") as search:
        assert read_fit(search.desk_store) is None
        assert search.thresholds.basis == "measured" and search.default_threshold("duplicate") == 0.45


def test_a_stored_fit_is_replaced_not_added(tmp_path):
    uri = str(tmp_path / "milvus.db")
    sync(uri, "again", {"tickets": merge_desk(40)})
    with SupportSearch.connect(uri=uri, collection="again", consistency="strong") as search:
        fit, _ = fit_merge_history(search.desk_store)
        assert fit is not None
        store_fit(search.desk_store, fit)
        store_fit(search.desk_store, fit)
        rows = search.desk_store.app_rows("_ab_calibration", limit=10)
        assert len(rows) == 1


def test_support_search_calibrate_fits_and_stores_the_flag(tmp_path):
    uri = str(tmp_path / "support.db")
    sync_in_subprocess(uri, "zendesk", {"tickets": merge_desk(40)}, tmp_path)
    done = subprocess.run(
        [sys.executable, "-m", "query_sdk.cli", "calibrate", "--uri", uri, "--collection", "zendesk", "--json"],
        cwd=PROJECT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    fit = json.loads(done.stdout)
    assert fit["fitted"] and fit["merges"] == 40 and 0.0 < fit["threshold"] <= 1.0


def test_a_fit_younger_than_six_hours_is_kept_by_the_next_sync_and_an_unchanged_sync_refits_nothing(tmp_path):
    uri = str(tmp_path / "milvus.db")
    tickets = merge_desk(40)
    sync(uri, "kept", {"tickets": tickets})
    unchanged = sync(uri, "kept", {"tickets": tickets})
    assert not [m for m in unchanged if m.log and "duplicate flag" in m.log.message]  # nothing changed
    tickets[0] = {**tickets[0], "status": "solved"}
    changed = sync(uri, "kept", {"tickets": tickets})
    said = [m.log.message for m in changed if m.log and "duplicate flag" in m.log.message]
    assert len(said) == 1 and "duplicate flag kept" in said[0], said
