"""SPEC: the Airbyte UI form (titles, descriptions, order, modes, defaults), secrets marked, every official key kept."""

import json
import logging
import re

import jsonschema
import pytest
from airbyte_cdk.test.standard_tests._spec_lint import find_secret_marking_errors
from pydantic import BaseModel

from destination_milvus_support import config as config_module
from destination_milvus_support.config import ConnectorConfig
from destination_milvus_support.destination import DestinationMilvusSupport

SPEC = DestinationMilvusSupport().spec(logging.getLogger("test")).connectionSpecification

OFFICIAL_PROCESSING = {
    "chunk_size": 512,
    "chunk_overlap": 50,
    "text_fields": ["subject", "description"],
    "metadata_fields": ["status", "organization_id"],
    "field_name_mappings": [{"from_field": "description", "to_field": "body"}],
}
OFFICIAL_INDEXING = {
    "host": "https://in03-0123456789.api.gcp-us-west1.zillizcloud.com",
    "db": "",
    "collection": "zendesk_tickets",
    "auth": {"mode": "token", "token": "zilliz-token-0123456789"},
    "vector_field": "vector",
    "text_field": "text",
}

#: Configs as the official Airbyte destination-milvus UI writes them, by embedding / splitter / auth mode.
OFFICIAL_CONFIGS = {
    "openai": {
        "processing": OFFICIAL_PROCESSING,
        "embedding": {"mode": "openai", "openai_key": "sk-official-0123456789"},
        "indexing": OFFICIAL_INDEXING,
        "omit_raw_text": False,
    },
    "fake": {
        "processing": {"chunk_size": 1000},
        "embedding": {"mode": "fake"},
        "indexing": {**OFFICIAL_INDEXING, "auth": {"mode": "username_password", "username": "u", "password": "pw"}},
    },
    "separator_splitter": {
        "processing": {
            **OFFICIAL_PROCESSING,
            "text_splitter": {"mode": "separator", "separators": ['"\\n\\n"', '"\\n"', '" "'], "keep_separator": False},
        },
        "embedding": {"mode": "fake"},
        "indexing": {**OFFICIAL_INDEXING, "auth": {"mode": "no_auth"}},
        "omit_raw_text": True,
    },
    "markdown_splitter_cohere": {
        "processing": {**OFFICIAL_PROCESSING, "text_splitter": {"mode": "markdown", "split_level": 2}},
        "embedding": {"mode": "cohere", "cohere_key": "cohere-key-0123456789"},
        "indexing": OFFICIAL_INDEXING,
    },
    "code_splitter_azure": {
        "processing": {**OFFICIAL_PROCESSING, "text_splitter": {"mode": "code", "language": "python"}},
        "embedding": {
            "mode": "azure_openai",
            "openai_key": "azure-key-0123456789",
            "api_base": "https://acme.openai.azure.com",
            "deployment": "ada",
        },
        "indexing": OFFICIAL_INDEXING,
    },
    "openai_compatible": {
        "processing": OFFICIAL_PROCESSING,
        "embedding": {
            "mode": "openai_compatible",
            "api_key": "compat-key-0123456789",
            "base_url": "https://embeddings.example.com/v1",
            "model_name": "nomic-embed-text",
            "dimensions": 768,
        },
        "indexing": OFFICIAL_INDEXING,
    },
    "from_field": {
        "processing": OFFICIAL_PROCESSING,
        "embedding": {"mode": "from_field", "field_name": "embedding", "dimensions": 1536},
        "indexing": OFFICIAL_INDEXING,
    },
}


def _secret_properties(node, path=""):
    """(path, schema) of every property named like a credential in the spec."""
    if isinstance(node, dict):
        for name, sub in (node.get("properties") or {}).items():
            if name in {"openai_key", "token", "password", "api_key", "cohere_key"}:
                yield f"{path}/{name}", sub
            yield from _secret_properties(sub, f"{path}/{name}")
        for index, option in enumerate(node.get("oneOf") or []):
            yield from _secret_properties(option, f"{path}[{index}]")


def test_spec_is_a_self_contained_schema():
    assert "$ref" not in json.dumps(SPEC)
    assert "$defs" not in SPEC
    jsonschema.Draft7Validator.check_schema(SPEC)


def test_every_credential_is_an_airbyte_secret():
    secrets = dict(_secret_properties(SPEC))
    names = {path.rsplit("/", 1)[-1] for path in secrets}
    assert names == {"openai_key", "token", "password", "api_key", "cohere_key"}
    assert [path for path, schema in secrets.items() if schema.get("airbyte_secret") is not True] == []
    assert find_secret_marking_errors(SPEC) == []


