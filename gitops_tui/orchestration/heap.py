"""The garbage collector's part in a long-running reconcile loop.

A reconcile leaves its results behind for the next one to replace: thousands of live objects, their
predictions and diffs, a few hundred thousand dicts and lists. CPython's full (oldest-generation)
collection walks all of them, and walking them holds the interpreter lock for 100–350 ms: a frozen TUI
frame. That data is plain JSON, free of reference cycles, so reference counting frees it when the next
reconcile replaces it; the cycle collector never has anything to find in it.

So, while a loop runs: after each reconcile the young generations are collected and what is alive is
frozen (`gc.freeze`: the collector ignores it from then on), and the automatic full collection is off. The young generations still collect as
usual, in a few milliseconds. Cyclic garbage that grew old before it died (a closed screen's widgets) is
freed by one full collection every FULL_EVERY seconds, at the end of a reconcile, never in the middle of
one. Measured with bench/bench_ui.py (key latency during 4,000-object reconciles).
"""

from __future__ import annotations

import gc
import threading
import time
from collections.abc import Callable

FULL_EVERY = 600.0  # seconds between full collections while a loop runs
_NEVER = 1 << 30  # a full-collection threshold no loop reaches

_lock = threading.Lock()
_holders = 0
_saved: tuple[int, int, int] | None = None


class HeapPolicy:
    """One loop's hold on the process's collector settings; the first `start` sets them, the last `stop`
    restores them (tests run several loops in one process)."""

    def __init__(self, every: float = FULL_EVERY, clock: Callable[[], float] = time.monotonic) -> None:
        self.every = every
        self.clock = clock
        self._started = False
        self._last_full = 0.0
        self.full_collections = 0

    def start(self) -> None:
        global _holders, _saved
        with _lock:
            if self._started:
                return
            self._started = True
            if _holders == 0:
                _saved = gc.get_threshold()
                gen0, gen1, _ = _saved
                gc.set_threshold(gen0, gen1, _NEVER)
            _holders += 1
        self._last_full = self.clock()

    def after_reconcile(self) -> None:
        if not self._started:
            return
        if self.clock() - self._last_full >= self.every:
            gc.unfreeze()
            gc.collect()
            self._last_full = self.clock()
            self.full_collections += 1
        else:
            # the young generations first (a few milliseconds): this round's cyclic garbage, frozen
            # instead, would never be freed (a soak of 3,000 rounds grew 126 -> 225 MB without this)
            gc.collect(1)
        gc.freeze()

    def stop(self) -> None:
        global _holders, _saved
        with _lock:
            if not self._started:
                return
            self._started = False
            _holders -= 1
            if _holders == 0:
                gc.unfreeze()
                if _saved is not None:
                    gc.set_threshold(*_saved)
                _saved = None
