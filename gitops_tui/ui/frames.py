"""A screen's next frame as soon as it is asked for, at most one per frame interval.

Textual draws a screen from an interval timer that is resumed when something needs a repaint and paused
once the frame is drawn. Its Timer keeps a grid (start + n·interval) and, when a tick ran late, skips to the
grid point after the next one: after a frame that took 4 ms, the timer may sleep for up to two intervals. A key
pressed 22 ms after the last frame then waits 15 ms more for its own, on an idle screen (Textual 8.2.8, on a
fake clock in `tests/ui/test_frames.py`; 13 ms on a real one). That is most of the latency budget, for nothing.

`FrameTimer` keeps the cap and drops the grid: once resumed, it ticks at once if one interval has passed
since the last tick began, else when it has. `PromptFrames` gives a screen one; every screen of the app
takes it (Textual's own, like the command palette, keep theirs).
"""

from __future__ import annotations

from typing import Any

from textual import _time
from textual.screen import UPDATE_PERIOD
from textual.timer import EventTargetGone, Timer


class FrameTimer(Timer):
    """A repeating timer whose ticks are at least `interval` apart, and no later than that once resumed."""

    async def _run(self) -> None:
        last: float | None = None
        count = 0
        while self._repeat is None or count < self._repeat:
            await self._active.wait()
            if last is not None:
                wait = last + self._interval - _time.get_time()
                if wait > 0:
                    await _time.sleep(wait)
                    await self._active.wait()  # paused meanwhile: wait for the next resume
            self._reset = False  # no grid to restart
            last = _time.get_time()
            count += 1
            try:
                await self._tick(next_timer=last, count=count)
            except EventTargetGone:
                break


class PromptFrames:
    """Mixed into a Screen before it: the screen's update timer is a FrameTimer."""

    _frame_timer: FrameTimer | None = None

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
