"""Which records a sync has already written, in bounded memory (a Bloom filter that grows with the sync)."""

from __future__ import annotations

import hashlib
import re
from typing import Sequence

import numpy as np

__all__ = ["SeenRecords"]

#: Bits per record each slice is sized for, and the probes per slice: a false "yes" at under 4 in
#: 10 million lookups while a slice is within its capacity ((1 - e^(-16/32))^16 = 3.4e-7).
_BITS_PER_RECORD = 32
_PROBES = 16
_HEX = re.compile(r"[0-9a-f]{64}")


class SeenRecords:
    """A scalable Bloom filter over record hashes (hex sha256, as ``content.record_hash`` makes them).

    The writer asks it whether a dedup record *may* have been written earlier in this sync. A "no" is
    always right. A wrong "yes" never skips or loses a record: it only costs that record its skip (it
    is chunked and planned as if changed, its vectors are reused and its rows written again) and one
    Strong lookup of its batch's rows before that batch is written (0.3 s on Milvus 2.3.5). So the
    answer never depends on the error rate, only the cost does.

    The first slice (``first_bits_log2``: 2**25 bits, 4 MiB) holds 1,048,576 records at 32 bits a
    record; each further slice doubles, for as many records again as all before it, until the slices
    take ``max_bytes`` (64 MiB: 15.7 million records); past that the last slice keeps filling and
    its wrong "yes" grows (more rewrites, never a lost record). A filter of 2**24 bits and 7 probes
    (what this replaced) answered a wrong "yes" for 82 of the first million records of a sync and
    2,456 of 1.7 million (measured: bench/README.md, "A desk of millions").
    """

    def __init__(self, *, first_bits_log2: int = 25, max_bytes: int = 64 << 20) -> None:
        if not 6 <= first_bits_log2 <= 40:
            raise ValueError("first_bits_log2 must be 6-40")
        if max_bytes < 1 << (first_bits_log2 - 3):
            raise ValueError("max_bytes must hold the first slice")
        self._next_log2 = first_bits_log2
        self._max_bytes = max_bytes
        #: (bits as uint8, mask of bit positions, records it may take before the next slice starts)
        self._slices: list[tuple[np.ndarray, int, int]] = []
        self._in_last = 0
        self._grow()

    @property
    def nbytes(self) -> int:
        """Memory the filter's bits take."""
        return sum(bits.nbytes for bits, _, _ in self._slices)

    def add(self, record_hash: str) -> bool:
        """Remember a record; return whether it may have been added before (``in`` before the add)."""
        return self.add_many([record_hash])[0]

    def add_many(self, record_hashes: Sequence[str]) -> list[bool]:
        """Remember records; for each, whether it may have been added before (earlier, or earlier in this call)."""
        if not record_hashes:
            return []
        first_at: dict[str, int] = {}
        repeats = [first_at.setdefault(h, i) != i for i, h in enumerate(record_hashes)]
        unique = list(first_at)
        words = _words(unique)
        seen = np.zeros(len(unique), dtype=bool)
        for number, (bits, mask, _) in enumerate(self._slices):
            seen |= _test(bits, _positions(words, number, mask))
        new = np.flatnonzero(~seen)
        start = 0
        while start < len(new):  # into the last slice, starting a new one when it is full
            bits, mask, capacity = self._slices[-1]
            room = max(capacity - self._in_last, 0) if self._can_grow() else len(new) - start
            if room == 0:
                self._grow()
                continue
            part = new[start : start + room]
            _set(bits, _positions(words[part], len(self._slices) - 1, mask))
            self._in_last += len(part)
            start += len(part)
        found = dict(zip(unique, seen.tolist()))
        return [True if repeated else found[h] for h, repeated in zip(record_hashes, repeats)]

    def __contains__(self, record_hash: object) -> bool:
        """False only for a record never added; True for every added one (and, rarely, others)."""
        if not isinstance(record_hash, str):
            return False
        words = _words([record_hash])
        return any(
            bool(_test(bits, _positions(words, number, mask))[0]) for number, (bits, mask, _) in enumerate(self._slices)
        )

    def _can_grow(self) -> bool:
        return self.nbytes + (1 << (self._next_log2 - 3)) <= self._max_bytes

    def _grow(self) -> None:
        size = 1 << self._next_log2
        self._slices.append((np.zeros(size >> 3, dtype=np.uint8), size - 1, size // _BITS_PER_RECORD))
        self._in_last = 0
        self._next_log2 += 1


def _words(record_hashes: Sequence[str]) -> np.ndarray:
    """The four 64-bit words of each sha256 hex digest; other strings are digested first."""
    digits = "".join(text if _HEX.fullmatch(text) else _digest(text) for text in record_hashes)
    return np.frombuffer(bytes.fromhex(digits), dtype=">u8").astype(np.uint64).reshape(-1, 4)


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


_PROBE = np.arange(_PROBES, dtype=np.uint64)
_CUBIC = (_PROBE**3 - _PROBE) // np.uint64(6)


def _positions(words: np.ndarray, slice_number: int, mask: int) -> np.ndarray:
    """``_PROBES`` bit positions per record in one slice: enhanced double hashing (each slice takes other words).

    ``a + i*b + (i**3 - i)/6``: the cubic term keeps two records with the same step from probing
    shifted copies of one progression (plain double hashing's weakness in small tables).
    """
    first = words[:, (2 * slice_number) % 4]
    step = words[:, (2 * slice_number + 1) % 4]
    with np.errstate(over="ignore"):
        return (first[:, None] + _PROBE[None, :] * step[:, None] + _CUBIC[None, :]) & np.uint64(mask)


def _test(bits: np.ndarray, positions: np.ndarray) -> np.ndarray:
    """Per record (row of ``positions``): whether every one of its bits is set."""
    found = (bits[positions >> np.uint64(3)] >> (positions & np.uint64(7)).astype(np.uint8)) & np.uint8(1)
    return np.asarray(found.all(axis=1))


def _set(bits: np.ndarray, positions: np.ndarray) -> None:
    flat = positions.ravel()
    np.bitwise_or.at(bits, flat >> np.uint64(3), np.left_shift(np.uint8(1), (flat & np.uint64(7)).astype(np.uint8)))
