"""The screens' update timer: a frame as soon as one interval has passed since the last, never a grid point
later. Run on a fake clock, so that what is checked is the scheduling, not this machine's speed."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
import textual._time
import textual.timer
from textual._context import active_app
from textual.screen import UPDATE_PERIOD
from textual.timer import Timer

from gitops_tui.ui.frames import HURRIED_GAP, FrameTimer, PromptFrames

WORK = 0.004  # what drawing a frame takes
# gaps from a frame to the next key, all longer than a frame interval (16.7 ms)
GAPS = [0.017, 0.018, 0.019, 0.020, 0.021, 0.022, 0.024, 0.026, 0.028, 0.030] * 2


STEP = 0.0001  # the fake clock's tick


class Clock:
    """Time moves only when the test moves it (`advance`); a sleeper wakes once it has moved far enough."""

    def __init__(self) -> None:
        self.now = 100.0

    async def sleep(self, seconds: float) -> None:
        until = self.now + max(0.0, seconds)
        while self.now < until - 1e-9:  # noqa: ASYNC110 (the fake clock has no events to wait on)
            await asyncio.sleep(0)

    async def advance(self, seconds: float, until: Any = None) -> None:
        """Move time on by `seconds` in small steps, letting every task run at each; stop early once
        `until()` is true."""
        end = self.now + seconds
        while self.now < end - 1e-9:
            if until is not None and until():
                return
            self.now += STEP
            for _ in range(3):
                await asyncio.sleep(0)


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    fake = Clock()
    monkeypatch.setattr(textual._time, "get_time", lambda: fake.now)
    monkeypatch.setattr(textual._time, "sleep", fake.sleep)
    monkeypatch.setattr(textual.timer, "sleep", fake.sleep)
    return fake


class _App:
    _exit = False
    features: frozenset[str] = frozenset()

    def _handle_exception(self, error: Exception) -> None:
        raise error


class _Target:
    pass


async def resume_to_tick(
    timer_class: type[Timer],
    clock: Clock,
    gaps: list[float],
    hurry_after: float | list[float | None] | None = None,
    work: float = WORK,
) -> list[float]:
    """For each gap (seconds from the start of the last frame to the next resume, as a key arrives), how
    long the timer takes to tick after the resume. Each tick works WORK seconds and pauses the timer, as a
    screen's frame does."""
    token = active_app.set(_App())  # type: ignore[arg-type]
    ticks: list[float] = []
    timer: Timer

    def frame() -> None:
        ticks.append(clock.now)
        clock.now += work
        timer.pause()

    target = _Target()
    timer = timer_class(target, UPDATE_PERIOD, callback=frame, pause=True)  # type: ignore[arg-type]
    timer._start()
    try:
        timer.resume()
        await clock.advance(1.0, until=lambda: ticks)
        delays = []
        hurries = hurry_after if isinstance(hurry_after, list) else [hurry_after] * len(gaps)
        for gap, hurry in zip(gaps, hurries, strict=True):
            await clock.advance(ticks[-1] + gap - clock.now)
            resumed, seen = clock.now, len(ticks)
            timer.resume()
            if hurry is not None:
                await clock.advance(hurry, until=lambda seen=seen: len(ticks) > seen)
                assert isinstance(timer, FrameTimer)
                timer.hurry()
            await clock.advance(1.0, until=lambda seen=seen: len(ticks) > seen)
            delays.append(round(ticks[-1] - resumed, 3))
        return delays
    finally:
        timer.stop()
        active_app.reset(token)


async def test_a_frame_comes_at_once_when_an_interval_has_passed(clock: Clock) -> None:
    gaps = GAPS
    assert await resume_to_tick(FrameTimer, clock, gaps) == [0.0] * len(gaps)


async def test_frames_stay_an_interval_apart(clock: Clock) -> None:
    delays = await resume_to_tick(FrameTimer, clock, [0.006, 0.010, 0.016])
    assert delays == [round(UPDATE_PERIOD - gap, 3) for gap in (0.006, 0.010, 0.016)]


