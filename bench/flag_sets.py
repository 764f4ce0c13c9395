"""The two data sets the duplicate flag is measured on: Banking77 short queries and long Zendesk-style email threads.

Both hold out whole kinds of request: the held-out intents have no indexed ticket, so a request of
one of them has no duplicate and any flag on it is a false flag.

- ``short_set``: the sample help desk's shape with Banking77 queries (CC BY 4.0, PolyAI,
  Casanueva et al. 2020): tickets are the train queries, requests the test queries.
- ``long_set``: Zendesk-shaped email threads built from the sample help desk's tickets: each
  ticket is a customer's email of several queries of one intent (train split) with a greeting, a
  signature, and in some of them an app log, a confidentiality footer or the quoted agent reply, 1,000-3,000
  characters; each request is a new email of the same shape from the test split's queries, some
  padded to 3,000-6,000 characters with more of the customer's own words, a longer log and quoted history (over the local model's 256
  tokens, so they are searched in pieces).
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Any

from sample_data.build import load_banking77, make_subject

__all__ = ["FlagSet", "held_out_intents", "long_set", "short_set"]

ORG = 360001
_NAMES = ["Alex", "Sam", "Priya", "Jonas", "Maria", "Chen", "Fatima", "Lucas", "Aiko", "Omar", "Grace", "Ivan"]
_GREETINGS = ["Hi Acme team,", "Hello,", "Dear support,", "Good morning,", "Hi there,", "Hello Acme,"]
_OPENERS = ["", "I hope you can help me with this.", "Writing again about my account.", "Quick question."]
_SIGN_OFFS = ["Thanks,", "Thank you,", "Kind regards,", "Best,", "Cheers,", "Many thanks in advance,"]
_SIGNATURES = [
    "Sent from my iPhone",
    "Sent from Outlook for Android",
    "{name} | Operations Manager | Northwind Traders Ltd\nT: +44 20 7946 0{n:03d} | www.northwind.example",
    "--\n{name}\nFinance team, Contoso GmbH",
]
_FOOTER = (
    "CONFIDENTIALITY NOTICE: This e-mail and any attachments are confidential and may be privileged. "
    "If you are not the intended recipient, please notify the sender immediately and delete it. "
    "Any unauthorised use, disclosure or copying is prohibited."
)
_AGENT_REPLY = [
    "Thank you for contacting Acme Support. We are sorry for the trouble. Could you send us a screenshot "
    "of the screen you see in the app and the approximate time it happened, so we can look into it?",
    "Thanks for getting in touch. A member of our team will review your request and reply within one "
    "working day. In the meantime you can check our Help Center for answers to common questions.",
    "Hi, thanks for your message. To keep your account safe we need a few more details before we can "
    "continue. Please reply with the last four digits of your card and the date of the transaction.",
]
_LOG_EVENTS = [
    "INFO  session.start device={device} app={app} locale=en-GB",
    "DEBUG http GET /v2/accounts/{acct}/balance 200 {ms}ms",
    "DEBUG http GET /v2/cards?status=all 200 {ms}ms",
    "WARN  http POST /v2/events 429 retry_after=2 request_id={rid}",
    "INFO  push.token refreshed provider=apns",
    "ERROR ui.render screen=Home code=E{code} request_id={rid}",
    "DEBUG cache.hit key=profile:{acct} ttl=300",
    "INFO  biometric.auth result=success method=face_id",
]
_DEVICES = ["iPhone14,2/iOS17.1", "Pixel7/Android14", "SM-G991B/Android13", "iPad13,4/iPadOS17.2"]


@dataclass(frozen=True)
class FlagSet:
    """Tickets to index (one organisation, all open) and requests with their truth."""

    name: str
    tickets: list[dict[str, Any]]
    ticket_intent: dict[int, str]
    requests: list[tuple[str, str]]  # (text, intent)
    held_out: frozenset[str]

    def has_duplicate(self, intent: str) -> bool:
        """Whether an indexed ticket shares the request's intent."""
        return intent not in self.held_out


def held_out_intents(intents: list[str], *, count: int, seed: int) -> frozenset[str]:
    """``count`` intents picked at random (seeded): kinds of request the index never sees."""
    return frozenset(random.Random(seed).sample(sorted(intents), count))


def _by_intent(rows: list[tuple[str, str]]) -> dict[str, list[str]]:
    grouped: dict[str, list[str]] = {}
    for text, intent in rows:
        grouped.setdefault(intent, []).append(" ".join(text.split()))
    return grouped


def _ticket(ticket_id: int, subject: str, description: str) -> dict[str, Any]:
    return {
        "id": ticket_id,
        "url": f"https://acme.zendesk.com/api/v2/tickets/{ticket_id}.json",
        "subject": subject,
        "description": description,
        "status": "open",
        "organization_id": ORG,
    }


