"""Default similarity thresholds per embedding model, and ``calibrate`` to fit one on your own pairs.

Duplicate defaults for the local model were measured with ``python bench/quality.py`` on
Banking77 (see bench/README.md): the threshold that maximised F1 of the "likely duplicate" flag
over 3,080 test queries, rounded. Hybrid search fuses BM25 into the ranking only: its scores are
the dense similarities of the hits it ranks, so its thresholds are the dense ones. Article
thresholds and the fake embedder's values are set by hand (the fake embedder's from the unit
tests' data); OpenAI models were not measurable here.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from numbers import Real
from typing import Iterable

from query_sdk.errors import ConfigurationError

__all__ = ["Calibration", "DEFAULT_THRESHOLDS", "calibrate", "default_threshold"]

#: (mode, model) -> (duplicate threshold, article threshold), for dense and for hybrid scores.
DEFAULT_THRESHOLDS: dict[tuple[str, str, bool], tuple[float, float]] = {
    ("local", "all-MiniLM-L6-v2", False): (0.53, 0.35),
    ("local", "all-MiniLM-L6-v2", True): (0.53, 0.35),  # hybrid scores are dense similarities too
    ("fake", "hashed-bag-of-words", False): (0.45, 0.20),
    ("fake", "hashed-bag-of-words", True): (0.45, 0.20),
}
#: Used for models nobody measured here (OpenAI models need a key, unavailable on this machine).
FALLBACK_THRESHOLDS = (0.75, 0.40)


def default_threshold(mode: str, model: str, *, hybrid: bool, kind: str) -> float:
    """The documented default for ``kind`` ('duplicate' or 'article')."""
    pair = DEFAULT_THRESHOLDS.get((mode, model, hybrid), FALLBACK_THRESHOLDS)
    return pair[0] if kind == "duplicate" else pair[1]


@dataclass(frozen=True)
class Calibration:
    """A threshold fitted on scored pairs, with what it gives on them.

    ``precision``, ``recall`` and ``f1`` are of the flag ``score >= threshold``; ``false_flag_rate``
    is the share of the pairs labelled "not a duplicate" that it flags.
    """

    threshold: float
    precision: float
    recall: float
    f1: float
    pairs: int
    false_flag_rate: float = field(default=0.0, compare=False)


def calibrate(scored: Iterable[tuple[float, bool]], *, min_recall: float | None = None) -> Calibration:
    """Pick the threshold maximising F1 over ``(score, is_duplicate)`` pairs, or the strictest reaching a recall.

    Every distinct score is tried as a cut-off (flag when ``score >= threshold``); ties go to the
    higher threshold, which flags fewer tickets. With ``min_recall`` (e.g. 0.95), the highest
    threshold that still flags that share of the duplicates is returned: the fewest false flags
    for that recall.

    For the duplicate flag, score each request by its top result (``find_duplicate_tickets(...,
    threshold=-1.0)[0].score``) and label it by whether a true duplicate existed, for example from
    tickets your agents merged (a duplicate) and tickets never merged (none); see the README.
    """
    if min_recall is not None and (
        isinstance(min_recall, bool) or not isinstance(min_recall, Real) or not 0.0 < min_recall <= 1.0
    ):
        raise ConfigurationError("min_recall must be a share above 0 and at most 1, such as 0.95.")
    pairs = sorted((_scored_pair(item) for item in scored), key=lambda p: p[0], reverse=True)
    positives = sum(1 for _, d in pairs if d)
    negatives = len(pairs) - positives
    if positives == 0:
        raise ConfigurationError(
            "calibrate needs at least one pair labelled as a duplicate"
            + (f" (got {len(pairs)}, none labelled True)." if pairs else " (got none)."),
            guidance="Label requests that had a duplicate True (for example tickets your agents merged).",
        )
    best = Calibration(threshold=pairs[0][0], precision=0.0, recall=0.0, f1=0.0, pairs=len(pairs))
    true_pos = 0
    for index, (score, duplicate) in enumerate(pairs):
        true_pos += duplicate
        if index + 1 < len(pairs) and pairs[index + 1][0] == score:
            continue
        precision = true_pos / (index + 1)
        recall = true_pos / positives
        f1 = 0.0 if true_pos == 0 else 2 * precision * recall / (precision + recall)
        false_flags = (index + 1 - true_pos) / negatives if negatives else 0.0
        candidate = Calibration(_at_or_below(score), precision, recall, f1, len(pairs), false_flags)
        if min_recall is not None:
            if recall >= min_recall:
                return candidate
        elif f1 > best.f1:
            best = candidate
    return best


def _at_or_below(score: float) -> float:
    """``score`` rounded to 6 decimals, never above it: the threshold must still flag the pair it came from."""
    rounded = round(score, 6)
    return rounded if rounded <= score else rounded - 1e-6


def _scored_pair(item: object) -> tuple[float, bool]:
    """One ``(score, is_duplicate)`` pair, checked: a finite number and a boolean label."""
    if not isinstance(item, (tuple, list)) or len(item) != 2:
        raise ConfigurationError(
            "calibrate takes (score, is_duplicate) pairs.",
            guidance="For labelled text pairs, use SupportSearch.calibrate([(text_a, text_b, is_duplicate), ...]).",
        )
    score, duplicate = item
    if isinstance(score, bool) or not isinstance(score, Real) or not math.isfinite(score):
        raise ConfigurationError("Each score passed to calibrate must be a finite number (not NaN or infinite).")
    if isinstance(duplicate, str) or duplicate not in (0, 1):  # True/False, 1/0 and numpy booleans
        raise ConfigurationError(
            f"Each pair's label must be True or False, not {type(duplicate).__name__}.",
            guidance="The label says whether the request had a duplicate.",
        )
    return float(score), bool(duplicate)
