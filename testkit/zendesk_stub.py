"""A Zendesk Support API stub over HTTPS: the endpoints the real source calls for ``check``, ``tickets`` and ``articles``.

What ``airbyte-source-zendesk-support`` 4.9.1 calls (its ``manifest.yaml`` and ``source.py``):

- ``check``: ``GET /api/v2/account/settings.json``; it needs
  ``settings.active_features.organization_access_enabled``.
- ``discover``/``read`` list streams first and probe ``GET /api/v2/ticket_forms`` (enterprise streams).
- ``tickets``: ``GET /api/v2/incremental/tickets/cursor.json?start_time=EPOCH``, then each ``after_url``
  until ``end_of_stream`` (Zendesk's cursor-based incremental ticket export); cursor ``generated_timestamp``.
- ``articles``: ``GET /api/v2/help_center/incremental/articles?start_time=EPOCH``, then each ``next_page``
  (a new ``start_time``: the last article's change time, also given as ``end_time``) until a page is
  empty (Zendesk's incremental article export); cursor ``updated_at``.

Requests need HTTP basic auth ``EMAIL/token:API_TOKEN`` (401 otherwise). Every request is appended to a
JSON-lines log, so tests can see which endpoints and ``start_time`` values the source used.

The data is the bundled sample help desk (``sample_data/messages.jsonl``): its first tickets and all its
articles, made to look like a real account (custom fields with booleans, lists and numbers; satisfaction
ratings; email ``via`` with from/to addresses; tickets without an organisation; a draft and a German
article; a long HTML article), plus a few scripted tickets the tests ask about. ``--phase 2`` is the
same account later: some tickets were solved or rewritten and one article was edited.

Run (inside a network namespace where the subdomain resolves to 127.0.0.1; see ``zendesk_env.py``)::

    python -m testkit.zendesk_stub --cert server.pem --key server.key --phase 1 --log requests.jsonl
"""

from __future__ import annotations

import argparse
import base64
import copy
import json
import ssl
import sys
from datetime import datetime, timezone
from functools import lru_cache
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

__all__ = [
    "API_TOKEN",
    "EMAIL",
    "SCRIPTED",
    "SUBDOMAIN",
    "account_articles",
    "account_tickets",
    "main",
]

REPO = Path(__file__).resolve().parents[1]
MESSAGES = REPO / "sample_data" / "messages.jsonl"
#: A made-up subdomain: it resolves to 127.0.0.1 only inside the test's network namespace.
SUBDOMAIN = "acme-support-test"
EMAIL = "agent@acme.example"
API_TOKEN = "zd-test-token-6d1f"
SAMPLE_TICKETS = 120
TICKET_PAGE = 50  # Zendesk's export returns up to 1,000 a page; small pages exercise the cursor.
ARTICLE_PAGE = 30
ORGANIZATIONS = (360001, 360002, 360003, 360004, 360005)

#: Tickets the tests ask about by id: (organisation, status, subject, description) in phase 1.
SCRIPTED: dict[str, dict[str, Any]] = {
    "duplicate_a": {"id": 9001, "organization_id": 360001, "status": "open"},
    "duplicate_other_org": {"id": 9002, "organization_id": 360002, "status": "open"},
    "duplicate_no_org": {"id": 9003, "organization_id": None, "status": "new"},
    "to_be_solved": {"id": 9004, "organization_id": 360001, "status": "open"},
    "rewritten": {"id": 9005, "organization_id": 360003, "status": "pending"},
}
DUPLICATE_TEXT = "The wallet widget freezes on the summary screen whenever I rotate my tablet sideways"
SOLVED_TEXT = "Passport selfie upload keeps spinning forever during identity verification onboarding"
OLD_TEXT = "Please cancel my standing order to Greenfield Lettings before Friday"
NEW_TEXT = "Update from the customer: the landlord confirmed receipt, but a duplicate fee appeared afterwards"
GERMAN_ARTICLE_ID = 4400000901
DRAFT_ARTICLE_ID = 4400000902
LONG_ARTICLE_ID = 4400000903
#: Visible to agents and managers only (a Zendesk user segment): never recommended to customers.
AGENTS_ONLY_ARTICLE_ID = 4400000904
AGENTS_SEGMENT_ID = 360000000011
#: Worded as the article is, so the tests' word-hashing ``fake`` embedding ranks it first when it may be seen.
AGENTS_ONLY_QUERY = "A customer wants a refund of more than 500 euros for an order: which code in Admin?"
EDITED_ARTICLE_ID = 4400000001


