"""The writer's record memory: never forgets a record, and stays small."""

import pytest

from destination_milvus_support.content import record_hash
from destination_milvus_support.seen import SeenRecords


def test_every_added_record_is_remembered_and_most_others_are_not():
    seen = SeenRecords(bits_log2=20)
    added = [record_hash("tickets", str(i)) for i in range(20_000)]
    for digest in added:
        seen.add(digest)

    assert all(digest in seen for digest in added)
    others = [record_hash("tickets", f"other-{i}") for i in range(20_000)]
    wrong = sum(digest in seen for digest in others)
    assert wrong < 200  # about 0.1% expected at this size; a wrong "seen" only costs a delete


def test_an_overfull_filter_errs_towards_seen():
    seen = SeenRecords(bits_log2=3, probes=1)  # 8 bits
    for i in range(100):
        seen.add(record_hash("tickets", str(i)))
    assert all(record_hash("articles", str(i)) in seen for i in range(100))


def test_stream_and_id_both_name_the_record():
    seen = SeenRecords()
    seen.add(record_hash("tickets", "1"))
    assert record_hash("tickets", "1") in seen
    assert record_hash("articles", "1") not in seen
    assert record_hash("tickets", "2") not in seen
    assert 42 not in seen


@pytest.mark.parametrize("kwargs", [{"bits_log2": 25}, {"bits_log2": 2}, {"probes": 11}, {"probes": 0}])
def test_sizes_the_digest_cannot_serve_are_refused(kwargs):
    with pytest.raises(ValueError):
        SeenRecords(**kwargs)


def test_add_tells_whether_the_record_may_have_been_added_before():
    seen = SeenRecords(bits_log2=20)
    first = record_hash("tickets", "1")
    assert seen.add(first) is False
    assert seen.add(first) is True
    assert seen.add(record_hash("tickets", "2")) is False
