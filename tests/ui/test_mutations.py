"""Sync, adopt and revert driven from the keyboard end to end: the real Workspace and Actions on the demo
(sandbox API server + its Git repo), through the confirm dialogs. Cancel changes nothing; read-only hides
and refuses every mutation; the Audit screen shows what was done."""

from __future__ import annotations

import asyncio
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from textual.pilot import Pilot

from gitops_tui.actions import Actions
from gitops_tui.audit import AuditLog
from gitops_tui.config import Settings
from gitops_tui.model import ResourceKey, SyncStatus
from gitops_tui.orchestration.reconcile import Workspace
from gitops_tui.sandbox.demo import CONTEXT, Demo, demo_environment
from gitops_tui.source.repo import GitRepo
from gitops_tui.ui.app import GitopsApp, make_app
from gitops_tui.ui.screens.app_resources import AppScreen
from gitops_tui.ui.screens.audit import AuditScreen
from gitops_tui.ui.screens.confirm import ConfirmScreen, ProgressScreen, ResultScreen
from gitops_tui.ui.screens.help import HelpScreen
from gitops_tui.ui.screens.history import HistoryScreen

WRITES = ("POST", "PUT", "PATCH", "DELETE")


@pytest.fixture(scope="module")
def demo() -> Iterator[Demo]:
    with demo_environment() as env:
        yield env


def writes(demo: Demo) -> list[str]:
    return [
        f"{r.method} {r.path}" for r in demo.server.requests.records if r.method in WRITES and not r.dry_run
    ]


def build_app(demo: Demo, tmp_path: Path, **settings: object) -> tuple[GitopsApp, Workspace, AuditLog]:
    s = Settings(repo=str(demo.repo), kubeconfig=str(demo.kubeconfig), context=CONTEXT, **settings)  # type: ignore[arg-type]
    ws = Workspace(s, GitRepo(demo.repo))
    audit = AuditLog(tmp_path / "audit.jsonl")
    return make_app(ws, s, actions=Actions(ws, audit)), ws, audit


async def until(pilot: Pilot, condition: Callable[[], object], limit: float = 20) -> None:
    async with asyncio.timeout(limit):
        while not condition():
            await pilot.pause(0.05)


def dialog_ready(app: GitopsApp) -> bool:
    """A confirm dialog is on screen and composed: pushed is not enough on a loaded machine, where its body
    may not be mounted yet when the next key arrives."""
    return isinstance(app.screen, ConfirmScreen) and bool(app.screen.query("#confirm-body"))


async def open_app(pilot: Pilot, app: GitopsApp, name: str) -> None:
    await until(pilot, lambda: app.snapshot is not None and not app.reconciling)
    app.open_app(name)
    await until(pilot, lambda: isinstance(app.screen, AppScreen))
    await pilot.pause(0.1)


def highlight(app: GitopsApp, kind: str) -> None:
    table = app.screen.query_one("#table")
    for index, row in enumerate(table.shown):
        if row.extra.key.kind == kind:
            table.move_cursor(row=index)
            return
    raise AssertionError(f"no {kind} row")


def git(repo: Path, *args: str) -> str:
    return subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True, text=True).stdout


async def test_cancel_at_the_confirm_dialog_changes_nothing(demo: Demo, tmp_path: Path) -> None:
    app, ws, audit = build_app(demo, tmp_path)
    async with app.run_test(size=(160, 50)) as pilot:
        await open_app(pilot, app, "api-production")
        before = len(writes(demo))
        await pilot.press("s")
        await until(pilot, lambda: dialog_ready(app))
        body = str(app.screen.query_one("#confirm-body").query_one("Static").render())
        assert "sync api-production" in body and "update" in body
        assert "takes over /spec/replicas from kubectl" in body or "replicas" in body
        assert CONTEXT in str(app.screen.query_one("#confirm-context").render())
        await pilot.press("escape")
        await until(pilot, lambda: isinstance(app.screen, AppScreen))
        await pilot.pause(0.3)
    ws.close()
    assert len(writes(demo)) == before
    assert audit.entries() == []


