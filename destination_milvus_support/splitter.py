"""Cutting a record's text into chunks of at most ``chunk_size`` tokens, with langchain's recursive splitter.

langchain measures every piece with its ``length_function``, one call per piece and two or three
times per piece. Each token count is a call into tiktoken (or tokenizers), which releases the GIL
and must take it back: while a sync's embedding and writing stages keep the GIL busy, that wait
costs far more than the counting (a profile of a 20,000-ticket sync: 12 s of the chunking
thread's 16 s). ``ChunkSplitter`` therefore counts the pieces of each level of the split in one
call (``count_many``) just before langchain measures them, and remembers every count for the
record at hand. The cuts stay langchain's own: it reads the same numbers, fetched earlier.
"""

from __future__ import annotations

import json
import re
from typing import Any, Callable, Sequence

from langchain_text_splitters import Language, RecursiveCharacterTextSplitter

from destination_milvus_support.config import CodeSplitter, MarkdownSplitter, ProcessingConfig, SeparatorSplitter
from query_sdk.sentences import KEEP, SEPARATORS

try:  # how langchain cuts one level (private): without it, counts are fetched one at a time as before
    from langchain_text_splitters.character import _split_text_with_regex
except ImportError:  # pragma: no cover  (a langchain-text-splitters that moved it)
    _split_text_with_regex = None  # type: ignore[assignment]

__all__ = ["ChunkSplitter"]

Counter = Callable[[str], int]
ManyCounter = Callable[[Sequence[str]], list[int]]


class ChunkSplitter:
    """Splits texts as ``processing.text_splitter`` says, measuring pieces in the embedding model's tokens.

    Used by one thread at a time (the writer's lookup stage): the counts remembered are the current
    record's.
    """

    def __init__(self, config: ProcessingConfig, count: Counter, count_many: ManyCounter) -> None:
        self._chunk_size = config.chunk_size
        self._count = count
        self._count_many = count_many
        self._counted: dict[str, int] = {}
        self._splitter = _make_splitter(config, self._count_once, self._count_ahead)

    def split(self, text: str, tokens: int) -> list[tuple[str, int]]:
        """``text`` (of ``tokens`` tokens) as pieces of at most ``chunk_size`` tokens, each with its count."""
        if tokens <= self._chunk_size:
            return [(text, tokens)]
        try:
            pieces = self._splitter.split_text(text)
            self._count_ahead(pieces)
            return [(piece, self._counted[piece]) for piece in pieces]
        finally:
            self._counted.clear()

    def _count_once(self, text: str) -> int:
        tokens = self._counted.get(text)
        if tokens is None:
            tokens = self._counted[text] = self._count(text)
        return tokens

    def _count_ahead(self, texts: Sequence[str]) -> None:
        missing = [text for text in dict.fromkeys(texts) if text not in self._counted]
        if missing:
            self._counted.update(zip(missing, self._count_many(missing), strict=True))


class _LevelCountingSplitter(RecursiveCharacterTextSplitter):
    """langchain's recursive splitter that announces each level's pieces before it measures them."""

    def __init__(self, *, before_level: Callable[[list[str]], None], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._before_level = before_level

    def _split_text(self, text: str, separators: list[str]) -> list[str]:
        if _split_text_with_regex is not None:
            self._before_level(self._level(text, separators))
        return super()._split_text(text, separators)

    def _level(self, text: str, separators: list[str]) -> list[str]:
        """The pieces (and the joining separator) ``_split_text`` will measure at this level, as it picks them."""
        separator = separators[-1]
        for candidate in separators:
            pattern = candidate if self._is_separator_regex else re.escape(candidate)
            if not candidate:
                separator = candidate
                break
            if re.search(pattern, text):
                separator = candidate
                break
        pattern = separator if self._is_separator_regex else re.escape(separator)
        assert _split_text_with_regex is not None
        pieces: list[str] = _split_text_with_regex(text, pattern, keep_separator=self._keep_separator)
        return [*pieces, "" if self._keep_separator else separator]


def _make_splitter(
    config: ProcessingConfig, count: Counter, before_level: Callable[[list[str]], None]
) -> RecursiveCharacterTextSplitter:
    common: dict[str, Any] = {
        "chunk_size": config.chunk_size,
        "chunk_overlap": config.chunk_overlap,
        "length_function": count,
        "before_level": before_level,
    }
    splitter = config.text_splitter
    if splitter is None:  # sentence ends of English, French, Chinese and Japanese (query_sdk.sentences)
        return _LevelCountingSplitter(separators=SEPARATORS, keep_separator=KEEP, **common)
    if isinstance(splitter, SeparatorSplitter):
        separators = [json.loads(s) for s in splitter.separators]
        return _LevelCountingSplitter(separators=separators, keep_separator=splitter.keep_separator, **common)
    if isinstance(splitter, MarkdownSplitter):
        headers = [f"\n{'#' * level} " for level in range(1, splitter.split_level + 1)]
        return _LevelCountingSplitter(separators=[*headers, "\n\n", "\n", " ", ""], keep_separator=True, **common)
    assert isinstance(splitter, CodeSplitter)
    return _LevelCountingSplitter(
        separators=RecursiveCharacterTextSplitter.get_separators_for_language(Language(splitter.language)),
        **common,
    )
