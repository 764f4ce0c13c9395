"""Build the bundled sample help-desk data set (standard library only).

Usage::

    python sample_data/build.py [--banking77 DIR] [--out DIR]

``DIR`` defaults to ``sample_data/banking77`` (in the repository); the output directory
defaults to this folder (``sample_data/``). The script works from any current
directory and is fully deterministic: running it twice gives byte-identical
files.

The functions below are importable (``from sample_data.build import
make_tickets, make_articles``) so that benchmarks can build larger ticket sets
from the same Banking77 rows with exactly the same record shape:

* ``load_banking77(directory, split)`` -> ``[(text, category), ...]``
* ``make_tickets(rows, start_id=1)`` -> Zendesk ``tickets`` records (no label)
* ``make_tickets_with_labels(rows, start_id=1)`` -> ``(records, {ticket_id: intent})``
* ``make_articles()`` -> ``(records, {article_id: intent})``

Records are shaped like the ones Airbyte's Zendesk Support source emits for
the ``tickets`` and ``articles`` streams.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import json
import random
import re
import shutil
import sys
from collections import defaultdict
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any, Iterable, Sequence

SAMPLE_DIR = Path(__file__).resolve().parent
REPO_ROOT = SAMPLE_DIR.parent
DEFAULT_BANKING77_DIR = REPO_ROOT / "sample_data" / "banking77"
#: Where Banking77's CSV files (columns ``text,category``) are published (PolyAI, CC BY 4.0).
BANKING77_SOURCE = "https://github.com/PolyAI-LDN/task-specific-datasets/tree/master/banking_data"

if __package__ in (None, ""):  # run as a script: make ``sample_data`` importable
    sys.path.insert(0, str(REPO_ROOT))

from sample_data.articles import ARTICLES  # noqa: E402

# --------------------------------------------------------------------------- constants

SUBDOMAIN_URL = "https://acme.zendesk.com"
EMITTED_AT = 1772000000000  # fixed so the output is reproducible
SAMPLE_SIZE = 1200
SAMPLE_SEED = 77
STATE_EVERY = 250

ORGANIZATION_IDS = [360001, 360002, 360003, 360004, 360005]
#: Organisations whose end users may not see each other's tickets (Zendesk ``shared_tickets`` false).
PRIVATE_ORGANIZATION_IDS = {360003}
#: Zendesk tags a ticket merged into another, which closes it.
MERGED_TAG = "closed_by_merge"
STATUS_WEIGHTS = [
    ("new", 15),
    ("open", 30),
    ("pending", 10),
    ("hold", 5),
    ("solved", 25),
    ("closed", 15),
]
PRIORITY_WEIGHTS = [(None, 20), ("low", 20), ("normal", 40), ("high", 15), ("urgent", 5)]
TYPE_WEIGHTS = [("question", 45), ("problem", 25), ("incident", 10), (None, 20)]
CHANNEL_WEIGHTS = [("web", 45), ("email", 25), ("mobile_sdk", 20), ("api", 10)]
# Tags describe the customer / channel, never the intent.
TAG_POOL = [
    "mobile_app",
    "web_form",
    "vip",
    "premium_plan",
    "standard_plan",
    "first_contact",
    "repeat_contact",
    "uk_customer",
    "eu_customer",
    "escalated",
]
AGENT_IDS = [381000000101, 381000000102, 381000000103, 381000000104, 381000000105, 381000000106]
GROUP_IDS = [382000000001, 382000000002, 382000000003]
BRAND_ID = 383000000001
ARTICLE_AUTHOR_IDS = [381000000201, 381000000202, 381000000203]

TICKET_BASE_TIME = datetime(2025, 11, 3, 8, 0, 0, tzinfo=timezone.utc)
TICKET_STEP = timedelta(minutes=13)  # ticket n is created about 13 minutes after ticket n-1
ARTICLE_BASE_TIME = datetime(2025, 6, 2, 9, 0, 0, tzinfo=timezone.utc)
ARTICLE_ID_BASE = 4400000000

SECTIONS: dict[int, str] = {
    360010000001: "Cards",
    360010000002: "Payments",
    360010000003: "Transfers",
    360010000004: "Top-ups",
    360010000005: "Account",
    360010000006: "Security",
    360010000007: "Exchange & currencies",
    360010000008: "Cash",
}
_SECTION_ID = {name: sid for sid, name in SECTIONS.items()}
_SECTION_INTENTS: dict[str, list[str]] = {
    "Cards": [
        "card_arrival",
        "card_delivery_estimate",
        "card_linking",
        "activate_my_card",
        "order_physical_card",
        "get_physical_card",
        "getting_spare_card",
        "card_about_to_expire",
        "visa_or_mastercard",
        "card_acceptance",
        "card_not_working",
        "contactless_not_working",
        "getting_virtual_card",
        "get_disposable_virtual_card",
        "disposable_card_limits",
        "virtual_card_not_working",
    ],
    "Payments": [
        "card_payment_fee_charged",
        "card_payment_not_recognised",
        "declined_card_payment",
        "pending_card_payment",
        "reverted_card_payment?",
        "transaction_charged_twice",
        "request_refund",
        "Refund_not_showing_up",
        "extra_charge_on_statement",
        "direct_debit_payment_not_recognised",
        "apple_pay_or_google_pay",
    ],
    "Transfers": [
        "cancel_transfer",
        "beneficiary_not_allowed",
        "declined_transfer",
        "failed_transfer",
        "pending_transfer",
        "transfer_timing",
        "transfer_not_received_by_recipient",
        "transfer_fee_charged",
        "transfer_into_account",
        "balance_not_updated_after_bank_transfer",
        "receiving_money",
    ],
    "Top-ups": [
        "topping_up_by_card",
        "automatic_top_up",
        "pending_top_up",
        "top_up_by_bank_transfer_charge",
        "top_up_by_card_charge",
        "top_up_by_cash_or_cheque",
        "balance_not_updated_after_cheque_or_cash_deposit",
        "top_up_failed",
        "top_up_limits",
        "top_up_reverted",
        "verify_top_up",
        "supported_cards_and_currencies",
    ],
    "Account": [
        "age_limit",
        "edit_personal_details",
        "terminate_account",
        "country_support",
        "verify_my_identity",
        "why_verify_identity",
        "unable_to_verify_identity",
        "verify_source_of_funds",
    ],
    "Security": [
        "compromised_card",
        "lost_or_stolen_card",
        "lost_or_stolen_phone",
        "passcode_forgotten",
        "pin_blocked",
        "change_pin",
    ],
    "Exchange & currencies": [
        "exchange_rate",
        "exchange_charge",
        "exchange_via_app",
        "fiat_currency_support",
        "card_payment_wrong_exchange_rate",
        "wrong_exchange_rate_for_cash_withdrawal",
    ],
    "Cash": [
        "atm_support",
        "card_swallowed",
        "cash_withdrawal_charge",
        "cash_withdrawal_not_recognised",
        "declined_cash_withdrawal",
        "pending_cash_withdrawal",
        "wrong_amount_of_cash_received",
    ],
}
SECTION_BY_INTENT: dict[str, int] = {
    intent: _SECTION_ID[name] for name, intents in _SECTION_INTENTS.items() for intent in intents
}
# Help-center labels are derived from the article title (never the intent name).
_LABEL_KEYWORDS = [
    ("fee", "fees"),
    ("charge", "fees"),
    ("cost", "fees"),
    ("pending", "pending"),
    ("declined", "declined"),
    ("refund", "refunds"),
    ("identity", "verification"),
    ("verify", "verification"),
    ("exchange", "exchange"),
    ("pin", "pin"),
    ("atm", "atm"),
    ("cash", "cash"),
    ("virtual", "virtual_card"),
    ("top-up", "top_up"),
    ("top up", "top_up"),
    ("transfer", "transfers"),
    ("lost", "lost_and_stolen"),
    ("stolen", "lost_and_stolen"),
    ("delivery", "delivery"),
    ("deliver", "delivery"),
]

# --------------------------------------------------------------------------- helpers


def _rng(kind: str, key: int) -> random.Random:
    """A random generator that depends only on (kind, key): stable across runs and platforms."""
    digest = hashlib.sha256(f"{kind}:{key}".encode()).digest()
    return random.Random(int.from_bytes(digest[:8], "big"))


def _weighted(rng: random.Random, pairs: Sequence[tuple[Any, int]]) -> Any:
    values = [v for v, _ in pairs]
    weights = [w for _, w in pairs]
    return rng.choices(values, weights=weights, k=1)[0]


def _iso(ts: datetime) -> str:
    return ts.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def _slugify(title: str) -> str:
    slug = re.sub(r"[^A-Za-z0-9]+", "-", title.lower()).strip("-")
    return slug or "article"


def _row_text_category(row: Any) -> tuple[str, str | None]:
    if isinstance(row, dict):
        return str(row["text"]), row.get("category")
    if isinstance(row, str):
        return row, None
    text, category = row[0], (row[1] if len(row) > 1 else None)
    return str(text), category


# --------------------------------------------------------------------------- banking77


def load_banking77(directory: str | Path = DEFAULT_BANKING77_DIR, split: str = "train") -> list[tuple[str, str]]:
    """Read ``<directory>/<split>.csv`` (columns ``text,category``) as ``[(text, category), ...]``."""
    path = Path(directory) / f"{split}.csv"
    if not path.is_file():
        raise FileNotFoundError(
            f"Banking77's {split}.csv is not in {Path(directory).resolve()}. Download train.csv and test.csv "
            f"from {BANKING77_SOURCE} into that folder, or pass its location (--banking77 DIR)."
        )
    with path.open(newline="", encoding="utf-8") as fh:
        return [(r["text"], r["category"]) for r in csv.DictReader(fh)]


def sample_rows(
    rows: Sequence[tuple[str, str]], n: int = SAMPLE_SIZE, seed: int = SAMPLE_SEED
) -> list[tuple[str, str]]:
    """A fixed, stratified sample of ``n`` rows spread over every category, in shuffled order.

    Each category gets ``n // k`` rows (k = number of categories); the remainder goes to
    randomly chosen categories. Uses ``random.Random(seed)`` only, so it is deterministic.
    """
    rng = random.Random(seed)
    by_cat: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for text, cat in rows:
        by_cat[cat].append((text, cat))
    cats = sorted(by_cat)
    base, extra = divmod(n, len(cats))
    bonus = set(rng.sample(cats, extra))
    picked: list[tuple[str, str]] = []
    for cat in cats:
        want = min(len(by_cat[cat]), base + (1 if cat in bonus else 0))
        picked.extend(rng.sample(by_cat[cat], want))
    rng.shuffle(picked)
    return picked


# --------------------------------------------------------------------------- tickets


_DANGLING_WORDS = {
    "a",
    "an",
    "the",
    "my",
    "your",
    "our",
    "their",
    "his",
    "her",
    "its",
    "this",
    "that",
    "these",
    "to",
    "of",
    "in",
    "on",
    "at",
    "for",
    "from",
    "with",
    "by",
    "into",
    "about",
    "as",
    "and",
    "or",
    "but",
    "so",
    "if",
    "because",
    "is",
    "are",
    "was",
    "were",
    "be",
    "been",
    "am",
    "i",
    "i'm",
    "it",
    "some",
    "any",
    "when",
    "where",
    "why",
    "how",
    "what",
    "which",
    "who",
    "do",
    "does",
    "did",
    "can",
    "could",
    "will",
    "would",
    "should",
    "have",
    "has",
    "had",
    "not",
    "there",
}


def make_subject(text: str, max_words: int = 8) -> str:
    """Ticket subject from the query: its first ``max_words`` words, trimmed.

    When the query is longer, trailing function words ("the", "my", "to", ...) are dropped so
    the subject does not end mid-phrase; trailing punctuation is always removed. Only the
    query text is used, never its label.
    """
    words = text.split()
    head = words[:max_words]
    if len(words) > max_words:
        while len(head) > 3 and head[-1].lower().strip(".,;:!?\"'()") in _DANGLING_WORDS:
            head.pop()
    subject = " ".join(head).rstrip(".,;:!?-\u2013\u2014([\"' ")
    if not subject:
        return "Support request"
    return subject[0].upper() + subject[1:]


def make_ticket(ticket_id: int, text: str) -> dict[str, Any]:
    """One Zendesk ``tickets`` record; every attribute depends only on ``ticket_id`` and ``text``."""
    rng = _rng("ticket", ticket_id)
    text = " ".join(text.split())
    created = TICKET_BASE_TIME + TICKET_STEP * (ticket_id - 1) + timedelta(seconds=rng.randrange(0, 600))
    status = _weighted(rng, STATUS_WEIGHTS)
    if status == "new":
        updated = created
    elif status in ("open", "pending", "hold"):
        updated = created + timedelta(minutes=rng.randrange(5, 3 * 24 * 60))
    elif status == "solved":
        updated = created + timedelta(minutes=rng.randrange(60, 5 * 24 * 60))
    else:  # closed: Zendesk closes solved tickets after a few days
        updated = created + timedelta(minutes=rng.randrange(4 * 24 * 60, 14 * 24 * 60))
    org_index = rng.randrange(len(ORGANIZATION_IDS))
    organization_id = ORGANIZATION_IDS[org_index]
    requester_id = 380000000000 + (org_index + 1) * 10000 + rng.randrange(1, 400)
    priority = _weighted(rng, PRIORITY_WEIGHTS)
    ticket_type = _weighted(rng, TYPE_WEIGHTS)
    channel = _weighted(rng, CHANNEL_WEIGHTS)
    n_tags = _weighted(rng, [(0, 30), (1, 45), (2, 25)])
    tags = sorted(rng.sample(TAG_POOL, n_tags))
    if channel == "mobile_sdk" and "mobile_app" not in tags:
        tags = sorted([*tags, "mobile_app"])
    assignee_id = None if status == "new" else rng.choice(AGENT_IDS)
    subject = make_subject(text)
    return {
        "id": ticket_id,
        "url": f"{SUBDOMAIN_URL}/api/v2/tickets/{ticket_id}.json",
        "external_id": None,
        "type": ticket_type,
        "subject": subject,
        "raw_subject": subject,
        "description": text,
        "priority": priority,
        "status": status,
        "recipient": None,
        "requester_id": requester_id,
        "submitter_id": requester_id,
        "assignee_id": assignee_id,
        "organization_id": organization_id,
        "group_id": None if assignee_id is None else rng.choice(GROUP_IDS),
        "collaborator_ids": [],
        "follower_ids": [],
        "email_cc_ids": [],
        "has_incidents": False,
        "is_public": True,
        "due_at": None,
        "tags": tags,
        "custom_fields": [],
        "satisfaction_rating": None,
        "brand_id": BRAND_ID,
        "allow_channelback": False,
        "allow_attachments": True,
        "via": {"channel": channel, "source": {"from": {}, "to": {}, "rel": None}},
        "created_at": _iso(created),
        "updated_at": _iso(updated),
        "generated_timestamp": int(updated.timestamp()),
    }


def make_tickets_with_labels(rows: Iterable[Any], start_id: int = 1) -> tuple[list[dict[str, Any]], dict[int, str]]:
    """Tickets for ``rows`` (``(text, category)`` pairs) plus the ``{ticket_id: category}`` labels.

    Ticket ids are ``start_id, start_id + 1, ...`` in row order. The category is never put
    into the record (not in the subject, tags or any other field).
    """
    tickets: list[dict[str, Any]] = []
    labels: dict[int, str] = {}
    for offset, row in enumerate(rows):
        text, category = _row_text_category(row)
        ticket_id = start_id + offset
        tickets.append(make_ticket(ticket_id, text))
        if category is not None:
            labels[ticket_id] = category
    return tickets, labels


def mark_merges(tickets: list[dict[str, Any]], labels: dict[int, str]) -> int:
    """Close as merged (tag ``closed_by_merge``) each closed ticket that repeats an earlier one of its organisation.

    "Repeats" means the same Banking77 intent: the history a help desk keeps when agents merge a
    duplicate request into the ticket already open for it. Returns how many were marked.
    """
    first: dict[tuple[Any, str], int] = {}
    marked = 0
    for ticket in sorted(tickets, key=lambda t: t["id"]):
        key = (ticket["organization_id"], labels.get(ticket["id"], ""))
        if ticket["status"] == "closed" and key in first:
            ticket["tags"] = sorted({*ticket["tags"], MERGED_TAG})
            marked += 1
        else:
            first.setdefault(key, ticket["id"])
    return marked


def make_organizations() -> list[dict[str, Any]]:
    """The sample desk's Zendesk ``organizations``: whether each lets its users see each other's tickets."""
    return [
        {
            "id": org,
            "url": f"{SUBDOMAIN_URL}/api/v2/organizations/{org}.json",
            "name": f"Acme customer {index}",
            "shared_tickets": org not in PRIVATE_ORGANIZATION_IDS,
            "shared_comments": org not in PRIVATE_ORGANIZATION_IDS,
        }
        for index, org in enumerate(ORGANIZATION_IDS, start=1)
    ]


def make_tickets(rows: Iterable[Any], start_id: int = 1) -> list[dict[str, Any]]:
    """Zendesk ``tickets`` records for ``rows`` of ``(text, category)``; the category is dropped.

    Use :func:`make_tickets_with_labels` to also get the ``{ticket_id: category}`` mapping.
    """
    return make_tickets_with_labels(rows, start_id)[0]


# --------------------------------------------------------------------------- articles


def _label_names(title: str, section_id: int) -> list[str]:
    labels = {SECTIONS[section_id].lower().replace(" & ", "_").replace("-", "_").replace(" ", "_")}
    low = title.lower()
    for needle, label in _LABEL_KEYWORDS:
        if needle in low:
            labels.add(label)
    return sorted(labels)


def make_articles(articles: Sequence[dict[str, Any]] | None = None) -> tuple[list[dict[str, Any]], dict[int, str]]:
    """Zendesk Help Center ``articles`` records for :data:`ARTICLES` and ``{article_id: intent}``.

    Article n (1-based, in list order) gets id ``4400000000 + n``.
    """
    source = ARTICLES if articles is None else articles
    records: list[dict[str, Any]] = []
    labels: dict[int, str] = {}
    for n, art in enumerate(source, start=1):
        article_id = ARTICLE_ID_BASE + n
        rng = _rng("article", article_id)
        intent = art["intent"]
        section_id = SECTION_BY_INTENT[intent]
        created = ARTICLE_BASE_TIME + timedelta(days=n, minutes=rng.randrange(0, 480))
        updated = created + timedelta(days=rng.randrange(0, 120), minutes=rng.randrange(0, 600))
        vote_count = rng.randrange(0, 60)
        records.append(
            {
                "id": article_id,
                "url": f"{SUBDOMAIN_URL}/api/v2/help_center/en-us/articles/{article_id}.json",
                "html_url": f"{SUBDOMAIN_URL}/hc/en-us/articles/{article_id}-{_slugify(art['title'])}",
                "author_id": rng.choice(ARTICLE_AUTHOR_IDS),
                "comments_disabled": True,
                "draft": False,
                "promoted": False,
                "position": 0,
                "vote_sum": vote_count - 2 * rng.randrange(0, vote_count // 4 + 1),
                "vote_count": vote_count,
                "section_id": section_id,
                "created_at": _iso(created),
                "updated_at": _iso(updated),
                "edited_at": _iso(updated),
                "name": art["title"],
                "title": art["title"],
                "source_locale": "en-us",
                "locale": "en-us",
                "outdated": False,
                "outdated_locales": [],
                "permission_group_id": 384000000001,
                "user_segment_id": art.get("user_segment_id"),
                "content_tag_ids": [],
                "label_names": _label_names(art["title"], section_id),
                "body": art["body_html"],
            }
        )
        labels[article_id] = intent
    return records, labels


# --------------------------------------------------------------------------- schemas & catalogs

_NULL_INT = {"type": ["null", "integer"]}
_NULL_STR = {"type": ["null", "string"]}
_NULL_BOOL = {"type": ["null", "boolean"]}
_DATE_TIME = {"type": ["null", "string"], "format": "date-time"}
_INT_ARRAY = {"type": ["null", "array"], "items": {"type": ["null", "integer"]}}
_STR_ARRAY = {"type": ["null", "array"], "items": {"type": "string"}}


def ticket_json_schema() -> dict[str, Any]:
    """JSON schema of the ``tickets`` stream (the fields :func:`make_ticket` emits)."""
    return {
        "$schema": "http://json-schema.org/draft-07/schema#",
        "type": "object",
        "additionalProperties": True,
        "properties": {
            "id": {"type": "integer"},
            "url": _NULL_STR,
            "external_id": _NULL_STR,
            "type": _NULL_STR,
            "subject": {"type": ["null", "string"]},
            "raw_subject": _NULL_STR,
            "description": {"type": ["null", "string"]},
            "priority": _NULL_STR,
            "status": _NULL_STR,
            "recipient": _NULL_STR,
            "requester_id": _NULL_INT,
            "submitter_id": _NULL_INT,
            "assignee_id": _NULL_INT,
            "organization_id": _NULL_INT,
            "group_id": _NULL_INT,
            "collaborator_ids": _INT_ARRAY,
            "follower_ids": _INT_ARRAY,
            "email_cc_ids": _INT_ARRAY,
            "has_incidents": _NULL_BOOL,
            "is_public": _NULL_BOOL,
            "due_at": _DATE_TIME,
            "tags": _STR_ARRAY,
            "custom_fields": {
                "type": ["null", "array"],
                "items": {
                    "type": ["null", "object"],
                    "properties": {"id": _NULL_INT, "value": {}},
                },
            },
            "satisfaction_rating": {"type": ["null", "object", "string"]},
            "brand_id": _NULL_INT,
            "allow_channelback": _NULL_BOOL,
            "allow_attachments": _NULL_BOOL,
            "via": {
                "type": ["null", "object"],
                "properties": {
                    "channel": _NULL_STR,
                    "source": {
                        "type": ["null", "object"],
                        "properties": {
                            "from": {"type": ["null", "object"]},
                            "to": {"type": ["null", "object"]},
                            "rel": _NULL_STR,
                        },
                    },
                },
            },
            "created_at": _DATE_TIME,
            "updated_at": _DATE_TIME,
            "generated_timestamp": _NULL_INT,
        },
    }


def article_json_schema() -> dict[str, Any]:
    """JSON schema of the ``articles`` stream (the fields :func:`make_articles` emits)."""
    return {
        "$schema": "http://json-schema.org/draft-07/schema#",
        "type": "object",
        "additionalProperties": True,
        "properties": {
            "id": {"type": "integer"},
            "url": _NULL_STR,
            "html_url": _NULL_STR,
            "author_id": _NULL_INT,
            "comments_disabled": _NULL_BOOL,
            "draft": {"type": ["null", "boolean"]},
            "promoted": _NULL_BOOL,
            "position": _NULL_INT,
            "vote_sum": _NULL_INT,
            "vote_count": _NULL_INT,
            "section_id": {"type": ["null", "integer"]},
            "created_at": _DATE_TIME,
            "updated_at": _DATE_TIME,
            "edited_at": _DATE_TIME,
            "name": _NULL_STR,
            "title": {"type": ["null", "string"]},
            "source_locale": _NULL_STR,
            "locale": {"type": ["null", "string"]},
            "outdated": _NULL_BOOL,
            "outdated_locales": _STR_ARRAY,
            "permission_group_id": _NULL_INT,
            "user_segment_id": _NULL_INT,
            "content_tag_ids": _STR_ARRAY,
            "label_names": _STR_ARRAY,
            "body": {"type": ["null", "string"]},
        },
    }


def make_catalog(destination_sync_mode: str) -> dict[str, Any]:
    """ConfiguredAirbyteCatalog for ``tickets`` and ``articles``.

    ``destination_sync_mode`` is ``append``, ``append_dedup`` or ``overwrite``; overwrite uses
    ``full_refresh`` and ``minimum_generation_id = 1`` (truncate), the others ``incremental``.
    """
    if destination_sync_mode not in ("append", "append_dedup", "overwrite"):
        raise ValueError(f"unknown destination_sync_mode {destination_sync_mode!r}")
    overwrite = destination_sync_mode == "overwrite"
    streams = []
    for name, schema in (("tickets", ticket_json_schema()), ("articles", article_json_schema())):
        streams.append(
            {
                "stream": {
                    "name": name,
                    "json_schema": schema,
                    "supported_sync_modes": ["full_refresh", "incremental"],
                    "source_defined_cursor": True,
                    "default_cursor_field": ["updated_at"],
                    "source_defined_primary_key": [["id"]],
                },
                "sync_mode": "full_refresh" if overwrite else "incremental",
                "destination_sync_mode": destination_sync_mode,
                "cursor_field": ["updated_at"],
                "primary_key": [["id"]],
                "generation_id": 1,
                "minimum_generation_id": 1 if overwrite else 0,
                "sync_id": 1,
            }
        )
    return {"streams": streams}


# --------------------------------------------------------------------------- messages & configs


def record_message(stream: str, data: dict[str, Any], emitted_at: int = EMITTED_AT) -> dict[str, Any]:
    return {"type": "RECORD", "record": {"stream": stream, "data": data, "emitted_at": emitted_at}}


def state_message(stream: str, updated_at: str) -> dict[str, Any]:
    return {
        "type": "STATE",
        "state": {
            "type": "STREAM",
            "stream": {
                "stream_descriptor": {"name": stream},
                "stream_state": {"updated_at": updated_at},
            },
        },
    }


def make_messages(
    articles: Sequence[dict[str, Any]],
    tickets: Sequence[dict[str, Any]],
    state_every: int = STATE_EVERY,
) -> list[dict[str, Any]]:
    """Airbyte messages: all articles then a STATE; tickets (in ``updated_at`` order, as an
    incremental export emits them) with a STATE every ``state_every`` records and one at the end.
    Each STATE carries the maximum ``updated_at`` emitted so far for its stream."""
    messages: list[dict[str, Any]] = []
    for art in sorted(articles, key=lambda a: (a["updated_at"], a["id"])):
        messages.append(record_message("articles", art))
    if articles:
        messages.append(state_message("articles", max(a["updated_at"] for a in articles)))
    cursor = ""
    ordered = sorted(tickets, key=lambda t: (t["updated_at"], t["id"]))
    for i, ticket in enumerate(ordered, start=1):
        messages.append(record_message("tickets", ticket))
        cursor = max(cursor, ticket["updated_at"])
        if i % state_every == 0 and i != len(ordered):
            messages.append(state_message("tickets", cursor))
    if ordered:
        messages.append(state_message("tickets", cursor))
    return messages


_PROCESSING = {
    "chunk_size": 200,
    "chunk_overlap": 20,
    "text_fields": ["subject", "description", "title", "body"],
    "metadata_fields": [
        "id",
        "subject",
        "status",
        "organization_id",
        "requester_id",
        "priority",
        "tags",
        "updated_at",
        "url",
        "title",
        "html_url",
        "section_id",
        "locale",
        "draft",
        "label_names",
    ],
    "html_to_text": True,
}
_INDEXING = {"host": "./support.db", "collection": "zendesk", "auth": {"mode": "no_auth"}}


def make_config(embedding: dict[str, Any]) -> dict[str, Any]:
    """Connector config for Milvus Lite with the given ``embedding`` section."""
    return {
        "processing": json.loads(json.dumps(_PROCESSING)),
        "embedding": dict(embedding),
        "indexing": json.loads(json.dumps(_INDEXING)),
    }


# --------------------------------------------------------------------------- build & verify


def _write_json(path: Path, obj: Any) -> None:
    path.write_text(json.dumps(obj, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def verify(out_dir: Path, intents: Sequence[str] | None = None) -> dict[str, Any]:
    """Check the written files; raise ``AssertionError`` on any problem, return counts."""
    msgs = [json.loads(line) for line in (out_dir / "messages.jsonl").read_text(encoding="utf-8").splitlines()]
    labels = json.loads((out_dir / "labels.json").read_text(encoding="utf-8"))
    all_intents = sorted(set(intents) if intents is not None else set(labels["articles"].values()))
    records = [m["record"] for m in msgs if m["type"] == "RECORD"]
    tickets = [r["data"] for r in records if r["stream"] == "tickets"]
    articles = [r["data"] for r in records if r["stream"] == "articles"]
    states = [m for m in msgs if m["type"] == "STATE"]

    assert len({t["id"] for t in tickets}) == len(tickets), "duplicate ticket ids"
    assert len({a["id"] for a in articles}) == len(articles), "duplicate article ids"
    assert not ({t["id"] for t in tickets} & {a["id"] for a in articles}), "ticket/article id clash"
    assert set(map(int, labels["tickets"])) == {t["id"] for t in tickets}
    assert set(map(int, labels["articles"])) == {a["id"] for a in articles}
    covered = set(labels["articles"].values())
    missing = set(all_intents) - covered
    assert not missing, f"intents without an article: {sorted(missing)}"
    assert set(labels["tickets"].values()) <= set(all_intents)
    lowered = [i.lower() for i in all_intents]
    for t in tickets:
        assert t["updated_at"] >= t["created_at"], t["id"]
        assert t["organization_id"] in ORGANIZATION_IDS
        assert t["status"] in dict(STATUS_WEIGHTS)
        fields = [t["subject"].lower()] + [tag.lower() for tag in t["tags"]]
        for label in lowered:
            for f in fields:
                assert label not in f, f"ticket {t['id']} leaks intent {label!r}"
        assert "category" not in t and "intent" not in t
        assert t["subject"] and t["subject"][-1] not in ".,;:!?"
    for a in articles:
        assert a["section_id"] in SECTIONS and a["draft"] is False and a["locale"] == "en-us"
    # STATE messages: cursor never goes backwards and matches the records before it.
    last: dict[str, str] = {}
    seen_max: dict[str, str] = {}
    for m in msgs:
        if m["type"] == "RECORD":
            s = m["record"]["stream"]
            seen_max[s] = max(seen_max.get(s, ""), m["record"]["data"]["updated_at"])
        else:
            s = m["state"]["stream"]["stream_descriptor"]["name"]
            cur = m["state"]["stream"]["stream_state"]["updated_at"]
            assert cur == seen_max[s], (s, cur, seen_max[s])
            assert cur >= last.get(s, ""), "state cursor went backwards"
            last[s] = cur
    for mode in ("append", "append_dedup", "overwrite"):
        cat = json.loads((out_dir / f"catalog_{mode}.json").read_text(encoding="utf-8"))
        assert {s["stream"]["name"] for s in cat["streams"]} == {"tickets", "articles"}
    statuses: dict[str, int] = defaultdict(int)
    for t in tickets:
        statuses[t["status"]] += 1
    return {
        "messages": len(msgs),
        "tickets": len(tickets),
        "articles": len(articles),
        "states": len(states),
        "intents_with_article": len(covered),
        "ticket_intents": len(set(labels["tickets"].values())),
        "status_counts": dict(sorted(statuses.items())),
    }


def build(banking77_dir: str | Path = DEFAULT_BANKING77_DIR, out_dir: str | Path = SAMPLE_DIR) -> dict[str, Any]:
    """Write every sample file into ``out_dir`` and return a summary (file sizes and counts)."""
    banking77_dir = Path(banking77_dir)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)

    train = load_banking77(banking77_dir, "train")
    rows = sample_rows(train, SAMPLE_SIZE, SAMPLE_SEED)
    tickets, ticket_labels = make_tickets_with_labels(rows, start_id=1)
    mark_merges(tickets, ticket_labels)
    articles, article_labels = make_articles()

    with (out / "messages.jsonl").open("w", encoding="utf-8", newline="\n") as fh:
        for msg in make_messages(articles, tickets, STATE_EVERY):
            fh.write(json.dumps(msg, ensure_ascii=False, separators=(",", ":")) + "\n")
    _write_json(
        out / "labels.json",
        {
            "tickets": {str(k): v for k, v in sorted(ticket_labels.items())},
            "articles": {str(k): v for k, v in sorted(article_labels.items())},
        },
    )
    _write_json(out / "organizations.json", make_organizations())
    for mode in ("append", "append_dedup", "overwrite"):
        _write_json(out / f"catalog_{mode}.json", make_catalog(mode))
    _write_json(out / "config_local.json", make_config({"mode": "local"}))
    _write_json(out / "config_fake.json", make_config({"mode": "fake", "dimensions": 384}))
    licence = banking77_dir / "LICENSE"
    if licence.is_file() and not licence.resolve().is_relative_to(out.resolve()):
        # The output derives from Banking77: its licence goes with it (in sample_data/ it is already
        # there, in banking77/LICENSE).
        shutil.copyfile(licence, out / "LICENSE-banking77")

    categories_file = banking77_dir / "categories.json"
    intents = json.loads(categories_file.read_text(encoding="utf-8")) if categories_file.is_file() else None
    summary = verify(out, intents)
    summary["files"] = {
        p.name: p.stat().st_size
        for p in sorted(out.iterdir())
        if (p.is_file() and p.suffix in (".jsonl", ".json")) or p.name == "LICENSE-banking77"
    }
    return summary


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--banking77", default=str(DEFAULT_BANKING77_DIR), help="Banking77 folder (train.csv, test.csv)"
    )
    parser.add_argument("--out", default=str(SAMPLE_DIR), help="output folder (default: sample_data/)")
    args = parser.parse_args(argv)
    try:
        summary = build(args.banking77, args.out)
    except FileNotFoundError as error:
        print(f"build.py: error: {error}", file=sys.stderr)
        return 2
    print(json.dumps(summary, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
