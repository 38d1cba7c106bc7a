"""Model objects as table rows: the cells each screen shows, how they sort, and what `n`/`N` stops at."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import Any

from rich.table import Table
from rich.text import Text

from gitops_tui.engine.status import ignored_extraneous
from gitops_tui.model import AppStatus, Commit, HealthStatus, HookStatus, ResourceStatus, SyncStatus
from gitops_tui.ui.cells import (
    HEALTH_RANK,
    SYNC_RANK,
    ago,
    clipped,
    count_text,
    duration,
    error_text,
    health_text,
    parse_time,
    sync_text,
)
from gitops_tui.ui.widgets.status_table import Column, TableRow

APP_COLUMNS = [
    Column("name", "App"),
    Column("sync", "Sync"),
    Column("health", "Health"),
    Column("drifted", "Drifted"),
    Column("revision", "Revision"),
    Column("reconciled", "Reconciled"),
    Column("message", "Message"),
]

RESOURCE_COLUMNS = [
    Column("kind", "Kind"),
    Column("namespace", "Namespace"),
    Column("name", "Name"),
    Column("sync", "Sync"),
    Column("health", "Health"),
    Column("drift", "Fields"),
    Column("manager", "Last changed by"),
    Column("message", "Message"),
]

COMMIT_COLUMNS = [
    Column("sha", "Commit"),
    Column("age", "Age"),
    Column("author", "Author"),
    Column("summary", "Message"),
]

_BAD_HEALTH = (HealthStatus.DEGRADED, HealthStatus.UNKNOWN, HealthStatus.MISSING)


AGE_CELL = 5  # the "Reconciled" cell of an app row (and of a tree row): the only one time moves on


def app_age(status: AppStatus, now: float) -> str:
    return duration(now - status.reconciled_at) if status.reconciled_at else "—"


def app_row(status: AppStatus, now: float) -> TableRow:
    total = len(status.resources)
    revision = (status.revision or "") + ("*" if status.dirty else "")
    reconciled = app_age(status, now)
    if status.error:
        message = error_text(status.error, 40)
    elif status.notes:
        message = clipped(status.notes[0], 40, "dim")
    else:
        message = Text("")
    name = Text(status.app.id, style="bold")
    if status.error:
        name.append(" !", style="bold red")
    return TableRow(
        key=status.app.id,
        cells=(
            name,
            sync_text(status.sync),
            health_text(status.health),
            count_text(status.drifted, total),
            Text(revision, style="dim"),
            Text(reconciled, style="dim"),
            message,
        ),
        sort=(
            status.app.id,
            SYNC_RANK.get(status.sync, 9),
            HEALTH_RANK.get(status.health, 9),
            -status.drifted,
            revision,
            -status.reconciled_at,
            status.error,
        ),
        search=f"{status.app.id} {status.sync} {status.health} {status.app.path} {status.error}",
        attention=bool(status.error) or status.sync is not SyncStatus.SYNCED or status.health in _BAD_HEALTH,
        extra=status,
    )


def _shown(status: AppStatus) -> tuple[Any, ...]:
    """What an app's row (flat or in the tree) shows of its status, but for the age: two statuses with the
    same of these get the same cells. Every field `app_row`, `apptree._tree_row` and `short_name` read is
    here (tests/ui/test_app_rows.py builds rows both ways for each)."""
    app = status.app
    return (
        app.id,
        app.name,
        app.path,
        app.origin,
        app.kind,
        app.cluster,
        app.home,
        app.appset,
        status.sync,
        status.health,
        status.drifted,
        len(status.resources),
        status.revision,
        status.dirty,
        status.error,
        status.notes[:1],
    )


class AppRows:
    """Each app's row, remembered from one refresh of the Apps screen to the next. A status is frozen: the
    same object (one a reconcile of other apps did not replace, or any of them at the five-second age tick)
    has the same cells but for its age, and its row is reused with a new age cell when that moved on. A
    new status that shows the same (a hard refresh compares every app again and most come out as they
    were) reuses the cells too, with its own age, sort and model object. Building 200 rows afresh took
    7 ms of the UI's thread; now the age tick takes about 1 ms and an unchanged hard refresh about 2. The
    table, given the same cell objects, compares them by identity."""

    def __init__(self) -> None:
        self._last: dict[tuple[str, tuple[Any, ...]], tuple[AppStatus, tuple[Any, ...], TableRow]] = {}
        self._next: dict[tuple[str, tuple[Any, ...]], tuple[AppStatus, tuple[Any, ...], TableRow]] = {}

    def row(
        self, status: AppStatus, now: float, variant: tuple[Any, ...], build: Callable[[], TableRow]
    ) -> TableRow:
        """The row `build()` makes for `status` shown as `variant` (a tree row's depth, fold, ...)."""
        key = (status.app.id, variant)
        hit = self._last.get(key)
        same = hit is not None and hit[0] is status
        shown = hit[1] if hit and same else _shown(status)  # a status is frozen: what it shows is too
        if hit is None or hit[1] != shown:
            row = build()
        else:
            row, changes = hit[2], dict[str, Any]()
            age = app_age(status, now)
            cell = row.cells[AGE_CELL]
            if (cell.plain if isinstance(cell, Text) else cell) != age:
                changes["cells"] = (*row.cells[:AGE_CELL], Text(age, style="dim"), *row.cells[AGE_CELL + 1 :])
            if not same:  # the sort's age is the one value besides the age cell that moves with reconciled_at
                changes["sort"] = (*row.sort[:AGE_CELL], -status.reconciled_at, *row.sort[AGE_CELL + 1 :])
                changes["extra"] = status
            row = replace(row, **changes) if changes else row
        self._next[key] = (status, shown, row)
        return row

    def done(self) -> None:
        """End of a refresh: what it did not ask for is forgotten."""
        self._last, self._next = self._next, {}


def resource_row(res: ResourceStatus, now: float) -> TableRow:
    manager, when = res.last_manager
    who = Text(manager or "", style="cyan")
    if manager and when:
        who.append(f" {ago(when, now)}", style="dim")
    if res.sync in (SyncStatus.MISSING, SyncStatus.REQUIRES_PRUNING):
        fields = Text("—", style="dim")
    else:
        fields = Text(str(len(res.drift)), style="bold yellow" if res.drift else "dim")
    message = res.error or res.note or res.health_message
    if ignored_extraneous(res):
        message = "IgnoreExtraneous: the app stays Synced" + (f"; {message}" if message else "")
    message_text = error_text(message, 40) if res.error else clipped(message, 40, "dim")
    kind = f"{res.key.kind}.{res.key.group}" if res.key.group else res.key.kind
    return TableRow(
        key=res.key.display(),
        cells=(
            Text(res.key.kind),
            Text(res.key.namespace or "—", style="dim" if not res.key.namespace else ""),
            Text(res.key.name, style="bold"),
            sync_text(res.sync),
            health_text(res.health),
            fields,
            who,
            message_text,
        ),
        sort=(
            kind,
            res.key.namespace,
            res.key.name,
            SYNC_RANK.get(res.sync, 9),
            HEALTH_RANK.get(res.health, 9),
            -len(res.drift),
            -(parse_time(when) or 0.0),
            message,
        ),
        search=f"{kind} {res.key.namespace} {res.key.name} {res.sync} {res.health} {manager or ''} {message}",
        attention=res.sync is not SyncStatus.SYNCED or res.health in _BAD_HEALTH or bool(res.error),
        extra=res,
    )


def _commit_summary(commit: Commit) -> Text:
    """The summary, after who made it when a bot did (image automation, Renovate) and the ImagePolicies
    whose marked lines it changed."""
    text = Text()
    if commit.made_by:
        text.append(f"[{commit.made_by}] ", style="magenta")
    if commit.image_policies:
        text.append(f"[{', '.join(commit.image_policies)}] ", style="magenta dim")
    text.append(commit.summary)
    return text


def commit_row(commit: Commit, now: float) -> TableRow:
    return TableRow(
        key=commit.sha,
        cells=(
            Text(commit.short, style="yellow"),
            Text(duration(now - commit.timestamp), style="dim"),
            Text(commit.author, style="cyan"),
            _commit_summary(commit),
        ),
        sort=(commit.short, -commit.timestamp, commit.author, commit.summary),
        search=f"{commit.sha} {commit.author} {commit.email} {commit.message or commit.summary}",
        attention=commit.summary.lower().startswith(("revert", "adopt:")),
        extra=commit,
    )


HOOKS_SHOWN = 8


def hooks_table(hooks: Sequence[HookStatus]) -> Table:
    """An app's hooks, apart from its resources: phase, kind, name (or generateName…), wave, delete policy,
    and the live object of the last run with its health."""
    table = Table(box=None, padding=(0, 1), show_edge=False, header_style="bold", expand=False)
    for name in ("Hook", "Kind", "Namespace", "Name", "Wave", "Delete policy", "Health", "Live object"):
        table.add_column(name, no_wrap=True)
    for hook in hooks[:HOOKS_SHOWN]:
        phases = ",".join(hook.phases) if hook.phases else "ignored"
        live = Text(hook.live_name, style="cyan") if hook.live_name else Text("not run yet", style="dim")
        if hook.note:
            live = (
                Text(hook.note, style="dim")
                if not hook.live_name
                else live.append(f"  {hook.note}", style="dim")
            )
        table.add_row(
            Text(phases, style="bold magenta" if hook.phases else "dim"),
            Text(hook.key.kind),
            Text(hook.key.namespace or "—", style="" if hook.key.namespace else "dim"),
            Text(hook.name, style="bold"),
            Text(str(hook.wave), style="dim" if not hook.wave else ""),
            Text(",".join(hook.delete_policies) or "—", style="dim"),
            health_text(hook.health),
            live,
        )
    if len(hooks) > HOOKS_SHOWN:
        table.add_row(Text(f"… {len(hooks) - HOOKS_SHOWN} more (status --json lists them all)", style="dim"))
    return table
