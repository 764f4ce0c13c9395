"""The connector's SPEC: the config model's JSON schema, shaped the way the Airbyte UI renders it."""

from __future__ import annotations

from typing import Any

from airbyte_cdk.models import ConnectorSpecification, DestinationSyncMode

from destination_milvus_support.config import ConnectorConfig

__all__ = ["connection_specification", "connector_specification"]

DOCUMENTATION_URL = (
    "https://github.com/support-search/destination-milvus-support/blob/main/docs/destination-milvus-support.md"
)


def _inline(node: Any, definitions: dict[str, Any]) -> Any:
    """Replace ``$ref``s by their definitions and drop pydantic-only keys the UI does not read."""
    if isinstance(node, list):
        return [_inline(item, definitions) for item in node]
    if not isinstance(node, dict):
        return node
    if "$ref" in node:
        target = definitions[node["$ref"].split("/")[-1]]
        merged = {**target, **{k: v for k, v in node.items() if k != "$ref"}}
        return _inline(merged, definitions)
    out = {k: _inline(v, definitions) for k, v in node.items() if k not in ("discriminator", "writeOnly")}
    if "default" in out and out["default"] is None:  # "no value": nothing for the UI to pre-fill
        del out["default"]
    # Optional[X] becomes anyOf [X, null]: the UI wants X with a nullable type instead.
    options = out.get("anyOf")
    if isinstance(options, list) and len(options) == 2 and {"type": "null"} in options:
        inner = next(o for o in options if o != {"type": "null"})
        out.pop("anyOf")
        out = {**inner, **out}
        if "type" in inner and isinstance(inner["type"], str):
            out["type"] = [inner["type"], "null"]
    return out


def _number_fields(node: Any) -> None:
    """Give every property an ``order`` (the UI's field order): its position in the config model."""
    if isinstance(node, list):
        for item in node:
            _number_fields(item)
        return
    if not isinstance(node, dict):
        return
    properties = node.get("properties")
    if isinstance(properties, dict):
        for position, schema in enumerate(properties.values()):
            schema.setdefault("order", position)
    for value in node.values():
        _number_fields(value)


def connection_specification() -> dict[str, Any]:
    """The ``connectionSpecification`` object of the SPEC message."""
    schema = ConnectorConfig.model_json_schema()
    definitions = schema.pop("$defs", {})
    spec: dict[str, Any] = _inline(schema, definitions)
    spec["groups"] = [
        {"id": "processing", "title": "Processing"},
        {"id": "embedding", "title": "Embedding"},
        {"id": "indexing", "title": "Indexing"},
        {"id": "advanced", "title": "Advanced"},
    ]
    _number_fields(spec)
    return spec


def connector_specification() -> ConnectorSpecification:
    """The full SPEC."""
    return ConnectorSpecification(
        documentationUrl=DOCUMENTATION_URL,
        supportsIncremental=True,
        supported_destination_sync_modes=[
            DestinationSyncMode.append,
            DestinationSyncMode.append_dedup,
            DestinationSyncMode.overwrite,
        ],
        connectionSpecification=connection_specification(),
    )
