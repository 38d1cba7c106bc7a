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
import time
from collections.abc import Callable

from gitops_tui.shared_setting import SharedSetting

FULL_EVERY = 600.0  # seconds between full collections while a loop runs
_NEVER = 1 << 30  # a full-collection threshold no loop reaches


def _no_automatic_full() -> tuple[int, int, int]:
    saved = gc.get_threshold()
    gc.set_threshold(saved[0], saved[1], _NEVER)
    return saved


def _restore(saved: tuple[int, int, int]) -> None:
    gc.unfreeze()
    gc.set_threshold(*saved)


_COLLECTOR = SharedSetting(_no_automatic_full, _restore)


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
        if self._started:
            return
        self._started = True
        _COLLECTOR.hold()
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
        if not self._started:
            return
        self._started = False
        _COLLECTOR.release()
