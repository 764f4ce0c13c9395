"""Shared fixtures: one ``milvus_uri`` fixture over three real backends, and the OpenAI-compatible stub.

Backends: ``lite`` (a Milvus Lite path), ``lite_server`` (Milvus Lite's gRPC server, another
process) and ``milvus_2_3`` (the Milvus 2.3.5 C++ standalone from PyPI). Tests that take
``milvus_uri`` run on all three; ``lite_uri`` is the embedded default only.
"""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Iterator

import pytest

from testkit.openai_stub import OpenAIStub
from testkit.servers import milvus_lite_server, milvus_standalone_server

BACKENDS = ["lite", "lite_server", "milvus_2_3"]


@pytest.fixture(scope="module")
def _lite_server_uri(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    # One server per test module (it starts in under a second), on its own port: the Lite server
    # answers pymilvus' keepalive pings with GOAWAY "too_many_pings" after a few minutes, and the
    # channel pymilvus caches per address in this process then fails the next connect (code 2).
    with milvus_lite_server(tmp_path_factory.mktemp("lite-server")) as uri:
        yield uri


@pytest.fixture(scope="session")
def _standalone_uri(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with milvus_standalone_server(tmp_path_factory.mktemp("milvus-2.3.5")) as uri:
        yield uri


@pytest.fixture(params=BACKENDS)
def milvus_uri(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A Milvus URI on each backend in turn (a fresh Lite folder per test)."""
    if request.param == "lite":
        return str(tmp_path / "milvus.db")
    if request.param == "lite_server":
        return str(request.getfixturevalue("_lite_server_uri"))
    return str(request.getfixturevalue("_standalone_uri"))


@pytest.fixture
def lite_uri(tmp_path: Path) -> str:
    """A fresh Milvus Lite path: the embedded default."""
    return str(tmp_path / "milvus.db")


@pytest.fixture
def collection_name() -> str:
    """A unique collection per test, so tests on shared servers never see each other's rows."""
    return f"t_{uuid.uuid4().hex[:12]}"


@pytest.fixture
def openai_stub() -> Iterator[OpenAIStub]:
    with OpenAIStub(dimensions=64) as stub:
        yield stub
