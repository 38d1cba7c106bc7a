"""A DataTable that filters, sorts, marks and updates in place.

Screens hand it whole lists of `TableRow`s each time their data changes (a reconcile finished); the table
works out what actually changed and touches only those cells, so the cursor, the scroll position and the
filter stay where the user left them and nothing flickers.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from itertools import accumulate
from typing import Any

from rich.cells import cell_len
from rich.text import Text
from textual.binding import Binding
from textual.cache import LRUCache
from textual.message import Message
from textual.widgets import DataTable
from textual.widgets.data_table import CellKey, ColumnKey, RowKey

MARK_COLUMN = "_mark"
# Changed rows redrawn in one frame; the rest in the next ones. A row costs the UI's thread about a
# millisecond while a reconcile runs, and a key pressed meanwhile waits for its frame's share: with 12,
# its frame took up to 20 ms of the thread (bench/bench_ui.py, keys during 4,000-object reconciles).
ROWS_PER_FRAME = 6


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    width: int | None = None


@dataclass(frozen=True)
class TableRow:
    key: str
    cells: tuple[Text | str, ...]
    sort: tuple[Any, ...]  # one sortable value per column
    search: str = ""  # text the filter looks in (the cells' text when empty)
    attention: bool = False  # n/N stop here when no filter is set
    extra: Any = field(default=None, compare=False)  # the model object behind the row
    hidden: bool = False  # folded away (a tree's child): shown only while filtering or sorting
    group: bool = False  # a heading row (a cluster): left out while filtering or sorting, never marked

    def haystack(self) -> str:
        if self.search:
            return self.search.lower()
        return " ".join(c.plain if isinstance(c, Text) else str(c) for c in self.cells).lower()


class StatusTable(DataTable[Text | str], inherit_bindings=False):
    BINDINGS = [
        Binding("enter", "select_cursor", "Open", id="table.open", tooltip="Open the highlighted row"),
        Binding("j,down", "cursor_down", "Down", id="table.down", show=False),
        Binding("k,up", "cursor_up", "Up", id="table.up", show=False),
        Binding("g,home", "scroll_top", "Top", id="table.top", show=False),
        Binding("G,end", "scroll_bottom", "Bottom", id="table.bottom", show=False),
        Binding("pagedown,ctrl+d", "page_down", "Page down", id="table.page_down", show=False),
        Binding("pageup,ctrl+u", "page_up", "Page up", id="table.page_up", show=False),
        Binding("left", "scroll_left", "Scroll left", id="table.left", show=False),
        Binding("right", "scroll_right", "Scroll right", id="table.right", show=False),
        Binding(
            "n",
            "next_match",
            "Next match",
            id="table.next_match",
            show=False,
            tooltip="Next match or next problem",
        ),
        Binding("N", "previous_match", "Prev match", id="table.previous_match", show=False),
        Binding("o", "cycle_sort", "Sort", id="table.sort", show=False, tooltip="Sort by the next column"),
        Binding("O", "reverse_sort", "Reverse", id="table.reverse_sort", show=False),
        Binding("space", "toggle_mark", "Mark", id="table.mark", tooltip="Mark or unmark the row"),
    ]

    @dataclass
    class RowsChanged(Message):
        """The rows on screen changed (new data, filter or sort): the screen refreshes what depends on them."""

        status_table: StatusTable

        @property
        def control(self) -> StatusTable:
            return self.status_table

    def __init__(
        self,
        columns: Sequence[Column],
        *,
        markable: bool = False,
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        super().__init__(id=id, classes=classes, cursor_type="row", zebra_stripes=True)
        self._columns = list(columns)
        self.markable = markable
        self._rows: list[TableRow] = []
        self._shown: list[TableRow] = []
        self._filter = ""
        self.sort_column: int | None = None
        self.sort_reverse = False
        self.marked: set[str] = set()
        self._to_redraw: set[RowKey] = set()  # changed rows whose redraw waits for a later frame

    def on_mount(self) -> None:
        if self.markable:
            self.add_column(" ", key=MARK_COLUMN, width=1)
        for column in self._columns:
            self.add_column(column.label, key=column.key, width=column.width)

    def on_idle(self) -> None:
        # DataTable measures new rows when idle (right after this handler), but keys its line caches by an
        # update counter that measuring does not bump: lines drawn before the measure, with columns only as
        # wide as their labels, could stay on screen until the cursor moved. A new count redraws them.
        if self._require_update_dimensions or self._updated_cells:
            self._update_count += 1

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "toggle_mark":
            return self.markable
        return True

    # -- data ----------------------------------------------------------------------------------------------
    @property
    def shown(self) -> list[TableRow]:
        """The rows on screen, in order (after the filter and the sort)."""
        return list(self._shown)

    @property
    def current(self) -> TableRow | None:
        if 0 <= self.cursor_row < len(self._shown):
            return self._shown[self.cursor_row]
        return None

    @property
    def filter_text(self) -> str:
        return self._filter

    @filter_text.setter
    def filter_text(self, value: str) -> None:
        self._filter = value
        self._refresh_rows()

    def set_rows(self, rows: Sequence[TableRow]) -> None:
        self._rows = list(rows)
        keys = {r.key for r in self._rows}
        self.marked &= keys
        self._refresh_rows()

    def select_key(self, key: str) -> bool:
        for index, row in enumerate(self._shown):
            if row.key == key:
                self.move_cursor(row=index, animate=False)
                return True
        return False

    def _matches(self, row: TableRow) -> bool:
        terms = self._filter.lower().split()
        if not terms:
            return True
        haystack = row.haystack()
        return all(term in haystack for term in terms)

    def _visible(self) -> list[TableRow]:
        flat = bool(self._filter.strip()) or self.sort_column is not None
        visible = [r for r in self._rows if (not r.group if flat else not r.hidden) and self._matches(r)]
        if self.sort_column is not None:
            column = self.sort_column
            visible.sort(key=lambda r: (r.sort[column], r.key), reverse=self.sort_reverse)
        return visible

    def _cells(self, row: TableRow) -> tuple[Text | str, ...]:
        if not self.markable:
            return row.cells
        mark = Text("●", style="bold cyan") if row.key in self.marked else Text(" ")
        return (mark, *row.cells)

    def _refresh_rows(self) -> None:
        visible = self._visible()
        if [r.key for r in visible] == [r.key for r in self._shown]:
            # Same rows in the same places: only changed cells are written. The marks are the table's
            # own and the same for both; a cell object a screen reused is unchanged without comparing.
            column_keys = [c.key for c in self._columns]
            changes: list[tuple[str, str, Text | str]] = []
            for old, new in zip(self._shown, visible, strict=True):
                if old is new:
                    continue
                for column_key, before, after in zip(column_keys, old.cells, new.cells, strict=True):
                    if before is not after and before != after:
                        changes.append((new.key, column_key, after))
            self._shown = visible
            if changes:
                self._update_cells(changes)
            self.post_message(self.RowsChanged(self))
            return
        current = self.current
        position = self.cursor_row
        self.clear()
        for row in visible:
            self.add_row(*self._cells(row), key=row.key)
        self._shown = visible
        self.post_message(self.RowsChanged(self))
        if not visible:
            return
        keys = [r.key for r in visible]
        target = keys.index(current.key) if current is not None and current.key in keys else position
        self.move_cursor(row=max(0, min(target, len(visible) - 1)), animate=False)

    def _update_cells(self, changes: Sequence[tuple[str, str, Text | str]]) -> None:
        """Put new values in cells and redraw only the rows they are in.

        DataTable's update_cell bumps a counter that is part of every key of its render caches: after a
        reconcile, whose "reconciled" column changes on every row, each visible cell of the table was
        rendered again, a 40-70 ms frame. Here only the changed rows' entries leave the caches (and the
        lines, which are cheap to put together again from the cached rows and cells).
        """
        rows: set[RowKey] = set()
        cells: set[tuple[RowKey, ColumnKey]] = set()
        widen = False
        for row, column, value in changes:
            row_key, column_key = RowKey(row), ColumnKey(column)
            self._data[row_key][column_key] = value
            rows.add(row_key)
            cells.add((row_key, column_key))
            # A message that appears later (an error) must widen its column, not be cut to the width of
            # the empty one. One that is narrower leaves the column as it is: asked to, DataTable measures
            # every cell of the column again for each such update, 200 x 200 after a reconcile.
            column_now = self.columns.get(column_key)
            if column_now is None or _width(value) > column_now.content_width:
                self._updated_cells.add(CellKey(row_key, column_key))
                self._require_update_dimensions = True
                widen = True
        if widen:  # a column changes width: every line moves, all of them are drawn again
            self._update_count += 1
            self.refresh()
            return
        indices = {self._row_locations.get(row) for row in rows}
        _discard(self._row_renderable_cache, lambda key: key[1] in indices)
        _discard(self._cell_render_cache, lambda key: (key[0], key[1]) in cells)
        _discard(self._row_render_cache, lambda key: key[0] in rows)
        self._line_cache.clear()
        # Every changed row now draws fresh, whenever it is drawn; the visible ones are asked for a few per
        # frame, so that a key pressed as a reconcile lands waits for a few rows, not the whole screen
        # (46 rows at once: 14 ms idle, 40 ms with a reconcile running)
        first = not self._to_redraw
        self._to_redraw.update(rows)
        if first:
            self._redraw_some()

    def _redraw_some(self) -> None:
        window = self.window_region
        # Each row's top, added up once: DataTable's _get_row_region adds up the rows above on every call,
        # 200 x 200 heights for a reconcile that changed every row (5 ms of the UI's thread)
        tops = [0, *accumulate(row.height for row in self.ordered_rows)]
        header = self.header_height if self.show_header else 0
        visible: list[tuple[int, RowKey]] = []
        for row in self._to_redraw:
            index = self._row_locations.get(row)
            if index is None or index + 1 >= len(tops):
                continue
            top, bottom = tops[index] + header, tops[index + 1] + header
            if top < bottom and top < window.bottom and bottom > window.y:
                visible.append((index, row))
        self._to_redraw.clear()
        visible.sort()
        for index, _row in visible[:ROWS_PER_FRAME]:
            self.refresh_row(index)
        if len(visible) > ROWS_PER_FRAME:
            self._to_redraw.update(row for _index, row in visible[ROWS_PER_FRAME:])
            self.call_after_refresh(self._redraw_some)

    def _update_labels(self) -> None:
        for index, column in enumerate(self._columns):
            label = column.label
            if index == self.sort_column:
                label += " ▼" if self.sort_reverse else " ▲"
            self.columns[column.key].label = Text(label)  # type: ignore[index]
        self.refresh()

    # -- actions -------------------------------------------------------------------------------------------
    def action_cycle_sort(self) -> None:
        if self.sort_column is None:
            self.sort_column = 0
        elif self.sort_column + 1 < len(self._columns):
            self.sort_column += 1
        else:
            self.sort_column = None
        self.sort_reverse = False
        self._update_labels()
        self._refresh_rows()
        name = self._columns[self.sort_column].label if self.sort_column is not None else "natural order"
        self.notify(f"Sorted by {name}", timeout=1.5)

    def action_reverse_sort(self) -> None:
        if self.sort_column is None:
            self.sort_column = 0
        self.sort_reverse = not self.sort_reverse
        self._update_labels()
        self._refresh_rows()

    def action_toggle_mark(self) -> None:
        row = self.current
        if row is None or row.group:
            return
        self.marked.symmetric_difference_update({row.key})
        self._update_cells([(row.key, MARK_COLUMN, self._cells(row)[0])])
        self.action_cursor_down()

    def _jump(self, step: int) -> None:
        if not self._shown:
            return
        wanted = (lambda r: True) if self._filter else (lambda r: r.attention)
        count = len(self._shown)
        for offset in range(1, count + 1):
            index = (self.cursor_row + step * offset) % count
            if wanted(self._shown[index]):
                self.move_cursor(row=index, animate=False)
                return
        self.notify("Nothing needs attention here" if not self._filter else "No match", timeout=2)

    def action_next_match(self) -> None:
        self._jump(1)

    def action_previous_match(self) -> None:
        self._jump(-1)


def _discard(cache: LRUCache[Any, Any], drop: Callable[[Any], bool]) -> None:
    for key in [k for k in cache.keys() if drop(k)]:  # noqa: SIM118 (an LRUCache is not iterable)
        cache.discard(key)


def _width(cell: Text | str) -> int:
    """The cell's width on one line, as DataTable measures it (cheaply: no console)."""
    plain = cell.plain if isinstance(cell, Text) else str(cell)
    return max((cell_len(line) for line in plain.splitlines()), default=0)
