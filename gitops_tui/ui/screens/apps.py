"""The home screen: every application, its sync and health, updated in place by each reconcile."""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual import on
from textual.binding import Binding
from textual.widgets import DataTable

from gitops_tui.model import AppStatus, SyncStatus
from gitops_tui.ui.rows import APP_COLUMNS, app_row
from gitops_tui.ui.screens.app_resources import AppScreen
from gitops_tui.ui.screens.base import TableScreen
from gitops_tui.ui.screens.diff import DiffScreen, ResourceSource
from gitops_tui.ui.screens.history import HistoryScreen
from gitops_tui.ui.widgets.status_table import TableRow


class AppsScreen(TableScreen):
    BINDINGS = [
        Binding(
            "d",
            "diff",
            "Diff",
            id="apps.diff",
            tooltip="Diff the drifted resources of the app (or marked apps)",
        ),
        Binding("h", "history", "History", id="apps.history", tooltip="Commits that touched the app's path"),
        Binding("s", "sync", "Sync", id="apps.sync", tooltip="Apply Git to the cluster (preview first)"),
    ]

    COLUMNS = APP_COLUMNS
    MARKABLE = True
    EMPTY = "Waiting for the first reconcile…"

    def on_mount(self) -> None:
        super().on_mount()
        self.table.focus()
        # ages in the "Reconciled" column move on between reconciles
        self.set_interval(5.0, self._refresh_rows)

    def snapshot_changed(self, snapshot: Any) -> None:
        self._refresh_rows()

    def _refresh_rows(self) -> None:
        snapshot = self.gitops.snapshot
        if snapshot is None:
            self.set_rows([], empty="Waiting for the first reconcile…")
            return
        now = self.gitops.clock()
        empty = "No applications found in the repository."
        errors = getattr(snapshot, "discovery_errors", ())
        if errors:
            empty += " Discovery: " + "; ".join(errors)
        self.set_rows([app_row(a, now) for a in snapshot.apps], empty=empty)

    def describe(self, row: TableRow) -> Text | None:
        status: AppStatus = row.extra
        spec = status.app
        text = Text()
        text.append(spec.id, style="bold")
        text.append(f"  {spec.origin} · {spec.source_type} · {spec.path or '.'}", style="dim")
        where = " / ".join(p for p in (status.context, spec.namespace) if p)
        if where:
            text.append(f"  → {where}", style="dim")
        if spec.automated:
            text.append("  automated", style="green")
        if status.error:
            text.append("\n")
            text.append(status.error, style="red")
        for note in status.notes[:2]:
            text.append(f"\n{note}", style="dim")
        return text

    # -- navigation --------------------------------------------------------------------------------------------
    @on(DataTable.RowSelected, "#table")
    def _open(self, event: DataTable.RowSelected) -> None:
        self.app.push_screen(AppScreen(str(event.row_key.value)))

    def _chosen(self) -> list[AppStatus]:
        table = self.table
        rows = {r.key: r for r in table.shown}
        marked = [rows[k].extra for k in rows if k in table.marked]
        if marked:
            return marked
        return [table.current.extra] if table.current is not None else []

    def action_diff(self) -> None:
        targets = [
            (status.app.id, res.key)
            for status in self._chosen()
            for res in status.resources
            if res.sync is not SyncStatus.SYNCED
        ]
        if not targets:
            names = ", ".join(s.app.id for s in self._chosen()) or "nothing highlighted"
            self.notify(f"No drifted resources ({names})", timeout=3)
            return
        self.app.push_screen(DiffScreen(ResourceSource(targets)))

    def action_history(self) -> None:
        row = self.table.current
        if row is not None:
            self.app.push_screen(HistoryScreen(row.key))

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "sync" and not self.gitops.mutation_allowed():
            return False
        return super().check_action(action, parameters)

    def action_sync(self) -> None:
        chosen = self._chosen()
        if not chosen:
            self.notify("No app to sync here (the filter shows none)", timeout=4)
            return
        if len(chosen) != 1:
            self.notify(
                f"Sync one app at a time: {len(chosen)} are marked (marks are for diffs; space unmarks)",
                timeout=4,
            )
            return
        self.gitops.mutations.sync(chosen[0].app.id)
