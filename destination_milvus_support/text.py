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
from typing import Any, Iterator

__all__ = ["html_to_text", "render_value", "rough_length"]

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
    """``value`` as words: no Python reprs, no ``None``, lists joined by ", ", objects as ``key: value`` pairs.

    Iterative, so a value nested however deep (the input parser allows 1,024 levels) renders
    without running out of stack.
    """
    if not isinstance(value, (list, tuple, dict)):
        return _scalar(value)
    # A frame per open list or object: its remaining (key, item) pairs, its own key, the texts made so far.
    stack: list[tuple[Iterator[tuple[Any, Any]], Any, list[str]]] = [(_pairs(value), None, [])]
    while True:
        pairs, own_key, parts = stack[-1]
        pair = next(pairs, None)
        if pair is None:  # this value is done: its text joins its parent's parts
            stack.pop()
            text = ", ".join(parts)
            if not stack:
                return text
            if text:
                stack[-1][2].append(f"{own_key}: {text}" if own_key is not None else text)
            continue
        key, item = pair
        if isinstance(item, (list, tuple, dict)):
            stack.append((_pairs(item), key, []))
            continue
        text = _scalar(item)
        if text:
            parts.append(f"{key}: {text}" if key is not None else text)


def _pairs(value: Any) -> Iterator[tuple[Any, Any]]:
    """(key, item) pairs: an object's entries, or a list's items with no key."""
    if isinstance(value, dict):
        return iter(list(value.items()))
    return ((None, item) for item in value)


def _scalar(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return _unstringified(value)
    return str(value)


def rough_length(value: Any) -> int:
    """About how many characters ``value`` renders to (strings counted, other scalars as 8), without recursion."""
    total = 0
    todo = [value]
    while todo:
        item = todo.pop()
        if isinstance(item, str):
            total += len(item)
        elif isinstance(item, dict):
            todo.extend(item.values())
        elif isinstance(item, (list, tuple)):
            todo.extend(item)
        elif item is not None:
            total += 8
    return total


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
