"""An HTTP server on 127.0.0.1 that speaks the OpenAI embeddings API, for tests through the real ``openai`` client.

Vectors come from ``FakeEmbedder`` (so retrieval still works). Tests can inject latency, a queue
of failures (429 with Retry-After, 500, ...), and a required API key. It also plays the service
limits a sync meets in production:

- ``encoding_format``: ``"base64"`` requests get little-endian float32 bytes in base64, like OpenAI;
  ``base64_support="reject"`` answers them 400 and ``"ignore"`` returns float lists anyway (both
  seen in OpenAI-compatible servers);
- ``storm_every=2``: every second embeddings request is answered 429 with ``Retry-After``
  (``storm_retry_after`` seconds, also sent as ``retry-after-ms``);
- ``storm_period=P``: a flapping service, refusing every request (429 + Retry-After) in the first
  half of each ``P`` seconds since its first request: about half the requests, but in runs;
- ``tokens_per_minute=N``: a token bucket of ``N * burst_seconds / 60`` tokens refilled at ``N / 60``
  per second (OpenAI enforces per-minute limits over shorter windows); every answer carries the
  ``x-ratelimit-*`` headers, and a request the bucket cannot cover is answered 429 with the time
  until it could be served as ``Retry-After`` / ``retry-after-ms``;
- ``down=503`` (or 429, with ``retry_after``): every embeddings request fails with that status, for ever;
- ``stall_next=N``: the next ``N`` embeddings requests get no answer for ``stall_seconds`` (a hung
  service; the client gives up at its timeout), ``-1`` for every request from then on.

Counters: ``inputs_embedded``, ``tokens_served`` (cl100k tokens of served inputs), ``first_served``
and ``last_served`` (``time.monotonic()`` when the first and last served request were admitted) and
``rate_limited`` (429s answered by the storm or the token limit); ``GET /stats`` returns them as JSON.

``python -m testkit.openai_stub '{"dimensions": 1536, "storm_every": 2}'`` serves in a
process of its own (benchmarks: the stub's work then does not share the client's interpreter); it
prints its base URL and stops when stdin closes.
"""

from __future__ import annotations

import array
import base64
import json
import math
import sys
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from query_sdk.embedders import FakeEmbedder
from query_sdk.embedders.openai import count_cl100k_tokens


@dataclass
class StubState:
    dimensions: int = 64
    api_key: str | None = None
    latency: float = 0.0
    #: Status codes to answer with, one per request, before serving normally again.
    failures: deque[int] = field(default_factory=deque)
    retry_after: str | None = "0"
    requests: list[dict[str, Any]] = field(default_factory=list)
    max_in_flight: int = 0
    #: "accept" (like OpenAI), "reject" (400 on base64) or "ignore" (float lists whatever was asked).
    base64_support: str = "accept"
    #: Answer every n-th embeddings request 429 (0: never).
    storm_every: int = 0
    storm_retry_after: float = 1.0
    #: Refuse every request in the first half of each period of this many seconds (0: never).
    storm_period: float = 0.0
    #: A token bucket limit (0: none); capacity is ``tokens_per_minute * burst_seconds / 60``.
    tokens_per_minute: int = 0
    burst_seconds: float = 6.0
    #: Fail every embeddings request with this status (0: serve).
    down: int = 0
    #: Hold the next this-many embeddings requests for ``stall_seconds`` before answering (-1: all).
    stall_next: int = 0
    stall_seconds: float = 0.0
    stalled: int = 0
    #: Answer every embeddings request with this many vectors fewer than it has inputs (a faulty service).
    short_by: int = 0
    inputs_embedded: int = 0
    tokens_served: int = 0
    rate_limited: int = 0
    first_served: float | None = None
    last_served: float | None = None
    _in_flight: int = 0
    _seen: int = 0
    _started: float | None = None
    _bucket: float | None = None
    _bucket_at: float = 0.0
    lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def bucket_capacity(self) -> float:
        """Most tokens the limit lets through at once."""
        return self.tokens_per_minute * self.burst_seconds / 60.0

    def stats(self) -> dict[str, Any]:
        """The counters, as ``GET /stats`` returns them."""
        return {
            "inputs_embedded": self.inputs_embedded,
            "tokens_served": self.tokens_served,
            "rate_limited": self.rate_limited,
            "requests": len(self.requests),
            "max_in_flight": self.max_in_flight,
            "token_utilisation": self.token_utilisation(),
            "served_seconds": (self.last_served or 0.0) - (self.first_served or 0.0),
        }

    def token_utilisation(self) -> float:
        """Served tokens over what the limit allowed between the first and last served request."""
        if not self.tokens_per_minute or self.first_served is None or self.last_served is None:
            return 0.0
        elapsed = self.last_served - self.first_served
        allowed = self.bucket_capacity + self.tokens_per_minute / 60.0 * elapsed
        return self.tokens_served / allowed

    def _take_tokens(self, tokens: int, now: float) -> tuple[bool, dict[str, str]]:
        """Admit ``tokens`` from the bucket (caller holds the lock); the x-ratelimit headers either way."""
        capacity, rate = self.bucket_capacity, self.tokens_per_minute / 60.0
        level = capacity if self._bucket is None else min(capacity, self._bucket + (now - self._bucket_at) * rate)
        admitted = tokens <= level
        if admitted:
            level -= tokens
        self._bucket, self._bucket_at = level, now
        headers = {
            "x-ratelimit-limit-tokens": str(self.tokens_per_minute),
            "x-ratelimit-remaining-tokens": str(int(level)),
            "x-ratelimit-reset-tokens": _duration((capacity - level) / rate),
        }
        if not admitted:
            wait = (tokens - level) / rate if tokens <= capacity else 60.0
            headers["retry-after-ms"] = str(max(1, math.ceil(wait * 1000)))
            headers["retry-after"] = str(max(1, math.ceil(wait)))
        return admitted, headers


