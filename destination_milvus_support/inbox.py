"""The input: stdin read as raw lines, and handed to the write loop on a thread.

A source that pauses (a help desk's rate limit, a slow incremental page) would otherwise leave the
write loop blocked on stdin with finished batches whose STATEs it cannot pass on until the next
message arrives. ``with_idle_ticks`` yields ``None`` whenever no message came for a while, and the
loop uses those ticks to pass STATEs on and to write a batch whose STATE has waited long enough.

stdin is read with ``os.read`` on its file descriptor (``input_lines``), not through
``sys.stdin``: the reader thread may still be blocked in a read when the process exits after an
error, and a thread blocked inside ``sys.stdin.buffer`` holds that object's lock, which makes the
interpreter abort at shutdown ("could not acquire lock for <_io.BufferedReader name='<stdin>'>",
exit code 134). A thread blocked in ``os.read`` holds no Python lock.

This module imports only the standard library and orjson, so a test can start it in hundreds of
short processes (unit_tests/test_connector_inbox.py).
"""

from __future__ import annotations

import io
import os
import queue
import threading
from dataclasses import dataclass
from typing import IO, Any, Iterable, Iterator, TypeVar

import orjson

__all__ = ["input_lines", "line_problem", "with_idle_ticks"]

T = TypeVar("T")

#: Messages read ahead of the write loop: enough to hide the hand-over, few enough to keep memory flat.
_AHEAD = 16
#: Bytes asked of the kernel per ``os.read``.
_BLOCK = 1 << 16
_NUL = b"\x00"


def input_lines(stream: IO[Any]) -> Iterator[bytes]:
    """The lines of ``stream`` as bytes, without their newline; read from its file descriptor when it has one.

    A stream without a descriptor (a test's in-memory stdin) is read through its binary buffer.
    """
    try:
        fd = stream.fileno()
    except (AttributeError, OSError, io.UnsupportedOperation):
        binary = getattr(stream, "buffer", stream)
        for line in binary:
            yield line.rstrip(b"\r\n") if isinstance(line, bytes) else line.rstrip("\r\n").encode("utf-8", "replace")
        return
    yield from _fd_lines(fd)


def _fd_lines(fd: int) -> Iterator[bytes]:
    parts: list[bytes] = []
    while block := os.read(fd, _BLOCK):
        start = 0
        while (end := block.find(b"\n", start)) != -1:
            parts.append(block[start:end])
            yield b"".join(parts).rstrip(b"\r")
            parts = []
            start = end + 1
        if start < len(block):
            parts.append(block[start:])
    if parts:
        yield b"".join(parts).rstrip(b"\r")


def line_problem(line: bytes, error: orjson.JSONDecodeError) -> str:
    """What is wrong with an input line that ``orjson`` rejected, in words that never quote the line.

    Invalid UTF-8 and NUL bytes are told apart from other JSON errors (with their byte offset); for
    the rest, orjson's own description ("no low surrogate in string" for a lone surrogate escape) and
    column. orjson's messages are fixed descriptions, never the input.
    """
    try:
        line.decode("utf-8")
    except UnicodeDecodeError as bad:
        return f"is not valid UTF-8 (byte {bad.start + 1})"
    if _NUL in line:
        return f"contains a NUL byte (byte {line.index(_NUL) + 1})"
    return f"is not valid JSON ({error.msg} at column {error.colno})"


class _End:
    """The input ended."""


@dataclass
class _Failed:
    """Reading the input raised; the write loop re-raises it."""

    error: BaseException


def with_idle_ticks(messages: Iterable[T], idle_seconds: float) -> Iterator[T | None]:
    """Yield ``messages`` in order, and ``None`` after each ``idle_seconds`` without a new one.

    An error raised while reading ``messages`` is raised here, in the caller's thread. The reader is
    a daemon thread: a loop that stops early never waits for a source that has not closed stdin.
    """
    inbox: queue.Queue[T | _End | _Failed] = queue.Queue(maxsize=_AHEAD)
    stopped = threading.Event()

    def hand_over(item: T | _End | _Failed) -> bool:
        while not stopped.is_set():
            try:
                inbox.put(item, timeout=0.2)
                return True
            except queue.Full:
                continue
        return False

    def read() -> None:
        try:
            for message in messages:
                if not hand_over(message):
                    return
            hand_over(_End())
        except BaseException as error:  # handed to the caller's thread, which raises it
            hand_over(_Failed(error))

    threading.Thread(target=read, name="input-reader", daemon=True).start()
    try:
        while True:
            try:
                item = inbox.get(timeout=idle_seconds)
            except queue.Empty:
                yield None
                continue
            if isinstance(item, _End):
                return
            if isinstance(item, _Failed):
                raise item.error
            yield item
    finally:
        stopped.set()
