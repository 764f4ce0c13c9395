"""While syncs run the collector is eased (frozen heap, spaced young passes); the last sync to end restores it."""

import gc

import pytest

from destination_milvus_support.collector import collector_eased as _collector_eased


@pytest.fixture(autouse=True)
def _host_settings():
    before = gc.get_threshold()
    yield
    gc.set_threshold(*before)
    gc.unfreeze()


def test_overlapping_syncs_restore_the_settings_only_when_the_last_one_ends():
    gc.set_threshold(700, 10, 10)
    first, second = _collector_eased(), _collector_eased()
    first.__enter__()
    assert gc.get_threshold()[0] == 50_000 and gc.get_freeze_count() > 0
    second.__enter__()
    first.__exit__(None, None, None)  # the first sync ends while the second still runs
    assert gc.get_threshold()[0] == 50_000 and gc.get_freeze_count() > 0
    second.__exit__(None, None, None)
    assert gc.get_threshold() == (700, 10, 10)
    assert gc.get_freeze_count() == 0


def test_a_heap_the_host_froze_and_a_collector_it_turned_off_stay_as_they_were():
    gc.freeze()
    gc.set_threshold(0, 10, 10)
    with _collector_eased():
        assert gc.get_threshold()[0] == 0
    assert gc.get_threshold() == (0, 10, 10)
    assert gc.get_freeze_count() > 0  # not unfrozen by the sync (objects frozen may since have died)


def test_the_settings_come_back_when_a_sync_fails():
    gc.set_threshold(700, 10, 10)
    with pytest.raises(RuntimeError), _collector_eased():
        raise RuntimeError("a failed batch")
    assert gc.get_threshold() == (700, 10, 10)
    assert gc.get_freeze_count() == 0
