"""Easing Python's garbage collector while syncs run: the heap that existed before is frozen, young passes are spaced.

Why (measured, bench/README.md): the objects that existed before a sync (modules, clients, the
catalog: hundreds of thousands) cost 0.2-0.4 s per full pass (1.6 s of a 20,000-record re-sync;
0.25 s frozen); and a young pass visits every float of every vector list it finds, so at 1,536
dimensions the passes cost 0.9 s of an 8.7 s sync of 6,000 changed records (6 ms with young passes
every 50,000 containers). Batches free their objects by reference count; only reference cycles wait
for a pass, and peak memory stays flat.
"""

from __future__ import annotations

import contextlib
import gc
import threading
from typing import Callable, Iterator

__all__ = ["GC_YOUNG_THRESHOLD", "collector_eased"]

#: Container allocations between young garbage collections while a sync runs (Python's default: 700).
GC_YOUNG_THRESHOLD = 50_000

_collector_lock = threading.Lock()
_collector_users = 0
_collector_restore: Callable[[], None] = lambda: None  # noqa: E731


@contextlib.contextmanager
def collector_eased() -> Iterator[None]:
    """Freeze the existing heap and space young collections out while any sync of this process runs.

    The settings are the process's: the first sync to start changes them and the last to end
    restores them, so syncs run side by side (tests, apps) never undo each other's. A heap the host
    froze itself stays as the host left it, and a collector turned off by a zero threshold stays off.
    """
    global _collector_users, _collector_restore
    with _collector_lock:
        _collector_users += 1
        if _collector_users == 1:
            thresholds = gc.get_threshold()
            froze = gc.get_freeze_count() == 0
            if froze:
                gc.freeze()
            if thresholds[0] > 0:
                gc.set_threshold(max(thresholds[0], GC_YOUNG_THRESHOLD), *thresholds[1:])

            def restore() -> None:
                gc.set_threshold(*thresholds)
                if froze:
                    gc.unfreeze()

            _collector_restore = restore
    try:
        yield
    finally:
        with _collector_lock:
            _collector_users -= 1
            if _collector_users == 0:
                _collector_restore()
