"""The switch interval while the TUI runs (ui/switching.py): shortened for the app's lifetime, given back
after, never lengthened; two holders in one process share it."""

from __future__ import annotations

import sys
from collections.abc import Iterator

import pytest

from gitops_tui.ui.switching import INTERVAL, PromptSwitching


@pytest.fixture(autouse=True)
def default_interval() -> Iterator[None]:
    saved = sys.getswitchinterval()
    sys.setswitchinterval(0.005)
    yield
    sys.setswitchinterval(saved)


def test_shortened_while_held_and_given_back_after() -> None:
    hold = PromptSwitching()
    hold.start()
    assert sys.getswitchinterval() == pytest.approx(INTERVAL, abs=1e-5)
    hold.stop()
    assert sys.getswitchinterval() == pytest.approx(0.005, abs=1e-5)


def test_the_last_of_two_holders_gives_it_back() -> None:
    first, second = PromptSwitching(), PromptSwitching()
    first.start()
    second.start()
    first.stop()
    assert sys.getswitchinterval() == pytest.approx(INTERVAL, abs=1e-5)  # the second still holds it
    second.stop()
    assert sys.getswitchinterval() == pytest.approx(0.005, abs=1e-5)


def test_start_and_stop_twice_count_once() -> None:
    first, second = PromptSwitching(), PromptSwitching()
    first.start()
    first.start()
    second.start()
    second.stop()
    second.stop()  # a second stop must not release the first's hold
    assert sys.getswitchinterval() == pytest.approx(INTERVAL, abs=1e-5)
    first.stop()
    assert sys.getswitchinterval() == pytest.approx(0.005, abs=1e-5)


def test_a_shorter_interval_set_by_someone_else_is_kept() -> None:
    sys.setswitchinterval(0.0002)
    hold = PromptSwitching()
    hold.start()
    assert sys.getswitchinterval() == pytest.approx(0.0002, abs=1e-5)
    hold.stop()
    assert sys.getswitchinterval() == pytest.approx(0.0002, abs=1e-5)


async def test_the_app_holds_it_while_it_runs() -> None:
    from tests.ui.helpers import build

    app = build()
    async with app.run_test(size=(120, 30)) as pilot:
        await pilot.pause()
        assert sys.getswitchinterval() == pytest.approx(INTERVAL, abs=1e-5)
    assert sys.getswitchinterval() == pytest.approx(0.005, abs=1e-5)