def _duration(seconds: float) -> str:
    """OpenAI's reset format: ``6m0s``, ``1.5s``, ``20ms``."""
    if seconds < 1:
        return f"{max(0, round(seconds * 1000))}ms"
    minutes, rest = divmod(seconds, 60)
    return f"{int(minutes)}m{rest:.3f}s" if minutes else f"{rest:.3f}s"


def _error(status: int, message: str) -> dict[str, Any]:
    return {"error": {"message": message, "type": "rate_limit_exceeded" if status == 429 else "server_error"}}


class _QuietServer(ThreadingHTTPServer):
    """A client that goes away mid-request (a killed sync, a timed-out request) is no error of the stub's."""

    def handle_error(self, request: Any, client_address: Any) -> None:
        if not isinstance(sys.exc_info()[1], (ConnectionError, TimeoutError)):
            super().handle_error(request, client_address)


class OpenAIStub:
    """Start with ``with OpenAIStub() as stub:``; ``stub.base_url`` goes into the client or config."""

    def __init__(self, **settings: Any) -> None:
        self.state = StubState(**settings)
        state = self.state
        fake = FakeEmbedder(state.dimensions)
        cache: dict[str, array.array[float]] = {}  # float32, as OpenAI serves them

        def _vector(text: str) -> array.array[float]:
            """The text's vector; texts seen before (up to 50,000) are not recomputed (benchmarks repeat)."""
            vector = cache.get(text)
            if vector is None:
                vector = array.array("f", fake.embed_batch([text])[0])
                if len(cache) < 50_000:
                    cache[text] = vector
            return vector

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"  # keep-alive, as real services do

            def log_message(self, *args: Any) -> None:
                pass

            def _reply(self, status: int, body: dict[str, Any], headers: dict[str, str] | None = None) -> None:
                if state.latency:  # after admission, as a real service works on a request it counted
                    time.sleep(state.latency)
                data = json.dumps(body).encode()
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(data)))
                    for key, value in (headers or {}).items():
                        self.send_header(key, value)
                    self.end_headers()
                    self.wfile.write(data)
                except OSError:  # the client gave up (a stalled request): the answer goes nowhere
                    self.close_connection = True

            def do_GET(self) -> None:
                if self.path.rstrip("/") == "/stats":
                    with state.lock:
                        self._reply(200, state.stats())
                else:
                    self._reply(404, {"error": {"message": "not found", "type": "invalid_request_error"}})

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", "0"))
                payload = json.loads(self.rfile.read(length) or b"{}")
                with state.lock:
                    state._in_flight += 1
                    state.max_in_flight = max(state.max_in_flight, state._in_flight)
                    failure = state.failures.popleft() if state.failures else None
                    state.requests.append({"path": self.path, "payload": payload, "failure": failure})
                try:
                    self._serve(payload, failure)
                finally:
                    with state.lock:
                        state._in_flight -= 1

            def _serve(self, payload: dict[str, Any], failure: int | None) -> None:
                if not self.path.rstrip("/").endswith("/embeddings"):
                    self._reply(404, {"error": {"message": "not found", "type": "invalid_request_error"}})
                    return
                with state.lock:
                    stall = state.stall_next != 0
                    if stall:
                        state.stall_next -= state.stall_next > 0
                        state.stalled += 1
                if stall:  # a hung service: the client gives up first; a late answer goes nowhere
                    time.sleep(state.stall_seconds)
                auth = self.headers.get("Authorization", "")
                if state.api_key is not None and auth != f"Bearer {state.api_key}":
                    self._reply(401, {"error": {"message": "Incorrect API key provided", "type": "invalid_api_key"}})
                    return
                if failure is not None:
                    headers = {"Retry-After": state.retry_after} if failure == 429 and state.retry_after else {}
                    self._reply(failure, _error(failure, f"injected {failure}"), headers)
                    return
                if state.down:
                    headers = {"Retry-After": state.retry_after} if state.down == 429 and state.retry_after else {}
                    self._reply(state.down, _error(state.down, "the service is down"), headers)
                    return
                encoding = payload.get("encoding_format", "float")
                if encoding == "base64" and state.base64_support == "reject":
                    self._reply(400, {"error": {"message": "encoding_format must be 'float'", "type": "invalid"}})
                    return
                inputs = payload.get("input", [])
                if isinstance(inputs, str):
                    inputs = [inputs]
                tokens = sum(count_cl100k_tokens(text) for text in inputs)
                headers: dict[str, str] = {}
                with state.lock:
                    state._seen += 1
                    now = time.monotonic()
                    state._started = state._started or now
                    flapping = (
                        state.storm_period and (now - state._started) % state.storm_period < state.storm_period / 2
                    )
                    if flapping or (state.storm_every and state._seen % state.storm_every == 0):
                        state.rate_limited += 1
                        retry = state.storm_retry_after
                        storm = {"retry-after-ms": str(round(retry * 1000)), "retry-after": str(math.ceil(retry))}
                        admitted = False
                    else:
                        storm, admitted = {}, True
                        if state.tokens_per_minute:
                            admitted, headers = state._take_tokens(tokens, time.monotonic())
                            state.rate_limited += not admitted
                        if admitted:
                            now = time.monotonic()
                            state.first_served = now if state.first_served is None else state.first_served
                            state.last_served = now
                if storm or not admitted:
                    self._reply(429, _error(429, "Rate limit reached for tokens per min"), {**headers, **storm})
                    return
                vectors = [_vector(text) for text in inputs][: max(len(inputs) - state.short_by, 0)]
                if encoding == "base64" and state.base64_support == "accept":
                    data: list[Any] = [base64.b64encode(v.tobytes()).decode() for v in vectors]
                else:
                    data = [v.tolist() for v in vectors]
                self._reply(
                    200,
                    {
                        "object": "list",
                        "model": payload.get("model", "stub"),
                        "data": [{"object": "embedding", "index": i, "embedding": v} for i, v in enumerate(data)],
                        "usage": {"prompt_tokens": tokens, "total_tokens": tokens},
                    },
                    headers,
                )
                with state.lock:
                    state.inputs_embedded += len(inputs)
                    state.tokens_served += tokens

        self._server = _QuietServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}/v1"

    def __enter__(self) -> OpenAIStub:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()


def main() -> None:
    """Serve with the JSON settings in argv[1] until stdin closes; print the base URL first."""
    with OpenAIStub(**json.loads(sys.argv[1] if len(sys.argv) > 1 else "{}")) as stub:
        print(stub.base_url, flush=True)
        sys.stdin.read()


if __name__ == "__main__":
    main()
