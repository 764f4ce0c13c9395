"""The input: raw lines read from stdin's descriptor, on a thread, with ticks while the source is quiet;
and 200 failing runs that never abort at exit."""

import io
import os
import signal
import subprocess
import sys
import threading
from pathlib import Path

import orjson
import pytest

from destination_milvus_support.inbox import input_lines, line_problem, with_idle_ticks

REPO = Path(__file__).resolve().parents[1]


def test_messages_come_in_order_and_the_input_ends():
    assert list(with_idle_ticks(range(1000), idle_seconds=5)) == list(range(1000))


def test_a_quiet_source_yields_ticks_until_its_next_message():
    go_on = threading.Event()

    def source():
        yield "first"
        go_on.wait(timeout=60)
        yield "second"

    out = []
    for item in with_idle_ticks(source(), idle_seconds=0.01):
        out.append(item)
        if out.count(None) == 3:
            go_on.set()
    assert out[0] == "first" and out[-1] == "second"
    assert out[1:4] == [None, None, None]


def test_an_error_while_reading_is_raised_in_the_loop_after_the_messages_before_it():
    def source():
        yield 1
        raise ValueError("line 2 is not valid JSON")

    got = []
    with pytest.raises(ValueError, match="line 2"):
        for item in with_idle_ticks(source(), idle_seconds=5):
            got.append(item)
    assert got == [1]


def test_a_loop_that_stops_early_releases_the_reader():
    def endless():
        while True:
            yield "x"

    before = set(threading.enumerate())
    ticks = with_idle_ticks(endless(), idle_seconds=5)
    assert next(ticks) == "x"
    (reader,) = set(threading.enumerate()) - before
    ticks.close()
    reader.join(timeout=10)
    assert not reader.is_alive()


# -- stdin read from its file descriptor ---------------------------------------------------------------

# A child that reads stdin as the connector does, and exits on its first line as a failed sync does
# (a TRACE, then ``sys.exit(1)``) while the source keeps stdin open, so the reader thread is
# still blocked in a read at interpreter shutdown. ``text`` is the reader this replaced
# (``io.TextIOWrapper(sys.stdin.buffer)``), which aborted with exit code 134 in that state.
_CHILD = """
import io, sys
from destination_milvus_support.inbox import input_lines, with_idle_ticks
if sys.argv[1] == "fd":
    lines = input_lines(sys.stdin)
else:
    lines = io.TextIOWrapper(sys.stdin.buffer, encoding="utf-8")
for line in with_idle_ticks(lines, idle_seconds=5):
    sys.stdout.write('{"type": "TRACE"}\\n')
    sys.stdout.flush()
    sys.exit(1)
"""
_ABORT = -signal.SIGABRT  # Popen's return code for "killed by SIGABRT" (a shell shows 134)


def _error_runs(reader: str, runs: int, *, at_once: int = 10) -> list[int]:
    """Return codes of ``runs`` child processes that fail on their first line, ``at_once`` at a time."""
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    codes: list[int] = []
    while len(codes) < runs:
        batch = []
        for _ in range(min(at_once, runs - len(codes))):
            child = subprocess.Popen(
                [sys.executable, "-c", _CHILD, reader],
                stdin=subprocess.PIPE,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                env=env,
            )
            assert child.stdin is not None
            child.stdin.write(b'{"type": "RECORD"}\n')
            child.stdin.flush()  # and stdin stays open, as a source that has more to send
            batch.append(child)
        for child in batch:
            codes.append(child.wait(timeout=120))
            assert child.stdin is not None
            child.stdin.close()
    return codes


def test_200_consecutive_error_exits_never_abort():
    codes = _error_runs("fd", 200)
    assert codes.count(_ABORT) == 0
    assert codes == [1] * 200


def test_the_replaced_stdin_reader_aborts_in_the_same_runs():
    """The control: the harness above does catch the abort (it did, in 40 of 40 runs, when measured)."""
    codes = _error_runs("text", 10)
    assert _ABORT in codes


def _fd_with(data: bytes, folder: Path) -> int:
    path = folder / "stdin"
    path.write_bytes(data)
    return os.open(path, os.O_RDONLY)


class _Stdin:
    def __init__(self, fd: int) -> None:
        self._fd = fd

    def fileno(self) -> int:
        return self._fd


@pytest.mark.parametrize(
    ("data", "lines"),
    [
        (b"a\nb\n", [b"a", b"b"]),
        (b"a\r\nb", [b"a", b"b"]),
        (b"", []),
        (b"\n\n", [b"", b""]),
        (b"x" * 200_000 + b"\ny", [b"x" * 200_000, b"y"]),  # a line longer than one read
        (b'{"a": "\xff\xfe\xc3("}\n', [b'{"a": "\xff\xfe\xc3("}']),  # bytes pass through undecoded
    ],
    ids=["two_lines", "crlf_and_no_final_newline", "empty", "blank_lines", "line_over_many_reads", "invalid_utf8"],
)
def test_input_lines_split_the_descriptor_into_raw_lines(data, lines, tmp_path):
    fd = _fd_with(data, tmp_path)
    try:
        assert list(input_lines(_Stdin(fd))) == lines
    finally:
        os.close(fd)


def test_input_lines_read_a_stream_without_descriptor_through_its_buffer():
    stream = io.TextIOWrapper(io.BytesIO(b"a\nb\xff\n"), encoding="utf-8")
    assert list(input_lines(stream)) == [b"a", b"b\xff"]


@pytest.mark.parametrize(
    ("line", "problem"),
    [
        (b'{"a": "\xff\xfe\xc3("}', "is not valid UTF-8 (byte 8)"),
        (b'{"a": "x\x00y"}', "contains a NUL byte (byte 9)"),
        (b'{"a": "\\ud800"}', "is not valid JSON (no low surrogate in string"),
        (b'{"a": "\\udc00"}', "is not valid JSON (invalid high surrogate in string"),
        (b'{"a": \xed\xa0\x80}', "is not valid UTF-8 (byte 7)"),  # a surrogate encoded as UTF-8
        (b"{'type': 'RECORD'", "is not valid JSON ("),
    ],
    ids=["invalid_utf8", "nul_byte", "lone_high_surrogate", "lone_low_surrogate", "encoded_surrogate", "not_json"],
)
def test_line_problem_names_what_is_wrong_without_the_content(line, problem):
    with pytest.raises(orjson.JSONDecodeError) as rejected:
        orjson.loads(line)
    described = line_problem(line, rejected.value)
    assert described.startswith(problem)
    assert "RECORD" not in described and "\xff" not in described and "'a'" not in described
