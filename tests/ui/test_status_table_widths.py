"""A refresh that changes cells measures only those cells: a wider one widens its column (a message that
appears later is not cut), a narrower one leaves the column as it is (measuring the whole column again
for each narrower cell froze the TUI for 130 ms after a 200-app reconcile)."""

from __future__ import annotations

from textual.app import App, ComposeResult
from textual.widgets.data_table import ColumnKey

from gitops_tui.ui.widgets.status_table import ROWS_PER_FRAME, Column, StatusTable, TableRow


class TableApp(App[None]):
    def compose(self) -> ComposeResult:
        yield StatusTable([Column("app", "App"), Column("message", "Message")], id="t")


def rows(messages: list[str]) -> list[TableRow]:
    return [TableRow(f"app-{i}", (f"app-{i}", m), (f"app-{i}", m)) for i, m in enumerate(messages)]


async def test_a_wider_cell_widens_its_column_and_a_narrower_one_measures_nothing(monkeypatch) -> None:
    app = TableApp()
    async with app.run_test() as pilot:
        table = app.query_one(StatusTable)
        table.set_rows(rows(["ok"] * 200))
        await pilot.pause()
        message = table.columns[ColumnKey("message")]
        assert message.content_width == len("Message")
        table.set_rows(rows(["ok"] * 199 + ["chart podinfo not reachable offline"]))
        await pilot.pause()
        assert message.content_width == len("chart podinfo not reachable offline")
        measured: list[object] = []
        original = StatusTable.get_column

        def counting(self, key):  # type: ignore[no-untyped-def]
            measured.append(key)  # DataTable reads a whole column to measure it again
            return original(self, key)

        monkeypatch.setattr(StatusTable, "get_column", counting)
        table.set_rows(rows(["fine"] * 200))
        await pilot.pause()
        assert measured == []
        assert message.content_width == len("chart podinfo not reachable offline")  # kept, not re-measured


def shown_lines(table: StatusTable) -> list[str]:
    return [table.render_line(y).text.rstrip() for y in range(1, table.size.height)]


async def test_changed_cells_redraw_their_rows_and_only_those() -> None:
    """A refresh that changes some cells draws them again from fresh render caches (the new value shows,
    on the right row) and leaves the other rows' cached renders in place."""
    app = TableApp()
    async with app.run_test(size=(60, 20)) as pilot:
        table = app.query_one(StatusTable)
        table.set_rows(rows([f"m{i % 3}" for i in range(100)]))
        await pilot.pause()
        before = shown_lines(table)
        assert before[4].split() == ["app-4", "m1"]
        cached = len(table._cell_render_cache)
        changed = [f"m{i % 3}" for i in range(100)]
        changed[4], changed[7] = "m9", "x"
        table.set_rows(rows(changed))
        await pilot.pause()
        after = shown_lines(table)
        assert after[4].split() == ["app-4", "m9"] and after[7].split() == ["app-7", "x"]
        assert [line for i, line in enumerate(after) if i not in (4, 7)] == [
            line for i, line in enumerate(before) if i not in (4, 7)
        ]
        assert len(table._cell_render_cache) >= cached - 2  # the other cells' renders were kept
        table.move_cursor(row=7)
        await pilot.pause()
        assert shown_lines(table)[7].split() == ["app-7", "x"]  # under the cursor too


async def test_many_changed_rows_are_all_redrawn_a_few_per_frame() -> None:
    """A reconcile that changes every visible row redraws them over a few frames (a key pressed meanwhile
    waits for a few rows, not all), and then every row on screen shows its new value."""
    app = TableApp()
    async with app.run_test(size=(60, 40)) as pilot:
        table = app.query_one(StatusTable)
        table.set_rows(rows(["old"] * 100))
        await pilot.pause()
        drawn: list[int] = []
        original = StatusTable.refresh_row

        def counting(self, index):  # type: ignore[no-untyped-def]
            drawn.append(index)
            return original(self, index)

        StatusTable.refresh_row = counting  # type: ignore[method-assign]
        try:
            table.set_rows(rows(["new"] * 100))
            assert len(drawn) == ROWS_PER_FRAME  # this frame's share
            for _ in range(10):
                await pilot.pause()
        finally:
            StatusTable.refresh_row = original  # type: ignore[method-assign]
        visible = table.size.height - 1
        assert sorted(drawn) == list(range(visible))  # each visible row once, none off screen
        assert all(line.split()[1] == "new" for line in shown_lines(table))
        table.scroll_to(y=60, animate=False)  # the rows off screen were not redrawn, and show new too
        await pilot.pause()
        assert all(line.split()[1] == "new" for line in shown_lines(table))
