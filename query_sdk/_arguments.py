"""Checking the arguments of a search: texts, limit, threshold, consistency, open statuses, filter values.

Each check raises a ConfigurationError naming the argument, before anything reaches Milvus.
"""

from __future__ import annotations

import math
from numbers import Real
from typing import Any, Mapping, Sequence

from query_sdk.errors import ConfigurationError, UnsafeFilterValueError
from query_sdk.filters import FilterValue, check_value

__all__ = [
    "CONSISTENCY_LEVELS",
    "consistency_level",
    "filter_values",
    "flag",
    "open_status_values",
    "result_limit",
    "score_threshold",
    "search_texts",
    "string_filter_values",
]

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


def search_texts(texts: object, *, single: str | None = None) -> list[str]:
    """The texts of a ``*_many`` call as a list of non-blank strings.

    ``single`` names the one-text method to point to when a bare string was passed as ``texts``
    (it would otherwise be searched letter by letter).
    """
    if isinstance(texts, str):
        raise ConfigurationError(
            "texts must be a list of strings, not one string.",
            guidance=f"Wrap it in a list, or call {single}() for one text." if single else "Wrap it in a list.",
        )
    if isinstance(texts, (Mapping, bytes)) or not isinstance(texts, Sequence):
        raise ConfigurationError(f"texts must be a list of strings, not {type(texts).__name__}.")
    for text in texts:
        if not isinstance(text, str):
            raise ConfigurationError(
                f"The text to search must be a string, not {type(text).__name__}.",
                guidance="Pass the request's subject and description as one str (decode bytes first).",
            )
        if not text.strip():
            raise ConfigurationError(
                "The text to search is empty: there is nothing to compare with the tickets or articles.",
                guidance="Pass the request's subject and description, and skip blank requests before searching.",
            )
    return list(texts)


def result_limit(limit: object) -> int:
    """``limit`` as a whole number of results, at least 1."""
    if isinstance(limit, bool) or not isinstance(limit, int):
        raise ConfigurationError(f"limit must be a whole number of results, not {type(limit).__name__}.")
    if limit < 1:
        raise ConfigurationError("limit must be at least 1.")
    return limit


def score_threshold(threshold: object, *, bounded: bool) -> float | None:
    """``threshold`` as a finite float (None: the default); ``bounded`` scores never exceed 1.

    Cosine similarities, and the ``1 - d/2`` of normalised L2 distances, lie in [-1, 1]: a threshold
    above 1 could match nothing, so it is refused rather than silently returning no result. Inner
    products of unnormalised vectors are not bounded.
    """
    if threshold is None:
        return None
    if isinstance(threshold, bool) or not isinstance(threshold, Real):
        raise ConfigurationError(f"threshold must be a number, not {type(threshold).__name__}.")
    value = float(threshold)
    if not math.isfinite(value):
        raise ConfigurationError("threshold must be a finite number.")
    if bounded and value > 1.0:
        raise ConfigurationError(
            "threshold is above 1, the highest similarity there is, so nothing could ever match.",
            guidance="Use a similarity between -1 and 1 (-1 returns every result; leave it out for the default).",
        )
    return value


def flag(value: object, *, name: str) -> bool:
    """A boolean argument; anything else (``"no"`` is truthy) is refused rather than guessed."""
    if not isinstance(value, bool):
        raise ConfigurationError(f"{name} must be True or False, not {type(value).__name__}.")
    return value


def string_filter_values(key: str, given: object) -> tuple[str, ...]:
    """``filter_values`` for fields that hold text (locale, labels): every value must be a string."""
    values = filter_values(key, given)
    for value in values:
        if not isinstance(value, str):
            raise UnsafeFilterValueError(
                f"{key} must hold strings, not {type(value).__name__}.",
                guidance=f'For example {key}="fr" or {key}=["fr", "de"].'
                if key == "locale"
                else f'For example {key}=["billing", "cards"].',
            )
    return values
