"""Checking the arguments of a search: consistency levels, open statuses, filter value lists.

Each check raises a ConfigurationError naming the argument, before anything reaches Milvus.
"""

from __future__ import annotations

from typing import Any, Mapping

from query_sdk.errors import ConfigurationError, UnsafeFilterValueError
from query_sdk.filters import FilterValue, check_value

__all__ = ["CONSISTENCY_LEVELS", "consistency_level", "filter_values", "open_status_values"]

#: ``consistency=`` values and the Milvus level each sends. Bounded (the default) reads what the
#: server already holds, without waiting for its time tick: on Milvus 2.3.5 at 100,000 chunks that
#: is 5-33 ms against 340-390 ms for Strong (bench/README.md, "Latency"); rows synced in the last
#: few seconds may be missing. Strong waits until every write acknowledged before the search is
#: visible: for apps that search right after writing. Milvus Lite answers the same either way.
CONSISTENCY_LEVELS = {"strong": "Strong", "bounded": "Bounded", "session": "Session", "eventually": "Eventually"}


def consistency_level(value: object) -> str:
    """The Milvus level for a ``consistency=`` value (any case), or a ConfigurationError naming it."""
    level = CONSISTENCY_LEVELS.get(value.lower()) if isinstance(value, str) else None
    if level is None:
        raise ConfigurationError(
            f"consistency must be one of {', '.join(CONSISTENCY_LEVELS)}, not {value!r}."
            if isinstance(value, str) and len(value) <= 20
            else f"consistency must be one of {', '.join(CONSISTENCY_LEVELS)}."
        )
    return level


def open_status_values(open_statuses: object) -> tuple[FilterValue, ...]:
    """``open_statuses`` as a tuple of plain strings: one string, or a non-empty sequence of them."""
    if isinstance(open_statuses, str):  # one status, not a sequence of letters
        open_statuses = (open_statuses,)
    if isinstance(open_statuses, Mapping) or not isinstance(open_statuses, (list, tuple, set, frozenset)):
        raise ConfigurationError(
            f"open_statuses must be a list of status strings, not {type(open_statuses).__name__}.",
            guidance='For example open_statuses=["new", "open", "pending", "hold"].',
        )
    if not open_statuses:
        raise ConfigurationError(
            "open_statuses is empty, so no ticket could ever count as open.",
            guidance="Pass at least one status, or leave open_statuses out for new, open, pending and hold.",
        )
    for status in open_statuses:
        if not isinstance(status, str):
            raise UnsafeFilterValueError(
                f"open_statuses must hold status strings, not {type(status).__name__}.",
                guidance='For example open_statuses=["new", "open"].',
            )
    return tuple(check_value(s, what="open_statuses value") for s in open_statuses)


def filter_values(key: str, given: object) -> tuple[Any, ...]:
    """One filter value or a non-empty sequence of them, as a tuple; a mapping or empty list is refused."""
    if isinstance(given, Mapping):
        raise ConfigurationError(f"{key} must be a value or a list of values, not {type(given).__name__}.")
    if not isinstance(given, (list, tuple, set, frozenset)):
        return (given,)  # one value: check_value decides whether it is an id or a plain string
    if not given:
        raise ConfigurationError(f"{key} is an empty list: no article could match it.", guidance=f"Leave {key} out.")
    return tuple(given)
