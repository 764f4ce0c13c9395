"""Default similarity thresholds per embedding model, where each comes from, and ``calibrate`` to fit one.

Every default says what it rests on (``ModelDefaults.basis``):

- **measured**: the F1-best cosine threshold of a public or our own duplicate benchmark:
  ``text-embedding-ada-002`` 0.8946 on MTEB's SprintDuplicateQuestions (101,000 pairs of real
  support-forum questions; P 0.823, R 0.881; TwitterURLCorpus 0.8955, TwitterSemEval2015 0.8915:
  embeddings-benchmark/results, results/openai__text-embedding-ada-002/no_revision_available/
  SprintDuplicateQuestions.json @ 11a99065bafa78317967f4490e919727f65a86f1, CC0), and the local
  all-MiniLM-L6-v2 0.53 on Banking77 (``bench/quality.py``; its MTEB Sprint threshold is 0.713 @ 319e81d6).
- **estimated**: no threshold is published for the model. MTEB's files for ``text-embedding-3-small``
  and ``-3-large`` hold only average precision (Sprint AP 0.9458 and 0.9225; checked at every
  commit), so their duplicate defaults are ada-002's and MiniLM's measured Sprint thresholds carried
  over through the thresholds the models share on other MTEB pair tasks (0.66-0.73 for 3-small,
  0.66-0.74 for 3-large; the method re-predicts MiniLM's within 0.05). Article defaults rest on the
  relatedness scores OpenAI's cookbook prints for questions and the passages that answer them
  (openai/openai-cookbook: Question_answering_using_embeddings.ipynb @ 2c441ab9 for ada-002, 0.867-0.885
  relevant against 0.77-0.79 off-topic; @ fa926368 for 3-small, 0.56-0.63) and a blog's question
  against whole articles with 3-large (0.44 relevant, 0.08 not). They are starting points.
- **unknown**: a model nobody measured; ``FALLBACK_THRESHOLDS`` is a guess and says so.

Shortened text-embedding-3 vectors (``dimensions`` below the native size) score higher (measured on
the cookbook's 3-small and 3-large vectors: +0.02 at 512, +0.04 at 256 for 3-small, up to +0.09 for
3-large at 256), so their defaults are estimates too. Hybrid search scores are dense similarities:
the same thresholds apply. A desk's own history gives a better duplicate threshold than any of
these: ``query_sdk.merge_history`` fits one on its merged tickets and stores it with the collection.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from numbers import Real
from typing import Iterable

from query_sdk.contract import EmbeddingSpec
from query_sdk.errors import ConfigurationError

__all__ = ["FALLBACK_THRESHOLDS", "MODEL_DEFAULTS", "Calibration", "ModelDefaults", "calibrate", "model_defaults"]


@dataclass(frozen=True)
class ModelDefaults:
    """A model's default duplicate and article thresholds, and what they rest on (see the module docstring)."""

    duplicate: float
    article: float
    #: "measured", "estimated", "unknown", or "fitted" (this collection's own history).
    basis: str
    #: One sentence a user can check: where the duplicate threshold comes from.
    source: str


_ADA = ModelDefaults(
    0.895, 0.82, "measured", "MTEB SprintDuplicateQuestions, F1-best cosine 0.8946 (article default estimated)"
)
#: By model name: the same for OpenAI, Azure OpenAI deployments and OpenAI-compatible services serving it.
MODEL_DEFAULTS: dict[str, ModelDefaults] = {
    "text-embedding-ada-002": _ADA,
    "text-embedding-3-small": ModelDefaults(
        0.68, 0.45, "estimated", "carried over from ada-002's and MiniLM's MTEB Sprint thresholds (MTEB has none)"
    ),
    "text-embedding-3-large": ModelDefaults(
        0.69, 0.45, "estimated", "carried over from ada-002's and MiniLM's MTEB Sprint thresholds (MTEB has none)"
    ),
    "all-MiniLM-L6-v2": ModelDefaults(0.53, 0.35, "measured", "Banking77 duplicates, F1-best (bench/quality.py)"),
    # Amazon MASSIVE, English, French and Chinese alike: the threshold keeping recall 0.95 on requests of
    # a known intent (F1-best is uninformative there: most requests have one). Article default estimated.
    "universal-sentence-encoder-multilingual-3": ModelDefaults(
        0.53, 0.35, "measured", "Amazon MASSIVE en/fr/zh, recall 0.95 of same-intent requests (article estimated)"
    ),
    "hashed-bag-of-words": ModelDefaults(0.45, 0.20, "measured", "the fake test embedder, on the unit tests' data"),
}
#: (duplicate, article) for models nobody measured: a guess, logged as one.
FALLBACK_THRESHOLDS = (0.75, 0.40)
#: Native sizes of the models whose vectors can be shortened (``dimensions``).
_NATIVE = {"text-embedding-3-small": 1536, "text-embedding-3-large": 3072}


def model_defaults(spec: EmbeddingSpec) -> ModelDefaults:
    """The defaults for vectors made as ``spec`` says (by model name, whatever the service)."""
    found = MODEL_DEFAULTS.get(spec.model)
    if found is None:
        return ModelDefaults(
            *FALLBACK_THRESHOLDS, "unknown", f"nobody measured {spec.model!r}: a guess (fit one on your desk)"
        )
    native = _NATIVE.get(spec.model)
    if native is not None and spec.dimensions < native:
        return ModelDefaults(
            found.duplicate,
            found.article,
            "estimated",
            f"{found.source}; not measured at {spec.dimensions} dimensions, where scores run higher",
        )
    return found


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