async def test_sync_from_the_app_screen_heals_the_drift(demo: Demo, tmp_path: Path) -> None:
    app, ws, audit = build_app(demo, tmp_path)
    async with app.run_test(size=(160, 50)) as pilot:
        await open_app(pilot, app, "api-staging")
        await pilot.press("s")
        await until(pilot, lambda: dialog_ready(app))
        # Cancel has the focus: enter alone must not sync. ctrl+y confirms.
        await pilot.press("ctrl+y")
        await until(pilot, lambda: isinstance(app.screen, ResultScreen))
        assert app.screen.ok, app.screen.lines
        assert any("Deployment" in line and "updated" in line for line in app.screen.lines)
        await pilot.press("escape")
        await until(
            pilot, lambda: not app.reconciling and app.snapshot.app("api-staging").sync is SyncStatus.SYNCED
        )
    ws.close()
    [entry] = audit.entries()
    assert (entry.action, entry.app, entry.result) == ("sync", "api-staging", "ok")


async def test_adopt_with_a_reason_commits_and_the_resource_is_synced(demo: Demo, tmp_path: Path) -> None:
    app, ws, audit = build_app(demo, tmp_path)
    head = git(demo.repo, "rev-parse", "HEAD").strip()
    async with app.run_test(size=(160, 50)) as pilot:
        await open_app(pilot, app, "web")
        highlight(app, "Deployment")
        await pilot.press("a")
        await until(pilot, lambda: dialog_ready(app))
        body = str(app.screen.query_one("#confirm-body").query_one("Static").render())
        assert "API_URL" in body or "env" in body
        # the reason field has the focus: type into it; its `p` is text, not the Push box's letter
        await pilot.press(*"incident", "space", "4", "2", "colon", "space", *"hotpatch")
        assert app.screen.query_one("#confirm-reason").value == "incident 42: hotpatch"
        assert app.screen.query_one("#opt-push").value is False
        await pilot.press("ctrl+y")
        await until(pilot, lambda: isinstance(app.screen, ResultScreen))
        assert app.screen.ok, app.screen.lines
        await pilot.press("escape")
        key = ResourceKey("apps", "Deployment", "web", "web")
        await until(
            pilot,
            lambda: (
                not app.reconciling
                and {r.key: r.sync for r in app.snapshot.app("web").resources}.get(key) is SyncStatus.SYNCED
            ),
        )
    ws.close()
    log = git(demo.repo, "log", "-1", "--format=%B").strip()
    assert log.startswith("adopt: Deployment/web") and "incident 42: hotpatch" in log
    assert git(demo.repo, "rev-parse", "HEAD~1").strip() == head
    assert git(demo.repo, "status", "--porcelain") == ""
    assert audit.entries()[0].action == "adopt"


