"""Answers only for those allowed to see them, on every backend: article user segments and ticket privacy.

The desk (``sdk_fixtures``) holds articles for everyone, article 306 for agents and managers and
article 307 for signed-in users, each restricted one written to answer a query of the desk almost
word for word, so a leak would rank it first. The injection corpus of tenant isolation runs on the
segment ids too.
"""

import numpy as np
import pytest

from integration_tests.sdk_fixtures import (
    AGENTS_SEGMENT,
    CARD_QUERY,
    OPEN,
    ORG,
    REFUND_QUERY,
    SIGNED_IN_SEGMENT,
    TICKETS,
    helpdesk,  # noqa: F401  (fixture)
    sync,
)
from integration_tests.test_sdk_backends import PLAIN_ORGS, REFUSED_ORGS
from query_sdk import ConfigurationError, Customer, SupportSearch, UnsafeFilterValueError

EVERYTHING = {"threshold": -1.0, "limit": 50}
PUBLIC = {"301", "302", "303", "304", "305"}
RESTRICTED = {"306", "307"}


@pytest.fixture(scope="module")
def search(helpdesk):  # noqa: F811
    with SupportSearch.connect(uri=helpdesk.uri, collection=helpdesk.collection, consistency="strong") as client:
        yield client


def _ids(matches):
    return {m.record_id for m in matches}


@pytest.mark.parametrize("query", [REFUND_QUERY, CARD_QUERY])
def test_by_default_only_articles_for_everyone_are_recommended(search, query):
    assert _ids(search.recommend_articles(query, **EVERYTHING)) == PUBLIC
    assert _ids(search.recommend_articles(query, user_segment_ids=[], **EVERYTHING)) == PUBLIC


@pytest.mark.parametrize(
    ("segments", "extra"),
    [([AGENTS_SEGMENT], {"306"}), ([SIGNED_IN_SEGMENT], {"307"}), ([AGENTS_SEGMENT, SIGNED_IN_SEGMENT], RESTRICTED)],
)
def test_a_readers_segments_add_their_articles_and_no_others(search, segments, extra):
    assert _ids(search.recommend_articles(REFUND_QUERY, user_segment_ids=segments, **EVERYTHING)) == PUBLIC | extra
    customer = Customer(requester_id=501, organization_id=ORG, user_segment_ids=segments)
    assert _ids(search.recommend_articles(REFUND_QUERY, customer=customer, **EVERYTHING)) == PUBLIC | extra


def test_the_restricted_article_a_reader_may_see_ranks_as_it_should(search):
    agents = search.recommend_articles(REFUND_QUERY, user_segment_ids=[AGENTS_SEGMENT], **EVERYTHING)
    assert agents[0].record_id == "306"  # it holds the query nearly verbatim: a leak would show first
    assert "306" not in _ids(search.recommend_articles(REFUND_QUERY, **EVERYTHING))


def test_segment_ids_held_as_numpy_integers_or_strings_match_as_integers(search):
    as_numpy = search.recommend_articles(REFUND_QUERY, user_segment_ids=np.array([AGENTS_SEGMENT]), **EVERYTHING)
    as_text = search.recommend_articles(REFUND_QUERY, user_segment_ids=[str(AGENTS_SEGMENT)], **EVERYTHING)
    assert _ids(as_numpy) == _ids(as_text) == PUBLIC | {"306"}


@pytest.mark.parametrize("value", REFUSED_ORGS, ids=repr)
def test_injection_attempts_in_segment_ids_are_refused(search, value):
    with pytest.raises(UnsafeFilterValueError, match="user_segment_ids"):
        search.recommend_articles(REFUND_QUERY, user_segment_ids=[AGENTS_SEGMENT, value], **EVERYTHING)


@pytest.mark.parametrize("value", PLAIN_ORGS, ids=repr)
def test_plain_string_segments_never_open_another_segments_articles(search, value):
    found = _ids(search.recommend_articles(REFUND_QUERY, user_segment_ids=[value], **EVERYTHING))
    assert found - PUBLIC <= ({"306"} if value == str(AGENTS_SEGMENT) else set())


