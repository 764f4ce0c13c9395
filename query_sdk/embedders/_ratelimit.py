"""Pacing requests to an embedding service's limits: ``x-ratelimit-*`` budgets, ``Retry-After`` and AIMD concurrency.

The ``openai`` client retries a single request (429 with Retry-After, 5xx, timeouts). What it cannot
do, and this module does, is coordinate the requests of one embedder:

- **budgets**: OpenAI (and Azure, and many compatible servers) report ``x-ratelimit-limit-tokens``,
  ``x-ratelimit-remaining-tokens`` and ``x-ratelimit-reset-tokens`` (likewise ``-requests``) on every
  answer. ``RateLimiter.acquire`` holds a request until the estimated budget covers it, so a
  tokens-per-minute limit is used continuously instead of being overrun, answered 429 and backed off;
- **concurrency**: requests in flight start at the configured maximum, halve on a 429 (once per
  Retry-After: the 429s of requests sent together are one event) and grow back by one per success,
  so a service that limits concurrency is probed back quickly and one that refuses at random (a
  storm) is not starved;
- **progress**: ``served_within`` lets the caller retry a rate-limited request for as long as the
  service keeps serving others (a 429 storm), and give up when nothing gets through (it is down).
"""

from __future__ import annotations

import email.utils
import re
import threading
import time
from collections import deque
from dataclasses import dataclass
from typing import Mapping

__all__ = ["RateLimiter", "parse_reset", "retry_after_seconds"]

_DURATION_PART = re.compile(r"(\d+(?:\.\d+)?)(ms|h|m|s)")
#: Longest wait a Retry-After may ask for before a request is given up (the openai client's limit).
MAX_RETRY_AFTER = 120.0


def parse_reset(value: str | None) -> float | None:
    """Seconds in an ``x-ratelimit-reset-*`` value: ``"6m0s"``, ``"1.5s"``, ``"20ms"``, ``"1h2m"`` or ``"3"``."""
    if not value:
        return None
    text = value.strip().lower()
    try:
        return max(0.0, float(text))
    except ValueError:
        pass
    parts = _DURATION_PART.findall(text)
    if not parts or "".join(n + u for n, u in parts) != text:
        return None
    scale = {"h": 3600.0, "m": 60.0, "s": 1.0, "ms": 0.001}
    return sum(float(number) * scale[unit] for number, unit in parts)


def retry_after_seconds(headers: Mapping[str, str] | None) -> float | None:
    """The wait a 429 asks for: ``retry-after-ms``, else ``retry-after`` (seconds or an HTTP date)."""
    if not headers:
        return None
    milliseconds = headers.get("retry-after-ms")
    if milliseconds:
        try:
            return max(0.0, float(milliseconds) / 1000.0)
        except ValueError:
            pass
    value = headers.get("retry-after")
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        parsed = email.utils.parsedate_tz(value)
        return None if parsed is None else max(0.0, email.utils.mktime_tz(parsed) - time.time())


@dataclass
class _Budget:
    """One reported budget (tokens or requests per minute) as an estimated, continuously refilled bucket."""

    per_minute: float
    capacity: float
    level: float
    at: float

    @property
    def rate(self) -> float:
        return self.per_minute / 60.0

    def available(self, now: float) -> float:
        return min(self.capacity, self.level + (now - self.at) * self.rate)

    def wait_for(self, amount: float, now: float) -> float:
        """Seconds until ``amount`` (at most the capacity) is available."""
        missing = min(amount, self.capacity) - self.available(now)
        return 0.0 if missing <= 0 else missing / self.rate

    def spend(self, amount: float, now: float) -> None:
        self.level, self.at = self.available(now) - amount, now


