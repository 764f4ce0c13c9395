"""Requests longer than the model's input: a 5,000-character customer email finds its duplicate first.

The collection is written by the real connector with the local model (254 tokens per input) into
each Milvus backend; the email is searched in pieces and scored as a whole (``query_sdk/_requests.py``).
Collections are synced with ``processing.email_text_fields`` (the tickets' descriptions lose quoted
replies, signatures, footers and logs; query_sdk cleans the request the same way) and without it:
a decoy ticket that carries the email's app log outranks the duplicate unless both sides are cleaned.
"""

import pytest

from integration_tests.sdk_fixtures import sync
from query_sdk import SupportSearch

ORG = 42


def app_log(seed: int) -> str:
    """Seven lines of the app's log, with the ids and times of one occasion."""
    return "\n".join(
        f"2025-11-0{day}T{seed % 24:02d}:1{day}:0{day}Z WARN http POST /v2/events 429 retry_after=2 "
        f"request_id={seed * 7919 + day:08x}"
        for day in range(1, 8)
    )


LOG = app_log(9)
SIGNATURE = "Kind regards,\nMaria Jensen\nOperations Manager | Northwind Traders Ltd\nT: +44 20 7946 0123"
FOOTER = (
    "CONFIDENTIALITY NOTICE: This e-mail and any attachments are confidential and may be privileged. "
    "If you are not the intended recipient, please notify the sender immediately and delete it."
)
PROBLEM = [
    "I transferred 400 euros to my landlord on Monday and the money still has not arrived in his account.",
    "The transfer shows as completed in the app but my landlord says nothing has reached his bank.",
    "Can you tell me where the transfer is and when the recipient will finally receive the money?",
    "He gave me the right IBAN and I checked the name twice, so I do not understand why it is missing.",
]
TICKETS = [
    # the duplicate: the same problem, told in other words, in a short ticket
    {"id": 1, "organization_id": ORG, "status": "open", "subject": "Transfer not received",
     "description": "My bank transfer to my landlord says completed, but he has not received the money yet. "
                    "Where is it?"},
    # a decoy from the same company about another problem, with the same e-mail footer
    {"id": 2, "organization_id": ORG, "status": "open", "subject": "App shows an error",
     "description": f"The app shows an error on the home screen when I open it.\n\n{FOOTER}"},
    {"id": 3, "organization_id": ORG, "status": "open", "subject": "Card declined",
     "description": "My debit card was declined at the supermarket even though I have money."},
    {"id": 4, "organization_id": ORG, "status": "new", "subject": "Change my address",
     "description": "I moved house and need to change the address on my account."},
    {"id": 5, "organization_id": ORG, "status": "pending", "subject": "Exchange rate",
     "description": "The exchange rate I got when paying in dollars was worse than the one in the app."},
    # a decoy about another problem that pasted nearly the same app log as the email
    {"id": 6, "organization_id": ORG, "status": "open", "subject": "Notifications do not show",
     "description": f"I get no push notifications on my phone any more. The app logged this:\n{app_log(10)}"},
]  # fmt: skip
DECOY_WITH_THE_LOG = "6"
ARTICLES = [
    {"id": 11, "title": "My transfer has not arrived", "body": "Transfers to other banks take up to two working "
     "days. If the recipient has not received the money after that, contact us with the transfer reference."},
    {"id": 12, "title": "Why was my card declined?", "body": "A card is declined when the balance is too low."},
]  # fmt: skip


def long_email() -> str:
    """A customer email of over 5,000 characters: the problem, a log, a signature, quoted history."""
    quoted = "\n".join(
        f"> On {day} Nov 2025 Acme Support wrote: Thanks for getting in touch, we will reply within one working day."
        for day in range(1, 35)
    )
    parts = ["Hello Acme team,", " ".join(PROBLEM[:2]), "Here is what the app logged:\n" + LOG, " ".join(PROBLEM[2:]),
             SIGNATURE,
             FOOTER, quoted, "P.S. " + PROBLEM[0] + " " + PROBLEM[3], FOOTER]  # fmt: skip
    return "\n\n".join(parts)


@pytest.fixture
def desk(milvus_uri, collection_name):
    """The desk synced with e-mail cleaning of the tickets' descriptions (the recommended set-up)."""
    sync(milvus_uri, collection_name, {"tickets": TICKETS, "articles": ARTICLES}, embedding={"mode": "local"},
         chunk_size=200, email_text_fields=["description"])  # fmt: skip
    with SupportSearch.connect(uri=milvus_uri, collection=collection_name) as search:
        assert search.clean_requests  # read from the collection
        yield search


@pytest.fixture
def uncleaned_desk(milvus_uri, collection_name):
    """The same desk synced without e-mail cleaning (the default)."""
    sync(milvus_uri, collection_name, {"tickets": TICKETS, "articles": ARTICLES}, embedding={"mode": "local"},
         chunk_size=200)  # fmt: skip
    with SupportSearch.connect(uri=milvus_uri, collection=collection_name) as search:
        assert not search.clean_requests
        yield search


def test_without_cleaning_the_decoy_that_shares_the_log_outranks_the_duplicate(uncleaned_desk):
    """Why cleaning exists: the pasted log matches the decoy's log closer than the problem matches its duplicate."""
    matches = uncleaned_desk.find_duplicate_tickets(long_email(), organization_id=ORG, threshold=-1.0)
    assert matches[0].record_id == DECOY_WITH_THE_LOG


def test_cleaning_both_sides_puts_the_duplicate_above_the_decoy_that_shares_the_log(desk):
    matches = desk.find_duplicate_tickets(long_email(), organization_id=ORG, threshold=-1.0)
    scores = {m.record_id: m.score for m in matches}
    assert matches[0].record_id == "1"
    assert scores["1"] >= desk.default_threshold("duplicate") > scores[DECOY_WITH_THE_LOG]
    assert "2025-11-" not in matches[0].snippet  # the stored text is the cleaned one


def test_a_5000_character_email_finds_its_duplicate_first(desk):
    email = long_email()
    assert len(email) >= 5000
    assert desk.embedder.count_tokens(email) > 2 * desk.embedder.max_input_tokens  # several pieces
    matches = desk.find_duplicate_tickets(email, organization_id=ORG, threshold=-1.0)
    assert [m.record_id for m in matches][:1] == ["1"]
    assert matches[0].score >= desk.default_threshold("duplicate")  # and it is flagged


def test_a_5000_character_email_gets_its_article_first(desk):
    articles = desk.recommend_articles(long_email(), threshold=-1.0)
    assert [a.record_id for a in articles][:1] == ["11"]


def test_long_and_short_requests_mix_in_one_batch(desk):
    short = "My debit card was declined at the shop"
    long_answers, short_answers = desk.find_duplicate_tickets_many(
        [long_email(), short], organization_id=ORG, threshold=-1.0
    )
    assert long_answers[0].record_id == "1"
    assert short_answers[0].record_id == "3"
    assert short_answers == desk.find_duplicate_tickets(short, organization_id=ORG, threshold=-1.0)
