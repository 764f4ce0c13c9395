"""The rate limiter's arithmetic: header parsing, budgets brought forward, AIMD concurrency."""

import pytest

from query_sdk.embedders._ratelimit import RateLimiter, _observed_budget, parse_reset, retry_after_seconds


@pytest.mark.parametrize(
    "value, seconds",
    [("6m0s", 360.0), ("1.5s", 1.5), ("20ms", 0.02), ("1h2m3s", 3723.0), ("3", 3.0), ("0s", 0.0)],
)
def test_reset_durations_in_openai_format_are_read(value, seconds):
    assert parse_reset(value) == pytest.approx(seconds)


@pytest.mark.parametrize("value", [None, "", "soon", "5 minutes", "1x"])
def test_unreadable_reset_durations_are_ignored(value):
    assert parse_reset(value) is None


@pytest.mark.parametrize(
    "headers, seconds",
    [
        ({"retry-after-ms": "250", "retry-after": "1"}, 0.25),
        ({"retry-after": "2"}, 2.0),
        ({"retry-after": "0.5"}, 0.5),
        ({}, None),
        (None, None),
    ],
)
def test_retry_after_prefers_milliseconds(headers, seconds):
    assert retry_after_seconds(headers) == seconds


def _headers(limit, remaining, reset):
    return {
        "x-ratelimit-limit-tokens": str(limit),
        "x-ratelimit-remaining-tokens": str(remaining),
        "x-ratelimit-reset-tokens": reset,
    }


def test_a_reported_budget_refills_at_the_limit_rate_and_counts_later_requests():
    # 6,000 tokens a minute = 100 a second; 200 left, full in 3 s: a bucket of 500.
    budget = _observed_budget(_headers(6000, 200, "3s"), "tokens", spent_since=150, now=11.0)
    assert budget is not None
    assert budget.capacity == pytest.approx(500)
    assert budget.available(11.0) == pytest.approx(200 - 150)  # the later requests are not in the report
    assert budget.available(12.0) == pytest.approx(50 + 100)
    assert budget.wait_for(250, 11.0) == pytest.approx(2.0)
    assert budget.wait_for(10_000, 11.0) == pytest.approx(4.5)  # never more than a full bucket


def test_a_response_without_limit_headers_leaves_requests_unpaced():
    assert _observed_budget({}, "tokens", spent_since=0, now=0.0) is None
    limiter = RateLimiter(4)
    limiter.release(limiter.acquire(10), {}, ok=True)
    assert limiter.request_token_budget(300_000) == 300_000


def test_requests_are_sized_to_a_quarter_of_the_reported_bucket():
    limiter = RateLimiter(4)
    limiter.release(limiter.acquire(10), _headers(60_000, 10_000, "0s"), ok=True)
    assert limiter.request_token_budget(300_000) == 2_500


def test_concurrency_halves_once_per_congestion_event_and_grows_back_by_one_per_success():
    limiter = RateLimiter(8)
    tickets = [limiter.acquire(1) for _ in range(3)]
    for ticket in tickets:  # three 429s of requests in flight together: one decrease
        limiter.release(ticket, {"retry-after": "5"}, ok=False, rate_limited=True)
    assert limiter.concurrency == 4
    for _ in range(4):  # one more per success
        limiter.release(limiter.acquire(1), None, ok=True)
    assert limiter.concurrency == 8
    assert (limiter.successes, limiter.rate_limited) == (4, 3)
