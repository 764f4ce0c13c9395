import dataclasses
import json

import pytest

from query_sdk import ArticleMatch, TicketMatch


def _ticket(**fields):
    return TicketMatch(record_id="101", score=0.87654321, snippet="card declined", fields=fields, stream="tickets")


def test_results_are_frozen():
    match = _ticket(status="open")
    with pytest.raises(dataclasses.FrozenInstanceError):
        match.score = 1.0  # type: ignore[misc]
    with pytest.raises(dataclasses.FrozenInstanceError):
        match.fields = {}  # type: ignore[misc]


def test_fields_are_read_only_all_the_way_down():
    match = _ticket(status="open", tags=["vip", "card"], via={"channel": "email"})
    with pytest.raises(TypeError):
        match.fields["status"] = "solved"  # type: ignore[index]
    with pytest.raises(AttributeError):
        match.fields["tags"].append("x")
    with pytest.raises(TypeError):
        match.fields["via"]["channel"] = "web"
    assert match.status == "open"


def test_fields_are_a_copy_of_what_was_passed():
    source = {"status": "open", "tags": ["vip"]}
    match = _ticket(**source)
    source["status"] = "solved"
    source["tags"].append("x")
    assert match.status == "open"
    assert match.fields["tags"] == ("vip",)


def test_to_dict_is_plain_json():
    match = _ticket(status="open", tags=["vip"], via={"channel": "email"})
    data = match.to_dict()
    assert data == {
        "record_id": "101",
        "score": 0.876543,
        "snippet": "card declined",
        "stream": "tickets",
        "fields": {"status": "open", "tags": ["vip"], "via": {"channel": "email"}},
    }
    assert json.loads(json.dumps(data)) == data


def test_ticket_properties_are_none_when_metadata_is_missing():
    match = _ticket()
    assert (match.subject, match.status, match.url) == (None, None, None)


def test_ticket_and_article_properties_read_the_fields():
    ticket = _ticket(subject="Card declined", status="open", url="https://x/api/tickets/101.json")
    assert (ticket.subject, ticket.status, ticket.url) == ("Card declined", "open", "https://x/api/tickets/101.json")
    article = ArticleMatch(
        record_id="301", score=0.5, snippet="...", fields={"title": "Declines", "html_url": "https://x/a/301"},
        stream="articles",
    )  # fmt: skip
    assert (article.title, article.html_url) == ("Declines", "https://x/a/301")


def _article(**fields):
    return ArticleMatch(record_id="801", score=0.5, snippet="s", fields=fields, stream="articles")


def test_article_help_centre_fields():
    article = _article(locale="fr", section_id=12, label_names=["cartes", "paiements"], draft=False)
    assert (article.locale, article.section_id, article.label_names, article.draft) == (
        "fr",
        12,
        ("cartes", "paiements"),
        False,
    )


@pytest.mark.parametrize(
    ("stored", "labels"), [(None, ()), ('["a","b"]', ("a", "b")), ("solo", ("solo",)), (7, ()), ([], ())]
)
def test_labels_read_from_any_stored_form(stored, labels):
    assert _article(label_names=stored).label_names == labels


@pytest.mark.parametrize(("stored", "draft"), [(True, True), (None, False), ("true", False), (1, False)])
def test_only_a_true_flag_is_a_draft(stored, draft):
    assert _article(draft=stored).draft is draft
    assert _article().draft is False
