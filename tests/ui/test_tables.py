"""Pilot tests: filtering with / and n/N, sorting, marks, and rows updated in place by a new reconcile."""

from __future__ import annotations

from dataclasses import replace

from gitops_tui.model import HealthStatus
from gitops_tui.ui.widgets.filter_bar import FilterBar
from gitops_tui.ui.widgets.status_table import StatusTable
from tests.ui.fakes import FakeWorkspace
from tests.ui.helpers import build, started, until


def keys(app) -> list[str]:
    return [r.key for r in app.screen.query_one(StatusTable).shown]


def current(app) -> str:
    row = app.screen.query_one(StatusTable).current
    return row.key if row is not None else ""


async def test_slash_filters_rows_and_enter_keeps_the_filter() -> None:
    async with build().run_test(size=(120, 36)) as pilot:
        app = await started(pilot)
        await pilot.press("slash")
        bar = app.screen.query_one(FilterBar)
        assert bar.has_focus and bar.display
        await pilot.press(*"api")
        assert keys(app) == ["api-production", "api-staging"]
        await pilot.press("enter")
        table = app.screen.query_one(StatusTable)
        assert table.has_focus and table.filter_text == "api" and bar.display
        # words are ANDed, over every column (sync, health, path, error)
        table.filter_text = "api outofsync"
        assert keys(app) == ["api-production"]
        table.filter_text = "nothing-like-this"
        assert keys(app) == []
        await pilot.pause()
        assert "No rows match" in str(app.screen.query_one("#empty").render())
        await pilot.press("escape")  # esc on the table drops the filter before going anywhere
        assert table.filter_text == "" and not bar.display
        assert len(keys(app)) == 5


async def test_escape_in_the_filter_line_clears_it() -> None:
    async with build().run_test(size=(120, 36)) as pilot:
        app = await started(pilot)
        await pilot.press("slash", "w", "e", "b")
        assert keys(app) == ["web"]
        await pilot.press("escape")
        assert len(keys(app)) == 5
        assert app.screen.query_one(StatusTable).has_focus


async def test_n_and_shift_n_move_between_matches_and_wrap() -> None:
    async with build().run_test(size=(120, 36)) as pilot:
        app = await started(pilot)
        await pilot.press("slash", *"api", "enter")
        assert current(app) == "api-production"
        await pilot.press("n")
        assert current(app) == "api-staging"
        await pilot.press("n")
        assert current(app) == "api-production"
        await pilot.press("N")
        assert current(app) == "api-staging"


async def test_without_a_filter_n_jumps_to_the_next_app_that_needs_attention() -> None:
    async with build().run_test(size=(120, 36)) as pilot:
        app = await started(pilot)
        assert current(app) == "api-production"
        await pilot.press("n")
        assert current(app) == "web"  # api-staging is fine
        await pilot.press("n")
        assert current(app) == "monitoring"  # database is Synced and only Progressing
        await pilot.press("n")
        assert current(app) == "api-production"
        await pilot.press("N")
        assert current(app) == "monitoring"


async def test_o_cycles_the_sort_column_and_shift_o_reverses() -> None:
    async with build().run_test(size=(120, 36)) as pilot:
        app = await started(pilot)
        table = app.screen.query_one(StatusTable)
        await pilot.press("o")
        assert table.sort_column == 0
        assert keys(app) == ["api-production", "api-staging", "database", "monitoring", "web"]
        assert str(table.columns["name"].label) == "App ▲"
        await pilot.press("O")
        assert keys(app) == ["web", "monitoring", "database", "api-staging", "api-production"]
        await pilot.press("o")  # by sync: worst first
        assert table.sort_column == 1
        assert keys(app)[0] == "monitoring" and keys(app)[-2:] == ["api-staging", "database"]
        for _ in range(6):
            await pilot.press("o")
        assert table.sort_column is None
        assert keys(app) == ["api-production", "api-staging", "web", "database", "monitoring"]


async def test_a_new_snapshot_updates_cells_in_place_keeping_cursor_and_filter() -> None:
    workspace = FakeWorkspace()
    async with build(workspace).run_test(size=(120, 36)) as pilot:
        app = await started(pilot)
        table = app.screen.query_one(StatusTable)
        await pilot.press("slash", *"synced", "enter", "j")
        assert keys(app) == ["api-staging", "database"]
        assert current(app) == "database"
        cleared = []
        original_clear = table.clear
        table.clear = lambda *a, **kw: (cleared.append(1), original_clear(*a, **kw))[1]
        workspace.transform = lambda a: (
            replace(a, health=HealthStatus.DEGRADED, revision="9e8d7c6") if a.app.name == "api-staging" else a
        )
        workspace.reconciled.clear()
        await pilot.press("r")
        await until(pilot, lambda: app.snapshot.app("api-staging").health is HealthStatus.DEGRADED)
        await pilot.pause()
        assert cleared == []  # same rows: cells were updated, the table was not rebuilt
        assert table.filter_text == "synced" and current(app) == "database"
        assert table.get_cell("api-staging", "health").plain == "✗ Degraded"
        assert table.get_cell("api-staging", "revision").plain == "9e8d7c6"
        # a row that appears or disappears rebuilds, and the cursor stays on the same app
        workspace.scenario.apps = [a for a in workspace.scenario.apps if a.app.name != "api-staging"]
        await pilot.press("r")
        await until(pilot, lambda: app.snapshot.app("api-staging") is None)
        await pilot.pause()
        assert keys(app) == ["database"] and current(app) == "database"


async def test_a_message_that_appears_later_widens_its_column() -> None:
    """Every app fine at first (Message column empty, so narrow); then one fails: its error is what the
    operator must read, not its first seven characters (seen on the demo with a broken YAML file)."""
    workspace = FakeWorkspace()
    error = "web/configmap.yaml:8: did not find expected ',' or ']'"
    workspace.transform = lambda a: replace(a, error="", notes=())  # no message anywhere yet
    async with build(workspace).run_test(size=(160, 36)) as pilot:
        app = await started(pilot)
        table = app.screen.query_one(StatusTable)
        await pilot.pause()
        narrow = table.columns["message"].get_render_width(table)  # type: ignore[index]
        assert narrow < 12, narrow  # as wide as its label
        workspace.transform = lambda a: replace(a, error=error if a.app.name == "web" else "", notes=())
        workspace.reconciled.clear()
        await pilot.press("r")
        await until(pilot, lambda: app.snapshot.app("web").error == error)
        await pilot.pause()
        await pilot.pause()
        assert table.get_cell("web", "message").plain.startswith("web/configmap.yaml:8")
        wide = table.columns["message"].get_render_width(table)  # type: ignore[index]
        assert wide > narrow and wide >= 40, (narrow, wide)


async def test_marks_show_and_survive_an_update() -> None:
    workspace = FakeWorkspace()
    async with build(workspace).run_test(size=(120, 36)) as pilot:
        app = await started(pilot)
        table = app.screen.query_one(StatusTable)
        await pilot.press("j", "space")
        assert table.marked == {"api-staging"} and current(app) == "web"
        assert table.get_cell("api-staging", "_mark").plain == "●"
        await pilot.press("r")
        await until(pilot, lambda: workspace.calls.count("reconcile") == 2)
        await pilot.pause()
        assert table.marked == {"api-staging"}
        await pilot.press("k", "space")
        assert table.marked == set()
