"""query_sdk fixtures: a small two-tenant help desk synced by the real connector, and helpers to sync others.

Import the fixtures you use into a test module (``from integration_tests.sdk_fixtures import helpdesk``).
Collections are written by ``DestinationMilvusSupport().write`` in-process, or by ``python main.py write``
in a subprocess when another process must open the Milvus Lite folder afterwards (Lite locks a folder
to the first process that opens it, until that process exits).
"""

from __future__ import annotations

import json
import subprocess
import sys
import uuid
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from airbyte_cdk.models import (
    AirbyteMessage,
    AirbyteMessageSerializer,
    AirbyteRecordMessage,
    AirbyteStream,
    ConfiguredAirbyteCatalog,
    ConfiguredAirbyteCatalogSerializer,
    ConfiguredAirbyteStream,
    DestinationSyncMode,
    SyncMode,
    Type,
)
from pymilvus import DataType, MilvusClient

from destination_milvus_support.destination import DestinationMilvusSupport
from integration_tests.conftest import BACKENDS
from testkit.openai_stub import OpenAIStub

PROJECT = Path(__file__).resolve().parent.parent
DIMS = 64
CHUNK_SIZE = 20  # FakeEmbedder tokens are words: short tickets stay whole, the long one splits
TEXT_FIELDS = ["subject", "description", "title", "body"]
METADATA_FIELDS = ["id", "organization_id", "requester_id", "status", "subject", "title", "html_url"]
ORG, OTHER_ORG = 42, 7
#: Requesters: 501 and 502 in org 42, 701 in org 7; 601 and 602 have no organisation (Zendesk end users often don't).
REQUESTER, OTHER_REQUESTER = 601, 602
OPEN = ("new", "open", "pending", "hold")

_PROPERTIES: dict[str, Any] = {
    "id": {"type": "integer"},
    "organization_id": {"type": ["null", "integer"]},
    "requester_id": {"type": ["null", "integer"]},
    "status": {"type": ["null", "string"]},
    "subject": {"type": ["null", "string"]},
    "description": {"type": ["null", "string"]},
    "title": {"type": ["null", "string"]},
    "body": {"type": ["null", "string"]},
    "html_url": {"type": ["null", "string"]},
    # Help Center article fields (synced only where a test lists them in metadata_fields)
    "draft": {"type": ["null", "boolean"]},
    "locale": {"type": ["null", "string"]},
    "section_id": {"type": ["null", "integer"]},
    "label_names": {"type": ["null", "array"], "items": {"type": "string"}},
    "user_segment_id": {"type": ["null", "integer"]},
}

# -- the help desk ---------------------------------------------------------------------------------

#: Queries, and the text org 7 holds verbatim (so a leaking filter would rank org 7 first).
CARD_QUERY = "My debit card was declined at the supermarket checkout"
REFUND_QUERY = "I returned the headphones and the refund is still missing"
PASSPORT_QUERY = "the app crashes when I upload my passport photo for verification"
RARE_WORD = "zorblax"
#: Help-centre user segments: articles 306 (agents and managers) and 307 (signed-in users) are restricted.
AGENTS_SEGMENT, SIGNED_IN_SEGMENT = 360000000001, 360000000002

_LONG_PARAGRAPHS = [
    "The app crashes on the welcome screen right after I open it in the morning.",
    "Then the app crashes again when I type my phone number into the sign up form.",
    "After a restart the app crashes while it sends me the text message with the code.",
    "The app crashes when I upload my passport photo for verification in the identity step.",
    "Later the app crashes while I choose my home address from the list of streets.",
    "When I pick a card design the app crashes and I have to start all over again.",
    "Finally the app crashes on the last screen where it asks me to accept the terms.",
]
LONG_DESCRIPTION = "\n\n".join(_LONG_PARAGRAPHS)


def _requester(tid: int, org: int | None) -> int:
    if org == ORG:
        return 501 if tid < 106 else 502
    return 701 if org == OTHER_ORG else REQUESTER


def _ticket(
    tid: int, org: int | None, status: str, subject: str | None, description: str, requester: int | None = None
) -> dict[str, Any]:
    ticket: dict[str, Any] = {
        "id": tid,
        "organization_id": org,
        "requester_id": requester or _requester(tid, org),
        "status": status,
        "description": description,
    }
    if subject is not None:
        ticket["subject"] = subject
    return ticket