async def test_revert_from_history_and_the_audit_screen(
    demo: Demo, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    shown: list[str] = []  # what the progress dialog listed while the revert's sync ran
    add = ProgressScreen.add
    monkeypatch.setattr(ProgressScreen, "add", lambda self, line: (shown.append(line), add(self, line)))
    app, ws, audit = build_app(demo, tmp_path)
    head = git(demo.repo, "rev-parse", "HEAD").strip()
    async with app.run_test(size=(160, 50)) as pilot:
        await open_app(pilot, app, "web")
        await pilot.press("h")
        await until(pilot, lambda: isinstance(app.screen, HistoryScreen) and app.screen.table.shown)
        await pilot.press("v")
        await until(pilot, lambda: dialog_ready(app))
        body = str(app.screen.query_one("#confirm-body").query_one("Static").render())
        assert body.startswith("revert ")
        await pilot.press("s")  # and sync the app afterwards: the whole emergency in keys
        await pilot.press("ctrl+y")
        await until(pilot, lambda: isinstance(app.screen, ResultScreen))
        assert app.screen.ok, app.screen.lines
        assert any("web" in line and "applied" in line for line in app.screen.lines), app.screen.lines
        assert shown and all(line.startswith("web: ok") for line in shown), shown  # listed as it went
        await pilot.press("escape")
        # the history follows HEAD: the revert commit is listed first once the reconcile has seen it
        await until(pilot, lambda: isinstance(app.screen, HistoryScreen))
        await until(pilot, lambda: app.screen.table.shown[0].extra.summary.startswith("Revert"))
        await pilot.press("L")
        await until(pilot, lambda: isinstance(app.screen, AuditScreen) and app.screen.table.shown)
        actions = [row.extra.action for row in app.screen.table.shown]
        assert actions[:2] == ["sync", "revert"], actions  # newest first
    web = ws.reconcile_once(only=["web"]).app("web")
    ws.close()
    assert web is not None
    reverted = {r.key.name: r.sync for r in web.resources if r.key.kind == "ConfigMap"}
    assert set(reverted.values()) == {SyncStatus.SYNCED}, reverted  # live now matches the reverted Git
    assert git(demo.repo, "rev-parse", "HEAD~1").strip() == head
    assert git(demo.repo, "log", "-1", "--format=%s").startswith("Revert")


async def test_read_only_hides_and_refuses_every_mutation(demo: Demo, tmp_path: Path) -> None:
    app, ws, audit = build_app(demo, tmp_path, read_only=True)
    before = len(writes(demo))
    head = git(demo.repo, "rev-parse", "HEAD").strip()
    async with app.run_test(size=(160, 50)) as pilot:
        await open_app(pilot, app, "api-production")
        shown = {b.binding.key for b in app.screen.active_bindings.values() if b.enabled}
        assert "s" not in shown and "a" not in shown
        palette = {c.title for c in app.get_system_commands(app.screen)}
        assert "Audit log" in palette and not palette & {"Sync", "Adopt", "Revert"}
        await pilot.press("question_mark")
        await until(pilot, lambda: isinstance(app.screen, HelpScreen))
        described = {entry[2].split(" — ")[0] for entry in app.screen.entries()}
        assert "Diff" in described and not described & {"Sync", "Adopt", "Revert"}
        await pilot.press("escape")
        await until(pilot, lambda: isinstance(app.screen, AppScreen))
        for key in ("s", "a"):
            await pilot.press(key)
            await pilot.pause(0.3)
            assert isinstance(app.screen, AppScreen)
        await pilot.press("h")
        await until(pilot, lambda: isinstance(app.screen, HistoryScreen) and app.screen.table.shown)
        await pilot.press("v")
        await pilot.pause(0.3)
        assert isinstance(app.screen, HistoryScreen)
        app.mutations.sync("api-production")  # even when called directly
        await pilot.pause(0.3)
        assert not isinstance(app.screen, ConfirmScreen)
        await pilot.press("A")  # automation mutates too: it stays off, and says why
        await pilot.pause(0.2)
        assert any("Automation stays off: read-only mode" in n.message for n in app._notifications)
        assert app.automation is None or not app.automation.enabled
    ws.close()
    assert len(writes(demo)) == before
    assert audit.entries() == []
    assert git(demo.repo, "rev-parse", "HEAD").strip() == head


@pytest.mark.parametrize("size", [(60, 15), (80, 20), (120, 24)])
async def test_the_sync_dialog_fits_a_small_terminal(
    demo: Demo, tmp_path: Path, size: tuple[int, int]
) -> None:
    """In a tmux split the sync dialog's options and buttons stay on screen: the plan scrolls instead of
    pushing them out (at 60x15 the Prune box and both buttons were cut off)."""
    app, ws, _ = build_app(demo, tmp_path)
    async with app.run_test(size=size) as pilot:
        await open_app(pilot, app, "api-production")
        await pilot.press("s")
        await until(pilot, lambda: dialog_ready(app))
        await pilot.pause(0.3)
        screen = app.screen
        visible = screen.region
        for selector in ("#confirm-yes", "#confirm-no", "#opt-prune"):
            region = screen.query_one(selector).region
            assert region.height and visible.contains_region(region), (selector, region, visible)
        await pilot.press("escape")
    ws.close()
