"""Record values as the text users wrote: HTML turned into lines of text, lists and stringified lists as plain words.

- ``html_to_text``: inscriptis lays HTML out as a browser would: inline elements (``<b>``, ``<a>``,
  ``<span>``, ``<code>``) stay inside their sentence, blocks (paragraphs, headings, list items,
  table rows) start lines. Chosen by measuring it against BeautifulSoup's ``get_text``, html2text
  and markdownify on Help Center bodies (``bench/html_text.py``, results in bench/README.md).
- ``render_value``: a value as text. Lists (wildcard paths such as ``custom_fields.*.value``
  return one) become their items joined by ", " with nulls left out; the Zendesk source's
  stringified lists (``"['chat_widget']"``) become their items; objects become ``key: value`` pairs.
"""

from __future__ import annotations

import ast
import json
import re
from typing import Any

__all__ = ["html_to_text", "render_value"]

_BLANK_LINES = re.compile(r"\n\s*\n+")
_SPACES = re.compile(r"[ \t\r\f\v\u00a0]+")
_SPACE_BEFORE_STOP = re.compile(r"(?<=\w) +(?=[.,;!?](\s|$))")
_STRINGIFIED_LIST = re.compile(r"^\[.*\]$", re.DOTALL)


def html_to_text(value: str) -> str:
    """Plain text of an HTML fragment: inline elements inline, blocks on their own lines, blank lines collapsed."""
    from inscriptis import get_text

    text = _SPACE_BEFORE_STOP.sub("", _SPACES.sub(" ", get_text(value)))  # "PIN ." after an inline tag
    return _BLANK_LINES.sub("\n\n", "\n".join(line.strip() for line in text.splitlines())).strip()


def render_value(value: Any) -> str:
    """``value`` as words: no Python reprs, no ``None``, lists joined by ", "."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return _unstringified(value)
    if isinstance(value, (list, tuple)):
        return ", ".join(text for text in (render_value(item) for item in value) if text)
    if isinstance(value, dict):
        pairs = ((key, render_value(item)) for key, item in value.items())
        return ", ".join(f"{key}: {text}" for key, text in pairs if text)
    return str(value)


def _unstringified(text: str) -> str:
    """The items of a list the source turned into its Python repr (``"['a', 'b']"``); other text unchanged."""
    stripped = text.strip()
    if not _STRINGIFIED_LIST.match(stripped):
        return text
    for parse in (ast.literal_eval, json.loads):
        try:
            parsed = parse(stripped)
        except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
            continue
        if isinstance(parsed, list):
            return render_value(parsed)
    return text