def _observed_budget(headers: Mapping[str, str], kind: str, *, spent_since: float, now: float) -> _Budget | None:
    """The budget ``headers`` report for ``kind`` ("tokens" or "requests"), brought forward to ``now``."""
    try:
        limit = float(headers.get(f"x-ratelimit-limit-{kind}") or 0)
        remaining = float(headers.get(f"x-ratelimit-remaining-{kind}") or "nan")
    except ValueError:
        return None
    if limit <= 0 or remaining != remaining:  # absent, or NaN
        return None
    reset = parse_reset(headers.get(f"x-ratelimit-reset-{kind}"))
    rate = limit / 60.0
    # The bucket is full ``reset`` seconds after the report: that gives its size (OpenAI's is the limit).
    capacity = limit if reset is None else max(1.0, min(limit, remaining + reset * rate))
    # ``remaining`` was counted when the service admitted the request, some time after it was sent;
    # requests sent since are not in it yet. The refill since then is left out (unknown on a slow
    # link or a loaded machine): an estimate that is low only delays a send while the real bucket
    # keeps the tokens, one that is high costs a 429.
    level = remaining - spent_since
    return _Budget(per_minute=limit, capacity=capacity, level=min(capacity, level), at=now)


class RateLimiter:
    """Shared by the requests of one embedder; thread-safe.

    Call ``acquire(tokens)`` before a request and ``release(ticket, headers, ...)`` after it, with the
    answer's headers (a 429's too).
    """

    def __init__(self, max_concurrency: int) -> None:
        self.max_concurrency = max(1, max_concurrency)
        self._limit = float(self.max_concurrency)
        self._in_flight = 0
        self._tokens: _Budget | None = None
        self._requests: _Budget | None = None
        self._sent: deque[tuple[float, int]] = deque()  # (time, tokens) of recent requests
        self._last_decrease = 0.0
        self._last_served: float | None = None
        self._first_sent: float | None = None
        self._condition = threading.Condition()
        #: Requests the service answered successfully so far.
        self.successes = 0
        #: Requests still rate limited after the client's own retries.
        self.rate_limited = 0

    @property
    def concurrency(self) -> int:
        """Requests allowed in flight now."""
        return int(self._limit)

    def request_token_budget(self, default: int) -> int:
        """Most tokens one request should carry: ``default``, or a quarter of the service's token bucket."""
        with self._condition:
            if self._tokens is None:
                return default
            return max(1, min(default, int(self._tokens.capacity / 4)))

    def served_within(self, seconds: float) -> bool:
        """True when a request succeeded in the last ``seconds`` (or none was sent longer ago than that)."""
        with self._condition:
            reference = self._last_served or self._first_sent
            return reference is not None and time.monotonic() - reference <= seconds

    def acquire(self, tokens: int) -> float:
        """Wait for a slot and for the budgets to cover ``tokens``; returns the send time (the ticket)."""
        with self._condition:
            while True:
                now = time.monotonic()
                wait = 0.0 if self._in_flight < self._limit else None
                if wait is not None:
                    for budget, amount in ((self._tokens, tokens), (self._requests, 1)):
                        if budget is not None:
                            wait = max(wait, budget.wait_for(amount, now))
                    if wait <= 0:
                        self._in_flight += 1
                        for budget, amount in ((self._tokens, tokens), (self._requests, 1)):
                            if budget is not None:
                                budget.spend(amount, now)
                        self._sent.append((now, tokens))
                        self._first_sent = self._first_sent or now
                        while self._sent and self._sent[0][0] < now - 120.0:
                            self._sent.popleft()
                        return now
                self._condition.wait(timeout=wait)

    def release(
        self, sent_at: float, headers: Mapping[str, str] | None, *, ok: bool, rate_limited: bool = False
    ) -> None:
        """Record how a request ended: its headers refresh the budgets, its outcome adapts concurrency."""
        with self._condition:
            now = time.monotonic()
            self._in_flight -= 1
            if headers:
                spent_tokens = sum(t for at, t in self._sent if at > sent_at)
                spent_requests = sum(1 for at, _ in self._sent if at > sent_at)
                tokens = _observed_budget(headers, "tokens", spent_since=spent_tokens, now=now)
                requests = _observed_budget(headers, "requests", spent_since=spent_requests, now=now)
                self._tokens = tokens or self._tokens
                self._requests = requests or self._requests
            if ok:
                self.successes += 1
                self._last_served = now
                self._limit = min(float(self.max_concurrency), self._limit + 1.0)
            elif rate_limited:
                self.rate_limited += 1
                # One decrease per congestion event: 429s of requests already in flight do not count again.
                if now - self._last_decrease >= (retry_after_seconds(headers) or 1.0):
                    self._limit = max(1.0, self._limit / 2.0)
                    self._last_decrease = now
            self._condition.notify_all()
