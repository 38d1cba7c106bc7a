"""The process's background threads give way to a key: while one is on its way to the screen, they wait.

A key costs the TUI's thread 3-8 ms of the interpreter's time (Textual's messages, the compositor, the
frame written out). While a big reconcile runs, the process's other threads want the lock too: the
LISTs' JSON, the render, the reconcile's own loops, the pickles to and from the compare's workers. The
switch interval (ui/switching.py) makes each of them hand it back within a millisecond, but to one waiter
of however many, so the key's few milliseconds were drawn out to 30-60 ms behind them.

So the app says when a key has come in (`key_pressed`, on the event loop's thread) and when its frame has
gone out (`frame_drawn`); in between, a background thread that reaches `give_way()` waits for the frame,
releasing the lock. The waits are short and bounded: never past HOLD after the key, whatever the UI does,
so a key whose frame never comes (or a long screen change) holds nothing back for long. `give_way()` is
put in the loops of the work that runs beside the UI (one pass costs a global lookup while no key is
waiting); the thread that pressed never waits for itself, and in a process without an app (the CLI, the
compare's workers) nothing is ever pressed.

Measured with `bench/bench_ui.py --only keys --runs 10` (keys during back-to-back 4,000-object hard
refreshes), 16 alternated runs each, together with six changed table rows a frame instead of twelve
(ui/widgets/status_table.py): keys over 30 ms, 11 of 6,601 before and 2 of 6,849 after; each run's slowest
key, 12-52 ms before and 11-40 ms after. The reconciles took as long as before (1.0-1.8 s).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterable, Iterator
from typing import TypeVar

T = TypeVar("T")

HOLD = 0.030  # seconds after a key from which background threads go on, its frame drawn or not

_drawn = threading.Event()
_drawn.set()
_waiting = False  # a key is on its way: checked first, so that give_way costs nothing otherwise
_until = 0.0  # time.monotonic() after which nobody waits
_presser: int | None = None  # the thread that pressed: it draws the frame, so it never waits


def key_pressed(hold: float = HOLD) -> None:
    """A key has come in: until `frame_drawn` (or `hold` seconds), background threads give way."""
    global _waiting, _until, _presser
    _presser = threading.get_ident()
    _until = time.monotonic() + hold
    _drawn.clear()
    _waiting = True


def frame_drawn() -> None:
    """The frame a key asked for is out (or nothing waits for one): background threads go on."""
    global _waiting
    _waiting = False
    _drawn.set()


def give_way() -> None:
    """Wait, releasing the interpreter lock, while a key's frame is being made (at most until HOLD after
    the key). Called in the loops of background work; returns at once when no key is waiting."""
    if not _waiting or threading.get_ident() == _presser:
        return
    left = _until - time.monotonic()
    if left > 0:
        _drawn.wait(left)


def given_way(items: Iterable[T], every: int = 1) -> Iterator[T]:
    """The items, with `give_way()` before each `every`-th: for a loop whose body is quick."""
    for i, item in enumerate(items):
        if not i % every:
            give_way()
        yield item
