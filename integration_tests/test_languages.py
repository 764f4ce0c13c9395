"""French and Chinese help desks on Milvus Lite: the multilingual offline model, and keyword search that reads the language."""

from __future__ import annotations

import pytest
from pymilvus import MilvusClient

from integration_tests.sdk_fixtures import sync
from query_sdk import SupportSearch

CHINESE = [
    {"id": 1, "organization_id": 7, "status": "open", "description": "我的银行卡还没有寄到，已经等了两个星期了。"},
    {"id": 2, "organization_id": 7, "status": "open", "description": "我想修改账户的登录密码，但是收不到验证码。"},
    {"id": 3, "organization_id": 7, "status": "open", "description": "转账到国外的手续费是多少？汇率怎么算？"},
]
FRENCH = [
    {
        "id": 11,
        "organization_id": 7,
        "status": "open",
        "description": "Ma nouvelle carte bancaire n'est toujours pas arrivée.",
    },
    {"id": 12, "organization_id": 7, "status": "open", "description": "Je n'arrive pas à changer mon mot de passe."},
    {
        "id": 13,
        "organization_id": 7,
        "status": "open",
        "description": "Quels sont les frais pour un virement à l'étranger ?",
    },
]


def _bm25_hits(uri: str, collection: str, query: str) -> list[str]:
    client = MilvusClient(uri)
    try:
        (hits,) = client.search(
            collection, data=[query], anns_field="text_sparse", limit=5, search_params={"metric_type": "BM25"},
            output_fields=["_ab_record_id"],
        )  # fmt: skip
        return [hit["entity"]["_ab_record_id"] for hit in hits]
    finally:
        client.close()


@pytest.mark.parametrize(("language", "found"), [("chinese", True), ("english", False)])
def test_chinese_keywords_match_only_with_the_chinese_analyzer(tmp_path, language, found):
    uri = str(tmp_path / "milvus.db")
    sync(uri, "zh", {"tickets": CHINESE}, text_language=language)
    hits = _bm25_hits(uri, "zh", "银行卡什么时候到")
    assert (hits[:1] == ["tickets_1"]) is found, hits


@pytest.mark.parametrize(("tickets", "request_text", "expected"), [
    (CHINESE, "银行卡寄了两周还没收到", "1"),
    (FRENCH, "Ma carte n'est pas encore arrivée, ça fait deux semaines", "11"),
    (CHINESE, "How much does a transfer abroad cost?", "3"),  # across languages too
], ids=["zh", "fr", "en_to_zh"])  # fmt: skip
def test_the_multilingual_offline_model_finds_duplicates_in_french_and_chinese(
    tmp_path, tickets, request_text, expected
):
    uri = str(tmp_path / "milvus.db")
    sync(uri, "desk", {"tickets": tickets}, embedding={"mode": "local", "model": "universal-sentence-encoder-multilingual-3"},
         text_language="chinese" if tickets is CHINESE else "french")  # fmt: skip
    with SupportSearch.connect(uri=uri, collection="desk") as search:
        assert search.embedder.spec.dimensions == 512
        found = search.find_duplicate_tickets(request_text, organization_id=7)
        assert [m.record_id for m in found][:1] == [expected]
        hybrid = SupportSearch.connect(uri=uri, collection="desk", hybrid=True)
        with hybrid:
            assert [m.record_id for m in hybrid.find_duplicate_tickets(request_text, organization_id=7)][:1] == [
                expected
            ]
