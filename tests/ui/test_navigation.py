"""Pilot tests: moving between screens with the keyboard, and what each screen shows."""

from __future__ import annotations

from textual.widgets import OptionList

from gitops_tui.ui.screens.app_resources import AppScreen
from gitops_tui.ui.screens.apps import AppsScreen
from gitops_tui.ui.screens.diff import CommitSource, DiffScreen
from gitops_tui.ui.screens.history import HistoryScreen
from gitops_tui.ui.widgets.diff_layout import RowKind
from gitops_tui.ui.widgets.diff_view import DiffView
from gitops_tui.ui.widgets.header import StatusHeader
from gitops_tui.ui.widgets.status_table import StatusTable
from tests.ui.fakes import FakeWorkspace
from tests.ui.helpers import build, started, until


def shown_keys(screen) -> list[str]:
    return [r.key for r in screen.query_one(StatusTable).shown]


async def test_apps_screen_lists_every_app_with_its_state_and_error() -> None:
    async with build().run_test(size=(120, 36)) as pilot:
        app = await started(pilot)
        screen = app.screen
        assert isinstance(screen, AppsScreen)
        assert shown_keys(screen) == ["api-production", "api-staging", "web", "database", "monitoring"]
        rows = {r.key: r for r in screen.table.shown}
        assert rows["web"].cells[1].plain == "≠ OutOfSync"
        assert rows["web"].cells[3].plain == "3/4"
        assert rows["monitoring"].cells[6].plain.startswith("kustomize build apps/monitoring: accum")
        await pilot.press("G")
        detail = screen.query_one("#detail").render()
        assert "'prometheus.yaml' not found" in str(detail)
        header = str(screen.query_one(StatusHeader).render())
        assert "kind-gitops-demo" in header and "gitops-repo:main@3f2a9c1" in header
        assert "reconciled 12s ago" in header


async def test_enter_drills_down_and_escape_comes_back() -> None:
    workspace = FakeWorkspace()
    async with build(workspace).run_test(size=(120, 36)) as pilot:
        app = await started(pilot)
        await pilot.press("enter")
        assert isinstance(app.screen, AppScreen) and app.screen.app_name == "api-production"
        assert shown_keys(app.screen) == ["Deployment.apps/production/api", "Service/production/api"]
        await pilot.press("enter")
        assert isinstance(app.screen, DiffScreen)
        diff = app.screen.query_one(DiffView)
        await until(pilot, lambda: diff.document_count == 1)
        assert diff.change_count == 3
        assert "detail api-production Deployment.apps/production/api" in workspace.calls
        await pilot.press("escape")
        assert isinstance(app.screen, AppScreen)
        await pilot.press("escape")
        assert isinstance(app.screen, AppsScreen)
        await pilot.press("escape")  # nothing below the home screen
        assert isinstance(app.screen, AppsScreen)


async def test_history_and_a_commit_diff() -> None:
    workspace = FakeWorkspace()
    async with build(workspace).run_test(size=(120, 36)) as pilot:
        app = await started(pilot)
        await pilot.press("h")
        assert isinstance(app.screen, HistoryScreen)
        await until(pilot, lambda: len(app.screen.table.shown) == 3)
        assert "history api-production" in workspace.calls
        assert app.screen.table.shown[0].cells[0].plain == "3f2a9c1"
        assert app.screen.table.shown[0].cells[1].plain == "1h"
        await pilot.press("enter")
        assert isinstance(app.screen, DiffScreen) and isinstance(app.screen.source, CommitSource)
        diff = app.screen.query_one(DiffView)
        await until(pilot, lambda: diff.document_count == 1)
        replaced = next(r for r in diff.rows if r.kind is RowKind.REPLACE)
        # real line numbers from the hunk header: image is line 18 of the file
        assert replaced.left is not None and replaced.left + diff._prepared[0].doc.left_offset + 1 == 18
        await pilot.press("escape", "escape")
        assert isinstance(app.screen, AppsScreen)


