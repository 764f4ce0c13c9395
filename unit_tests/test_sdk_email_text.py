"""E-mail boilerplate removal (query_sdk.email_text): the customer's words stay, what every e-mail shares goes."""

import pytest

from query_sdk.email_text import clean_email

PROBLEM = "My card payment at the supermarket was declined twice yesterday although I have money on the account."
ASK = "Can you check what is wrong with the card?"


def test_gmail_reply_keeps_the_new_text_only():
    text = (
        f"Hi Acme,\n\n{PROBLEM}\n\nThanks,\nAnna\n\n"
        "On Mon, 3 Nov 2025 at 10:12, Acme Support <support@acme.example> wrote:\n"
        "> Thank you for contacting Acme Support. Could you send us a screenshot?\n"
        ">\n> Best regards,\n> Acme Support"
    )
    assert clean_email(text) == PROBLEM


def test_a_header_wrapped_over_two_lines_is_found():
    text = f"{PROBLEM}\n\nOn Mon, 3 Nov 2025 at 10:12, Acme Support <\nsupport@acme.example> wrote:\n> Old answer."
    assert clean_email(text) == PROBLEM


def test_outlook_history_below_the_text_is_cut():
    text = (
        f"{PROBLEM}\n\n________________________________\n"
        "From: Acme Support <support@acme.example>\nSent: Monday, 3 November 2025 10:12\n"
        "To: Anna <anna@example.com>\nSubject: RE: card\n\n"
        "Thank you for contacting us. Please send us the date of the payment so we can look into it."
    )
    assert clean_email(text) == PROBLEM


def test_original_message_separator_cuts_the_history():
    text = f"{PROBLEM}\n\n-----Original Message-----\nThe agent's earlier answer that should not be matched on."
    assert clean_email(text) == PROBLEM


def test_a_header_followed_by_unquoted_history_cuts_the_rest():
    text = f"{PROBLEM}\n\nOn 3 Nov 2025, at 10:12, Acme Support wrote:\n\nWe are sorry for the trouble with your card."
    assert clean_email(text) == PROBLEM


def test_inline_reply_after_a_quote_is_kept():
    text = (
        f"On 3 Nov 2025, Acme Support wrote:\n> Which card is it?\n\nThe debit card. {PROBLEM}\n\n> And when?\n\n{ASK}"
    )
    assert clean_email(text) == f"The debit card. {PROBLEM}\n\n{ASK}"


def test_german_reply_header_from_mail_parser_reply():
    text = f"{PROBLEM}\n\nAm 03.11.2025 um 10:12 schrieb Acme Support <support@acme.example>:\n> Alte Antwort."
    assert clean_email(text) == PROBLEM


def test_signature_block_goes_and_prose_after_it_stays():
    text = (
        f"{PROBLEM}\n\nKind regards,\nMaria Jensen\nOperations Manager | Northwind Traders Ltd\n"
        f"T: +44 20 7946 0123 | www.northwind.example\n\nP.S. {ASK} It is the one ending in 1234."
    )
    assert clean_email(text) == f"{PROBLEM}\n\nP.S. {ASK} It is the one ending in 1234."


@pytest.mark.parametrize("signature", ["-- \nAnna\nContoso GmbH", "Sent from my iPhone", "Get Outlook for Android"])
def test_signature_delimiters_and_phone_signatures_go(signature):
    assert clean_email(f"{PROBLEM}\n\n{signature}") == PROBLEM


def test_confidentiality_footer_goes():
    footer = (
        "CONFIDENTIALITY NOTICE: This e-mail and any attachments are confidential and may be privileged. "
        "If you are not the intended recipient, please notify the sender immediately and delete it."
    )
    plain_footer = footer.removeprefix("CONFIDENTIALITY NOTICE: ")
    assert clean_email(f"{PROBLEM}\n\n{footer}") == PROBLEM
    assert clean_email(f"{PROBLEM}\n\n{plain_footer}") == PROBLEM


def test_a_customer_paragraph_about_attachments_is_not_a_footer():
    text = f"{PROBLEM}\n\nI got an e-mail with a virus in its attachments, was that from you?"
    assert clean_email(text) == text


def test_app_logs_and_stack_traces_go():
    text = (
        f"{PROBLEM}\n\nHere is the log:\n"
        "2025-11-01T09:11:01Z WARN http POST /v2/events 429 retry_after=2 request_id=00011668\n"
        "[12:01:33] ERROR payment declined code=E1234\n"
        "Traceback (most recent call last):\n"
        '  File "app.py", line 12, in pay\n'
        "ValueError: card declined\n"
        "java.lang.IllegalStateException: declined\n"
        "    at com.acme.pay.Card.charge(Card.java:42)\n"
        "Caused by: java.io.IOException: timeout\n"
        "    ... 12 more\n\n"
        f"{ASK}"
    )
    assert clean_email(text) == f"{PROBLEM}\n\nHere is the log:\n\n{ASK}"


def test_a_greeting_line_goes_but_a_sentence_starting_with_hi_stays():
    assert clean_email(f"Hello Acme team,\n{PROBLEM}") == PROBLEM
    assert clean_email("Hi, my card was declined. Please help.") == "Hi, my card was declined. Please help."


@pytest.mark.parametrize(
    "text",
    [
        "I am still waiting on my card.",
        "Thanks, but the card still does not work",  # a sign-off only when it is the whole line
        "How do I top up my account?\n- with a card\n- with a transfer",
        "What is the fee for > 1000 euros?",
    ],
)
def test_text_without_boilerplate_is_unchanged(text):
    assert clean_email(text) == text


def test_an_e_mail_that_is_all_quote_is_kept_as_sent():
    text = "> Thank you for contacting Acme Support."
    assert clean_email(text) == text
