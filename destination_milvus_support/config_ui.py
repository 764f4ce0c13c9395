"""How a config field appears in the Airbyte UI: option groups (``oneOf``), groups, secrets, dimensions."""

from __future__ import annotations

from typing import Any

from pydantic import ConfigDict, Field

__all__ = ["dimensions_field", "group", "option", "secret"]


def option(title: str, description: str) -> ConfigDict:
    """A ``oneOf`` option, as the Airbyte UI wants it: ``mode`` required, its one value as enum and const."""

    def shape(schema: dict[str, Any]) -> None:
        schema["description"] = description
        mode = schema["properties"]["mode"]
        mode["enum"] = [mode["const"]]
        mode["description"] = f"Always {mode['const']!r} for this option."
        required = schema.setdefault("required", [])
        if "mode" not in required:
            required.insert(0, "mode")

    return ConfigDict(title=title, json_schema_extra=shape)  # type: ignore[typeddict-item]


def group(title: str, description: str, group: str | None = None) -> ConfigDict:
    """A section of the form (``processing``, ``indexing``...): its title, help text and UI group."""
    extra: dict[str, Any] = {"description": description}
    if group:
        extra["group"] = group
    return ConfigDict(title=title, json_schema_extra=extra)


def secret(title: str, description: str, **kwargs: Any) -> Any:
    """A field the UI masks and Airbyte keeps out of logs (``airbyte_secret``)."""
    return Field(title=title, description=description, json_schema_extra={"airbyte_secret": True}, **kwargs)


def dimensions_field(**kwargs: Any) -> Any:
    """The embedding dimensions field, at least 1 unless said otherwise."""
    kwargs.setdefault("ge", 1)
    kwargs.setdefault(
        "description", "The number of dimensions the embedding model returns; it fixes the collection's vector size."
    )
    return Field(title="Embedding dimensions", **kwargs)
