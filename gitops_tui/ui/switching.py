"""How long a background thread may keep the interpreter lock from the TUI's event loop.

A key's way to the screen takes the interpreter lock many times: the event loop wakes from its select,
each message and timer callback runs, the frame is written out. While a reconcile runs, the process's
other threads (the reconcile itself, the LISTs' JSON, the pickles for the workers, the dry runs' answers)
want the lock too, and CPython hands it over only when its holder has had it for the switch interval
(5 ms by default), to one waiter of however many. A key that must take the lock back five or six times
behind them reaches the screen 20-30 ms late.

While the app runs, the interval is INTERVAL instead. Measured with `bench/bench_ui.py --only keys --runs
10` (keys during back-to-back 4,000-object hard refreshes), six runs each, alternated: the slowest key of a
run 29-47 ms with the default, 19-38 ms with 1 ms; 0.5 ms was no better than 1 ms. The reconciles took as
long as before (1.7-1.8 s each): the extra switches cost nothing measurable.
"""

from __future__ import annotations

import sys

from gitops_tui.shared_setting import SharedSetting

INTERVAL = 0.001  # seconds


def _shorten(interval: float) -> float:
    saved = sys.getswitchinterval()
    sys.setswitchinterval(min(saved, interval))
    return saved


class PromptSwitching:
    """One app's hold on the process's switch interval: the first `start` shortens it, the last `stop`
    gives back what it was (tests run several apps in one process). Never lengthens it."""

    _shared = SharedSetting(lambda: _shorten(INTERVAL), sys.setswitchinterval)

    def __init__(self) -> None:
        self._started = False

    def start(self) -> None:
        if not self._started:
            self._started = True
            self._shared.hold()

    def stop(self) -> None:
        if self._started:
            self._started = False
            self._shared.release()
