import numpy
import pytest

from query_sdk import Calibration, ConfigurationError, calibrate
from query_sdk.contract import EmbeddingSpec
from query_sdk.thresholds import FALLBACK_THRESHOLDS, model_defaults


def test_picks_the_threshold_that_maximises_f1():
    # Cut-offs and their F1 (4 duplicates): 0.9 -> 0.40, 0.8 -> 0.67, 0.7 -> 0.57, 0.6 -> 0.75,
    # 0.5 -> 0.89, 0.4 -> 0.80, 0.3 -> 0.73, 0.2 -> 0.67. Best: 0.5, flagging 5 of which 4 are right.
    pairs = [(0.9, True), (0.8, True), (0.7, False), (0.6, True), (0.5, True), (0.4, False), (0.3, False), (0.2, False)]
    result = calibrate(pairs)
    assert result == Calibration(threshold=0.5, precision=0.8, recall=1.0, f1=pytest.approx(8 / 9), pairs=8)


def test_perfect_separation_puts_the_threshold_at_the_lowest_duplicate():
    result = calibrate([(0.95, True), (0.91, True), (0.62, False), (0.40, False)])
    assert (result.threshold, result.precision, result.recall, result.f1) == (0.91, 1.0, 1.0, 1.0)


def test_input_order_does_not_matter():
    pairs = [(0.2, False), (0.9, True), (0.5, True), (0.7, False), (0.6, True)]
    assert calibrate(pairs) == calibrate(list(reversed(pairs)))


def test_tied_scores_are_one_cut_off_and_equal_f1_keeps_the_higher_threshold():
    # All three 0.7s are flagged together (F1 0.67), never just the duplicate among them (F1 1.0);
    # 0.9 reaches the same F1 while flagging fewer tickets.
    result = calibrate([(0.9, True), (0.7, True), (0.7, False), (0.7, False), (0.1, False)])
    assert (result.threshold, result.precision, result.recall) == (0.9, 1.0, 0.5)


def test_needs_at_least_one_duplicate():
    with pytest.raises(ConfigurationError, match="none labelled True"):
        calibrate([(0.9, False), (0.1, False)])
    with pytest.raises(ConfigurationError, match="got none"):
        calibrate([])


@pytest.mark.parametrize(
    "pairs",
    [
        [(float("nan"), True), (0.2, False)],
        [(float("inf"), True)],
        [("0.9", True)],
        [(None, True)],
        [(0.9, "yes")],
        [(0.9, None)],
        [(0.9, True, "extra")],
        ["0.9"],
    ],
)
def test_malformed_pairs_are_refused_by_name(pairs):
    # NaN used to come back as the threshold (every comparison with it is False: nothing flagged).
    with pytest.raises(ConfigurationError, match=r"calibrate|score|label"):
        calibrate(pairs)


def test_numeric_and_numpy_labels_are_accepted():
    result = calibrate([(numpy.float32(0.9), numpy.bool_(True)), (0.5, 0), (0.8, 1)])
    assert (result.threshold, result.recall, result.false_flag_rate) == (0.8, 1.0, 0.0)


@pytest.mark.parametrize(
    ("mode", "model", "dimensions", "duplicate", "article", "basis"),
    [
        ("openai", "text-embedding-ada-002", 1536, 0.895, 0.82, "measured"),  # MTEB Sprint, F1-best 0.8946
        ("azure_openai", "text-embedding-ada-002", 1536, 0.895, 0.82, "measured"),  # a deployment: the same model
        ("openai_compatible", "text-embedding-ada-002", 1536, 0.895, 0.82, "measured"),
        ("openai", "text-embedding-3-small", 1536, 0.68, 0.45, "estimated"),  # MTEB holds no threshold for it
        ("openai", "text-embedding-3-large", 3072, 0.69, 0.45, "estimated"),
        ("openai", "text-embedding-3-large", 256, 0.69, 0.45, "estimated"),  # shortened: not measured there
        ("local", "all-MiniLM-L6-v2", 384, 0.53, 0.35, "measured"),
        ("fake", "hashed-bag-of-words", 64, 0.45, 0.20, "measured"),
        ("openai_compatible", "nomic-embed-text", 768, *FALLBACK_THRESHOLDS, "unknown"),
    ],
)
def test_every_offered_model_has_a_default_that_says_what_it_rests_on(
    mode, model, dimensions, duplicate, article, basis
):
    found = model_defaults(EmbeddingSpec(mode=mode, model=model, dimensions=dimensions))
    assert (found.duplicate, found.article, found.basis) == (duplicate, article, basis)
    assert found.source


def test_min_recall_picks_the_strictest_threshold_that_reaches_it():
    # 4 duplicates; recall 0.75 is first reached at 0.6 (0.9, 0.8, 0.6 flagged), with 1 of 4 non-duplicates flagged.
    pairs = [(0.9, True), (0.8, True), (0.7, False), (0.6, True), (0.5, True), (0.4, False), (0.3, False), (0.2, False)]
    result = calibrate(pairs, min_recall=0.75)
    assert (result.threshold, result.recall, result.false_flag_rate) == (0.6, 0.75, 0.25)
    assert calibrate(pairs, min_recall=1.0).threshold == 0.5


def test_the_false_flag_rate_is_reported():
    result = calibrate([(0.9, True), (0.8, False), (0.7, True), (0.1, False)])
    assert (result.threshold, result.false_flag_rate) == (0.7, 0.5)


@pytest.mark.parametrize("bad", [0.0, 1.5, -0.1])
def test_min_recall_outside_zero_to_one_is_refused(bad):
    with pytest.raises(ConfigurationError, match="min_recall"):
        calibrate([(0.9, True)], min_recall=bad)


def test_the_rounded_threshold_still_flags_the_pair_it_came_from():
    scored = [(0.6229286, True), (0.9, True), (0.1, False)]
    result = calibrate(scored, min_recall=1.0)
    assert result.threshold <= 0.6229286
    assert sum(score >= result.threshold for score, duplicate in scored if duplicate) == 2
