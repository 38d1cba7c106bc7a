"""Key-press-to-frame latency, measured the way a user sees it: from the key event entering the app to the
next screen update the compositor hands to the driver. Printed by tests, never asserted (DESIGN §7)."""

from __future__ import annotations

import asyncio
import statistics
import time
import unicodedata

from textual import events
from textual.app import App


async def key_to_frame(app: App[object], key: str) -> float:
    """Seconds from posting `key` to the next frame drawn (gives up after 5 s)."""
    drawn = asyncio.Event()
    frames: list[float] = []
    original = app._display

    def display(screen, renderable):  # type: ignore[no-untyped-def]
        if renderable is not None and not frames:
            frames.append(time.perf_counter())
            drawn.set()
        return original(screen, renderable)

    app._display = display  # type: ignore[method-assign]
    try:
        try:
            char: str | None = unicodedata.lookup(key.upper()) if len(key) > 1 else key
        except KeyError:
            char = None
        event = events.Key(key, char)
        event.set_sender(app)
        started = time.perf_counter()
        assert app._driver is not None
        app._driver.send_message(event)
        async with asyncio.timeout(5):
            await drawn.wait()
        return frames[0] - started
    finally:
        app._display = original  # type: ignore[method-assign]


def summary(samples: list[float]) -> str:
    ms = sorted(s * 1000 for s in samples)
    p95 = ms[min(len(ms) - 1, int(len(ms) * 0.95))]
    return f"median {statistics.median(ms):.1f} ms, p95 {p95:.1f} ms, max {ms[-1]:.1f} ms (n={len(ms)})"
