"""``with_idle_ticks``: the input read on a thread, with ticks while the source is quiet."""

import threading

import pytest

from destination_milvus_support.inbox import with_idle_ticks


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
