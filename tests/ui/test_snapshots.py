"""SVG snapshots of every screen, on the real demo (sample repo + sandbox + drift) with a fixed clock and a
fixed server URL, so the same code draws the same picture on every run.

After an intended change of the UI: `python3 -m pytest tests/ui/test_snapshots.py --snapshot-update`, then
look at the SVGs in `__snapshots__/` before committing them.
"""

from __future__ import annotations

import asyncio
import base64
from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path

import pytest
from textual.command import CommandList, CommandPalette
from textual.pilot import Pilot
from textual.widgets import DataTable
from textual.worker import WorkerState

from gitops_tui.actions import Actions
from gitops_tui.audit import AuditLog
from gitops_tui.engine import secrets
from gitops_tui.sandbox.demo import STEADY_NOW, SteadyWorkspace, steady_demo
from gitops_tui.sandbox.demo_manifests import SECRET_CANARY
from gitops_tui.ui.app import GitopsApp, make_app
from gitops_tui.ui.screens.confirm import ConfirmScreen
from gitops_tui.ui.screens.diff import DiffScreen
from gitops_tui.ui.widgets.status_table import StatusTable

SIZE = (120, 36)
SNAPSHOTS = Path(__file__).parent / "__snapshots__" / Path(__file__).stem
SCREENSHOTS = Path(__file__).resolve().parents[2] / "screenshots"

Step = Callable[[Pilot], Awaitable[None]]


@pytest.fixture(scope="module")
def demo() -> Iterator[SteadyWorkspace]:
    # Secret masks are keyed per process (so a mask seen once cannot be compared later); pin the key here
    # so the masks drawn in the snapshots are the same on every run.
    with pytest.MonkeyPatch.context() as patch, steady_demo() as workspace:
        patch.setattr(secrets, "_KEY", b"snapshot" * 4)
        yield workspace


def steady_app(workspace: SteadyWorkspace) -> GitopsApp:
    # with actions, as `gitops-tui demo` runs it: the footers show Sync and Adopt, and the sync preview
    # can be drawn (planning writes nothing; the audit log sits in the demo's temp dir, as the demo's)
    audit = AuditLog(Path(workspace.settings.repo).parent / "audit.jsonl")
    actions = Actions(workspace, audit)  # type: ignore[arg-type]
    return make_app(workspace, clock=lambda: STEADY_NOW, actions=actions)  # type: ignore[arg-type]


async def settled(pilot: Pilot) -> None:
    """Until the first reconcile is shown and no screen is still loading (fails after 15 s)."""
    app = pilot.app
    assert isinstance(app, GitopsApp)

    def busy() -> bool:
        loading = any(w.loading for w in app.screen.query("*"))
        working = any(
            w.state in (WorkerState.PENDING, WorkerState.RUNNING) and w.group != "reconcile"
            for w in app.workers
        )
        # DataTable measures its columns when idle: a picture taken before that shows label-wide columns
        measuring = any(
            t._require_update_dimensions or t._updated_cells
            for screen in app.screen_stack
            for t in screen.query(DataTable)
        )
        # the snapshot reaches the screens through watchers, a moment after the app has it
        home = app.screen_stack[1].query(StatusTable) if len(app.screen_stack) > 1 else None
        listed = bool(home) and bool(home.first().shown or home.first().filter_text)
        return (
            not listed
            or app.snapshot is None
            or app.header_info is None
            or app.reconciling
            or loading
            or working
            or measuring
        )

    async with asyncio.timeout(15):
        while busy():
            await pilot.pause(0.02)
        await pilot.pause()
        if isinstance(app.screen, DiffScreen):
            while not app.screen._loaded:
                await pilot.pause(0.02)
    await pilot.pause()


def steps(*actions: str | Step) -> Step:
    """Key presses ("enter", "d") and coroutines, each followed by waiting until the app has settled."""

    async def run(pilot: Pilot) -> None:
        await settled(pilot)
        for action in actions:
            if isinstance(action, str):
                await pilot.press(action)
            else:
                await action(pilot)
            await settled(pilot)

    return run


def open_app(name: str) -> Step:
    async def run(pilot: Pilot) -> None:
        assert isinstance(pilot.app, GitopsApp)
        pilot.app.open_app(name)

    return run


def highlight(key: str) -> Step:
    async def run(pilot: Pilot) -> None:
        assert pilot.app.screen.query_one("#table").select_key(key)  # type: ignore[attr-defined]

    return run


async def diff_shown(pilot: Pilot) -> None:
    """A key that opens the Diff screen pushes it a moment later: wait for it to be there and loaded, so
    the next key (`e`, `u`) reaches the diff and not the screen below (seen on a loaded CI machine)."""
    app = pilot.app
    async with asyncio.timeout(10):
        while not (
            isinstance(app.screen, DiffScreen) and app.screen._loaded and app.focused is app.screen.diff
        ):
            await pilot.pause(0.02)


async def confirm_shown(pilot: Pilot) -> None:
    """A sync is planned in a worker (dry runs): wait for its preview dialog."""
    async with asyncio.timeout(15):
        while not isinstance(pilot.app.screen, ConfirmScreen):
            await pilot.pause(0.02)


async def palette_listed(pilot: Pilot) -> None:
    """The palette searches in a worker and shows results in batches: wait for its list to be complete."""
    palette = pilot.app.screen
    assert isinstance(palette, CommandPalette)
    async with asyncio.timeout(10):
        while not palette.query_one(CommandList).option_count or any(
            w.state in (WorkerState.PENDING, WorkerState.RUNNING) and w.group != "reconcile"
            for w in palette.workers
        ):
            await pilot.pause(0.02)


SCREENS: dict[str, tuple[Step, tuple[int, int]]] = {
    "apps": (steps(), SIZE),
    "apps_small": (steps(), (80, 24)),
    "apps_filtered": (steps("slash", *"api", "enter"), SIZE),
    "app": (steps(open_app("api-production")), SIZE),
    "diff_resource": (
        steps(open_app("api-staging"), highlight("Deployment.apps/staging/api"), "enter", diff_shown),
        SIZE,
    ),
    "diff_app": (steps("d", diff_shown), SIZE),
    "diff_unified": (steps(open_app("web"), "d", diff_shown, "u"), SIZE),
    "diff_secret": (
        steps(open_app("web"), highlight("Secret/web/web-credentials"), "enter", diff_shown, "e"),
        SIZE,
    ),
    "history": (steps(open_app("api-production"), "h"), SIZE),
    "sync_preview": (steps(open_app("api-production"), "s", confirm_shown), SIZE),
    "events": (steps("E"), SIZE),
    "help": (steps("question_mark"), SIZE),
    "palette": (steps("colon", *"diff", palette_listed), SIZE),
}


@pytest.mark.parametrize("screen", list(SCREENS))
def test_screen(screen: str, demo: SteadyWorkspace, snap_compare) -> None:
    run_before, size = SCREENS[screen]
    assert snap_compare(steady_app(demo), terminal_size=size, run_before=run_before)


def test_no_snapshot_or_screenshot_shows_a_secret_value() -> None:
    files = sorted(SNAPSHOTS.glob("*.svg"))
    assert len(files) >= len(SCREENS)
    files += sorted(SCREENSHOTS.glob("*.svg"))  # the PNGs are drawn from these
    for svg in files:
        text = svg.read_text()
        # SVG text splits a line into spans; the value would still appear whole inside one of them
        assert SECRET_CANARY not in text, svg.name
        assert SECRET_CANARY.replace("-", "&#45;") not in text, svg.name
        assert base64.b64encode(SECRET_CANARY.encode()).decode() not in text, svg.name
