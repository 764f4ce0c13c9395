"""Searching a collection the official destination built: IVF_FLAT, nlist 1024, L2 (Milvus Lite).

Milvus searches 8 of an IVF index's lists unless told otherwise, so nearest tickets in other lists
were missed: query_sdk asks for every list (``search._IVF_NPROBE``), and its answers must equal an
exact (brute-force) ranking of the organisation's open tickets.
"""

import json
from pathlib import Path

import pytest
from pymilvus import MilvusClient

from integration_tests.sdk_fixtures import create_official_layout
from query_sdk import FakeEmbedder, SupportSearch

PROJECT = Path(__file__).resolve().parents[1]
DIMS = 64
OPEN = ("new", "open", "pending", "hold")


def _sample_tickets() -> list[dict]:
    lines = (PROJECT / "sample_data" / "messages.jsonl").read_text().splitlines()
    records = [json.loads(line).get("record", {}) for line in lines]
    return [r["data"] for r in records if r.get("stream") == "tickets"]


@pytest.fixture(scope="module")
def official(tmp_path_factory):
    """The sample help desk's tickets in the official destination's layout; their vectors, by record id."""
    uri = str(tmp_path_factory.mktemp("official-ivf") / "milvus.db")
    client = MilvusClient(uri)
    create_official_layout(client, "official", dims=DIMS, nlist=1024)  # the official destination's nlist
    embedder = FakeEmbedder(DIMS)
    tickets = _sample_tickets()
    texts = [f"subject: {t['subject']}\ndescription: {t['description']}" for t in tickets]
    vectors = embedder.embed(texts)
    rows = [
        {"vector": vector, "text": text, "_ab_stream": "tickets", "_ab_record_id": f"tickets_{t['id']}",
         "id": t["id"], "organization_id": t["organization_id"], "status": t["status"]}
        for t, text, vector in zip(tickets, texts, vectors)
    ]  # fmt: skip
    client.insert("official", rows)
    client.flush("official")  # sealed and indexed, as after the official destination's sync
    client.close()
    by_id = {str(t["id"]): (t, vector) for t, vector in zip(tickets, vectors)}
    with SupportSearch.connect(uri=uri, collection="official", embedder=FakeEmbedder(DIMS)) as search:
        yield search, by_id


def test_the_index_is_the_official_ivf(official):
    search, _ = official
    assert (search.info.index_type, search.info.metric) == ("IVF_FLAT", "L2")


def test_answers_equal_the_exact_ranking_of_the_organisations_open_tickets(official):
    search, by_id = official
    embedder = FakeEmbedder(DIMS)
    queries = [t["description"] for t, _ in list(by_id.values())[::97]][:12]
    missed = 0
    for query in queries:
        [vector] = embedder.embed([query])
        org = 360001
        exact = sorted(
            (sum((a - b) ** 2 for a, b in zip(vector, stored)), rid)
            for rid, (ticket, stored) in by_id.items()
            if ticket["organization_id"] == org and ticket["status"] in OPEN
        )[:5]
        found = search.find_duplicate_tickets(query, organization_id=org, threshold=-1.0, limit=5)
        missed += len({rid for _, rid in exact} - {m.record_id for m in found})
    assert missed == 0
