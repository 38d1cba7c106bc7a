"""A screen's next frame as soon as it is asked for: at most one per frame interval, sooner for a key.

Textual draws a screen from an interval timer that is resumed when something needs a repaint and paused
once the frame is drawn. Its Timer keeps a grid (start + n·interval) and, when a tick ran late, skips to
the grid point after the next one: after a frame that took 4 ms, the timer may sleep for up to two
intervals. A key pressed 22 ms after the last frame then waits 15 ms more for its own, on an idle screen
(Textual 8.2.8, on a fake clock in `tests/ui/test_frames.py`; 13 ms on a real one). That is most of the
latency budget, for nothing.

`FrameTimer` keeps the cap and drops the grid: once resumed, it ticks at once if one interval has passed
since the last tick began, else when it has. `PromptFrames` gives a screen one; every screen of the app
takes it (Textual's own, like the command palette, keep theirs).

A key is what the user waits on, so the cap gives way for it: the app `hurry`s the screen's timer on
each key, and the frame that key asks for comes HURRIED_GAP after the last one instead of an interval
after. While a reconcile lands, something else (rows the snapshot changed, the header) has often drawn
a frame a few milliseconds before the key; the cap then held the key's frame back 10-15 ms.
"""

from __future__ import annotations

import asyncio
from typing import Any

from textual import _time
from textual.screen import UPDATE_PERIOD
from textual.timer import EventTargetGone, Timer

HURRIED_GAP = 0.004  # the least time between frames when a key asks for one (250 a second at most)


class FrameTimer(Timer):
    """A repeating timer whose ticks are at least `interval` apart (HURRIED_GAP once hurried), and no later
    than that once resumed."""

    _hurried = False
    _hurry_event: asyncio.Event | None = None

    def hurry(self) -> None:
        """The next tick may come HURRIED_GAP after the last one: a key is waiting for it."""
        self._hurried = True
        if self._hurry_event is not None:
            self._hurry_event.set()

    async def _run(self) -> None:
        last: float | None = None
        count = 0
        self._hurry_event = asyncio.Event()
        while self._repeat is None or count < self._repeat:
            await self._active.wait()
            while last is not None:
                hurried = self._hurried
                wait = last + (HURRIED_GAP if hurried else self._interval) - _time.get_time()
                if wait <= 0:
                    break
                if hurried:
                    await _time.sleep(wait)
                else:
                    await self._sleep_unless_hurried(wait)
                await self._active.wait()  # paused meanwhile: wait for the next resume
            self._reset = False  # no grid to restart
            self._hurried = False
            self._hurry_event.clear()
            last = _time.get_time()
            count += 1
            try:
                await self._tick(next_timer=last, count=count)
            except EventTargetGone:
                break

    async def _sleep_unless_hurried(self, seconds: float) -> None:
        assert self._hurry_event is not None
        sleep = asyncio.ensure_future(_time.sleep(seconds))
        woken = asyncio.ensure_future(self._hurry_event.wait())
        try:
            await asyncio.wait((sleep, woken), return_when=asyncio.FIRST_COMPLETED)
        finally:
            sleep.cancel()
            woken.cancel()


class PromptFrames:
    """Mixed into a Screen before it: the screen's update timer is a FrameTimer."""

    _frame_timer: FrameTimer | None = None

    def hurry_frame(self) -> None:
        """A key arrived: its frame need not wait for the rest of a frame interval."""
        timer = self._update_timer
        if isinstance(timer, FrameTimer):
            timer.hurry()

    @property
    def _update_timer(self) -> Timer:
        if self._frame_timer is None:
            screen: Any = self
            timer = FrameTimer(
                screen, UPDATE_PERIOD, name="screen_update", callback=screen._on_timer_update, pause=True
            )
            timer._start()
            screen._timers.add(timer)
            self._frame_timer = timer
        return self._frame_timer
