"""The connector's Docker image, built by docker_env.sh and run as Airbyte runs it: spec, check and write.

The module fixture finds a Docker engine (installing docker.io and starting dockerd when none
runs; stopped again at the end only if it was started here), builds the image from this checkout,
and starts a Milvus Lite gRPC server on the host, which the container reaches over the host
network. Anything missing fails the tests; nothing here skips.

Marked ``docker``: from a cold machine (no docker.io, base image, wheelhouse or layer cache) the
module took about 11 minutes on 2 busy cores, warm about 1 minute, so CI deselects the marker
unless RUN_DOCKER_TESTS=1.
"""

from __future__ import annotations

import json
import re
import uuid
from pathlib import Path
from typing import Iterator

import jsonschema
import pytest
from airbyte_cdk.models import AirbyteMessage, AirbyteMessageSerializer, Status, Type

from destination_milvus_support.spec import connector_specification
from integration_tests.docker.harness import DockerEnv
from testkit.runner import (
    MilvusReader,
    Output,
    catalog_dict,
    cursor_of,
    make_config,
    parse_output,
    record,
    state,
    stream,
    ticket,
    to_line,
)
from testkit.servers import milvus_lite_server

REPO = Path(__file__).resolve().parents[1]

pytestmark = [pytest.mark.docker, pytest.mark.timeout(1800)]


@pytest.fixture(scope="module")
def docker_env(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DockerEnv]:
    env = DockerEnv(log_path=tmp_path_factory.mktemp("docker") / "docker_env.log")
    try:
        env.ensure_engine()
        env.build()
        yield env
    finally:
        env.stop_if_started()
        print(env.summary())


@pytest.fixture(scope="module")
def lite_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with milvus_lite_server(tmp_path_factory.mktemp("lite-server")) as uri:
        yield uri


def run(docker_env: DockerEnv, *args: str, data_dir: Path | None = None, stdin: str | None = None) -> Output:
    done = docker_env.run_connector(args, data_dir=data_dir, stdin=stdin)
    messages, unparsed = parse_output(done.stdout)
    return Output(messages, done.stdout, done.stderr, done.returncode, unparsed)


def write_inputs(data_dir: Path, config: dict, catalog: dict | None = None) -> None:
    (data_dir / "config.json").write_text(json.dumps(config))
    if catalog is not None:
        (data_dir / "catalog.json").write_text(json.dumps(catalog))


def test_image_runs_as_non_root_with_airbyte_entrypoint(docker_env):
    config = docker_env.inspect()["Config"]
    assert config["User"] not in ("", "root", "0"), config["User"]
    uid = docker_env.docker("run", "--rm", "--entrypoint", "id", docker_env.image, "-u").stdout.strip()
    assert uid != "0"
    env = dict(item.split("=", 1) for item in config["Env"])
    assert env.get("AIRBYTE_ENTRYPOINT", "").split() == config["Entrypoint"]


def test_image_labels_match_setup_version(docker_env):
    labels = docker_env.inspect()["Config"]["Labels"]
    version = re.search(r'version="([^"]+)"', (REPO / "setup.py").read_text())
    assert version is not None
    assert labels["io.airbyte.name"] == "airbyte/destination-milvus-support"
    assert labels["io.airbyte.version"] == version.group(1)


def test_spec_is_the_checkouts_spec(docker_env):
    out = run(docker_env, "spec")

    assert out.returncode == 0, out.stderr
    assert out.unparsed == []
    spec = AirbyteMessageSerializer.dump(out.messages[0])["spec"]
    assert spec == AirbyteMessageSerializer.dump(AirbyteMessage(type=Type.SPEC, spec=connector_specification()))["spec"]
    jsonschema.Draft7Validator.check_schema(spec["connectionSpecification"])


def test_check_reaches_milvus_on_the_host(docker_env, lite_server, tmp_path):
    collection = f"t_{uuid.uuid4().hex[:12]}"
    write_inputs(tmp_path, make_config(lite_server, collection))

    out = run(docker_env, "check", "--config", "/data/config.json", data_dir=tmp_path)

    assert out.returncode == 0, out.stderr
    assert out.connection_status.status == Status.SUCCEEDED, out.connection_status.message


def test_check_names_an_unreachable_host(docker_env, tmp_path):
    write_inputs(tmp_path, make_config("http://127.0.0.1:9", "t_unreachable"))

    out = run(docker_env, "check", "--config", "/data/config.json", data_dir=tmp_path)

    assert out.connection_status.status == Status.FAILED
    assert "Milvus" in (out.connection_status.message or "")
    assert "Traceback" not in out.stdout


def test_write_returns_states_and_lands_rows(docker_env, lite_server, tmp_path):
    collection = f"t_{uuid.uuid4().hex[:12]}"
    write_inputs(tmp_path, make_config(lite_server, collection), catalog_dict(stream("tickets", "append_dedup")))
    tickets = [ticket(i, organization_id=42 if i % 2 else 7) for i in range(1, 13)]
    lines = [
        *(to_line(record("tickets", t)) for t in tickets[:6]),
        to_line(state("tickets", 6)),
        *(to_line(record("tickets", t)) for t in tickets[6:]),
        to_line(state("tickets", 12)),
    ]

    out = run(
        docker_env,
        *("write", "--config", "/data/config.json", "--catalog", "/data/catalog.json"),
        data_dir=tmp_path,
        stdin="".join(f"{line}\n" for line in lines),
    )

    assert out.returncode == 0, out.stdout[-2000:] + out.stderr[-2000:]
    assert out.errors == []
    assert [cursor_of(s) for s in out.states] == [6, 12]
    with MilvusReader(lite_server, collection) as reader:
        assert set(reader.chunks_per_record()) == {f"tickets_{i}" for i in range(1, 13)}
        org_42 = reader.rows("organization_id == 42")
        assert {r["_ab_record_id"] for r in org_42} == {f"tickets_{i}" for i in range(1, 13, 2)}
