"""The input messages, read on a thread, so the write loop also wakes while the source is quiet.

A source that pauses (a help desk's rate limit, a slow incremental page) would otherwise leave the
write loop blocked on stdin with finished batches whose STATEs it cannot pass on until the next
message arrives. ``with_idle_ticks`` yields ``None`` whenever no message came for a while, and the
loop uses those ticks to pass STATEs on and to write a batch whose STATE has waited long enough.
"""

from __future__ import annotations

import queue
import threading
from dataclasses import dataclass
from typing import Iterable, Iterator, TypeVar

__all__ = ["with_idle_ticks"]

T = TypeVar("T")

#: Messages read ahead of the write loop: enough to hide the hand-over, few enough to keep memory flat.
_AHEAD = 16


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