TICKETS: list[dict[str, Any]] = [
    _ticket(101, ORG, "open", "Card declined", "My debit card got declined at the supermarket checkout today"),
    _ticket(102, ORG, "new", "Refund missing", "I sent back the headphones two weeks ago and still no refund"),
    _ticket(103, ORG, "pending", "Password reset", "The password reset email never arrives in my inbox"),
    _ticket(104, ORG, "hold", "Exchange rate", "The exchange rate on my euro transfer looks wrong"),
    _ticket(105, ORG, "solved", "Card declined", "My debit card was declined at the supermarket checkout"),
    _ticket(106, ORG, "closed", "Card declined", "Debit card declined at the supermarket checkout again"),
    _ticket(107, ORG, "open", "App crashes everywhere", LONG_DESCRIPTION),
    _ticket(108, ORG, "open", None, "Debit card declined at the petrol station when paying"),
    _ticket(109, ORG, "new", "Odd code", f"The reader shows {RARE_WORD} and stops"),
    _ticket(110, ORG, "open", "Card at the shop", "My card at the shop was not working at the checkout"),
    # Org 7 holds the query texts verbatim: any leak across tenants would rank these first.
    _ticket(201, OTHER_ORG, "open", "Card declined", CARD_QUERY),
    _ticket(202, OTHER_ORG, "new", "Refund missing", REFUND_QUERY),
    _ticket(203, OTHER_ORG, "pending", "Password reset", "The password reset email never arrives in my inbox"),
    _ticket(204, OTHER_ORG, "hold", "Exchange rate", "The exchange rate on my euro transfer looks wrong"),
    _ticket(207, OTHER_ORG, "open", "App crashes everywhere", LONG_DESCRIPTION.replace("morning", "evening")),
    _ticket(208, OTHER_ORG, "open", None, "Debit card declined at the petrol station when paying"),
    _ticket(209, OTHER_ORG, "new", "Odd code", f"The reader shows {RARE_WORD} and stops"),
    # Requesters without an organisation; 602 holds the query texts verbatim, so a leak would rank it first.
    _ticket(401, None, "open", "Card declined", "My debit card got declined at the supermarket checkout today"),
    _ticket(402, None, "new", "Refund missing", "I sent back the headphones two weeks ago and still no refund"),
    _ticket(403, None, "pending", "Upload fails", "The app fails when I add my passport picture"),
    _ticket(404, None, "solved", "Card declined", CARD_QUERY),
    _ticket(411, None, "open", "Card declined", CARD_QUERY, requester=OTHER_REQUESTER),
    _ticket(412, None, "new", "Refund missing", REFUND_QUERY, requester=OTHER_REQUESTER),
    _ticket(413, None, "open", "Upload fails", PASSPORT_QUERY, requester=OTHER_REQUESTER),
    _ticket(414, None, "hold", None, "Debit card declined at the petrol station when paying", OTHER_REQUESTER),
    # Requester 501 of org 42 also filed a ticket without the organisation (e.g. before joining it).
    _ticket(415, None, "open", "Card declined", CARD_QUERY, requester=501),
]

ARTICLES: list[dict[str, Any]] = [
    {"id": 301, "title": "Why was my card declined?", "body": "A card is declined when the balance is too low "
     "or the shop is blocked.", "html_url": "https://help.example.com/articles/301"},
    {"id": 302, "title": "How refunds work", "body": "Refunds reach your account within ten days of the return.",
     "html_url": "https://help.example.com/articles/302"},
    {"id": 303, "title": "Reset your password", "body": "Request a password reset email from the login screen.",
     "html_url": "https://help.example.com/articles/303"},
    {"id": 304, "title": "Exchange rates and fees", "body": "We apply the market exchange rate to every transfer.",
     "html_url": "https://help.example.com/articles/304"},
    {"id": 305, "title": "Verify your identity", "body": "Upload a passport photo in the app to verify yourself."},
    # Restricted to user segments (Zendesk user_segment_id); the others are for everyone (null).
    {"id": 306, "title": "Internal: I returned the headphones and the refund is still missing", "body": "Agents "
     "only. I returned the headphones and the refund is still missing: refund with code RF-7731.",
     "user_segment_id": AGENTS_SEGMENT},
    {"id": 307, "title": "Declined debit cards at the checkout", "body": "Signed-in customers: a debit card "
     "declined at the supermarket checkout can be unblocked in the app.", "user_segment_id": SIGNED_IN_SEGMENT},
]  # fmt: skip
for _article in ARTICLES:
    _article.setdefault("user_segment_id", None)

