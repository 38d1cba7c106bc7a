"""The app's part in giving way to a key (gitops_tui/giveway.py): pressed on each key, released on the
frame drawn after it, and nothing left waiting once the app has quit."""

from __future__ import annotations

import pytest

from gitops_tui import giveway
from gitops_tui.ui import app as app_module
from tests.ui.helpers import build


async def test_the_app_presses_on_a_key_and_releases_on_its_frame(monkeypatch: pytest.MonkeyPatch) -> None:
    order: list[str] = []
    app = build()
    async with app.run_test(size=(120, 30)) as pilot:
        await pilot.pause()
        monkeypatch.setattr(app_module.giveway, "key_pressed", lambda: order.append("pressed"))
        monkeypatch.setattr(app_module.giveway, "frame_drawn", lambda: order.append("drawn"))
        await pilot.press("j")
        await pilot.pause()
        monkeypatch.undo()
    assert order[:2] == ["pressed", "drawn"]


async def test_nothing_waits_once_the_app_has_quit() -> None:
    app = build()
    async with app.run_test(size=(120, 30)) as pilot:
        await pilot.pause()
        giveway.key_pressed(hold=60)  # a key whose frame never came
    assert not giveway._waiting
