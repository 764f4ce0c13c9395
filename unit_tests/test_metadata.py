"""metadata.yaml: valid for Airbyte's registry, and in step with the Dockerfile, setup.py and the SPEC."""

import ast
import re
import uuid
from pathlib import Path

import jsonschema
import pytest
import yaml
from airbyte_cdk.test.standard_tests._spec_lint import find_secret_marking_errors

from destination_milvus_support.spec import connector_specification

REPO = Path(__file__).resolve().parents[1]
METADATA = yaml.safe_load((REPO / "metadata.yaml").read_text())
DATA = METADATA["data"]
DOCKERFILE = (REPO / "Dockerfile").read_text()
SPEC = connector_specification()

#: Every key ConnectorMetadataDefinitionV0 defines under ``data`` (it allows no others).
_DATA_KEYS = [
    "name", "icon", "definitionId", "connectorBuildOptions", "connectorTestSuitesOptions", "connectorType",
    "dockerRepository", "dockerImageTag", "supportsDbt", "supportsNormalization", "license", "documentationUrl",
    "externalDocumentationUrls", "githubIssueLabel", "maxSecondsBetweenMessages", "releaseDate", "protocolVersion",
    "erdUrl", "connectorSubtype", "releaseStage", "supportLevel", "tags", "registryOverrides", "allowedHosts",
    "releases", "normalizationConfig", "suggestedStreams", "resourceRequirements", "ab_internal", "remoteRegistries",
    "supportsRefreshes", "generated", "supportsFileTransfer", "supportsDataActivation", "connectorIPCOptions",
]  # fmt: skip
_JOB_TYPES = [
    "get_spec", "check_connection", "discover_schema", "sync", "reset_connection", "connection_updater", "replicate",
]  # fmt: skip
_STRING = {"type": "string", "minLength": 1}
_QUANTITY = {"type": "string", "pattern": r"^\d+(\.\d+)?(m|Ki|Mi|Gi|Ti)?$"}
_REGISTRY = {
    "type": "object",
    "required": ["enabled"],
    "properties": {"enabled": {"type": "boolean"}},
}

#: The part of Airbyte's ConnectorMetadataDefinitionV0 this file uses, with its required
#: fields, types and enums; ``data`` accepts only keys that schema defines.
METADATA_SCHEMA = {
    "type": "object",
    "required": ["metadataSpecVersion", "data"],
    "additionalProperties": False,
    "properties": {
        "metadataSpecVersion": {"type": "string"},
        "data": {
            "type": "object",
            "required": [
                "name",
                "definitionId",
                "connectorType",
                "dockerRepository",
                "dockerImageTag",
                "license",
                "documentationUrl",
                "githubIssueLabel",
                "connectorSubtype",
                "releaseStage",
            ],
            "propertyNames": {"enum": _DATA_KEYS},
            "properties": {
                "name": _STRING,
                "icon": _STRING,
                "definitionId": _STRING,
                "connectorType": {"enum": ["destination", "source"]},
                "connectorSubtype": {
                    "enum": ["api", "database", "datalake", "file", "custom", "message_queue", "unknown", "vectorstore"]
                },
                "dockerRepository": {"type": "string", "pattern": r"^[a-z0-9-]+/[a-z0-9-]+$"},
                "dockerImageTag": {"type": "string", "pattern": r"^\d+\.\d+\.\d+$"},
                "license": _STRING,
                "documentationUrl": {"type": "string", "pattern": r"^https://"},
                "githubIssueLabel": _STRING,
                "releaseDate": {"type": "string", "pattern": r"^\d{4}-\d{2}-\d{2}$"},
                "releaseStage": {"enum": ["alpha", "beta", "generally_available", "custom"]},
                "supportLevel": {"enum": ["community", "certified", "archived"]},
                "supportsRefreshes": {"type": "boolean"},
                "tags": {"type": "array", "items": {"type": "string", "pattern": r"^[a-z-]+:\S+$"}},
                "connectorBuildOptions": {
                    "type": "object",
                    "additionalProperties": False,
                    "properties": {"baseImage": _STRING},
                },
                "connectorTestSuitesOptions": {
                    "type": "array",
                    "items": {
                        "type": "object",
                        "required": ["suite"],
                        "properties": {
                            "suite": {"enum": ["unitTests", "integrationTests", "acceptanceTests", "liveTests"]}
                        },
                    },
                },
                "externalDocumentationUrls": {
                    "type": "array",
                    "items": {
                        "type": "object",
                        "required": ["title", "url"],
                        "properties": {"title": _STRING, "url": {"type": "string", "pattern": r"^https://"}},
                    },
                },
                "allowedHosts": {
                    "type": "object",
                    "properties": {"hosts": {"type": "array", "minItems": 1, "items": _STRING}},
                },
                "registryOverrides": {
                    "type": "object",
                    "additionalProperties": False,
                    "required": ["oss", "cloud"],
                    "properties": {"oss": _REGISTRY, "cloud": _REGISTRY},
                },
                "resourceRequirements": {
                    "type": "object",
                    "additionalProperties": False,
                    "properties": {
                        "jobSpecific": {
                            "type": "array",
                            "items": {
                                "type": "object",
                                "additionalProperties": False,
                                "required": ["jobType", "resourceRequirements"],
                                "properties": {
                                    "jobType": {"enum": _JOB_TYPES},
                                    "resourceRequirements": {
                                        "type": "object",
                                        "additionalProperties": False,
                                        "properties": {
                                            "cpu_request": _QUANTITY,
                                            "cpu_limit": _QUANTITY,
                                            "memory_request": _QUANTITY,
                                            "memory_limit": _QUANTITY,
                                        },
                                    },
                                },
                            },
                        }
                    },
                },
            },
        },
    },
}


