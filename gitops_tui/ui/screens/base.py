"""What every screen shares: the header and footer, following the app's reconcile state, and `esc` to go
back; and for the table screens, the `/` filter."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, cast

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import DataTable, Input, Static

from gitops_tui.ui.frames import PromptFrames
from gitops_tui.ui.host import GitopsHost
from gitops_tui.ui.widgets.filter_bar import FilterBar
from gitops_tui.ui.widgets.footer import KeyFooter
from gitops_tui.ui.widgets.header import StatusHeader
from gitops_tui.ui.widgets.status_table import Column, StatusTable, TableRow


class BaseScreen(PromptFrames, Screen[None]):
    BINDINGS = [
        Binding("escape", "back", "Back", id="nav.back", tooltip="Back to the previous screen"),
    ]

    @property
    def gitops(self) -> GitopsHost:
        return cast(GitopsHost, self.app)

    def compose(self) -> ComposeResult:
        yield StatusHeader(self.gitops.clock)
        yield from self.compose_body()
        yield KeyFooter()

    def compose_body(self) -> ComposeResult:
        yield from ()

    def on_mount(self) -> None:
        for name in ("header_info", "reconciling", "problem"):
            self.watch(self.app, name, self._header_changed, init=False)
        self.watch(self.app, "snapshot", self._snapshot_changed, init=False)
        self._header_changed()
        self._snapshot_changed(self.gitops.snapshot)

    def _header_changed(self, _value: object = None) -> None:
        header = self.query_one(StatusHeader)
        app = self.gitops
        header.info = app.header_info
        header.reconciling = app.reconciling
        header.problem = app.problem
        header.last_reconcile = app.snapshot.finished if app.snapshot is not None else 0.0

    def _snapshot_changed(self, snapshot: Any) -> None:
        self._header_changed()
        self.snapshot_changed(snapshot)

    def snapshot_changed(self, snapshot: Any) -> None:
        """A reconcile finished (or failed): show the new state. `snapshot` may be None before the first."""

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "back":
            return len(self.app.screen_stack) > 2  # the default screen is always at the bottom
        return True

    def action_back(self) -> None:
        if len(self.app.screen_stack) > 2:
            self.app.pop_screen()


class TableScreen(BaseScreen):
    """A screen around one StatusTable, with a `/` filter and a detail line for the highlighted row."""

    BINDINGS = [
        Binding("slash", "filter", "Filter", id="table.filter", tooltip="Show only rows matching words"),
    ]

    COLUMNS: Sequence[Column] = ()
    MARKABLE = False
    _detail_text: Text | str = ""
    EMPTY = "Nothing to show."

    @property
    def table(self) -> StatusTable:
        return self.query_one(StatusTable)

    def compose_body(self) -> ComposeResult:
        yield from self.compose_top()
        yield StatusTable(self.COLUMNS, markable=self.MARKABLE, id="table")
        yield Static("", id="empty")
        yield Static("", id="detail")
        yield FilterBar(id="filter")

    def compose_top(self) -> ComposeResult:
        yield from ()

    def on_mount(self) -> None:
        super().on_mount()
        # the detail line follows the cursor in the same frame: a RowHighlighted message reaches the screen
        # after the frame with the moved cursor is drawn, and its own frame then waits out the frame
        # interval, two frames per key and a 10-16 ms wait for the next key (the handler below stays
        # for highlights the cursor watch does not see)
        self.watch(self.table, "cursor_coordinate", self._cursor_moved, init=False)

    def _cursor_moved(self, _old: object, _new: object) -> None:
        self._update_detail()

    def set_rows(self, rows: Sequence[TableRow], empty: str | None = None) -> None:
        if empty is not None:
            self.EMPTY = empty
        self.table.set_rows(rows)

    @on(StatusTable.RowsChanged)
    def _rows_changed(self, _event: StatusTable.RowsChanged) -> None:
        self._update_empty()
        self._update_detail()
        self.refresh_bindings()

    def _update_empty(self) -> None:
        placeholder = self.query_one("#empty", Static)
        table = self.table
        if table.shown:
            placeholder.display = False
            return
        placeholder.display = True
        if table.filter_text:
            placeholder.update(
                Text(f"No rows match “{table.filter_text}” (esc clears the filter)", style="dim")
            )
        else:
            placeholder.update(Text(self.EMPTY, style="dim"))

    def _update_detail(self) -> None:
        detail = self.query_one("#detail", Static)
        row = self.table.current
        text = (self.describe(row) if row is not None else None) or ""
        if text == self._detail_text and detail.display == bool(text):
            return
        self._detail_text = text
        if not text or not detail.display or not detail.content_size.width:
            detail.display = bool(text)
            detail.update(text)
            return
        # a cursor move is a new detail line of (mostly) the same height: repaint the line, not a layout of
        # the whole screen, which repaints every widget on it (a frame of 5-8 ms per key, more under load)
        detail.update(text, layout=False)
        screen_size = self.size
        height = detail.get_content_height(screen_size, screen_size, detail.content_size.width)
        if min(height, self._detail_rows(detail)) != detail.content_size.height:
            detail.refresh(layout=True)

    @staticmethod
    def _detail_rows(detail: Static) -> int:
        """The most content rows the detail box shows (its max-height less border and padding)."""
        styles = detail.styles
        most = styles.max_height
        if most is None or not most.is_cells:
            return 1 << 16
        return max(0, int(most.value) - styles.gutter.height)

    def describe(self, row: TableRow) -> Text | None:
        """The detail line for the highlighted row (full error, path, message...)."""
        return None

    @on(DataTable.RowHighlighted)
    def _row_highlighted(self, _event: DataTable.RowHighlighted) -> None:
        self._update_detail()

    # -- the filter -------------------------------------------------------------------------------------------
    def action_filter(self) -> None:
        bar = self.query_one(FilterBar)
        bar.value = self.table.filter_text
        bar.open()

    @on(Input.Changed, "#filter")
    def _filter_changed(self, event: Input.Changed) -> None:
        self.table.filter_text = event.value

    @on(Input.Submitted, "#filter")
    def _filter_submitted(self, event: Input.Submitted) -> None:
        if not event.value:
            self.query_one(FilterBar).close()
        self.table.focus()

    @on(FilterBar.Cancelled)
    def _filter_cancelled(self, _event: FilterBar.Cancelled) -> None:
        self._clear_filter()

    def _clear_filter(self) -> None:
        bar = self.query_one(FilterBar)
        bar.value = ""
        bar.close()
        self.table.filter_text = ""
        self.table.focus()

    def _filtering(self) -> bool:
        tables = self.query(StatusTable)
        return bool(tables and tables.first().filter_text)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "back" and self._filtering():
            return True
        return super().check_action(action, parameters)

    def action_back(self) -> None:
        if self._filtering():
            self._clear_filter()
        else:
            super().action_back()