@pytest.mark.parametrize("given", ["360000000001", 360000000001, {"a": 1}, b"1"], ids=repr)
def test_user_segment_ids_must_be_a_list(search, given):
    with pytest.raises(ConfigurationError, match="user_segment_ids must be a list"):
        search.recommend_articles(REFUND_QUERY, user_segment_ids=given, **EVERYTHING)


# -- tickets a customer may see ----------------------------------------------------------------------


def _tickets(search, customer):
    return search.find_duplicate_tickets(CARD_QUERY, customer=customer, **EVERYTHING)


def test_a_customer_of_an_organisation_that_does_not_share_tickets_sees_only_their_own(search):
    found = _tickets(search, Customer(requester_id=501, organization_id=ORG))
    assert _ids(found) == {"101", "102", "103", "104", "415"}  # 105 is solved
    assert {m.requester_id for m in found} == {501}


def test_where_the_organisation_shares_tickets_its_customer_sees_the_organisations(search):
    found = _tickets(search, Customer(requester_id=501, organization_id=ORG, shared_tickets=True))
    expected = {str(t["id"]) for t in TICKETS if t["organization_id"] == ORG and t["status"] in OPEN}
    assert _ids(found) == expected
    assert {m.organization_id for m in found} == {ORG}
    assert len({m.requester_id for m in found}) > 1  # colleagues' tickets, which only sharing shows


def test_ids_held_as_numpy_integers_are_accepted_exactly_like_python_integers(search):
    plain = search.find_duplicate_tickets(CARD_QUERY, organization_id=ORG, requester_id=501, **EVERYTHING)
    numpy = search.find_duplicate_tickets(
        CARD_QUERY, organization_id=np.int64(ORG), requester_id=np.int32(501), **EVERYTHING
    )
    assert plain == numpy and plain
    customer = Customer(requester_id=np.int64(501), organization_id=np.int64(ORG))
    assert _ids(_tickets(search, customer)) == {"101", "102", "103", "104", "415"}


@pytest.mark.parametrize("value", [np.float64(42.0), np.bool_(True), 42.0, True], ids=repr)
def test_numpy_floats_and_booleans_stay_refused(search, value):
    with pytest.raises(UnsafeFilterValueError):
        search.find_duplicate_tickets(CARD_QUERY, organization_id=value, **EVERYTHING)


def test_a_customer_and_explicit_ids_are_not_mixed(search):
    with pytest.raises(ConfigurationError, match="not both"):
        search.find_duplicate_tickets(CARD_QUERY, customer=Customer(requester_id=501), organization_id=ORG)
    with pytest.raises(ConfigurationError, match="shared_tickets=True needs"):
        Customer(requester_id=501, shared_tickets=True)


# -- a collection that cannot tell --------------------------------------------------------------------

UNSAID = [{"id": 901, "title": "Internal: refunds", "body": "Agents only. Refund code RF-7731."}]


def test_a_collection_that_does_not_record_visibility_is_refused_unless_declared_public(tmp_path):
    uri = str(tmp_path / "milvus.db")
    sync(uri, "unsaid", {"articles": UNSAID}, properties={"user_segment_id": None})  # a source without the field
    with SupportSearch.connect(uri=uri, collection="unsaid") as search:
        with pytest.raises(ConfigurationError, match="all_articles_public=True") as error:
            search.recommend_articles(REFUND_QUERY, **EVERYTHING)
        assert "RF-7731" not in str(error.value)
        assert search.find_duplicate_tickets(CARD_QUERY, organization_id=ORG) == []  # tickets are unaffected
    with SupportSearch.connect(uri=uri, collection="unsaid", all_articles_public=True) as search:
        assert _ids(search.recommend_articles(REFUND_QUERY, **EVERYTHING)) == {"901"}


def test_a_help_centre_whose_articles_are_all_restricted_is_still_searched(tmp_path):
    uri = str(tmp_path / "milvus.db")
    restricted = [{**UNSAID[0], "user_segment_id": AGENTS_SEGMENT}]
    sync(uri, "agents", {"articles": restricted})
    with SupportSearch.connect(uri=uri, collection="agents") as search:
        assert search.recommend_articles(REFUND_QUERY, **EVERYTHING) == []
        assert _ids(search.recommend_articles(REFUND_QUERY, user_segment_ids=[AGENTS_SEGMENT], **EVERYTHING)) == {"901"}
