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
#: Modules that start other processes, venvs or browsers, or wait out timeouts on purpose: the full
#: suite runs them, ``scripts/test.sh --fast`` does not.
SLOW_MODULES = {
    "test_bench_smoke",
    "test_connector_embedding_rate",
    "test_connector_processes",
    "test_demo_script",
    "test_docker_image",
    "test_faults_bad_input",
    "test_faults_embedding",
    "test_faults_kill",
    "test_faults_server_restart",
    "test_faults_unresponsive",
    "test_pyairbyte",
    "test_sdk_cli",
    "test_support_form",
    "test_support_form_browser",
    "test_zendesk_source",
}
#: Tests that share one machine-wide resource run in one worker under pytest-xdist (``--dist loadgroup``):
#: the 2.3.5 server binds fixed etcd ports, PyAirbyte and the Zendesk source share their venvs.
_GROUPS = {"test_pyairbyte": "venvs", "test_zendesk_source": "venvs"}


def _uses_standalone(item: pytest.Item) -> bool:
    params = getattr(getattr(item, "callspec", None), "params", {})
    return "_standalone_uri" in getattr(item, "fixturenames", ()) or any(
        value in ("milvus_2_3", "_standalone_uri") for value in params.values()
    )


def _uses_lite_server(item: pytest.Item) -> bool:
    params = getattr(getattr(item, "callspec", None), "params", {})
    return any(value in ("lite_server", "_lite_server_uri") for value in params.values())


@pytest.hookimpl(tryfirst=True)  # before pytest-xdist reads the groups into the node ids
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Mark what ``--fast`` leaves out (``slow``, ``server``) and group what must share one xdist worker."""
    for item in items:
        module = item.module.__name__.rsplit(".", 1)[-1] if item.module else ""
        if module in SLOW_MODULES:
            item.add_marker(pytest.mark.slow)
        if _uses_standalone(item):
            item.add_marker(pytest.mark.server)
            item.add_marker(pytest.mark.xdist_group("milvus-2.3.5"))
        elif _uses_lite_server(item):
            item.add_marker(pytest.mark.server)
        if module in _GROUPS:
            item.add_marker(pytest.mark.xdist_group(_GROUPS[module]))
        elif item.get_closest_marker("docker") is not None:  # one image build at a time
            item.add_marker(pytest.mark.xdist_group("docker"))


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
