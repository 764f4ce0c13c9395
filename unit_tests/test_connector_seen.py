"""The writer's record memory: never forgets a record, grows with the sync, and stays within its bound."""

import pytest

from destination_milvus_support.content import record_hash
from destination_milvus_support.seen import SeenRecords


def _hashes(stream: str, count: int) -> list[str]:
    return [record_hash(stream, str(i)) for i in range(count)]


def test_every_added_record_is_remembered_and_most_others_are_not():
    seen = SeenRecords(first_bits_log2=20)
    added = _hashes("tickets", 20_000)
    for start in range(0, len(added), 1000):
        assert not any(seen.add_many(added[start : start + 1000]))

    assert all(digest in seen for digest in added)
    assert all(seen.add_many(added))
    wrong = sum(digest in seen for digest in _hashes("articles", 20_000))
    assert wrong < 5  # 4 in 10 million expected within capacity; a wrong "seen" only costs a rewrite


def test_past_its_first_slice_it_grows_and_still_remembers_everything():
    seen = SeenRecords(first_bits_log2=10)  # 1,024 bits: 32 records a slice
    added = _hashes("tickets", 5_000)
    for start in range(0, len(added), 100):
        seen.add_many(added[start : start + 100])

    assert all(digest in seen for digest in added)
    assert seen.nbytes > 1024 // 8
    assert sum(digest in seen for digest in _hashes("articles", 20_000)) < 20  # slices stay within their capacity


def test_memory_stays_within_its_bound_and_an_overfull_filter_errs_towards_seen():
    seen = SeenRecords(first_bits_log2=6, max_bytes=24)  # slices of 8 and 16 bytes, then no more
    added = _hashes("tickets", 2_000)
    for start in range(0, len(added), 50):
        seen.add_many(added[start : start + 50])

    assert seen.nbytes == 24
    assert all(digest in seen for digest in added)
    assert all(digest in seen for digest in _hashes("articles", 200))  # saturated: every answer is "maybe"


def test_add_tells_whether_the_record_may_have_been_added_before():
    seen = SeenRecords(first_bits_log2=20)
    first, second = record_hash("tickets", "1"), record_hash("tickets", "2")
    assert seen.add(first) is False
    assert seen.add(first) is True
    assert seen.add_many([second, first, second]) == [False, True, True]  # a repeat within one call too


def test_stream_and_id_both_name_the_record():
    seen = SeenRecords()
    seen.add(record_hash("tickets", "1"))
    assert record_hash("tickets", "1") in seen
    assert record_hash("articles", "1") not in seen
    assert record_hash("tickets", "2") not in seen
    assert 42 not in seen
    assert seen.add_many([]) == []


def test_strings_that_are_not_digests_are_remembered_too():
    seen = SeenRecords(first_bits_log2=12)
    assert seen.add_many(["a", "b", "A" * 64]) == [False, False, False]
    assert all(key in seen for key in ("a", "b", "A" * 64))


@pytest.mark.parametrize("kwargs", [{"first_bits_log2": 5}, {"first_bits_log2": 41}, {"max_bytes": 1 << 20}])
def test_sizes_it_cannot_serve_are_refused(kwargs):
    with pytest.raises(ValueError):
        SeenRecords(**kwargs)