HELPDESK: dict[str, list[dict[str, Any]]] = {"tickets": TICKETS, "articles": ARTICLES}


def org_of(match: Any) -> int:
    """The organisation of a ticket result, read from the stored metadata."""
    return int(match.fields["organization_id"])


# -- building collections --------------------------------------------------------------------------


def configured_catalog(
    streams: Sequence[str], *, namespace: str | None = None, properties: Mapping[str, Any] | None = None
) -> ConfiguredAirbyteCatalog:
    """Append + dedup streams keyed by ``id``, with the help-desk JSON schema (``properties`` changes it; None drops)."""
    changed = {**_PROPERTIES, **(properties or {})}
    schema = {name: kind for name, kind in changed.items() if kind is not None}
    return ConfiguredAirbyteCatalog(
        streams=[
            ConfiguredAirbyteStream(
                stream=AirbyteStream(
                    name=name,
                    namespace=namespace,
                    json_schema={"type": "object", "properties": schema},
                    supported_sync_modes=[SyncMode.full_refresh, SyncMode.incremental],
                    source_defined_primary_key=[["id"]],
                ),
                sync_mode=SyncMode.incremental,
                destination_sync_mode=DestinationSyncMode.append_dedup,
                primary_key=[["id"]],
            )
            for name in streams
        ]
    )


def connector_config(
    uri: str,
    collection: str,
    *,
    embedding: Mapping[str, Any] | None = None,
    chunk_size: int = CHUNK_SIZE,
    metadata_fields: Sequence[str] = METADATA_FIELDS,
    email_text_fields: Sequence[str] = (),
    text_language: str = "english",
) -> dict[str, Any]:
    """A connector config; the fake embedder of ``DIMS`` dimensions unless ``embedding`` is given."""
    return {
        "processing": {
            "chunk_size": chunk_size,
            "text_fields": TEXT_FIELDS,
            "metadata_fields": list(metadata_fields),
            "email_text_fields": list(email_text_fields),
        },
        "embedding": dict(embedding or {"mode": "fake", "dimensions": DIMS}),
        "indexing": {"host": uri, "collection": collection, "text_language": text_language},
    }


def record_messages(records: Mapping[str, Sequence[Mapping[str, Any]]], *, namespace: str | None = None) -> list:
    """RECORD messages for ``{stream: [record, ...]}``."""
    return [
        AirbyteMessage(
            type=Type.RECORD,
            record=AirbyteRecordMessage(stream=stream, namespace=namespace, data=dict(data), emitted_at=0),
        )
        for stream, rows in records.items()
        for data in rows
    ]


def sync(
    uri: str,
    collection: str,
    records: Mapping[str, Sequence[Mapping[str, Any]]],
    *,
    namespace: str | None = None,
    streams: Sequence[str] | None = None,
    properties: Mapping[str, Any] | None = None,
    **config: Any,
) -> list[AirbyteMessage]:
    """Run the connector in-process over ``records``; return every message it yielded."""
    catalog = configured_catalog(list(streams or records), namespace=namespace, properties=properties)
    messages = record_messages(records, namespace=namespace)
    destination = DestinationMilvusSupport()
    return list(destination.write(connector_config(uri, collection, **config), catalog, iter(messages)))


def sync_in_subprocess(
    uri: str,
    collection: str,
    records: Mapping[str, Sequence[Mapping[str, Any]]],
    work: Path,
    *,
    metadata_fields: Sequence[str] = METADATA_FIELDS,
    namespace: str | None = None,
) -> None:
    """``python main.py write`` in a child process, so this process never opens (and locks) a Lite folder."""
    config, catalog, messages = work / "config.json", work / "catalog.json", work / "messages.jsonl"
    config.write_text(json.dumps(connector_config(uri, collection, metadata_fields=metadata_fields)))
    configured = configured_catalog(list(records), namespace=namespace)
    catalog.write_text(json.dumps(ConfiguredAirbyteCatalogSerializer.dump(configured)))
    lines = [json.dumps(AirbyteMessageSerializer.dump(m)) for m in record_messages(records, namespace=namespace)]
    messages.write_text("\n".join(lines) + "\n")
    with messages.open("rb") as stdin:
        done = subprocess.run(
            [sys.executable, "main.py", "write", "--config", str(config), "--catalog", str(catalog)],
            cwd=PROJECT,
            stdin=stdin,
            capture_output=True,
            text=True,
            timeout=300,
        )
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]


