"""More of the keyboard mutations on the demo: a sync of marked resources leaves the rest alone, prune only
when ticked, adopt of the change under the cursor in the Diff screen, a revert refused on a dirty tree.
(The basic flows and read-only are in test_mutations.py.)"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from textual.widgets import Checkbox

from gitops_tui.model import ResourceKey, SyncStatus
from gitops_tui.sandbox.demo import CONTEXT, Demo, demo_environment
from gitops_tui.sandbox.kubectl import Kubectl
from gitops_tui.ui.screens.app_resources import AppScreen
from gitops_tui.ui.screens.confirm import ConfirmScreen, ResultScreen
from gitops_tui.ui.screens.diff import DiffScreen
from gitops_tui.ui.screens.history import HistoryScreen
from tests.ui.test_mutations import build_app, dialog_ready, git, highlight, open_app, until, writes


@pytest.fixture(scope="module")
def demo() -> Iterator[Demo]:
    with demo_environment() as env:
        yield env


def body(app) -> str:  # type: ignore[no-untyped-def]
    return str(app.screen.query_one("#confirm-body").query_one("Static").render())


async def test_marked_sync_leaves_the_rest_and_prunes_only_when_ticked(demo: Demo, tmp_path: Path) -> None:
    app, ws, audit = build_app(demo, tmp_path)
    configmap = "/api/v1/namespaces/production/configmaps/api-hotfix-flags"
    async with app.run_test(size=(160, 50)) as pilot:
        await open_app(pilot, app, "api-production")
        highlight(app, "Deployment")
        await pilot.press("space")
        await pilot.press("s")
        await until(pilot, lambda: dialog_ready(app))
        assert "1 selected resource(s)" in str(app.screen.query_one("#confirm-title").render())
        await pilot.press("ctrl+y")
        await until(pilot, lambda: isinstance(app.screen, ResultScreen))
        assert app.screen.ok, app.screen.lines
        assert any("Deployment" in line for line in app.screen.lines)
        assert not any("ConfigMap" in line for line in app.screen.lines)
        await pilot.press("escape")
        await until(pilot, lambda: isinstance(app.screen, AppScreen) and not app.reconciling)
        assert f"DELETE {configmap}" not in writes(demo)

        # The whole app now: the extra ConfigMap is offered for pruning, unticked by default.
        app.screen.query_one("#table").marked.clear()
        await pilot.press("s")
        await until(pilot, lambda: dialog_ready(app))
        assert "api-hotfix-flags" in body(app)
        prune = app.screen.query_one("#opt-prune", Checkbox)
        assert prune.value is False
        # the state is in the characters, not only in a colour a NO_COLOR terminal drops
        assert str(prune.render()).startswith("▐ ▌ p  Prune")
        await pilot.press("p")  # its letter ticks it, wherever the focus is (but the reason field)
        assert prune.value is True
        assert str(prune.render()).startswith("▐X▌")
        await pilot.press("ctrl+y")
        await until(pilot, lambda: isinstance(app.screen, ResultScreen))
        assert app.screen.ok, app.screen.lines
        await pilot.press("escape")
        await until(
            pilot,
            lambda: not app.reconciling and app.snapshot.app("api-production").sync is SyncStatus.SYNCED,
        )
    ws.close()
    assert f"DELETE {configmap}" in writes(demo)
    assert [e.action for e in audit.entries()].count("sync") == 2


async def test_adopt_from_the_diff_screen_takes_only_the_change_under_the_cursor(
    demo: Demo, tmp_path: Path
) -> None:
    kubectl = Kubectl(str(demo.kubeconfig), CONTEXT)
    kubectl.scale("Deployment", "web", "web", replicas=4)  # a second drifted field, left alone
    kubectl.close()
    app, ws, audit = build_app(demo, tmp_path)
    key = ResourceKey("apps", "Deployment", "web", "web")
    async with app.run_test(size=(160, 50)) as pilot:
        await open_app(pilot, app, "web")
        highlight(app, "Deployment")
        await pilot.press("d")
        await until(pilot, lambda: isinstance(app.screen, DiffScreen) and app.screen._loaded)
        diff = app.screen.diff
        # Walk to the change that holds the env var set by hand (its value line).
        for _ in range(diff.change_count):
            await pilot.press("n")
            rows = [r for r in diff.rows if r.change == diff.current_change and r.right is not None]
            if any("api.staging" in diff._prepared[0].right[r.right] for r in rows):
                break
        else:
            raise AssertionError("no change shows the env var set by hand")
        await pilot.press("a")
        await until(pilot, lambda: dialog_ready(app))
        assert "replicas" not in body(app)
        app.screen.query_one("#confirm-reason").value = "incident 7"
        await pilot.press("ctrl+y")
        await until(pilot, lambda: isinstance(app.screen, ResultScreen))
        assert app.screen.ok, app.screen.lines
        await pilot.press("escape")
        await until(pilot, lambda: not app.reconciling and app.snapshot.app("web") is not None)
        await pilot.pause(0.2)
    drift = {r.key: [d.path for d in r.drift] for r in ws.status_of("web").resources}[key]
    ws.close()
    assert git(demo.repo, "log", "-1", "--format=%B").startswith("adopt: Deployment/web")
    assert drift == ["/spec/replicas"]
    assert [e.action for e in audit.entries()] == ["adopt"]


async def test_revert_on_a_dirty_tree_is_refused_and_names_the_files(demo: Demo, tmp_path: Path) -> None:
    app, ws, audit = build_app(demo, tmp_path)
    head = git(demo.repo, "rev-parse", "HEAD").strip()
    notes: list[str] = []
    dirty = next(p for p in sorted(demo.repo.rglob("*.yaml")) if ".git" not in p.parts)
    original = dirty.read_text()
    dirty.write_text(original + "# uncommitted\n")
    try:
        async with app.run_test(size=(160, 50)) as pilot:
            app.notify = lambda message, **kw: notes.append(str(message))  # type: ignore[method-assign]
            await open_app(pilot, app, "web")
            await pilot.press("h")
            await until(pilot, lambda: isinstance(app.screen, HistoryScreen) and app.screen.table.shown)
            await pilot.press("v")
            await until(
                pilot,
                lambda: (
                    dialog_ready(app)
                    or any("dirty" in n.lower() or "uncommitted" in n.lower() for n in notes)
                ),
            )
            if isinstance(app.screen, ConfirmScreen):
                # Shown with the reason it cannot run, and no way to confirm it.
                assert dirty.name in str(app.screen.query_one("#confirm-blocked").render())
                await pilot.press("ctrl+y")
                await pilot.pause(0.3)
                await pilot.press("escape")
            else:
                assert any(dirty.name in n for n in notes), notes
        ws.close()
    finally:
        dirty.write_text(original)
    assert git(demo.repo, "rev-parse", "HEAD").strip() == head
    assert audit.entries() == []


async def test_adopting_secret_data_is_refused_with_a_clear_error(demo: Demo, tmp_path: Path) -> None:
    live_value = "changed-by-hand-NEVER-SHOW"
    kubectl = Kubectl(str(demo.kubeconfig), CONTEXT)
    kubectl.patch("Secret", "web", "web-credentials", {"stringData": {"session-key": live_value}})
    kubectl.close()
    app, ws, audit = build_app(demo, tmp_path)
    head = git(demo.repo, "rev-parse", "HEAD").strip()
    errors: list[str] = []
    async with app.run_test(size=(160, 50)) as pilot:
        real_notify = app.notify

        def notify(message: str, **kw: object) -> None:
            if kw.get("severity") == "error":
                errors.append(f"{kw.get('title', '')}: {message}")
            real_notify(message, **kw)  # type: ignore[arg-type]

        app.notify = notify  # type: ignore[method-assign]
        await open_app(pilot, app, "web")
        await until(
            pilot,
            lambda: (
                {r.key.kind: r.sync for r in app.snapshot.app("web").resources}.get("Secret")
                is SyncStatus.OUT_OF_SYNC
            ),
        )
        highlight(app, "Secret")
        await pilot.press("a")
        await until(pilot, lambda: errors)
        assert isinstance(app.screen, AppScreen)
    ws.close()
    [error] = errors
    assert error.startswith("Adopt refused") and "Secret" in error
    assert live_value not in error and "demo-secret-value" not in error
    assert git(demo.repo, "rev-parse", "HEAD").strip() == head
    assert audit.entries() == []


async def test_dry_run_from_the_apps_screen_changes_nothing(demo: Demo, tmp_path: Path) -> None:
    app, ws, audit = build_app(demo, tmp_path)
    async with app.run_test(size=(160, 50)) as pilot:
        await until(pilot, lambda: app.snapshot is not None and not app.reconciling)
        assert app.snapshot.app("database").sync is SyncStatus.OUT_OF_SYNC  # its Service was deleted
        table = app.screen.query_one("#table")
        table.move_cursor(row=[r.extra.app.name for r in table.shown].index("database"))
        before = len(writes(demo))
        await pilot.press("s")
        await until(pilot, lambda: dialog_ready(app))
        assert "create" in body(app) and "Service" in body(app)
        app.screen.query_one("#opt-dry_run", Checkbox).value = True
        await pilot.press("ctrl+y")
        await until(pilot, lambda: isinstance(app.screen, ResultScreen))
        assert app.screen.ok, app.screen.lines
        assert app.screen.title_text.startswith("Dry run")
        await pilot.press("escape")
        await until(pilot, lambda: not app.reconciling)
        assert app.snapshot.app("database").sync is SyncStatus.OUT_OF_SYNC
    ws.close()
    assert len(writes(demo)) == before


async def test_an_unexpected_error_while_planning_is_shown_not_a_crash(demo: Demo, tmp_path: Path) -> None:
    app, ws, audit = build_app(demo, tmp_path)
    errors: list[str] = []

    def broken(*_args: object, **_kw: object) -> None:
        raise RuntimeError("boom in plan_sync")

    async with app.run_test(size=(160, 50)) as pilot:
        real_notify = app.notify

        def notify(message: str, **kw: object) -> None:
            if kw.get("severity") == "error":
                errors.append(f"{kw.get('title', '')}: {message}")
            real_notify(message, **kw)  # type: ignore[arg-type]

        app.notify = notify  # type: ignore[method-assign]
        app.actions.plan_sync = broken  # type: ignore[method-assign,union-attr]
        await open_app(pilot, app, "database")
        await pilot.press("s")
        await until(pilot, lambda: errors)
        assert isinstance(app.screen, AppScreen) and app.is_running
    ws.close()
    assert errors == ["Could not plan a sync: RuntimeError: boom in plan_sync"]
