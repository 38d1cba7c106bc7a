"""The App screen lists an app's hooks apart from its resources (phase, name or generateName…, delete
policy, the health of the last run), as Argo CD does; an app without hooks shows no such section."""

from __future__ import annotations

from dataclasses import replace

from textual.widgets import Static

from gitops_tui.model import AppStatus, HealthStatus, HookStatus, ResourceKey
from gitops_tui.ui.screens.app_resources import AppScreen
from gitops_tui.ui.widgets.status_table import StatusTable
from tests.ui.fakes import FakeWorkspace
from tests.ui.helpers import build, started, until

HOOKS = (
    HookStatus(
        key=ResourceKey("batch", "Job", "production", ""),
        version="batch/v1",
        phases=("PreSync",),
        generate_name="upgrade-sql-schema-",
        delete_policies=("BeforeHookCreation",),
        live_name="upgrade-sql-schema-4f2c1d0-presync-1718000000",
        health=HealthStatus.DEGRADED,
        health_message="Job has reached the specified backoff limit",
    ),
    HookStatus(
        key=ResourceKey("batch", "Job", "production", "smoke"),
        version="batch/v1",
        phases=("PostSync",),
        wave=2,
        delete_policies=("HookSucceeded",),
    ),
)


def with_hooks(status: AppStatus) -> AppStatus:
    return replace(status, hooks=HOOKS) if status.app.name == "api-production" else status


async def test_hooks_are_listed_apart_from_the_resources() -> None:
    workspace = FakeWorkspace()
    workspace.transform = with_hooks
    async with build(workspace).run_test(size=(140, 40)) as pilot:
        app = await started(pilot)
        await pilot.press("enter")
        screen = app.screen
        assert isinstance(screen, AppScreen) and screen.app_name == "api-production"
        section = screen.query_one("#hooks", Static)
        await until(pilot, lambda: section.display)
        text = "\n".join(line.text for line in section.render_lines(section.region.reset_offset))
        assert "Hooks (2)  not compared as drift; not run by gitops-tui" in text
        assert "PreSync" in text and "upgrade-sql-schema-…" in text and "BeforeHookCreation" in text
        assert "✗ Degraded" in text and "upgrade-sql-schema-4f2c1d0-presync" in text
        assert "PostSync" in text and "smoke" in text and "HookSucceeded" in text and "not run yet" in text
        # The hooks are no rows of the resources table: not drift, not markable, not synced.
        rows = [r.key for r in screen.query_one(StatusTable).shown]
        assert rows == ["Deployment.apps/production/api", "Service/production/api"]
        assert app.screen.query_one(StatusTable).has_focus


async def test_an_app_without_hooks_has_no_hooks_section() -> None:
    async with build(FakeWorkspace()).run_test(size=(140, 40)) as pilot:
        app = await started(pilot)
        await pilot.press("enter")
        assert isinstance(app.screen, AppScreen)
        await pilot.pause()
        assert not app.screen.query_one("#hooks", Static).display