def create_official_layout(client: MilvusClient, name: str, *, dims: int, nlist: int) -> None:
    """A collection shaped as the official destination creates one: auto_id INT64 pk, dynamic field, IVF_FLAT, L2."""
    schema = MilvusClient.create_schema(auto_id=True, enable_dynamic_field=True)
    schema.add_field("pk", DataType.INT64, is_primary=True)
    schema.add_field("vector", DataType.FLOAT_VECTOR, dim=dims)
    index = client.prepare_index_params()
    index.add_index("vector", index_type="IVF_FLAT", metric_type="L2", params={"nlist": nlist})
    client.create_collection(name, schema=schema, index_params=index, consistency_level="Strong")


# -- fixtures --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Desk:
    """A synced collection: where it is, what backend holds it and how it was built."""

    uri: str
    collection: str
    backend: str


def _fresh_name() -> str:
    return f"t_{uuid.uuid4().hex[:12]}"


@pytest.fixture(scope="module", params=BACKENDS)
def helpdesk(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Desk:
    """The two-tenant help desk on each backend (chunk size 20, fake embedder, metadata incl. subject)."""
    backend = request.param
    if backend == "lite":
        uri = str(tmp_path_factory.mktemp("helpdesk") / "milvus.db")
    elif backend == "lite_server":
        uri = str(request.getfixturevalue("_lite_server_uri"))
    else:
        uri = str(request.getfixturevalue("_standalone_uri"))
    collection = _fresh_name()
    sync(uri, collection, HELPDESK)
    return Desk(uri, collection, backend)


@pytest.fixture(scope="module")
def lite_helpdesk(tmp_path_factory: pytest.TempPathFactory) -> Desk:
    """The help desk on a Milvus Lite folder only."""
    uri = str(tmp_path_factory.mktemp("lite-helpdesk") / "milvus.db")
    collection = _fresh_name()
    sync(uri, collection, HELPDESK)
    return Desk(uri, collection, "lite")


_SUBPROCESS_DESKS: dict[str, Desk] = {}


@pytest.fixture(scope="session")
def subprocess_helpdesk(tmp_path_factory: pytest.TempPathFactory) -> Desk:
    """The help desk in a Lite folder this test process never opens (for CLI and other child processes).

    Built once per test run, even when several modules import the fixture (each import is its own
    fixture definition to pytest).
    """
    if "helpdesk" not in _SUBPROCESS_DESKS:
        work = tmp_path_factory.mktemp("subprocess-helpdesk")
        uri = str(work / "support.db")
        sync_in_subprocess(uri, "zendesk", HELPDESK, work)
        _SUBPROCESS_DESKS["helpdesk"] = Desk(uri, "zendesk", "lite")
    return _SUBPROCESS_DESKS["helpdesk"]


@pytest.fixture(scope="module")
def module_openai_stub() -> Iterator[OpenAIStub]:
    """An OpenAI-compatible stub that lives as long as the module (its URL is stored in a collection contract)."""
    with OpenAIStub(dimensions=DIMS) as stub:
        yield stub


@pytest.fixture(scope="module")
def stub_helpdesk(tmp_path_factory: pytest.TempPathFactory, module_openai_stub: OpenAIStub) -> Desk:
    """The help desk embedded through the real ``openai`` client against the stub (mode openai_compatible)."""
    uri = str(tmp_path_factory.mktemp("stub-helpdesk") / "milvus.db")
    collection = _fresh_name()
    embedding = {
        "mode": "openai_compatible",
        "base_url": module_openai_stub.base_url,
        "model_name": "stub-embedding",
        "dimensions": DIMS,
    }
    sync(uri, collection, HELPDESK, embedding=embedding)
    return Desk(uri, collection, "lite")
