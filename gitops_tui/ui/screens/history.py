"""An app's history: the commits that touched its path, newest first; enter shows a commit's changes."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.message import Message
from textual.widgets import DataTable, Static

from gitops_tui.model import Commit, GitopsError
from gitops_tui.ui.rows import COMMIT_COLUMNS, commit_row
from gitops_tui.ui.screens.base import TableScreen
from gitops_tui.ui.screens.diff import CommitSource, DiffScreen
from gitops_tui.ui.widgets.status_table import TableRow


class HistoryScreen(TableScreen):
    BINDINGS = [
        Binding(
            "v",
            "revert",
            "Revert",
            id="history.revert",
            tooltip="Revert the highlighted commit (preview first)",
        ),
    ]
    COLUMNS = COMMIT_COLUMNS
    EMPTY = "Loading history…"

    @dataclass
    class CommitsLoaded(Message):
        commits: list[Commit]
        error: str = ""

    def __init__(self, app_name: str) -> None:
        super().__init__()
        self.app_name = app_name
        self._head: str | None = None  # HEAD the list was read at: a revert or an adopt moves it
        self._loaded: HistoryScreen.CommitsLoaded | None = None  # the last read, shown again as ages move

    def compose_top(self) -> ComposeResult:
        yield Static(Text(f"History of {self.app_name}", style="bold"), id="title", classes="screen-title")

    def on_mount(self) -> None:
        super().on_mount()
        self.table.focus()
        self.load()
        self.set_interval(5.0, self._show_ages)  # a commit's age moves on while the screen is open

    def snapshot_changed(self, snapshot: Any) -> None:
        head = snapshot.header.head.rstrip("*") if snapshot is not None else None
        if head and self._head and head != self._head:
            self.load()  # a new commit (our revert, an adopt, a pull): show it
        self._head = head or self._head
        status = snapshot.app(self.app_name) if snapshot is not None else None
        if status is not None:
            title = Text(f"History of {self.app_name}", style="bold")
            title.append(f"  {status.app.path or '.'}", style="dim")
            self.query_one("#title", Static).update(title)

    @work(
        thread=True,
        exclusive=True,
        group="history",
        exit_on_error=False,
        description="read the app's history",
    )
    def load(self) -> None:
        try:
            commits = self.gitops.backend.history(self.app_name)
        except GitopsError as exc:
            self.post_message(self.CommitsLoaded([], exc.message))
            return
        self.post_message(self.CommitsLoaded(commits))

    @on(CommitsLoaded)
    def _show(self, message: CommitsLoaded) -> None:
        self._loaded = message
        self._show_ages()

    def _show_ages(self) -> None:
        message = self._loaded
        if message is None:
            return
        now = self.gitops.clock()
        empty = (
            f"History unavailable: {message.error}" if message.error else "No commits touch this app's path."
        )
        self.set_rows([commit_row(c, now) for c in message.commits], empty=empty)

    def describe(self, row: TableRow) -> Text | None:
        commit: Commit = row.extra
        text = Text(commit.sha[:12], style="yellow")
        text.append(f"  {commit.author} <{commit.email}>", style="cyan")
        body = (commit.message or commit.summary).strip()
        text.append(f"\n{body.splitlines()[0] if body else ''}")
        if commit.files:
            shown = ", ".join(commit.files[:4]) + (
                f" (+{len(commit.files) - 4} more)" if len(commit.files) > 4 else ""
            )
            text.append(f"\nfiles: {shown}", style="dim")
        return text

    @on(DataTable.RowSelected, "#table")
    def _open(self, _event: DataTable.RowSelected) -> None:
        row = self.table.current
        if row is not None:
            self.app.push_screen(DiffScreen(CommitSource(row.extra)))

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "revert" and not self.gitops.mutation_allowed():
            return False
        return super().check_action(action, parameters)

    def action_revert(self) -> None:
        row = self.table.current
        if row is not None:
            self.gitops.mutations.revert(self.app_name, row.extra)