def _dockerfile_arg_default(name):
    match = re.search(rf"^ARG {name}=\"?([^\"\s]+)\"?\s*$", DOCKERFILE, re.MULTILINE)
    assert match, f"Dockerfile has no ARG {name}=default"
    return match.group(1)


def _dockerfile_label(name):
    match = re.search(rf"\b{re.escape(name)}=(\S+)", DOCKERFILE)
    assert match, f"Dockerfile has no LABEL {name}"
    value = match.group(1)
    variable = re.fullmatch(r"\$\{?(\w+)\}?", value)
    return _dockerfile_arg_default(variable.group(1)) if variable else value


def _setup_version():
    tree = ast.parse((REPO / "setup.py").read_text())
    for node in ast.walk(tree):
        if isinstance(node, ast.keyword) and node.arg == "version":
            return ast.literal_eval(node.value)
    raise AssertionError("setup.py sets no version=")


def _quantity(value):
    units = {"m": 1e-3, "Ki": 2**10, "Mi": 2**20, "Gi": 2**30, "Ti": 2**40, "": 1}
    number, unit = re.fullmatch(r"(\d+(?:\.\d+)?)(m|Ki|Mi|Gi|Ti)?", value).groups()
    return float(number) * units[unit or ""]


def _spec_nodes(node, path=""):
    if isinstance(node, dict):
        yield path, node
        for key, value in node.items():
            yield from _spec_nodes(value, f"{path}/{key}")
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _spec_nodes(value, f"{path}[{index}]")


def test_metadata_follows_the_registry_schema():
    jsonschema.validate(METADATA, METADATA_SCHEMA)


def test_identity_fields():
    assert DATA["connectorType"] == "destination"
    assert DATA["connectorSubtype"] == "vectorstore"
    assert DATA["name"] == "Milvus (Support Search)"
    assert DATA["license"] == "MIT"
    assert DATA["releaseStage"] == "alpha"
    assert DATA["supportLevel"] == "community"
    assert {"language:python", "cdk:python"} <= set(DATA["tags"])
    assert DATA["githubIssueLabel"] == DATA["dockerRepository"].split("/", 1)[1]
    assert (REPO / DATA["icon"]).is_file()


def test_definition_id_is_a_uuid4():
    assert uuid.UUID(DATA["definitionId"]).version == 4


def test_image_tag_matches_dockerfile_label_and_setup_version():
    assert DATA["dockerImageTag"] == _dockerfile_label("io.airbyte.version") == _setup_version()


def test_repository_matches_dockerfile_label():
    assert DATA["dockerRepository"] == _dockerfile_label("io.airbyte.name")


def test_base_image_is_the_dockerfiles_default():
    base = DATA["connectorBuildOptions"]["baseImage"]
    assert base == _dockerfile_arg_default("BASE_IMAGE")
    assert base.startswith("docker.io/airbyte/python-connector-base:")


def test_documentation_url_is_the_specs():
    assert DATA["documentationUrl"] == SPEC.documentationUrl


@pytest.mark.parametrize(
    "host", [h for h in DATA["allowedHosts"]["hosts"] if h.startswith("${")], ids=lambda h: h.strip("${}")
)
def test_allowed_host_variables_name_config_fields(host):
    section, field = re.fullmatch(r"\$\{(\w+)\.(\w+)\}", host).groups()
    schema = SPEC.connectionSpecification["properties"][section]
    options = schema.get("oneOf", [schema])
    assert any(field in option.get("properties", {}) for option in options), host


def test_sync_resources_request_at_most_their_limit():
    (sync,) = [job for job in DATA["resourceRequirements"]["jobSpecific"] if job["jobType"] == "sync"]
    resources = sync["resourceRequirements"]
    for kind in ("cpu", "memory"):
        assert _quantity(resources[f"{kind}_request"]) <= _quantity(resources[f"{kind}_limit"])
    assert _quantity(resources["memory_limit"]) >= 2**30


def test_registries_enable_oss_and_cloud():
    assert DATA["registryOverrides"]["oss"]["enabled"] is True
    assert DATA["registryOverrides"]["cloud"]["enabled"] is True


def test_spec_secrets_are_airbyte_secrets():
    nodes = dict(_spec_nodes(SPEC.connectionSpecification))
    passwords = {path for path, node in nodes.items() if node.get("format") == "password"}
    marked = {path for path, node in nodes.items() if node.get("airbyte_secret") is True}
    # Every SecretStr of the config model (format: password) is marked, and nothing else is.
    assert passwords == marked
    assert len(marked) >= 6
    assert find_secret_marking_errors(SPEC.connectionSpecification) == []


def test_refreshes_are_declared_for_the_sync_modes_they_need():
    # A refresh re-reads streams under a new generation_id; the writer keeps or truncates generations
    # (proven in integration_tests/test_connector_refresh.py).
    assert DATA["supportsRefreshes"] is True
    modes = {mode.value for mode in SPEC.supported_destination_sync_modes}
    assert {"append", "append_dedup", "overwrite"} <= modes
