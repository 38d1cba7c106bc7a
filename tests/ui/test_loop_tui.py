"""The reconcile loop in the TUI, on the demo (sandbox API server + its Git repo): a live `kubectl scale`
reaches the Apps screen without a key press (the Kubernetes watch, not the 180 s interval); `A` switches
automation and the header says so; `f` freezes the highlighted app with a countdown in the header and an audit
entry; `E` shows the loop's events, newest first."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from textual.pilot import Pilot
from textual.widgets import Input, Static

from gitops_tui.actions import Actions
from gitops_tui.audit import AuditLog
from gitops_tui.config import Settings
from gitops_tui.orchestration.reconcile import Workspace
from gitops_tui.sandbox.demo import CONTEXT, Demo, demo_environment
from gitops_tui.sandbox.kubectl import Kubectl
from gitops_tui.source.repo import GitRepo
from gitops_tui.ui.app import GitopsApp, make_app
from gitops_tui.ui.cells import time_left
from gitops_tui.ui.screens.app_resources import AppScreen
from gitops_tui.ui.screens.apps import AppsScreen
from gitops_tui.ui.screens.events import EventsScreen
from gitops_tui.ui.screens.freeze import FreezeScreen, parse_duration
from gitops_tui.ui.widgets.header import StatusHeader


@pytest.fixture
def demo() -> Iterator[Demo]:
    with demo_environment() as env:
        yield env


def build_app(demo: Demo, tmp_path: Path) -> tuple[GitopsApp, Workspace]:
    s = Settings(repo=str(demo.repo), kubeconfig=str(demo.kubeconfig), context=CONTEXT)
    ws = Workspace(s, GitRepo(demo.repo))
    return make_app(ws, s, actions=Actions(ws, AuditLog(tmp_path / "audit.jsonl"))), ws


async def until(pilot: Pilot, condition: Callable[[], object]) -> None:
    async with asyncio.timeout(20):
        while not condition():
            await pilot.pause(0.05)


def replicas_live(app: GitopsApp, name: str) -> object:
    status = app.snapshot.app(name) if app.snapshot is not None else None
    for res in status.resources if status else ():
        if res.key.kind == "Deployment":
            for field in res.drift:
                if field.path == "/spec/replicas":
                    return field.live
    return None


def header_text(app: GitopsApp) -> str:
    return str(app.screen.query_one(StatusHeader).render())


async def test_a_live_scale_reaches_the_apps_screen_without_a_key(demo: Demo, tmp_path: Path) -> None:
    app, ws = build_app(demo, tmp_path)
    kubectl = Kubectl(str(demo.kubeconfig), CONTEXT)
    try:
        async with app.run_test(size=(160, 40)) as pilot:
            await until(pilot, lambda: app.snapshot is not None and app.loop.engine.watched)
            await pilot.pause(0.3)
            cycles = app.loop.engine.cycles
            kubectl.scale("Deployment", "production", "api", 7)
            await until(pilot, lambda: replicas_live(app, "api-production") == 7)
            assert app.loop.engine.cycles > cycles
            assert isinstance(app.screen, AppsScreen)
    finally:
        kubectl.close()
        ws.close()


async def test_automation_freeze_and_events_from_the_keyboard(demo: Demo, tmp_path: Path) -> None:
    app, ws = build_app(demo, tmp_path)
    try:
        async with app.run_test(size=(160, 40)) as pilot:
            await until(pilot, lambda: app.snapshot is not None and not app.reconciling)
            assert "auto: off" in header_text(app)

            await pilot.press("/", *"web", "enter")  # highlight `web` (automated, with drift)
            await pilot.pause(0.2)
            await pilot.press("f")
            await until(pilot, lambda: isinstance(app.screen, FreezeScreen))
            frozen = app.screen.app_name
            assert frozen == "web"
            app.screen.query_one(Input).value = ""
            await pilot.press(*"10m", "enter")
            await until(pilot, lambda: isinstance(app.screen, AppsScreen))
            assert app.automation is not None and 540 < app.automation.frozen_for(frozen) <= 600
            await pilot.pause(1.1)  # the header ticks every second
            assert f"❄ {frozen}" in header_text(app)

            await pilot.press("A")
            await until(pilot, lambda: "auto: on" in header_text(app))
            await pilot.press("A")
            await until(pilot, lambda: "auto: off" in header_text(app))

            await pilot.press("E")
            await until(pilot, lambda: isinstance(app.screen, EventsScreen))
            screen = app.screen
            assert isinstance(screen, EventsScreen)
            await until(pilot, lambda: screen.table.row_count > 0)
            events = app.loop.events
            assert events[0].kind == "automation" and events[0].message == "automation off"  # newest first
            times = [r.extra.time for r in screen.table.shown]
            assert times == sorted(times, reverse=True)  # on screen too, by time
            assert any(e.kind == "freeze" and e.app == frozen for e in events)
            assert any(e.kind in ("drift", "in-sync") for e in events)
            # enter on an event opens its app (it said "⏎ Open" and did nothing)
            about = next(i for i, r in enumerate(screen.table.shown) if r.extra.app == frozen)
            screen.table.move_cursor(row=about)
            await pilot.press("enter")
            await until(pilot, lambda: isinstance(app.screen, AppScreen))
            assert app.screen.app_name == frozen
            await pilot.press("escape")
            await until(pilot, lambda: isinstance(app.screen, EventsScreen))

            # `f` on the frozen app offers to lift it: 0 is filled in, enter lifts the freeze
            await pilot.press("escape")
            await until(pilot, lambda: isinstance(app.screen, AppsScreen))
            await pilot.press("f")
            await until(pilot, lambda: isinstance(app.screen, FreezeScreen))
            assert app.screen.query_one(Input).value == "0"
            hints = " ".join(str(w.render()) for w in app.screen.query(Static))
            assert "Frozen for another 9m" in hints, hints
            await pilot.press("enter")
            await until(pilot, lambda: isinstance(app.screen, AppsScreen))
            assert app.automation.frozen_for(frozen) == 0
    finally:
        ws.close()
    entries = [json.loads(line) for line in (tmp_path / "audit.jsonl").read_text().splitlines()]
    actions = [(e["action"], e["app"]) for e in entries]
    assert actions[:2] == [("freeze", frozen), ("automation", "")] and actions[-2] == ("automation", "")
    assert actions[-1] == ("freeze", frozen) and entries[-1]["message"] == "freeze lifted"
    # while on, automation healed the demo's automated apps — but never the frozen one
    assert ("sync", frozen) not in actions and ("automation", frozen) not in actions


def test_freeze_durations() -> None:
    assert parse_duration("90s") == 90 and parse_duration("30m") == 1800 and parse_duration("2") == 120
    assert parse_duration("2h") == 7200 and parse_duration("0") == 0
    with pytest.raises(ValueError, match="not a duration"):
        parse_duration("soon")
    with pytest.raises(ValueError, match="7 days"):
        parse_duration("8d")
    # the header's countdown never shows less than is left ("1m" right after a 2m freeze, by hand)
    assert [time_left(s) for s in (120, 119.5, 61, 45, 0.2, 7200, 3601)] == [
        "2m",
        "2m",
        "1m01s",
        "45s",
        "1s",
        "2h",
        "2h",
    ]
