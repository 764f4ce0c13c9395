"""query_sdk through the real ``openai`` client against the OpenAI-compatible stub: contract, batching, errors."""

import pytest

from integration_tests.sdk_fixtures import (
    CARD_QUERY,
    ORG,
    PASSPORT_QUERY,
    REFUND_QUERY,
    module_openai_stub,  # noqa: F401  (fixture)
    org_of,
    stub_helpdesk,  # noqa: F401  (fixture)
)
from query_sdk import ConfigurationError, OpenAIEmbedder, SupportSearch, TransientError

QUERIES = [CARD_QUERY, REFUND_QUERY, PASSPORT_QUERY, "password reset email", "exchange rate"]
EVERYTHING = {"threshold": 0.01, "limit": 10}  # above 0: no exact ties at zero similarity


@pytest.fixture
def stub(module_openai_stub):  # noqa: F811
    """The module's stub with a clean request log, and its settings restored afterwards."""
    state = module_openai_stub.state
    state.requests.clear()
    yield module_openai_stub
    state.api_key = None
    state.failures.clear()


@pytest.fixture
def search(stub_helpdesk, stub):  # noqa: F811
    with SupportSearch.connect(uri=stub_helpdesk.uri, collection=stub_helpdesk.collection) as client:
        yield client


def _same(batched, singles):
    """Equal results; scores may differ in the last float32 bit (Milvus computes a batch differently)."""
    assert len(batched) == len(singles)
    for got, expected in zip(batched, singles):
        assert [(m.record_id, m.snippet, dict(m.fields)) for m in got] == [
            (m.record_id, m.snippet, dict(m.fields)) for m in expected
        ]
        assert [m.score for m in got] == pytest.approx([m.score for m in expected], abs=1e-6)
    return True


def _embedding_requests(stub):
    return [r for r in stub.state.requests if r["path"].endswith("/embeddings")]


def test_connect_rebuilds_the_openai_compatible_embedder_from_the_contract(search, stub):
    assert isinstance(search.embedder, OpenAIEmbedder)
    assert search.embedder.spec.options == {"base_url": stub.base_url}
    found = search.find_duplicate_tickets(CARD_QUERY, organization_id=ORG, threshold=0.5)
    assert found[0].record_id == "101"
    assert {org_of(m) for m in found} == {ORG}
    assert [r["payload"]["model"] for r in _embedding_requests(stub)] == ["stub-embedding"]


def test_batched_duplicate_search_equals_single_calls_in_one_request(search, stub):
    singles = [search.find_duplicate_tickets(q, organization_id=ORG, **EVERYTHING) for q in QUERIES]
    stub.state.requests.clear()
    batched = search.find_duplicate_tickets_many(QUERIES, organization_id=ORG, **EVERYTHING)
    assert _same(batched, singles)
    requests = _embedding_requests(stub)
    assert len(requests) == 1
    assert requests[0]["payload"]["input"] == QUERIES


def test_batched_article_search_equals_single_calls_in_one_request(search, stub):
    singles = [search.recommend_articles(q, **EVERYTHING) for q in QUERIES]
    stub.state.requests.clear()
    assert _same(search.recommend_articles_many(QUERIES, **EVERYTHING), singles)
    assert len(_embedding_requests(stub)) == 1


def test_the_api_key_comes_from_the_environment(stub_helpdesk, stub, monkeypatch):  # noqa: F811
    stub.state.api_key = "sk-test-secret"
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    with SupportSearch.connect(uri=stub_helpdesk.uri, collection=stub_helpdesk.collection) as client:
        with pytest.raises(ConfigurationError, match="401") as error:
            client.find_duplicate_tickets(CARD_QUERY, organization_id=ORG)
        assert "sk-test-secret" not in str(error.value)
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test-secret")
    with SupportSearch.connect(uri=stub_helpdesk.uri, collection=stub_helpdesk.collection) as client:
        assert client.find_duplicate_tickets(CARD_QUERY, organization_id=ORG, threshold=0.5)[0].record_id == "101"


def test_a_rate_limited_request_is_retried_by_the_client(search, stub):
    expected = search.find_duplicate_tickets(CARD_QUERY, organization_id=ORG, **EVERYTHING)
    stub.state.requests.clear()
    stub.state.failures.append(429)
    assert search.find_duplicate_tickets(CARD_QUERY, organization_id=ORG, **EVERYTHING) == expected
    assert [r["failure"] for r in _embedding_requests(stub)] == [429, None]


@pytest.mark.parametrize(
    ("mode", "names", "never"),
    [
        # an app's words (the connector says embedding.base_url: test_connector_embeddings.py)
        ("openai_compatible", "Check base_url= of the embedder", "this machine can reach"),
        # openai mode has no base_url setting: the message names the host the machine must reach.
        ("openai", "Check that this machine can reach 127.0.0.1", "base_url"),
    ],
)
def test_an_unreachable_service_names_what_the_user_can_change(mode, names, never):
    embedder = OpenAIEmbedder(
        api_key="sk-unreachable", model="text-embedding-3-small", mode=mode, base_url="http://127.0.0.1:9/v1",
        max_retries=0, timeout=5,
    )  # fmt: skip
    with pytest.raises(TransientError) as error:
        embedder.embed(["my card was declined"])
    assert names in str(error.value)
    assert never not in str(error.value)
    assert "embedding." not in str(error.value)  # no connector setting in an app's message
    assert "sk-unreachable" not in str(error.value)


def test_a_model_nobody_measured_says_its_threshold_is_a_guess(stub_helpdesk, caplog):  # noqa: F811
    with (
        caplog.at_level("WARNING", logger="query_sdk"),
        SupportSearch.connect(uri=stub_helpdesk.uri, collection=stub_helpdesk.collection) as client,
    ):
        assert client.thresholds.basis == "unknown"
        assert "nobody measured 'stub-embedding'" in client.thresholds.source
    assert any("is a guess" in r.getMessage() and "support-search calibrate" in r.getMessage() for r in caplog.records)
