"""The one place Milvus filter expressions are built: from validated values, never from raw user text."""

from __future__ import annotations

import re
from dataclasses import dataclass
from numbers import Integral
from typing import Sequence, Union

from query_sdk.errors import UnsafeFilterValueError

__all__ = ["Clause", "Condition", "ContainsAny", "FilterValue", "NotTrue", "build_filter", "check_value"]

FilterValue = Union[int, str]
#: Field names come from config and code; still, only plain identifiers reach an expression.
_IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,254}$")
#: A "plain string": letters and digits of any script, space, and . : @ / + # _ -.
#: No quotes, backslashes, brackets, operators or control characters, so a value cannot
#: end its literal or add a clause.
_PLAIN = re.compile(r"^[\w .:@/+#-]{0,512}$", re.UNICODE)
_MAX_INT = 2**63 - 1


@dataclass(frozen=True)
class Condition:
    """``field == value`` (one value) or ``field in [values]`` (a sequence)."""

    field: str
    value: FilterValue | tuple[FilterValue, ...]


@dataclass(frozen=True)
class ContainsAny:
    """An array field (a JSON list or an ARRAY field) holds at least one of ``values``."""

    field: str
    values: tuple[FilterValue, ...]


@dataclass(frozen=True)
class NotTrue:
    """A boolean flag that is not ``true``: ``false``, null, or absent from the row all pass.

    Used for Zendesk's ``draft``: an article that carries no flag counts as published.
    """

    field: str


Clause = Union[Condition, ContainsAny, NotTrue]


def check_value(value: object, *, what: str = "value") -> FilterValue:
    """Return ``value`` if it is an integer or a plain string, else raise ``UnsafeFilterValueError``.

    Integers of any integral type count (``numpy.int64`` from a pandas column is an ``int`` here);
    booleans (``numpy.bool_`` too), floats and everything else are refused.
    """
    if isinstance(value, Integral) and not isinstance(value, bool) and type(value).__name__ != "bool_":
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, (int, str)):
        raise UnsafeFilterValueError(f"The {what} must be an integer or a plain string, not {type(value).__name__}.")
    if isinstance(value, int):
        if not -_MAX_INT - 1 <= value <= _MAX_INT:
            raise UnsafeFilterValueError(f"The {what} is outside the 64-bit integer range.")
        return int(value)
    if not _PLAIN.fullmatch(value):
        raise UnsafeFilterValueError(
            f"The {what} contains characters that are not allowed in an id or status "
            "(quotes, backslashes, brackets, operators or control characters).",
            guidance="Pass the id as an integer or a plain string of letters, digits, '.', ':', '-', '_'.",
        )
    return str(value)


def _literal(value: FilterValue) -> str:
    # Safe only because check_value admitted no quote, backslash or control character.
    return str(value) if isinstance(value, int) else f'"{value}"'


def build_filter(
    conditions: Sequence[Clause], *, templating: bool, null_checks: bool = False
) -> tuple[str, dict[str, object]]:
    """Build ``(expression, params)`` joining the conditions with ``and``.

    With ``templating`` the values travel as ``filter_params`` (Milvus 2.5+); otherwise they are
    rendered as literals, which ``check_value`` makes safe. Every value passes ``check_value``.
    ``null_checks`` says the server knows ``is null`` (Milvus Lite, 2.5+): there ``not (f == true)``
    drops rows whose flag is null or absent, so ``NotTrue`` is written ``f == false or f is null``;
    Milvus 2.3/2.4 have no ``is null`` and let null and absent keys through ``not (f == true)``.
    """
    clauses: list[str] = []
    params: dict[str, object] = {}
    for position, condition in enumerate(conditions):
        if not _IDENTIFIER.fullmatch(condition.field):
            raise UnsafeFilterValueError(f"{condition.field!r} is not a valid field name.")
        field, name = condition.field, f"p{position}"
        if isinstance(condition, NotTrue):
            clauses.append(f"({field} == false) or ({field} is null)" if null_checks else f"not ({field} == true)")
        elif isinstance(condition, ContainsAny):
            values = _checked_list(field, condition.values)
            if templating:
                clauses.append(f"array_contains_any({field}, {{{name}}})")
                params[name] = values
            else:
                clauses.append(f"array_contains_any({field}, [{', '.join(_literal(v) for v in values)}])")
        elif isinstance(condition.value, tuple):
            values = _checked_list(field, condition.value)
            if templating:
                clauses.append(f"{field} in {{{name}}}")
                params[name] = values
            else:
                clauses.append(f"{field} in [{', '.join(_literal(v) for v in values)}]")
        else:
            value = check_value(condition.value, what=field)
            if templating:
                clauses.append(f"{field} == {{{name}}}")
                params[name] = value
            else:
                clauses.append(f"{field} == {_literal(value)}")
    return " and ".join(f"({c})" for c in clauses), params


def _checked_list(field: str, values: Sequence[object]) -> list[FilterValue]:
    checked = [check_value(v, what=f"{field} value") for v in values]
    if not checked:
        raise UnsafeFilterValueError(f"The list of {field} values is empty.")
    return checked
