"""Articles as help centres have them, on every backend: no drafts unless asked, locale, section and label filters.

The desk is synced by the real connector. Milvus Lite declares ``draft`` (BOOL), ``locale`` and
``section_id`` as typed nullable fields; Milvus 2.3.5 has no nullable fields, so there every
metadata value sits in the dynamic JSON field, as in collections the official connector writes
(also covered below, built by hand on Lite). ``label_names`` is an array: always dynamic.
"""

import uuid

import pytest
from pymilvus import MilvusClient

from integration_tests.conftest import BACKENDS
from integration_tests.sdk_fixtures import DIMS, create_official_layout, sync
from query_sdk import ArticleMatch, ConfigurationError, FakeEmbedder, SupportSearch, UnsafeFilterValueError

QUERY = "why was my debit card declined at the shop"
EVERYTHING = {"threshold": -1.0, "limit": 50}
HC_FIELDS = ["id", "title", "html_url", "draft", "locale", "section_id", "label_names"]


def _article(aid, title, body, **fields):
    return {
        "id": aid,
        "title": title,
        "body": body,
        "html_url": f"https://acme.zendesk.com/hc/articles/{aid}",
        "user_segment_id": None,  # for everyone, as Zendesk sends it (test_sdk_visibility.py restricts some)
        **fields,
    }


ARTICLES = [
    _article(801, "Why was my card declined?", "A debit card is declined when the balance is too low.",
             draft=False, locale="en-us", section_id=11, label_names=["cards", "payments"]),
    # The query almost verbatim, but a draft: it would rank first if drafts leaked.
    _article(802, "Why was my debit card declined at the shop", "Draft: why was my debit card declined at the shop",
             draft=True, locale="en-us", section_id=11, label_names=["cards"]),
    _article(803, "Pourquoi ma carte a-t-elle été refusée ?", "Une carte est refusée quand le solde est trop bas.",
             draft=False, locale="fr", section_id=12, label_names=["cartes"]),
    _article(804, "How refunds work", "Refunds reach your card within ten days.",  # no draft field at all
             locale="en-us", section_id=12, label_names=[]),
    _article(805, "Reset your password", "Ask for a reset email on the login screen.",  # draft null, no labels
             draft=None, locale="en-us", section_id=13),
    _article(806, "Carte refusée (brouillon)", "Brouillon : pourquoi ma carte de débit est refusée au magasin",
             draft=True, locale="fr", section_id=12, label_names=["cartes"]),
]  # fmt: skip
PUBLISHED = {"801", "803", "804", "805"}


@pytest.fixture(scope="module", params=[*BACKENDS, "official"])
def search(request, tmp_path_factory):
    """The help centre synced by the connector on each backend, and an official-shaped collection on Lite."""
    if request.param == "official":
        with SupportSearch.connect(
            uri=_official(tmp_path_factory),
            collection="official",
            embedder=FakeEmbedder(DIMS),
            all_articles_public=True,
        ) as found:
            yield found
        return
    if request.param == "lite":
        uri = str(tmp_path_factory.mktemp("hc") / "milvus.db")
    elif request.param == "lite_server":
        uri = str(request.getfixturevalue("_lite_server_uri"))
    else:
        uri = str(request.getfixturevalue("_standalone_uri"))
    collection = f"t_{uuid.uuid4().hex[:12]}"
    sync(uri, collection, {"articles": ARTICLES}, metadata_fields=HC_FIELDS)
    # Strong: the fixture reads what it has just written.
    with SupportSearch.connect(uri=uri, collection=collection, consistency="strong") as client:
        yield client


def _official(tmp_path_factory):
    """An official-connector-shaped collection: auto_id INT64 pk, L2, text and all metadata in the dynamic field."""
    uri = str(tmp_path_factory.mktemp("hc-official") / "milvus.db")
    client = MilvusClient(uri)
    create_official_layout(client, "official", dims=DIMS, nlist=16)
    embedder = FakeEmbedder(DIMS)
    rows = []
    for article in ARTICLES:
        text = f"title: {article['title']}\nbody: {article['body']}"
        metadata = {k: v for k, v in article.items() if k not in ("title", "body")}
        rows.append({"vector": embedder.embed([text])[0], "text": text, "_ab_stream": "articles",
                     "_ab_record_id": f"articles_{article['id']}", **metadata})  # fmt: skip
    client.insert("official", rows)
    client.close()
    return uri


def _ids(matches):
    return {m.record_id for m in matches}


