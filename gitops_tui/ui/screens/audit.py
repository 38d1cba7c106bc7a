"""The Audit screen: every mutation this machine made (sync, prune, revert, adopt, push), newest first,
from the JSONL audit log — who, where, what, and how it ended. Never values."""

from __future__ import annotations

import time
from typing import Any

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.message import Message
from textual.widgets import Static

from gitops_tui.audit import AuditEntry
from gitops_tui.ui.cells import duration
from gitops_tui.ui.screens.base import TableScreen
from gitops_tui.ui.widgets.status_table import Column, TableRow

AUDIT_COLUMNS = [
    Column("time", "Time"),
    Column("action", "Action"),
    Column("app", "App"),
    Column("result", "Result"),
    Column("context", "Context"),
    Column("who", "Who"),
    Column("resources", "Resources"),
]

_RESULT_STYLE = {"ok": "green", "partial": "yellow", "failed": "bold red", "refused": "red"}


def audit_row(index: int, entry: AuditEntry, now: float) -> TableRow:
    stamp = time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(entry.time))
    resources = ", ".join(entry.resources[:3]) + (
        f" +{len(entry.resources) - 3}" if len(entry.resources) > 3 else ""
    )
    who = entry.git_user or entry.kube_user
    return TableRow(
        key=f"{index}",
        cells=(
            Text(f"{stamp} ({duration(now - entry.time)} ago)", style="dim"),
            Text(entry.action, style="bold"),
            Text(entry.app),
            Text(entry.result, style=_RESULT_STYLE.get(entry.result, "")),
            Text(entry.context, style="cyan"),
            Text(who),
            Text(resources, style="dim"),
        ),
        sort=(-entry.time, entry.action, entry.app, entry.result, entry.context, who, resources),
        search=f"{entry.action} {entry.app} {entry.result} {entry.context} {who} {resources} {entry.message}",
        attention=entry.result not in ("ok",),
        extra=entry,
    )


class AuditScreen(TableScreen):
    COLUMNS = AUDIT_COLUMNS
    EMPTY = "Reading the audit log…"

    class Loaded(Message):
        def __init__(self, entries: list[AuditEntry], where: str, error: str = "") -> None:
            super().__init__()
            self.entries, self.where, self.error = entries, where, error

    def compose_top(self) -> ComposeResult:
        yield Static(Text("Audit log", style="bold"), id="title", classes="screen-title")

    def on_mount(self) -> None:
        super().on_mount()
        self.table.focus()
        self.load()

    def snapshot_changed(self, snapshot: Any) -> None:
        if self.is_mounted and self.app.screen is self:
            self.load()  # a mutation is followed by a reconcile: show its entry

    @work(thread=True, exclusive=True, group="audit", exit_on_error=False, description="read the audit log")
    def load(self) -> None:
        actions = self.gitops.actions
        if actions is None:
            self.post_message(self.Loaded([], "", "no audit log: this session cannot change anything"))
            return
        log = actions.audit
        try:
            entries = log.entries(limit=1000)
        except OSError as exc:
            self.post_message(
                self.Loaded([], str(log.path), f"cannot read {log.path}: {exc.strerror or exc}")
            )
            return
        self.post_message(self.Loaded(entries, str(log.path)))

    @on(Loaded)
    def _show(self, message: Loaded) -> None:
        title = Text("Audit log", style="bold")
        if message.where:
            title.append(f"  {message.where}", style="dim")
        self.query_one("#title", Static).update(title)
        now = self.gitops.clock()
        empty = message.error or "No mutation recorded yet: sync, adopt and revert are logged here."
        self.set_rows([audit_row(i, e, now) for i, e in enumerate(message.entries)], empty=empty)

    def describe(self, row: TableRow) -> Text | None:
        entry: AuditEntry = row.extra
        text = Text(f"{entry.action} {entry.app}: {entry.result}", style="bold")
        people = [
            p
            for p in (
                entry.git_user and f"git {entry.git_user}",
                entry.kube_user and f"kube {entry.kube_user}",
            )
            if p
        ]
        if people:
            text.append("  " + ", ".join(people), style="dim")
        if entry.message:
            text.append(f"\n{entry.message}")
        if entry.resources:
            text.append("\n" + ", ".join(entry.resources), style="dim")
        details = {k: v for k, v in entry.details.items() if v not in ((), [], {}, "", None)}
        if details:
            text.append("\n" + "  ".join(f"{k}={v}" for k, v in details.items()), style="dim")
        return text