@pytest.mark.parametrize("name", sorted(OFFICIAL_CONFIGS))
def test_official_connector_config_validates_unchanged(name):
    config = OFFICIAL_CONFIGS[name]
    jsonschema.validate(config, SPEC)
    ConnectorConfig.model_validate(config)


def test_official_separators_are_json_strings():
    parsed = ConnectorConfig.model_validate(OFFICIAL_CONFIGS["separator_splitter"])
    assert [json.loads(s) for s in parsed.processing.text_splitter.separators] == ["\n\n", "\n", " "]


# -- the spec as the Airbyte UI renders it -----------------------------------------------------------

_MISSING = object()

#: Every key of the official destination-milvus spec (airbytehq/airbyte, destination-milvus
#: ``destination_milvus/config.py`` on the CDK's ``vector_db_based/config.py``), with its JSON type and
#: default. ``[mode]`` selects a oneOf option by its ``mode``, ``[]`` an array's items.
OFFICIAL_KEYS = {
    "processing.chunk_size": ("integer", _MISSING),
    "processing.chunk_overlap": ("integer", 0),
    "processing.text_fields": ("array", []),
    "processing.metadata_fields": ("array", []),
    "processing.text_splitter[separator].separators": ("array", ['"\\n\\n"', '"\\n"', '" "', '""']),
    "processing.text_splitter[separator].keep_separator": ("boolean", False),
    "processing.text_splitter[markdown].split_level": ("integer", 1),
    "processing.text_splitter[code].language": ("string", _MISSING),
    "processing.field_name_mappings[].from_field": ("string", _MISSING),
    "processing.field_name_mappings[].to_field": ("string", _MISSING),
    "embedding[openai].openai_key": ("string", _MISSING),
    "embedding[cohere].cohere_key": ("string", _MISSING),
    "embedding[fake].mode": ("string", "fake"),
    "embedding[azure_openai].openai_key": ("string", _MISSING),
    "embedding[azure_openai].api_base": ("string", _MISSING),
    "embedding[azure_openai].deployment": ("string", _MISSING),
    "embedding[openai_compatible].api_key": ("string", ""),
    "embedding[openai_compatible].base_url": ("string", _MISSING),
    "embedding[openai_compatible].model_name": ("string", "text-embedding-ada-002"),
    "embedding[openai_compatible].dimensions": ("integer", _MISSING),
    "embedding[from_field].field_name": ("string", _MISSING),
    "embedding[from_field].dimensions": ("integer", _MISSING),
    "indexing.host": ("string", _MISSING),
    "indexing.db": ("string", ""),
    "indexing.collection": ("string", _MISSING),
    "indexing.auth[token].token": ("string", _MISSING),
    "indexing.auth[username_password].username": ("string", _MISSING),
    "indexing.auth[username_password].password": ("string", _MISSING),
    "indexing.auth[no_auth].mode": ("string", "no_auth"),
    "indexing.vector_field": ("string", "vector"),
    "indexing.text_field": ("string", "text"),
    "omit_raw_text": ("boolean", False),
}
#: What the official spec requires, per object: ours may require no more, or official configs would fail.
OFFICIAL_REQUIRED = {
    "": {"processing", "embedding", "indexing"},
    "processing": {"chunk_size"},
    "processing.text_splitter[code]": {"language"},
    "processing.field_name_mappings[]": {"from_field", "to_field"},
    "embedding[openai]": {"openai_key"},
    "embedding[cohere]": {"cohere_key"},
    "embedding[fake]": set(),
    "embedding[azure_openai]": {"openai_key", "api_base", "deployment"},
    "embedding[openai_compatible]": {"base_url", "dimensions"},
    "embedding[from_field]": {"field_name", "dimensions"},
    "indexing": {"host", "collection", "auth"},
    "indexing.auth[token]": {"token"},
    "indexing.auth[username_password]": {"username", "password"},
}
OFFICIAL_GROUPS = ["processing", "embedding", "indexing", "advanced"]
OFFICIAL_LANGUAGES = [
    "cpp", "go", "java", "js", "php", "proto", "python", "rst", "ruby", "rust",
    "scala", "swift", "markdown", "latex", "html", "sol",
]  # fmt: skip


def _node(path):
    """The schema at a path of OFFICIAL_KEYS' syntax."""
    node = SPEC
    for part in filter(None, path.split(".")):
        name, _, selector = part.partition("[")
        if name:
            node = node["properties"][name]
        if selector == "]":
            node = node["items"]
        elif selector:
            mode = selector.rstrip("]")
            (node,) = [o for o in node["oneOf"] if o["properties"]["mode"]["const"] == mode]
    return node


