"""The home screen: every application, its sync and health, updated in place by each reconcile."""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual import on
from textual.binding import Binding
from textual.widgets import DataTable

from gitops_tui.model import HELM_RELEASE, AppStatus, SyncStatus
from gitops_tui.ui.apptree import ClusterGroup, group_key, is_tree, tree_rows
from gitops_tui.ui.rows import APP_COLUMNS, AppRows
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
        Binding(
            "z", "fold", "Fold", id="apps.fold", tooltip="Fold or unfold the app's children (or the cluster)"
        ),
        Binding(
            "Z", "fold_all", "Fold all", id="apps.fold_all", show=False, tooltip="Fold or unfold every tree"
        ),
    ]

    COLUMNS = APP_COLUMNS
    MARKABLE = True
    EMPTY = "Waiting for the first reconcile…"

    def __init__(self) -> None:
        super().__init__()
        self.folded: set[str] = set()  # app ids and cluster rows folded away
        self._rows = AppRows()

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
        contexts = dict(getattr(snapshot.header, "clusters", ()) or ())
        self.set_rows(tree_rows(snapshot.apps, now, self.folded, contexts, self._rows), empty=empty)

    def describe(self, row: TableRow) -> Text | None:
        if isinstance(row.extra, ClusterGroup):
            group = row.extra
            text = Text(f"cluster {group.name}", style="bold")
            text.append(
                f"  → kube context {group.context or '(none)'}", style="cyan" if group.context else "red"
            )
            text.append(
                f"  {group.apps} apps, {group.out_of_sync} not synced, {group.errors} with errors",
                style="dim",
            )
            text.append("  (z folds it)", style="dim")
            return text
        status: AppStatus = row.extra
        spec = status.app
        text = Text()
        text.append(spec.id, style="bold")
        kind = f"{spec.kind} · " if spec.kind == HELM_RELEASE else ""  # the origin says the rest
        text.append(f"  {kind}{spec.origin} · {spec.source_type} · {spec.path or '.'}", style="dim")
        if spec.parent:
            text.append(f"  ← {spec.parent}", style="dim")
        if spec.appset:
            text.append(f" (ApplicationSet {spec.appset})", style="dim")
        where = " / ".join(p for p in (status.context, spec.namespace) if p)
        if where:
            text.append(f"  → {where}", style="dim")
        if spec.automated:
            text.append("  automated", style="green")
        if spec.suspended:
            text.append("  suspended (automation never acts)", style="yellow")
        if spec.depends_on:  # Flux applies it once these are Ready; a sync of several follows that order
            text.append(f"  after {', '.join(spec.depends_on)}", style="dim")
        if status.error:
            text.append("\n")
            text.append(status.error, style="red")
        for note in status.notes[:2]:
            text.append(f"\n{note}", style="dim")
        return text

    # -- navigation --------------------------------------------------------------------------------------------
    @on(DataTable.RowSelected, "#table")
    def _open(self, event: DataTable.RowSelected) -> None:
        row = self.table.current
        if row is not None and row.group:
            self._toggle(row.key)
            return
        if row is not None and isinstance(row.extra, AppStatus):
            self.app.push_screen(AppScreen(row.extra.app.id))

    def _chosen(self) -> list[AppStatus]:
        table = self.table
        rows = {r.key: r for r in table.shown}
        marked = [rows[k].extra for k in rows if k in table.marked and isinstance(rows[k].extra, AppStatus)]
        if marked:
            return marked
        current = table.current
        return [current.extra] if current is not None and isinstance(current.extra, AppStatus) else []

    # -- folding ---------------------------------------------------------------------------------------------
    def _toggle(self, key: str) -> None:
        self.folded.symmetric_difference_update({key})
        self._refresh_rows()
        self.table.select_key(key)

    def action_fold(self) -> None:
        """Fold the highlighted parent (or cluster); on a leaf, fold the tree it is in, staying on it."""
        row = self.table.current
        if row is None:
            return
        if row.group:
            self._toggle(row.key)
            return
        status: AppStatus = row.extra
        shown = self.gitops.snapshot.apps if self.gitops.snapshot is not None else ()
        if any(a.app.parent == status.app.id for a in shown):
            self._toggle(status.app.id)
        elif status.app.parent:
            self._toggle(status.app.parent)
        else:
            self.notify(f"{status.app.id} declares no apps: nothing to fold", timeout=2)

    def action_fold_all(self) -> None:
        if self.folded:
            self.folded.clear()
        else:
            snapshot = self.gitops.snapshot
            apps = snapshot.apps if snapshot is not None else ()
            self.folded = {a.app.parent for a in apps if a.app.parent}
            self.folded |= {group_key(a.app.cluster) for a in apps if a.app.cluster}
        self._refresh_rows()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("fold", "fold_all"):
            snapshot = self.gitops.snapshot
            return snapshot is not None and is_tree(snapshot.apps)
        return self._check_sync(action, parameters)

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
        row = self.table.current  # the highlighted app's history, marks or not
        if row is not None and isinstance(row.extra, AppStatus):
            self.app.push_screen(HistoryScreen(row.extra.app.id))

    def _check_sync(self, action: str, parameters: tuple[object, ...]) -> bool | None:
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
