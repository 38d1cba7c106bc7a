"""One application: its resources with sync, health, drifted fields and who changed them last; below them,
its hooks apart (as Argo CD lists them: not drift, with the health of their last run)."""

from __future__ import annotations

from typing import Any

from rich.console import Group
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import DataTable, Static

from gitops_tui.model import AppStatus, ResourceStatus, SyncStatus
from gitops_tui.ui.cells import describe_drift, health_text, sync_text
from gitops_tui.ui.rows import RESOURCE_COLUMNS, hooks_table, resource_row
from gitops_tui.ui.screens.base import TableScreen
from gitops_tui.ui.screens.diff import DiffScreen, ResourceSource
from gitops_tui.ui.screens.history import HistoryScreen
from gitops_tui.ui.widgets.status_table import TableRow


class AppScreen(TableScreen):
    BINDINGS = [
        Binding(
            "d", "diff", "Diff", id="app.diff", tooltip="Diff the marked resources, or every drifted one"
        ),
        Binding("h", "history", "History", id="app.history", tooltip="Commits that touched the app's path"),
        Binding("s", "sync", "Sync", id="app.sync", tooltip="Apply the marked resources (or all) from Git"),
        Binding(
            "a",
            "adopt",
            "Adopt",
            id="app.adopt",
            tooltip="Write the live values of a drifted resource into Git",
        ),
    ]

    COLUMNS = RESOURCE_COLUMNS
    MARKABLE = True

    def __init__(self, app_name: str) -> None:
        super().__init__()
        self.app_name = app_name

    def compose_top(self) -> ComposeResult:
        yield Static("", id="title", classes="screen-title")

    def on_mount(self) -> None:
        # Under the resources, before the detail line; shown only when the app has hooks.
        self.mount(Static("", id="hooks"), after="#empty")
        super().on_mount()
        self.table.focus()

    def _show_hooks(self, status: AppStatus | None) -> None:
        section = self.query_one("#hooks", Static)
        hooks = status.hooks if status is not None else ()
        section.display = bool(hooks)
        if not hooks:
            section.update("")
            return
        title = Text("Hooks", style="bold")
        title.append(f" ({len(hooks)})  not compared as drift; not run by gitops-tui", style="dim")
        section.update(Group(title, hooks_table(hooks)))

    @property
    def status(self) -> AppStatus | None:
        snapshot = self.gitops.snapshot
        return snapshot.app(self.app_name) if snapshot is not None else None

    def snapshot_changed(self, snapshot: Any) -> None:
        status = self.status
        title = self.query_one("#title", Static)
        self._show_hooks(status)
        if status is None:
            title.update(Text(f"{self.app_name}: no longer in the repository", style="bold red"))
            self.set_rows([], empty="")
            return
        text = Text()
        text.append(status.app.id, style="bold")
        text.append("  ")
        text.append_text(sync_text(status.sync))
        text.append("  ")
        text.append_text(health_text(status.health))
        text.append(f"  {status.app.path or '.'}", style="dim")
        if status.revision:
            text.append(f" @ {status.revision}{'*' if status.dirty else ''}", style="dim")
        if status.error:
            text.append("\n")
            text.append(status.error, style="red")
        title.update(text)
        now = self.gitops.clock()
        empty = "This app has no resources."
        if status.error:  # not "no resources": they could not be read (the error is in the title above)
            empty = "Its resources are not shown: the app could not be rendered or compared (see above)."
        self.set_rows([resource_row(r, now) for r in status.resources], empty=empty)

    def describe(self, row: TableRow) -> Text | None:
        res: ResourceStatus = row.extra
        text = Text(res.key.display(), style="bold")
        if res.version:
            text.append(f"  {res.version}", style="dim")
        if res.needs_replace:
            text.append("  needs replace", style="bold magenta")
        if res.sync_options:
            text.append(f"  sync-options: {', '.join(res.sync_options)}", style="cyan")
        if res.compare_options:
            text.append(f"  compare-options: {', '.join(res.compare_options)}", style="cyan")
        for line in (res.error, res.note, res.health_message):
            if line:
                text.append(f"\n{line}", style="red" if line is res.error else "dim")
        now = self.gitops.clock()
        for drift in res.drift[:3]:
            text.append(f"\n  {describe_drift(drift, now)}", style="yellow")
        if len(res.drift) > 3:
            text.append(f"\n  … {len(res.drift) - 3} more (d or enter for the diff)", style="dim")
        return text

    @on(DataTable.RowSelected, "#table")
    def _open(self, event: DataTable.RowSelected) -> None:
        row = self.table.current
        if row is None:
            return
        self.app.push_screen(DiffScreen(ResourceSource([(self.app_name, row.extra.key)])))

    def action_diff(self) -> None:
        table = self.table
        chosen = [r.extra for r in table.shown if r.key in table.marked]
        if not chosen:
            chosen = [r.extra for r in table.shown if r.extra.sync is not SyncStatus.SYNCED]
        if not chosen:
            self.notify(f"{self.app_name} is in sync: nothing to diff", timeout=3)
            return
        self.app.push_screen(DiffScreen(ResourceSource([(self.app_name, r.key) for r in chosen])))

    def action_history(self) -> None:
        self.app.push_screen(HistoryScreen(self.app_name))

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("sync", "adopt") and not self.gitops.mutation_allowed():
            return False
        return super().check_action(action, parameters)

    def action_sync(self) -> None:
        table = self.table
        marked = [r.extra.key for r in table.shown if r.key in table.marked]
        self.gitops.mutations.sync(self.app_name, marked or None)

    def action_adopt(self) -> None:
        row = self.table.current
        if row is None:
            return
        res: ResourceStatus = row.extra
        if res.sync is not SyncStatus.OUT_OF_SYNC:
            self.notify(
                f"{res.key.display()} is {res.sync.value}: only drifted fields can be adopted", timeout=4
            )
            return
        self.gitops.mutations.adopt(self.app_name, res.key)
