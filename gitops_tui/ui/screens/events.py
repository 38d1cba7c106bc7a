"""The Events screen: what the reconcile loop saw and did — drift appearing and going away, health changes,
syncs started and finished, errors, automation switched on or off, freezes — newest first. Names only, never
values."""

from __future__ import annotations

import time
from typing import Any

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.widgets import DataTable, Static

from gitops_tui.orchestration.loop import LoopEvent
from gitops_tui.ui.cells import duration
from gitops_tui.ui.screens.app_resources import AppScreen
from gitops_tui.ui.screens.base import TableScreen
from gitops_tui.ui.widgets.status_table import Column, TableRow

EVENT_COLUMNS = [
    Column("time", "Time"),
    Column("kind", "Event"),
    Column("app", "App"),
    Column("message", "What"),
]

_KIND_STYLE = {
    "drift": "yellow",
    "in-sync": "green",
    "recovered": "green",
    "error": "bold red",
    "sync": "cyan",
    "automation": "magenta",
    "freeze": "blue",
}


def event_row(index: int, event: LoopEvent, now: float) -> TableRow:
    stamp = time.strftime("%H:%M:%S", time.localtime(event.time))
    return TableRow(
        key=f"{index}",
        cells=(
            Text(f"{stamp} ({duration(now - event.time)} ago)", style="dim"),
            Text(event.kind, style=_KIND_STYLE.get(event.kind, "")),
            Text(event.app or "-"),
            Text(event.message.splitlines()[0] if event.message else ""),
        ),
        sort=(-event.time, event.kind, event.app, event.message),
        search=f"{event.kind} {event.app} {event.message}",
        attention=event.kind == "error",
        extra=event,
    )


class EventsScreen(TableScreen):
    COLUMNS = EVENT_COLUMNS
    EMPTY = "No reconcile event yet."

    def compose_top(self) -> ComposeResult:
        yield Static(Text("Reconcile events", style="bold"), id="title", classes="screen-title")

    def on_mount(self) -> None:
        super().on_mount()
        self.table.focus()
        self.refresh_events()
        self.set_interval(5.0, self.refresh_events)  # "(11s ago)" moves on between reconciles

    def snapshot_changed(self, snapshot: Any) -> None:
        self.refresh_events()

    def refresh_events(self) -> None:
        events = self.gitops.loop.events
        now = self.gitops.clock()
        rows = [event_row(len(events) - i, e, now) for i, e in enumerate(events)]
        # Newest first by time: a freeze or an automation switch is logged at the next reconcile, with
        # the time it happened, so the log's order alone can put it above a later drift.
        rows.sort(key=lambda r: -r.extra.time)
        self.set_rows(rows)

    @on(DataTable.RowSelected, "#table")
    def _open(self, event: DataTable.RowSelected) -> None:
        """`enter` on an event opens its app (an event about no app, or one gone since, says so)."""
        row = next((r for r in self.table.shown if r.key == str(event.row_key.value)), None)
        name = row.extra.app if row is not None else ""
        snapshot = self.gitops.snapshot
        if not name or snapshot is None or snapshot.app(name) is None:
            self.notify("This event is about no app that exists now", severity="warning")
            return
        self.app.push_screen(AppScreen(name))

    def describe(self, row: TableRow) -> Text | None:
        event: LoopEvent = row.extra
        text = Text(f"{event.kind} {event.app or ''}".rstrip(), style="bold")
        text.append(f"\n{event.message}")
        return text
