"""Snippets as users wrote them: the connector's ``field: `` line prefixes taken out of a chunk's text.

The connector embeds each text field as a ``name: value`` line (as the official Airbyte connector
does); a result's snippet shows the values only. Field names are the connector's (lower-case
dotted paths such as ``subject`` or ``custom_fields.*.value``), so a line a customer started with
a capitalised ``Note: `` stays as written.
"""

from __future__ import annotations

import re

__all__ = ["plain_snippet"]

_FIELD_PREFIX = re.compile(r"^[a-z_][a-z0-9_.*\[\]-]*: ", re.MULTILINE)


def plain_snippet(text: str) -> str:
    """``text`` without the ``field: `` prefix at the start of its lines."""
    return _FIELD_PREFIX.sub("", text)
