"""The airbyte-cdk standard destination tests (spec, check, secrets not in output), run in-process.

The suite reads its scenarios from an ``acceptance-test-config.yml`` next to a ``metadata.yaml``;
this repository has neither, so the scenarios are declared here. Its Docker image tests
(``test_docker_image_*``) build the image from ``metadata.yaml`` with ``docker`` and need the
published spec from the connector registry: they are not collected here (the image has its own
tests in ``test_docker_image.py``).
"""

import shutil
import tempfile
import uuid
from pathlib import Path

import pytest
from airbyte_cdk.test.standard_tests import ConnectorTestScenario, DestinationTestSuiteBase
from airbyte_cdk.test.standard_tests.pytest_hooks import pytest_generate_tests  # noqa: F401  (parametrizes `scenario`)

from destination_milvus_support.destination import DestinationMilvusSupport
from integration_tests._servers import free_port

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

    # Docker image tests: they need metadata.yaml, the docker CLI and the connector registry.
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
