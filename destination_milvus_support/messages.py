"""Airbyte messages in and out: input lines parsed into messages, messages printed as lines.

A malformed input line stops the sync (skipping it could lose a record), with a config error naming
the line number and the problem, never its content. Integers beyond 64 bits, in records or STATEs,
are read and written exactly.
"""

from __future__ import annotations

import contextlib
import json
import sys
from typing import Any, Iterable, Iterator

import orjson
from airbyte_cdk.models import AirbyteMessage, AirbyteMessageSerializer, Type

from destination_milvus_support.errors import ConnectorConfigError
from destination_milvus_support.inbox import line_problem

__all__ = ["USAGE", "emit", "parse_input", "read_json"]

#: Every digit as "0", so one substring search finds a run of digits (a regular expression costs 10x more).
_DIGITS_AS_ZERO = bytes.maketrans(b"123456789", b"000000000")
#: orjson keeps integers from -2**63 to 2**64 - 1 exact and rounds wider ones to floats: 20 digits, or a
#: minus and 19 digits, may be one (or part of a string); such lines are parsed again with the standard
#: library, whose integers are exact.
_TWENTY_DIGITS, _MINUS_NINETEEN_DIGITS = b"0" * 20, b"-" + b"0" * 19


def _may_hold_a_wide_integer(line: bytes) -> bool:
    digits = line.translate(_DIGITS_AS_ZERO)
    return _TWENTY_DIGITS in digits or _MINUS_NINETEEN_DIGITS in digits


#: What ``destination-milvus-support`` (or ``python main.py``) prints when run without a command.
USAGE = (
    "usage: destination-milvus-support {spec,check,write} ...\n"
    "  spec                                     print the connector's configuration specification\n"
    "  check --config CONFIG.json               check the configuration, the Milvus server and the embedding service\n"
    "  write --config CONFIG.json --catalog CONFIGURED_CATALOG.json < messages.jsonl\n"
    "                                           sync the Airbyte messages read from stdin\n"
)


def read_json(path: str, *, what: str) -> Any:
    """The JSON in file ``path`` (the ``what`` file: config or catalog), or a config error naming the file."""
    try:
        with open(path, "rb") as handle:
            return orjson.loads(handle.read())
    except OSError:
        raise ConnectorConfigError(f"The {what} file {path} cannot be read.") from None
    except orjson.JSONDecodeError:
        raise ConnectorConfigError(f"The {what} file {path} is not valid JSON.") from None


def parse_input(lines: Iterable[bytes]) -> Iterator[AirbyteMessage]:
    """Parse raw input lines; a malformed line stops the sync (skipping it could lose a record).

    The source sent it, so it is a config error naming the line number and the problem, never its content.
    """
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            data = orjson.loads(line)
        except orjson.JSONDecodeError as error:
            raise _bad_line(number, line_problem(line, error)) from None
        if _may_hold_a_wide_integer(line):  # orjson rounds integers beyond 64 bits to floats; json keeps them exact
            with contextlib.suppress(ValueError, RecursionError):
                data = json.loads(line)
        try:
            message = AirbyteMessageSerializer.load(data)
        except Exception:
            raise _bad_line(number, "is not a valid Airbyte message") from None
        if (message.type == Type.RECORD and message.record is None) or (
            message.type == Type.STATE and message.state is None
        ):
            raise _bad_line(number, f"is a {message.type.value} message without its body")
        yield message


def _bad_line(number: int, problem: str) -> ConnectorConfigError:
    return ConnectorConfigError(
        f"Input line {number} {problem}; the sync stopped there.",
        guidance="The source sent a malformed message: fix or update the source connector, then retry.",
    )


def emit(message: AirbyteMessage) -> None:
    """Print ``message`` as one line on stdout, flushed."""
    data = AirbyteMessageSerializer.dump(message)
    try:
        line = orjson.dumps(data).decode()
    except orjson.JSONEncodeError:  # a STATE the source sent with an integer beyond 64 bits: passed on exact
        line = json.dumps(data, separators=(",", ":"), ensure_ascii=False)
    sys.stdout.write(line + "\n")
    sys.stdout.flush()
