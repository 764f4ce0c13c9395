"""Long requests: split in the model's tokens, nothing lost, hits fused per record over the pieces."""

import pytest

from query_sdk._ranking import Hit
from query_sdk._requests import RequestPieces, split_text
from query_sdk.embedders.fake import FakeEmbedder


def _words(text: str) -> int:
    return len(text.split())


def test_a_text_that_fits_stays_one_piece():
    assert split_text("my card was declined", max_tokens=10, count_tokens=_words) == [("my card was declined", 4)]


@pytest.mark.parametrize("limit", [5, 12, 40])
def test_a_long_text_splits_into_pieces_within_the_limit_and_loses_no_word(limit):
    text = "\n\n".join(" ".join(f"w{p}_{i}" for i in range(17)) for p in range(9))
    pieces = split_text(text, max_tokens=limit, count_tokens=_words)
    assert len(pieces) > 1
    assert all(tokens <= limit and tokens == _words(piece) for piece, tokens in pieces)
    assert set(text.split()) == {word for piece, _ in pieces for word in piece.split()}


def test_an_unbroken_run_longer_than_the_limit_is_split_not_cut():
    text = "".join(chr(ord("a") + i % 26) for i in range(100))
    pieces = split_text(text, max_tokens=30, count_tokens=len)
    assert all(tokens <= 30 for _, tokens in pieces)
    assert pieces[0][0] == text[:30] and text.endswith(pieces[-1][0])  # overlapping pieces, end to end


def _hit(record: str, score: float) -> Hit:
    return Hit(pk=f"{record}-chunk", entity={"_ab_record_id": record}, score=score)


def _fused(scores_per_piece):
    pieces = RequestPieces(
        texts=["p"] * len(scores_per_piece), tokens=[10] * len(scores_per_piece),
        owners=[0] * len(scores_per_piece), requests=1,
    )  # fmt: skip
    ranked = [[_hit(record, score) for record, score in piece.items()] for piece in scores_per_piece]
    (fused,) = pieces.fuse(ranked, record_key="_ab_record_id")
    return {h.entity["_ab_record_id"]: h.score for h in fused}, [h.entity["_ab_record_id"] for h in fused]


def test_a_record_matching_several_pieces_beats_one_matching_only_the_signature():
    boilerplate = {"duplicate": 0.15, "decoy": 0.18}  # greeting, log, quoted history: nothing in particular
    scores, order = _fused(
        [{"duplicate": 0.71, "decoy": 0.14}, {"duplicate": 0.51, "decoy": 0.30}, {"decoy": 0.95, "duplicate": 0.2},
         {"duplicate": 0.64, "decoy": 0.38}, boilerplate, boilerplate]
    )  # fmt: skip
    assert order == ["duplicate", "decoy"]
    assert scores["duplicate"] == pytest.approx((0.71 + 0.64) / 2)  # the best third: 2 of 6 pieces
    assert scores["decoy"] == pytest.approx((0.95 + 0.38) / 2)


def test_the_score_of_a_long_request_is_not_dragged_down_by_its_boilerplate():
    boilerplate = {"duplicate": 0.1}
    scores, _ = _fused([{"duplicate": 0.7}, {"duplicate": 0.66}, {"duplicate": 0.6}] + [boilerplate] * 6)
    assert scores["duplicate"] == pytest.approx((0.7 + 0.66 + 0.6) / 3)  # not the mean of all nine, 0.29


def test_a_record_missing_from_a_piece_counts_at_that_pieces_floor():
    scores, _ = _fused([{"a": 0.9, "b": 0.5}, {"a": 0.8}, {"a": 0.7}, {"a": 0.2, "b": 0.1}])
    assert scores["b"] == pytest.approx((0.8 + 0.7) / 2)  # floors 0.8 and 0.7 beat its own 0.5 and 0.1


def test_one_piece_requests_keep_their_hits_and_requests_stay_apart():
    embedder = FakeEmbedder(dimensions=8)
    pieces = RequestPieces.of(["short one", "word " * 50], max_tokens=20, count_tokens=embedder.count_tokens)
    assert pieces.owners[0] == 0 and set(pieces.owners[1:]) == {1} and len(pieces.owners) > 2
    ranked = [[_hit("a", 0.9), _hit("b", 0.1)]] + [[_hit("c", 0.5)] for _ in pieces.owners[1:]]
    first, second = pieces.fuse(ranked, record_key="_ab_record_id")
    assert [(h.entity["_ab_record_id"], h.score) for h in first] == [("a", 0.9), ("b", 0.1)]
    assert [h.entity["_ab_record_id"] for h in second] == ["c"]