def test_drafts_are_never_recommended_by_default(search):
    found = search.recommend_articles(QUERY, **EVERYTHING)
    assert _ids(found) == PUBLISHED  # 804 has no draft field, 805 a null one: both count as published
    assert not any(m.draft for m in found)


def test_drafts_come_back_only_when_asked_for(search):
    found = search.recommend_articles(QUERY, include_drafts=True, **EVERYTHING)
    assert _ids(found) == PUBLISHED | {"802", "806"}
    assert found[0].record_id == "802"
    assert found[0].draft is True


def test_locale_keeps_that_locales_articles(search):
    assert _ids(search.recommend_articles(QUERY, locale="fr", **EVERYTHING)) == {"803"}
    assert _ids(search.recommend_articles(QUERY, locale="fr", include_drafts=True, **EVERYTHING)) == {"803", "806"}
    assert _ids(search.recommend_articles(QUERY, locale=["fr", "en-us"], **EVERYTHING)) == PUBLISHED
    assert search.recommend_articles(QUERY, locale="de", **EVERYTHING) == []


def test_section_filter(search):
    assert _ids(search.recommend_articles(QUERY, section_id=12, **EVERYTHING)) == {"803", "804"}
    assert _ids(search.recommend_articles(QUERY, section_id=[11, 13], **EVERYTHING)) == {"801", "805"}


@pytest.mark.parametrize(
    ("labels", "expected"),
    [(["cards", "refunds"], {"801"}), ("cartes", {"803"}), (["payments", "cartes"], {"801", "803"}), (["nope"], set())],
)
def test_labels_keep_articles_with_any_of_them(search, labels, expected):
    assert _ids(search.recommend_articles(QUERY, label_names=labels, **EVERYTHING)) == expected


def test_filters_combine(search):
    found = search.recommend_articles(
        QUERY, locale="en-us", section_id=11, label_names=["cards"], include_drafts=True, **EVERYTHING
    )
    assert _ids(found) == {"801", "802"}
    batches = search.recommend_articles_many([QUERY, "refund"], locale="fr", **EVERYTHING)
    assert [_ids(b) for b in batches] == [{"803"}, {"803"}]


def test_results_carry_locale_labels_and_section(search):
    found = {m.record_id: m for m in search.recommend_articles(QUERY, include_drafts=True, **EVERYTHING)}
    assert isinstance(found["801"], ArticleMatch)
    assert (found["801"].locale, found["801"].label_names, found["801"].section_id) == (
        "en-us",
        ("cards", "payments"),
        11,
    )
    assert (found["803"].locale, found["803"].label_names) == ("fr", ("cartes",))
    assert found["805"].label_names == ()
    assert found["801"].html_url == "https://acme.zendesk.com/hc/articles/801"


@pytest.mark.parametrize(
    "bad",
    [
        {"locale": 'fr" or "1"=="1'},
        {"locale": "fr) or (1==1"},
        {"locale": ["fr", None]},
        {"section_id": "12) or (1==1"},
        {"section_id": 12.5},
        {"section_id": True},
        {"label_names": ['cards"]) or (1==1']},
        {"label_names": ["cards", 7.5]},
        {"label_names": ["a\\"]},
    ],
    ids=repr,
)
def test_injection_attempts_in_article_filters_are_refused(search, bad):
    with pytest.raises(UnsafeFilterValueError):
        search.recommend_articles(QUERY, **bad, **EVERYTHING)


@pytest.mark.parametrize(
    "bad", [{"label_names": []}, {"label_names": {"cards": 1}}, {"locale": []}, {"section_id": {"12": 1}}], ids=repr
)
def test_empty_or_mapping_filters_are_a_configuration_error_naming_the_filter(search, bad):
    with pytest.raises(ConfigurationError, match=next(iter(bad))):
        search.recommend_articles(QUERY, **bad, **EVERYTHING)


@pytest.mark.parametrize(
    "bad", [{"locale": 5}, {"locale": ["fr", 5]}, {"label_names": [1]}, {"label_names": 7}], ids=repr
)
def test_locales_and_labels_must_be_strings(search, bad):
    # They are text fields: a number used to be accepted and match nothing.
    with pytest.raises(UnsafeFilterValueError, match=f"{next(iter(bad))} must hold strings"):
        search.recommend_articles(QUERY, **bad, **EVERYTHING)


@pytest.mark.parametrize("value", ["no", "false", 0, 1, None])
def test_include_drafts_must_be_a_boolean(search, value):
    # "no" is truthy: it used to bring the drafts back.
    with pytest.raises(ConfigurationError, match="include_drafts must be True or False"):
        search.recommend_articles(QUERY, include_drafts=value, **EVERYTHING)
