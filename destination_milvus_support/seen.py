"""Which records a sync has already written, in fixed memory (a Bloom filter)."""

from __future__ import annotations

__all__ = ["SeenRecords"]


class SeenRecords:
    """A Bloom filter over record hashes (hex sha256, as ``content.record_hash`` makes them).

    The writer asks it whether a dedup record *may* have been written earlier in this sync. A wrong
    "yes" only costs that record its skip (it is chunked and planned as if changed, its vectors are
    reused) and one Strong lookup of its rows before its batch is written; a "no" is always right.
    So the answer never depends on the error rate, and the memory stays fixed however many records
    a sync carries: 2**24 bits (2 MiB) and 7
    probes give under 1% wrong "yes" up to about 1.7 million records, and more lookups beyond.
    """

    def __init__(self, *, bits_log2: int = 24, probes: int = 7) -> None:
        # Each probe takes 3 bytes (24 bits) of the 32-byte digest.
        if not 3 <= bits_log2 <= 24 or not 1 <= probes <= 10:
            raise ValueError("bits_log2 must be 3-24 and probes 1-10")
        self._mask = (1 << bits_log2) - 1
        self._probes = probes
        self._bits = bytearray(1 << (bits_log2 - 3))

    def _positions(self, record_hash: str) -> list[int]:
        return [int(record_hash[6 * i : 6 * i + 6], 16) & self._mask for i in range(self._probes)]

    def add(self, record_hash: str) -> bool:
        """Remember a record; return whether it may have been added before (``in`` before the add)."""
        bits = self._bits
        seen = True
        for position in self._positions(record_hash):
            byte, bit = position >> 3, 1 << (position & 7)
            if not bits[byte] & bit:
                seen = False
                bits[byte] |= bit
        return seen

    def __contains__(self, record_hash: object) -> bool:
        """False only for a record never added; True for every added one (and, rarely, others)."""
        if not isinstance(record_hash, str):
            return False
        return all(self._bits[p >> 3] & (1 << (p & 7)) for p in self._positions(record_hash))
