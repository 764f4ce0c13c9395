"""Requests of any length: a text longer than the model's input is split into pieces, and their hits fused per record.

A customer email can run to thousands of characters while the local model reads 254 tokens. Such a
request is split the way the connector splits documents (langchain-text-splitters' recursive
splitter, measured in the model's own tokens, paragraphs first), every piece is searched, and a
record's score is the mean of its best scores over a third of the pieces (``MATCHING_SHARE``):
its best chunk's score in each piece, the best pieces counted. A record one piece did not return
counts with that piece's lowest returned score (an upper bound of what it would have scored).

Why not the mean over all pieces: most of a long email is greeting, signature, footer, logs and
quoted history, which match no ticket in particular; averaging them in pulled the duplicate of a
5,000-character email to 0.24, far under any threshold. Why not the best piece alone: a ticket
sharing only the signature or footer then ties the duplicate. The best third asks that several
parts of the request match the ticket, and keeps the score a similarity the threshold applies to.
A request of one piece is scored exactly as before; of two or three, by its best piece. Nothing is cut.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from typing import Callable, Sequence

from query_sdk._ranking import Hit
from query_sdk.sentences import KEEP, SEPARATORS

__all__ = ["RequestPieces", "split_text"]

#: Overlap between pieces, as a share of the piece size (the connector's default is 20 of 200).
OVERLAP_SHARE = 0.1
#: Share of a request's pieces (rounded up) whose scores make a record's score.
MATCHING_SHARE = 1 / 3


def split_text(text: str, *, max_tokens: int, count_tokens: Callable[[str], int]) -> list[tuple[str, int]]:
    """``text`` as ``(piece, tokens)`` pieces of at most ``max_tokens``; one piece when it fits."""
    tokens = count_tokens(text)
    if tokens <= max_tokens:
        return [(text, tokens)]
    from langchain_text_splitters import RecursiveCharacterTextSplitter

    splitter = RecursiveCharacterTextSplitter(
        separators=SEPARATORS,
        keep_separator=KEEP,
        chunk_size=max_tokens,
        chunk_overlap=int(max_tokens * OVERLAP_SHARE),
        length_function=count_tokens,
    )
    pieces: list[tuple[str, int]] = []
    for piece in splitter.split_text(text):
        pieces.extend(_fit(piece, max_tokens, count_tokens))
    return pieces


def _fit(piece: str, max_tokens: int, count_tokens: Callable[[str], int]) -> list[tuple[str, int]]:
    """Halve a piece the splitter could not bring under the limit (one unbroken run of symbols)."""
    tokens = count_tokens(piece)
    if tokens <= max_tokens or len(piece) < 2:
        return [(piece, tokens)]
    middle = len(piece) // 2
    return _fit(piece[:middle], max_tokens, count_tokens) + _fit(piece[middle:], max_tokens, count_tokens)


@dataclass(frozen=True)
class RequestPieces:
    """The pieces of a batch of requests, flattened for one embedding call and one search call."""

    texts: list[str]
    tokens: list[int]
    owners: list[int]  # request index of each piece
    requests: int

    @classmethod
    def of(cls, requests: Sequence[str], *, max_tokens: int, count_tokens: Callable[[str], int]) -> RequestPieces:
        """Split every request that is longer than ``max_tokens``; short ones stay one piece."""
        texts: list[str] = []
        tokens: list[int] = []
        owners: list[int] = []
        for index, request in enumerate(requests):
            for piece, count in split_text(request, max_tokens=max_tokens, count_tokens=count_tokens):
                texts.append(piece)
                tokens.append(count)
                owners.append(index)
        return cls(texts, tokens, owners, len(requests))

    def fuse(self, ranked: Sequence[Sequence[Hit]], *, record_key: str) -> list[list[Hit]]:
        """Per request, one hit per record scored over all its pieces, best first.

        ``ranked[i]`` holds piece ``i``'s hits, one per record (``best_per_record``). A request of
        one piece keeps its hits unchanged.
        """
        grouped: list[list[int]] = [[] for _ in range(self.requests)]
        for piece, owner in enumerate(self.owners):
            grouped[owner].append(piece)
        return [
            list(ranked[pieces[0]]) if len(pieces) == 1 else self._fused(pieces, ranked, record_key)
            for pieces in grouped
        ]

    def _fused(self, pieces: list[int], ranked: Sequence[Sequence[Hit]], record_key: str) -> list[Hit]:
        counted = math.ceil(len(pieces) * MATCHING_SHARE)
        floors = {piece: min((h.score for h in ranked[piece]), default=0.0) for piece in pieces}
        scores: dict[str, dict[int, float]] = {}
        best: dict[str, Hit] = {}
        for piece in pieces:
            for hit in ranked[piece]:
                key = str(hit.entity.get(record_key, hit.pk))
                scores.setdefault(key, {})[piece] = hit.score
                if key not in best or hit.score > best[key].score:
                    best[key] = hit
        fused = []
        for key, per_piece in scores.items():
            best_scores = sorted((per_piece.get(p, floors[p]) for p in pieces), reverse=True)[:counted]
            score = sum(best_scores) / counted
            fused.append(replace(best[key], score=score, rank=None))  # the best chunk stays the snippet
        return sorted(fused, key=lambda h: h.score, reverse=True)
