"""Driving the app in tests: start it on a fake workspace with a fixed clock and wait for data."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from textual.pilot import Pilot

from gitops_tui.ui.app import GitopsApp, make_app
from tests.ui.fakes import NOW, FakeWorkspace


def build(workspace: FakeWorkspace | None = None, **kw) -> GitopsApp:
    return make_app(workspace or FakeWorkspace(), clock=lambda: NOW, **kw)


async def until(pilot: Pilot, condition: Callable[[], object]) -> None:
    """Let the app run until `condition()` holds (fails the test after 15 s: a loaded CI machine is slow, a hang is still caught)."""
    async with asyncio.timeout(15):
        while not condition():
            await pilot.pause(0.01)


async def started(pilot: Pilot) -> GitopsApp:
    app = pilot.app
    assert isinstance(app, GitopsApp)
    await until(pilot, lambda: app.snapshot is not None and app.header_info is not None)
    await pilot.pause()
    return app