def short_set(*, per_intent: int = 2, requests_per_intent: int = 10, held_out: int = 10, seed: int = 7) -> FlagSet:
    """Banking77 queries: ``per_intent`` open tickets per indexed intent, test queries as requests."""
    train, test = _by_intent(load_banking77(split="train")), _by_intent(load_banking77(split="test"))
    held = held_out_intents(list(train), count=held_out, seed=seed)
    rng = random.Random(seed)
    tickets, truth = [], {}
    for intent in sorted(train):
        if intent in held:
            continue
        for text in rng.sample(train[intent], per_intent):
            ticket_id = len(tickets) + 1
            tickets.append(_ticket(ticket_id, make_subject(text), text))
            truth[ticket_id] = intent
    requests = [(text, intent) for intent in sorted(test) for text in rng.sample(test[intent], requests_per_intent)]
    return FlagSet("banking77_short", tickets, truth, requests, held)


def _log(rng: random.Random, lines: int) -> str:
    values = {"device": rng.choice(_DEVICES), "app": f"4.{rng.randint(8, 14)}.{rng.randint(0, 9)}"}
    out = []
    for second in range(lines):
        event = rng.choice(_LOG_EVENTS).format(
            acct=rng.randint(10_000_000, 99_999_999),
            ms=rng.randint(40, 900),
            rid=f"{rng.getrandbits(32):08x}",
            code=rng.randint(1000, 9999),
            **values,
        )
        out.append(
            f"2025-11-{rng.randint(1, 28):02d}T{rng.randint(7, 22):02d}:{second % 60:02d}:{rng.randint(0, 59):02d}Z {event}"
        )
    return "\n".join(out)


def _email(rng: random.Random, queries: list[str], *, log_lines: int, quoted: int) -> str:
    name = rng.choice(_NAMES)
    first, rest = queries[0], queries[1:]
    parts = [rng.choice(_GREETINGS), " ".join(filter(None, [rng.choice(_OPENERS), first]))]
    if rest:
        parts.append(" ".join(rest[: len(rest) // 2 + 1]))
    if log_lines:
        parts.append("Here is what the app logged when it happened:\n" + _log(rng, log_lines))
    if len(rest) > 1:
        parts.append(" ".join(rest[len(rest) // 2 + 1 :]))
    parts.append(f"{rng.choice(_SIGN_OFFS)}\n{name}")
    parts.append(rng.choice(_SIGNATURES).format(name=name, n=rng.randint(0, 999)))
    if rng.random() < 0.25:
        parts.append(_FOOTER)
    for level in range(quoted):
        reply = rng.choice(_AGENT_REPLY)
        parts.append(
            f"On {rng.randint(1, 28)} Oct 2025, at {rng.randint(8, 18)}:{rng.randint(10, 59)}, "
            f"Acme Support <support@acme.example> wrote:\n" + "\n".join(("> " * (level + 1)) + reply for _ in [0])
        )
    return "\n\n".join(parts)


def long_set(
    *, per_intent: int = 2, requests_per_intent: int = 3, held_out: int = 15, seed: int = 11, long_every: int = 3
) -> FlagSet:
    """Zendesk-style email threads: ``per_intent`` open tickets per indexed intent, new emails as requests.

    Every ``long_every``-th request is padded past 4,000 characters (a long log and quoted history).
    """
    train, test = _by_intent(load_banking77(split="train")), _by_intent(load_banking77(split="test"))
    held = held_out_intents(list(train), count=held_out, seed=seed)
    rng = random.Random(seed)
    tickets, truth = [], {}
    for intent in sorted(train):
        if intent in held:
            continue
        for _ in range(per_intent):
            queries = rng.sample(train[intent], rng.randint(2, 4))
            ticket_id = len(tickets) + 1
            body = _email(rng, queries, log_lines=rng.choice([0, 0, 3, 5]), quoted=rng.choice([0, 0, 0, 1]))
            tickets.append(_ticket(ticket_id, make_subject(queries[0]), body))
            truth[ticket_id] = intent
    requests = []
    for intent in sorted(test):
        for number in range(requests_per_intent):
            padded = number % long_every == long_every - 1
            queries = rng.sample(test[intent], rng.randint(10, 14) if padded else rng.randint(2, 4))
            text = _email(rng, queries, log_lines=rng.choice([0, 6]) if padded else rng.choice([0, 0, 3, 5]),
                          quoted=2 if padded else rng.choice([0, 0, 0, 1]))  # fmt: skip
            requests.append((text, intent))
    return FlagSet("zendesk_long_threads", tickets, truth, requests, held)
