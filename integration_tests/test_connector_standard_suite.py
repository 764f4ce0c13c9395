"""The airbyte-cdk standard destination tests (spec, check, secrets not in output), in-process and on the image.

The suite reads its scenarios from an ``acceptance-test-config.yml``; this repository has none, so
the scenarios are declared here. ``TestDestinationMilvusSupport`` runs the in-process tests.
``TestDestinationMilvusSupportImage`` (marker ``docker``, opt-in like ``test_docker_image.py``) runs
the suite's image tests against the image ``docker_env.sh`` builds from this checkout. Not collected:
the spec backward-compatibility test (it fetches the published spec from the connector registry,
which this network cannot reach, and the connector was never published) and discover/read (sources).
"""

import shutil
import tempfile
import uuid
from pathlib import Path

import pytest
from airbyte_cdk.test.standard_tests import ConnectorTestScenario, DestinationTestSuiteBase
from airbyte_cdk.test.standard_tests.pytest_hooks import pytest_generate_tests  # noqa: F401  (parametrizes `scenario`)

from destination_milvus_support.destination import DestinationMilvusSupport
from integration_tests.docker.harness import DockerEnv
from testkit.servers import free_port

#: Milvus Lite creates the folder on first use (check opens it); the module removes it at the end.
_LITE_PATH = Path(tempfile.gettempdir()) / f"standard-suite-{uuid.uuid4().hex[:12]}.db"
_OFFICIAL_PROCESSING = {
    "chunk_size": 512,
    "chunk_overlap": 50,
    "text_fields": ["subject", "description"],
    "metadata_fields": ["status", "organization_id"],
    "text_splitter": {"mode": "separator", "separators": ['"\\n\\n"', '"\\n"'], "keep_separator": False},
}


def _scenario(scenario_id, status, embedding, indexing):
    scenario = ConnectorTestScenario(
        config_dict={"processing": _OFFICIAL_PROCESSING, "embedding": embedding, "indexing": indexing},
        status=status,
    )
    scenario._id = scenario_id
    return scenario


SCENARIOS = [
    _scenario(
        "fake_embedder_on_lite",
        "succeed",
        {"mode": "fake"},
        {"host": str(_LITE_PATH), "collection": "tickets", "auth": {"mode": "no_auth"}},
    ),
    _scenario(
        "nothing_reachable_with_secrets",
        "failed",
        {
            "mode": "openai_compatible",
            "api_key": "sk-standard-suite-0123456789",
            "base_url": f"http://127.0.0.1:{free_port()}/v1",
            "model_name": "text-embedding-3-small",
            "dimensions": 64,
        },
        {
            "host": f"http://127.0.0.1:{free_port()}",
            "collection": "tickets",
            "auth": {"mode": "username_password", "username": "root", "password": "standard-suite-password"},
        },
    ),
]


@pytest.fixture(scope="module", autouse=True)
def _remove_lite_folder():
    yield
    shutil.rmtree(_LITE_PATH, ignore_errors=True)


class TestDestinationMilvusSupport(DestinationTestSuiteBase):
    connector = DestinationMilvusSupport
    connector_name = "destination-milvus-support"

    # The image tests run in TestDestinationMilvusSupportImage; discover and read are for sources.
    test_docker_image_build_and_spec = None
    test_docker_image_spec_backward_compatibility = None
    test_docker_image_build_and_check = None
    test_docker_image_build_and_config_matches_spec = None
    test_docker_image_build_and_discover = None
    test_docker_image_build_and_read = None

    @classmethod
    def get_connector_root_dir(cls) -> Path:
        return Path(__file__).resolve().parents[1]

    @classmethod
    def get_scenarios(cls) -> list[ConnectorTestScenario]:
        return SCENARIOS


@pytest.fixture(scope="module")
def _docker_image(tmp_path_factory):
    """The image docker_env.sh builds from this checkout, with DOCKER_HOST set for the CDK's docker calls."""
    env = DockerEnv(log_path=tmp_path_factory.mktemp("docker") / "docker_env.log")
    try:
        env.ensure_engine()
        env.build()
        with pytest.MonkeyPatch.context() as patch:
            patch.setenv("DOCKER_HOST", env.env["DOCKER_HOST"])
            yield env.image
    finally:
        env.stop_if_started()


@pytest.mark.docker
@pytest.mark.timeout(1800)
class TestDestinationMilvusSupportImage(TestDestinationMilvusSupport):
    """The suite's image tests, against the image built from this checkout (opt-in like test_docker_image.py)."""

    test_check = None
    test_config_matches_spec = None
    test_docker_image_build_and_spec = DestinationTestSuiteBase.test_docker_image_build_and_spec
    test_docker_image_build_and_check = DestinationTestSuiteBase.test_docker_image_build_and_check
    test_docker_image_build_and_config_matches_spec = (
        DestinationTestSuiteBase.test_docker_image_build_and_config_matches_spec
    )

    @pytest.fixture
    def connector_image_override(self, _docker_image):
        return _docker_image

    @pytest.fixture
    def connector_base_image_override(self):
        return None