async def test_whole_app_diff_has_a_jump_list() -> None:
    async with build().run_test(size=(120, 36)) as pilot:
        app = await started(pilot)
        await pilot.press("j", "j", "d")  # web: a Missing Service, a ConfigMap to prune, a drifted Secret
        assert isinstance(app.screen, DiffScreen)
        diff = app.screen.query_one(DiffView)
        await until(pilot, lambda: diff.document_count == 3)
        jump = app.screen.query_one("#jump", OptionList)
        assert jump.display and jump.option_count == 3
        labels = [str(jump.get_option_at_index(i).prompt) for i in range(3)]
        assert labels == ["Service/web/web", "ConfigMap/web/web-debug", "Secret/web/web-tls"]
        titles = [r.text for r in diff.rows if r.kind is RowKind.TITLE]
        assert "Service/web/web  ·  Missing" in titles[0]
        notes = [r.text for r in diff.rows if r.kind is RowKind.NOTE]
        assert any("a sync would create it" in n for n in notes)
        assert any("prune would delete it" in n for n in notes)
        jump.focus()
        await pilot.press("down", "down", "enter")
        assert diff.has_focus
        assert diff.rows[diff.cursor].kind is RowKind.TITLE and diff.rows[diff.cursor].doc == 2
        # n walks across documents and the jump list follows
        await pilot.press("g", "n", "n")
        await pilot.pause()
        assert jump.highlighted == diff._layout.document_at(diff.cursor)


async def test_secret_values_stay_masked_in_the_diff() -> None:
    async with build().run_test(size=(120, 36)) as pilot:
        app = await started(pilot)
        await pilot.press("j", "j", "enter")
        assert isinstance(app.screen, AppScreen)
        app.screen.table.select_key("Secret/web/web-tls")
        await pilot.press("enter")
        diff = app.screen.query_one(DiffView)
        await until(pilot, lambda: diff.document_count == 1)
        text = "\n".join(diff.render_line(y).text for y in range(30))
        assert "++++++++ (masked 1)" in text and "++++++++ (masked 2)" in text


async def test_marked_apps_are_diffed_together() -> None:
    async with build().run_test(size=(120, 36)) as pilot:
        app = await started(pilot)
        await pilot.press("space")  # marks api-production, moves down
        await pilot.press("j", "space")  # marks web
        assert app.screen.table.marked == {"api-production", "web"}
        await pilot.press("d")
        diff = app.screen.query_one(DiffView)
        await until(pilot, lambda: diff.document_count == 4)
        titles = [r.text for r in diff.rows if r.kind is RowKind.TITLE]
        assert titles[0].startswith("api-production · Deployment") and titles[1].startswith("web · Service")


async def test_d_on_an_app_in_sync_says_so_and_stays() -> None:
    async with build().run_test(size=(120, 36)) as pilot:
        app = await started(pilot)
        await pilot.press("j", "d")
        await pilot.pause()
        assert isinstance(app.screen, AppsScreen)
        assert any("No drifted resources (api-staging)" in n.message for n in app._notifications)


async def test_the_detail_line_grows_and_shrinks_with_the_highlighted_row() -> None:
    """A cursor move repaints the detail line without a layout when its height stays; when the new row's
    detail wraps to more (or fewer) lines, the box still follows it, up to its max-height."""
    async with build().run_test(size=(70, 36)) as pilot:
        app = await started(pilot)
        screen = app.screen
        detail = screen.query_one("#detail")
        heights = []
        for key in ["g", "j", "j", "j", "j", "k", "k", "g"]:  # down to monitoring's long error and back
            await pilot.press(key)
            await pilot.pause()
            text = screen.describe(screen.table.current)
            wanted = len(text.wrap(app.console, detail.content_size.width))
            assert detail.content_size.height == min(wanted, 5), key  # max-height 6, less the border
            assert detail.render().plain == text.plain
            heights.append(detail.content_size.height)
        assert len(set(heights)) > 1  # the walk did cross rows of different heights
