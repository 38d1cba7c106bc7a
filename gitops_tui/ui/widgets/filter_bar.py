"""The `/` filter line under a table: typing narrows the rows, enter keeps the filter, escape drops it."""

from __future__ import annotations

from dataclasses import dataclass

from textual.binding import Binding
from textual.message import Message
from textual.widgets import Input


class FilterBar(Input):
    BINDINGS = [
        Binding("escape", "cancel", "Clear filter", id="filter.cancel", tooltip="Drop the filter"),
    ]

    DEFAULT_CSS = """
    FilterBar {
        dock: bottom;
        height: 1;
        border: none;
        padding: 0 1;
        display: none;
        &.-active { display: block; }
    }
    """

    @dataclass
    class Cancelled(Message):
        """Escape was pressed: the screen clears the filter and hides the bar."""

        filter_bar: FilterBar

        @property
        def control(self) -> FilterBar:
            return self.filter_bar

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(placeholder="filter: words to match (enter keeps it, esc clears)", id=id)

    def open(self) -> None:
        self.add_class("-active")
        self.focus()

    def close(self) -> None:
        self.remove_class("-active")

    def action_cancel(self) -> None:
        self.post_message(self.Cancelled(self))
