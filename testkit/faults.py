"""Killing ``python main.py write`` at a chosen point of a sync, and resuming it from its last STATE as Airbyte does.

A kill point is one of:

- ``first_batch``: the source has sent records but no STATE yet; the process is killed ``delay``
  seconds after it printed its first line (the writer has started), while it looks up, embeds or
  writes its first batches, so nothing can have been acknowledged;
- ``mid_stream``: records and STATEs flow and stdin stays open (more is coming); the process is
  killed as soon as it has passed on the STATE of cursor ``cursor`` or a later one;
- ``after_last_state``: the whole input is sent and stdin closed; the process is killed ``delay``
  seconds after it passed on the last STATE: during the final flush, the end-of-sync load, the
  summary, or after it exited (then the kill finds nothing).

``resume_lines`` is what the platform sends next: every record after the last STATE passed on,
with its STATEs (everything, when none was).
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import threading
import time
from dataclasses import dataclass, field
from typing import Callable, Sequence

from airbyte_cdk.models import AirbyteMessage, Type

from testkit.runner import REPO, Output, cursor_of, parse_output, to_line

__all__ = ["KillPoint", "Killed", "RunningWrite", "records_after", "resume_lines", "write_and_kill"]

#: Longest wait for a kill point before the test gives up (the process is killed then anyway).
_PATIENCE = 180.0


@dataclass(frozen=True)
class KillPoint:
    """Where to kill: ``kind`` and its ``delay`` (seconds) or ``cursor``."""

    kind: str
    delay: float = 0.0
    cursor: int = 0

    def __str__(self) -> str:
        return f"{self.kind}-{self.cursor}" if self.kind == "mid_stream" else f"{self.kind}-{self.delay:.2f}s"


@dataclass(frozen=True)
class Killed:
    """What the killed process printed: its STATE cursors, whether it had already exited, its output."""

    acknowledged: list[int] = field(default_factory=list)
    #: The exit code when the process ended before the kill (an ``after_last_state`` kill that came late).
    exited: int | None = None
    stdout: str = ""

    @property
    def last(self) -> int | None:
        return self.acknowledged[-1] if self.acknowledged else None


def _input_for(point: KillPoint, messages: Sequence[AirbyteMessage]) -> list[AirbyteMessage]:
    if point.kind == "first_batch":  # the source's STATEs have not come yet
        return [m for m in messages if m.type == Type.RECORD]
    return list(messages)


class RunningWrite:
    """``python main.py write`` as a real process: feed it, watch the STATEs it passes on, kill it or let it end."""

    def __init__(self, command: list[str]) -> None:
        self.process = subprocess.Popen(
            command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=REPO
        )
        assert self.process.stdin is not None and self.process.stdout is not None and self.process.stderr is not None
        self.lines: list[str] = []
        self.errors: list[str] = []
        self._readers = [
            threading.Thread(target=self.lines.extend, args=(self.process.stdout,), daemon=True),
            threading.Thread(target=self.errors.extend, args=(self.process.stderr,), daemon=True),
        ]
        for reader in self._readers:
            reader.start()

    def send(self, messages: Sequence[AirbyteMessage], *, close: bool = False) -> None:
        """Write ``messages`` to stdin; ``close`` ends the input (the source is done)."""
        assert self.process.stdin is not None
        with contextlib.suppress(BrokenPipeError):
            self.process.stdin.write("".join(to_line(m) + "\n" for m in messages))
            self.process.stdin.flush()
            if close:
                self.process.stdin.close()

    def cursors(self) -> list[int]:
        """The cursors of the STATEs passed on so far."""
        return [cursor_of(m) for m in parse_output("".join(list(self.lines)))[0] if m.type == Type.STATE]

    def wait_until(self, ready: Callable[[], bool]) -> None:
        """Wait until ``ready()``, the process exits, or the test's patience runs out."""
        deadline = time.monotonic() + _PATIENCE
        while not ready() and self.process.poll() is None and time.monotonic() < deadline:
            time.sleep(0.01)

    def kill(self) -> Killed:
        """SIGKILL the process (if it still runs); what it printed until then."""
        exited = self.process.poll()
        with contextlib.suppress(ProcessLookupError):
            os.kill(self.process.pid, signal.SIGKILL)
        self._reap()
        return Killed(self.cursors(), exited, "".join(self.lines))

    def finish(self, timeout: float) -> Output:
        """Let the process end by itself (within ``timeout`` seconds, or it is killed) and return its output."""
        try:
            self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            raise
        finally:
            self._reap()
        stdout = "".join(self.lines)
        messages, unparsed = parse_output(stdout)
        return Output(messages, stdout, "".join(self.errors), int(self.process.returncode), unparsed)

    def _reap(self) -> None:
        self.process.wait()
        for reader in self._readers:
            reader.join(timeout=10)
        assert self.process.stdin is not None
        with contextlib.suppress(BrokenPipeError):
            self.process.stdin.close()


def write_and_kill(command: list[str], messages: Sequence[AirbyteMessage], point: KillPoint) -> Killed:
    """Run ``command`` (``python main.py write ...``) on ``messages`` and SIGKILL it at ``point``."""
    run = RunningWrite(command)
    last_cursor = max((cursor_of(m) for m in messages if m.type == Type.STATE), default=None)
    try:
        run.send(_input_for(point, messages), close=point.kind == "after_last_state")
        if point.kind == "first_batch":
            run.wait_until(lambda: bool(run.lines))
            time.sleep(point.delay)
        elif point.kind == "mid_stream":
            run.wait_until(lambda: max(run.cursors(), default=-1) >= point.cursor)
        else:
            run.wait_until(lambda: last_cursor in run.cursors())
            time.sleep(point.delay)
    finally:
        killed = run.kill()
    return killed


def records_after(messages: Sequence[AirbyteMessage], cursor: int | None) -> list[AirbyteMessage]:
    """The records (and STATEs) after the STATE of ``cursor``: all of them when ``cursor`` is None."""
    if cursor is None:
        return list(messages)
    for index, message in enumerate(messages):
        if message.type == Type.STATE and cursor_of(message) == cursor:
            return list(messages[index + 1 :])
    raise AssertionError(f"no STATE with cursor {cursor} in the input")


def resume_lines(messages: Sequence[AirbyteMessage], killed: Killed) -> list[str]:
    """The input lines of the resumed sync: what follows the last STATE the killed process passed on."""
    return [to_line(m) for m in records_after(messages, killed.last)]