def _objects(node, path=""):
    """(path, schema) of every object schema with properties: the spec, groups, oneOf options, array items."""
    if not isinstance(node, dict):
        return
    if "properties" in node:
        yield path, node
        for name, sub in node["properties"].items():
            yield from _objects(sub, f"{path}/{name}")
    for option in node.get("oneOf") or []:
        yield from _objects(option, f"{path}[{option['properties']['mode']['const']}]")
    if isinstance(node.get("items"), dict):
        yield from _objects(node["items"], f"{path}[]")


def _properties():
    for path, obj in _objects(SPEC):
        for name, schema in obj["properties"].items():
            yield f"{path}/{name}", name, obj, schema


def _one_ofs():
    for path, _, _, schema in _properties():
        if "oneOf" in schema:
            yield path, schema


def test_every_field_option_and_group_has_a_title_and_a_description():
    untitled = [p for p, _, _, s in _properties() if not s.get("title") or not s.get("description")]
    unnamed = [p for p, o in _objects(SPEC) if p and (not o.get("title") or not o.get("description"))]
    assert untitled == []
    assert unnamed == []


def test_no_title_is_a_python_class_name():
    titles = {node["title"] for _, node in _objects(SPEC)} | {s["title"] for _, _, _, s in _properties()}
    class_names = {name for name, value in vars(config_module).items() if isinstance(value, type)}
    assert titles & class_names == set()
    assert [t for t in titles if re.fullmatch(r"(?:[A-Z][a-z]+){2,}", t)] == []  # CamelCase, e.g. ProcessingConfigModel
    assert _node("processing")["title"] == "Processing"


def test_every_field_has_an_order_unique_in_its_form():
    for path, obj in _objects(SPEC):
        orders = [schema.get("order") for schema in obj["properties"].values()]
        assert all(isinstance(order, int) for order in orders), path
        assert len(set(orders)) == len(orders), path


def test_every_one_of_option_requires_its_mode_as_a_one_value_enum():
    one_ofs = dict(_one_ofs())
    assert set(one_ofs) == {"/processing/text_splitter", "/embedding", "/indexing/auth"}
    for path, schema in one_ofs.items():
        assert schema["type"] == "object", path
        consts = []
        for option in schema["oneOf"]:
            mode = option["properties"]["mode"]
            assert mode["enum"] == [mode["const"]] == [mode["default"]], path
            assert mode["type"] == "string"
            assert "mode" in option["required"], (path, mode["const"])
            assert option["type"] == "object"
            consts.append(mode["const"])
        assert len(set(consts)) == len(consts), path
    embedding = [o["properties"]["mode"]["const"] for o in one_ofs["/embedding"]["oneOf"]]
    assert len(embedding) == 7


def test_optional_fields_show_their_default():
    missing = [
        path
        for path, name, obj, schema in _properties()
        if name not in obj.get("required", [])
        and "default" not in schema
        and "oneOf" not in schema
        and "null" not in schema.get("type", [])
    ]
    assert missing == []
    assert _node("indexing.auth")["default"] == {"mode": "no_auth"}


def test_fields_sit_in_the_groups_the_spec_declares():
    assert [group["id"] for group in SPEC["groups"]] == OFFICIAL_GROUPS
    assert all(group["title"] for group in SPEC["groups"])
    groups = {name: schema.get("group") for name, schema in SPEC["properties"].items()}
    assert groups == {
        "processing": "processing",
        "embedding": "embedding",
        "indexing": "indexing",
        "omit_raw_text": "advanced",
    }


@pytest.mark.parametrize("path", sorted(OFFICIAL_KEYS))
def test_every_official_key_is_kept_with_its_type_and_default(path):
    kind, default = OFFICIAL_KEYS[path]
    schema = _node(path)
    types = schema["type"] if isinstance(schema["type"], list) else [schema["type"]]
    assert kind in types
    if default is not _MISSING:
        assert schema["default"] == default


@pytest.mark.parametrize("path", sorted(OFFICIAL_REQUIRED))
def test_nothing_is_required_that_the_official_spec_leaves_optional(path):
    assert set(_node(path).get("required", [])) - {"mode"} <= OFFICIAL_REQUIRED[path]


def test_code_splitter_languages_are_the_officials():
    assert _node("processing.text_splitter[code].language")["enum"] == OFFICIAL_LANGUAGES


def test_every_field_of_the_config_model_is_in_the_spec():
    def fields(model, path):
        for name, info in model.model_fields.items():
            yield f"{path}/{name}"
            if isinstance(info.annotation, type) and issubclass(info.annotation, BaseModel):
                yield from fields(info.annotation, f"{path}/{name}")

    in_spec = {path for path, _, _, _ in _properties()}
    assert set(fields(ConnectorConfig, "")) <= in_spec
