"""An HTTP server on 127.0.0.1 that speaks the OpenAI embeddings API, for tests through the real ``openai`` client.

Vectors come from ``FakeEmbedder`` (so retrieval still works). Tests can inject latency, a queue
of failures (429 with Retry-After, 500, ...), and a required API key.
"""

from __future__ import annotations

import json
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from query_sdk.embedders import FakeEmbedder


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
    _in_flight: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)


class OpenAIStub:
    """Start with ``with OpenAIStub() as stub:``; ``stub.base_url`` goes into the client or config."""

    def __init__(self, **settings: Any) -> None:
        self.state = StubState(**settings)
        state = self.state

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def _reply(self, status: int, body: dict[str, Any], headers: dict[str, str] | None = None) -> None:
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                for key, value in (headers or {}).items():
                    self.send_header(key, value)
                self.end_headers()
                self.wfile.write(data)

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", "0"))
                payload = json.loads(self.rfile.read(length) or b"{}")
                with state.lock:
                    state._in_flight += 1
                    state.max_in_flight = max(state.max_in_flight, state._in_flight)
                    failure = state.failures.popleft() if state.failures else None
                    state.requests.append({"path": self.path, "payload": payload, "failure": failure})
                try:
                    if state.latency:
                        time.sleep(state.latency)
                    if not self.path.rstrip("/").endswith("/embeddings"):
                        self._reply(404, {"error": {"message": "not found", "type": "invalid_request_error"}})
                        return
                    auth = self.headers.get("Authorization", "")
                    if state.api_key is not None and auth != f"Bearer {state.api_key}":
                        self._reply(
                            401, {"error": {"message": "Incorrect API key provided", "type": "invalid_api_key"}}
                        )
                        return
                    if failure is not None:
                        headers = {"Retry-After": state.retry_after} if failure == 429 and state.retry_after else {}
                        self._reply(
                            failure, {"error": {"message": f"injected {failure}", "type": "server_error"}}, headers
                        )
                        return
                    inputs = payload.get("input", [])
                    if isinstance(inputs, str):
                        inputs = [inputs]
                    vectors = FakeEmbedder(state.dimensions).embed_batch(inputs)
                    self._reply(
                        200,
                        {
                            "object": "list",
                            "model": payload.get("model", "stub"),
                            "data": [
                                {"object": "embedding", "index": i, "embedding": v} for i, v in enumerate(vectors)
                            ],
                            "usage": {"prompt_tokens": 0, "total_tokens": 0},
                        },
                    )
                finally:
                    with state.lock:
                        state._in_flight -= 1

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
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