async def test_a_key_hurries_the_frame_it_asks_for(clock: Clock) -> None:
    """A frame drawn just before a key (the rows a snapshot changed) no longer holds the key's frame back
    for the rest of the interval: it comes HURRIED_GAP after the last one, or at once after that."""
    gaps = [0.001, 0.002, 0.003, 0.005, 0.008, 0.012, 0.016]
    delays = await resume_to_tick(FrameTimer, clock, gaps, hurry_after=0.0, work=0.0005)
    assert delays == [round(max(0.0, HURRIED_GAP - gap), 3) for gap in gaps]


async def test_a_key_during_the_wait_for_an_interval_cuts_it_short(clock: Clock) -> None:
    """Resumed 2 ms after a frame (a redraw), the timer waits for the interval; a key 5 ms later ends the
    wait then and there, not at the interval's end."""
    delays = await resume_to_tick(FrameTimer, clock, [0.002, 0.002, 0.003], hurry_after=0.005)
    assert delays == [0.005, 0.005, 0.005]


async def test_a_hurry_is_spent_on_one_frame(clock: Clock) -> None:
    """The frame after a hurried one keeps the interval again."""
    delays = await resume_to_tick(FrameTimer, clock, [0.006, 0.006, 0.006], hurry_after=[0.0, None, 0.0])
    assert delays == [0.0, round(UPDATE_PERIOD - 0.006, 3), 0.0]


async def test_textuals_own_timer_still_waits_for_its_grid(clock: Clock) -> None:
    """Why FrameTimer exists: Textual's Timer, after a tick that ran late, sleeps to the grid point after the
    next one, so a key more than an interval after a frame may still wait for most of one. Should this fail after a
    Textual upgrade, the upstream timer is fixed and FrameTimer can go."""
    delays = await resume_to_tick(Timer, clock, GAPS)
    assert max(delays) > 0.004  # 8 and 15 ms with Textual 8.2.8, for gaps of 24 and 22 ms


async def test_every_screen_of_the_app_uses_it() -> None:
    from gitops_tui.ui.screens.base import BaseScreen
    from gitops_tui.ui.screens.confirm import ConfirmScreen, ProgressScreen, ResultScreen
    from gitops_tui.ui.screens.freeze import FreezeScreen
    from gitops_tui.ui.screens.help import HelpScreen

    for screen in (BaseScreen, ConfirmScreen, ResultScreen, ProgressScreen, FreezeScreen, HelpScreen):
        assert issubclass(screen, PromptFrames), screen


async def test_a_screen_draws_its_changes_through_a_frame_timer() -> None:
    from textual.app import App, ComposeResult
    from textual.screen import Screen
    from textual.widgets import Static

    class Plain(PromptFrames, Screen[None]):
        def compose(self) -> ComposeResult:
            yield Static("before", id="text")

    class One(App[None]):
        def on_mount(self) -> None:
            self.push_screen(Plain())

    app = One()
    async with app.run_test(size=(40, 5)) as pilot:
        await pilot.pause()
        app.screen.query_one("#text", Static).update("after")
        await pilot.pause()
        assert isinstance(app.screen._update_timer, FrameTimer)
        assert "after" in app.export_screenshot()


async def test_each_key_hurries_the_screen_it_goes_to(monkeypatch: pytest.MonkeyPatch) -> None:
    from tests.ui.helpers import build, until

    hurried: list[object] = []
    real = FrameTimer.hurry
    monkeypatch.setattr(FrameTimer, "hurry", lambda self: (hurried.append(self), real(self))[1])
    app = build()
    async with app.run_test(size=(120, 30)) as pilot:
        await until(pilot, lambda: app.snapshot is not None)
        hurried.clear()
        await pilot.press("j", "k", "question_mark")
        await pilot.pause()
        assert len(hurried) == 3  # once per key, not again as it comes back up from the screen
        assert hurried[0] is hurried[1] is app.screen_stack[-2]._update_timer  # the Apps screen's
        # "?" opened the help screen: the next key hurries that screen's timer
        await pilot.press("j")
        assert hurried[-1] is app.screen._update_timer