def _epoch(iso: str) -> int:
    return int(datetime.strptime(iso, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=timezone.utc).timestamp())


def _iso(epoch: int) -> str:
    return datetime.fromtimestamp(epoch, tz=timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


@lru_cache(maxsize=1)
def _sample() -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    tickets: list[dict[str, Any]] = []
    articles: list[dict[str, Any]] = []
    with open(MESSAGES, encoding="utf-8") as lines:
        for line in lines:
            message = json.loads(line)
            if message["type"] != "RECORD":
                continue
            stream, data = message["record"]["stream"], message["record"]["data"]
            if stream == "tickets" and len(tickets) < SAMPLE_TICKETS:
                tickets.append(data)
            elif stream == "articles":
                articles.append(data)
    return tickets, articles


def _rehost(value: Any) -> Any:
    """The sample's URLs, on the stub's subdomain."""
    if isinstance(value, str):
        return value.replace("https://acme.zendesk.com", f"https://{SUBDOMAIN}.zendesk.com")
    if isinstance(value, list):
        return [_rehost(v) for v in value]
    if isinstance(value, dict):
        return {k: _rehost(v) for k, v in value.items()}
    return value


def _dress(ticket: dict[str, Any]) -> dict[str, Any]:
    """Fields a real account has that the sample leaves plain (a deterministic function of the id)."""
    n = int(ticket["id"])
    ticket["custom_fields"] = [
        {"id": 360011000001, "value": n % 2 == 0},  # a checkbox
        {"id": 360011000002, "value": ["chat_widget", "ios"] if n % 3 == 0 else None},  # a multi-select
        {"id": 360011000003, "value": n * 7 % 100},  # a number
        {"id": 360011000004, "value": f"ACC-{n:06d}"},  # text
    ]
    ticket["fields"] = copy.deepcopy(ticket["custom_fields"])
    if ticket["status"] in ("solved", "closed"):
        score = "good" if n % 4 else "bad"
        ticket["satisfaction_rating"] = {"id": 360012000000 + n, "score": score, "comment": "Thanks" if n % 4 else ""}
    else:
        ticket["satisfaction_rating"] = {"score": "unoffered"}
    if n % 5 == 0:
        ticket["via"] = {
            "channel": "email",
            "source": {
                "from": {"address": f"customer{n}@example.org", "name": f"Customer {n}"},
                "to": {"address": f"support@{SUBDOMAIN}.zendesk.com", "name": "Acme Support"},
                "rel": None,
            },
        }
        ticket["recipient"] = f"support@{SUBDOMAIN}.zendesk.com"
    if n % 11 == 0:  # end users without an organisation write in too
        ticket["organization_id"] = None
    ticket["from_messaging_channel"] = False
    ticket["ticket_form_id"] = 360013000001
    return ticket


def _scripted(first_epoch: int, phase: int) -> list[dict[str, Any]]:
    template = _sample()[0][0]
    texts = {
        "duplicate_a": DUPLICATE_TEXT,
        "duplicate_other_org": DUPLICATE_TEXT,
        "duplicate_no_org": DUPLICATE_TEXT,
        "to_be_solved": SOLVED_TEXT,
        "rewritten": OLD_TEXT,
    }
    tickets = []
    for offset, (name, fields) in enumerate(SCRIPTED.items()):
        ticket = _dress(_rehost(copy.deepcopy(template)) | fields)
        ticket["url"] = f"https://{SUBDOMAIN}.zendesk.com/api/v2/tickets/{fields['id']}.json"
        ticket["subject"] = ticket["raw_subject"] = " ".join(texts[name].split()[:6])
        ticket["description"] = texts[name]
        ticket["organization_id"] = fields["organization_id"]
        stamp = first_epoch + 60 * (offset + 1)
        if phase == 2 and name == "to_be_solved":
            ticket["status"], stamp = "solved", stamp + 10 * 86400
            ticket["satisfaction_rating"] = {"id": 360012009004, "score": "good", "comment": "Sorted, thank you"}
        if phase == 2 and name == "rewritten":
            ticket["description"], ticket["status"], stamp = NEW_TEXT, "open", stamp + 10 * 86400
            ticket["subject"] = ticket["raw_subject"] = "Duplicate fee after the landlord payment"
        ticket["created_at"] = _iso(first_epoch + 60 * (offset + 1))
        ticket["updated_at"], ticket["generated_timestamp"] = _iso(stamp), stamp
        tickets.append(ticket)
    return tickets


def account_tickets(phase: int = 1) -> list[dict[str, Any]]:
    """Every ticket of the account in ``phase``, in ``generated_timestamp`` order (the export's order)."""
    tickets = [_dress(_rehost(copy.deepcopy(t))) for t in _sample()[0]]
    last = max(t["generated_timestamp"] for t in tickets)
    tickets += _scripted(last, phase)
    return sorted(tickets, key=lambda t: (t["generated_timestamp"], t["id"]))


def _article(template: dict[str, Any], article_id: int, **fields: Any) -> dict[str, Any]:
    article = _rehost(copy.deepcopy(template)) | fields
    article["id"] = article_id
    article["url"] = (
        f"https://{SUBDOMAIN}.zendesk.com/api/v2/help_center/{article['locale']}/articles/{article_id}.json"
    )
    article["html_url"] = f"https://{SUBDOMAIN}.zendesk.com/hc/{article['locale']}/articles/{article_id}"
    return article


def _long_body() -> str:
    steps = "".join(
        f"<h3>Step {i}: check the {part}</h3><p>Open <strong>Settings &rsaquo; Cards</strong> and look at the "
        f"{part}. If the {part} shows a warning, tap it and follow the prompts; the app explains each "
        f"option in plain words &mdash; no jargon, we promise.</p><ul><li>Write down the reference.</li>"
        f"<li>Keep the app open until it says <em>done</em>.</li></ul>"
        for i, part in enumerate(["card status", "delivery address", "spending limits", "PIN settings",
                                  "contactless toggle", "online payments switch", "region lock", "linked wallet"] * 3, 1)
    )  # fmt: skip
    return f'<div class="article"><h2>Card troubleshooting, step by step</h2>{steps}<table><tr><td>Still stuck?</td><td>Contact us in the app.</td></tr></table></div>'


def account_articles(phase: int = 1) -> list[dict[str, Any]]:
    """Every article in ``phase``, in ``updated_at`` order: the sample's, a German one, a draft, a long one, an agents-only one."""
    sample = [_rehost(copy.deepcopy(a)) for a in _sample()[1]]
    template = sample[0]
    last = max(_epoch(a["updated_at"]) for a in sample)
    extra = [
        _article(
            template,
            GERMAN_ARTICLE_ID,
            locale="de",
            source_locale="en-us",
            title="Wo ist meine neue Karte?",
            name="Wo ist meine neue Karte?",
            body="<p>Neue Karten kommen in der Regel innerhalb von 5&ndash;7 Werktagen an. "
            "Prüfen Sie in der App unter <b>Karten</b> den Versandstatus.</p>",
            label_names=["karten", "versand"],
        ),
        _article(
            template,
            DRAFT_ARTICLE_ID,
            draft=True,
            title="Draft: new overdraft fees from next quarter",
            name="Draft: new overdraft fees from next quarter",
            body="<p>Work in progress &ndash; not published.</p>",
        ),
        _article(template, LONG_ARTICLE_ID, title="Card troubleshooting, step by step", body=_long_body()),
        _article(
            template,
            AGENTS_ONLY_ARTICLE_ID,
            user_segment_id=AGENTS_SEGMENT_ID,
            title="Internal: issuing refunds over 500 EUR",
            name="Internal: issuing refunds over 500 EUR",
            body="<p>Agents only. A customer wants a refund of more than 500 euros for an order: use code "
            "RF-7731 in Admin, then confirm the refund to the customer.</p>",
            label_names=["refunds"],
        ),
    ]
    for offset, article in enumerate(extra, 1):
        article["created_at"] = article["updated_at"] = article["edited_at"] = _iso(last + 3600 * offset)
    articles = sample + extra
    if phase == 2:
        for article in articles:
            if article["id"] == EDITED_ARTICLE_ID:
                article["title"] = article["name"] = article["title"] + " (updated)"
                article["updated_at"] = article["edited_at"] = _iso(last + 30 * 86400)
    return sorted(articles, key=lambda a: (_epoch(a["updated_at"]), a["id"]))


class _Handler(BaseHTTPRequestHandler):
    """Routes the source's GET requests; the server carries ``phase`` and ``log``."""

    server: _Server
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:
        pass  # requests go to the JSON-lines log instead

    def do_GET(self) -> None:
        url = urlsplit(self.path)
        query = {k: v[-1] for k, v in parse_qs(url.query).items()}
        self.server.record({"path": url.path, "query": query})
        if self.headers.get("Authorization") != self.server.expected_auth:
            self._send(401, {"error": "Couldn't authenticate you"})
            return
        route = {
            "/api/v2/account/settings.json": self._settings,
            "/api/v2/ticket_forms": self._ticket_forms,
            "/api/v2/incremental/tickets/cursor.json": self._tickets,
            "/api/v2/help_center/incremental/articles": self._articles,
        }.get(url.path)
        if route is None:
            self._send(404, {"error": "InvalidEndpoint", "description": "Not found"})
            return
        try:
            self._send(200, route(query))
        except ValueError as error:
            self._send(400, {"error": "InvalidValue", "description": str(error)})

    def _send(self, status: int, body: dict[str, Any]) -> None:
        payload = json.dumps(body).encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def _settings(self, query: dict[str, str]) -> dict[str, Any]:
        features = {"organization_access_enabled": True, "explore": True, "sandbox": False, "voice": False}
        return {"settings": {"active_features": features, "tickets": {"comments_public_by_default": True}}}

    def _ticket_forms(self, query: dict[str, str]) -> dict[str, Any]:
        return {"ticket_forms": [], "next_page": None, "previous_page": None, "count": 0}

    def _tickets(self, query: dict[str, str]) -> dict[str, Any]:
        if "cursor" in query:
            start, offset = (int(part) for part in base64.urlsafe_b64decode(query["cursor"]).decode().split(":"))
        elif "start_time" in query:
            start, offset = int(query["start_time"]), 0
        else:
            raise ValueError("start_time or cursor is required")
        matching = [t for t in account_tickets(self.server.phase) if t["generated_timestamp"] >= start]
        page = matching[offset : offset + TICKET_PAGE]
        done = offset + TICKET_PAGE >= len(matching)
        after = base64.urlsafe_b64encode(f"{start}:{offset + len(page)}".encode()).decode()
        base = f"https://{SUBDOMAIN}.zendesk.com/api/v2/incremental/tickets/cursor.json"
        return {
            "tickets": page,
            "after_cursor": after,
            "after_url": f"{base}?{urlencode({'cursor': after})}",
            "before_cursor": None,
            "before_url": None,
            "end_of_stream": done,
        }

    def _articles(self, query: dict[str, str]) -> dict[str, Any]:
        if "start_time" not in query:
            raise ValueError("start_time is required")
        start = int(query["start_time"])
        # "Any article that had any of its metadata change after the start time."
        page = [a for a in account_articles(self.server.phase) if _epoch(a["updated_at"]) > start][:ARTICLE_PAGE]
        end = _epoch(page[-1]["updated_at"]) if page else start
        base = f"https://{SUBDOMAIN}.zendesk.com/api/v2/help_center/incremental/articles"
        return {
            "articles": page,
            "count": len(page),
            "end_time": end,
            "next_page": f"{base}?{urlencode({'start_time': end})}" if page else None,
        }


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, address: tuple[str, int], *, phase: int, log: Path | None) -> None:
        super().__init__(address, _Handler)
        self.phase = phase
        self.log = log
        token = base64.b64encode(f"{EMAIL}/token:{API_TOKEN}".encode()).decode()
        self.expected_auth = f"Basic {token}"

    def record(self, entry: dict[str, Any]) -> None:
        if self.log is not None:
            with open(self.log, "a", encoding="utf-8") as handle:
                handle.write(json.dumps(entry) + "\n")


def main(argv: list[str] | None = None) -> int:
    """Serve HTTPS on ``--host``:``--port`` until killed; print ``ready`` once listening."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cert", required=True, help="server certificate (PEM) for *.zendesk.com")
    parser.add_argument("--key", required=True, help="its private key (PEM)")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=443)
    parser.add_argument("--phase", type=int, choices=[1, 2], default=1, help="the account's state (2: later)")
    parser.add_argument("--log", help="append each request as a JSON line to this file")
    args = parser.parse_args(argv)
    server = _Server((args.host, args.port), phase=args.phase, log=Path(args.log) if args.log else None)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(args.cert, args.key)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    print("ready", flush=True)
    try:
        server.serve_forever()
    finally:
        server.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
