"""The Apps screen's rows as a tree: children under the app that declares them (app-of-apps, Flux's trees,
ApplicationSets), grouped by cluster when the repository has several, each parent and cluster foldable.

A repository with neither children nor clusters gets exactly the flat rows it always had. Filtering or
sorting shows every matching app flat (the table leaves the cluster rows out then).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import partial

from rich.text import Text

from gitops_tui.model import DEFAULT_HOME, HELM_RELEASE, AppStatus, SyncStatus
from gitops_tui.ui.rows import AppRows, app_row
from gitops_tui.ui.widgets.status_table import TableRow

GROUP_PREFIX = "cluster:"  # row keys of cluster rows; app ids never start so (no ":" before a "/")


@dataclass(frozen=True)
class ClusterGroup:
    """What a cluster row stands for."""

    name: str
    context: str
    apps: int
    out_of_sync: int
    errors: int


def group_key(cluster: str) -> str:
    return GROUP_PREFIX + cluster


def is_tree(apps: Sequence[AppStatus]) -> bool:
    return any(a.app.parent or a.app.cluster for a in apps)


def tree_rows(
    apps: Sequence[AppStatus],
    now: float,
    folded: set[str],
    contexts: Mapping[str, str],
    memo: AppRows | None = None,
) -> list[TableRow]:
    """Rows in tree order (the snapshot's), folded ones marked hidden. `folded`: app ids and group keys.
    `memo`: the rows of the last call, reused for the statuses it showed."""
    memo = memo if memo is not None else AppRows()
    try:
        return _rows(apps, now, folded, contexts, memo)
    finally:
        memo.done()


def _rows(
    apps: Sequence[AppStatus], now: float, folded: set[str], contexts: Mapping[str, str], memo: AppRows
) -> list[TableRow]:
    if not is_tree(apps):
        return [memo.row(a, now, (), partial(app_row, a, now)) for a in apps]
    ids = {a.app.id for a in apps}
    parent_of = {a.app.id: a.app.parent for a in apps if a.app.parent in ids}
    has_children = set(parent_of.values())
    clusters = list(dict.fromkeys(a.app.cluster for a in apps))
    grouped = len([c for c in clusters if c]) > 0
    rows: list[TableRow] = []
    seen: set[str] = set()
    for cluster in clusters:
        members = [a for a in apps if a.app.cluster == cluster]
        if grouped and cluster:
            rows.append(_group_row(cluster, members, contexts.get(cluster, ""), group_key(cluster) in folded))
        for status in members:
            app_id = status.app.id
            ancestors = _ancestors(app_id, parent_of)
            hidden = (grouped and cluster and group_key(cluster) in folded) or any(
                a in folded for a in ancestors
            )
            key = app_id if app_id not in seen else f"{app_id}#{len(rows)}"  # a duplicate id (reported)
            seen.add(app_id)
            depth, parent, fold = len(ancestors), app_id in has_children, app_id in folded
            build = partial(
                _tree_row, status, now, key, depth=depth, parent=parent, folded=fold, hidden=bool(hidden)
            )
            rows.append(memo.row(status, now, (key, depth, parent, fold, bool(hidden)), build))
    return rows


def _ancestors(app_id: str, parent_of: Mapping[str, str]) -> list[str]:
    out: list[str] = []
    current = parent_of.get(app_id, "")
    while current and current not in out:
        out.append(current)
        current = parent_of.get(current, "")
    return out


def short_name(status: AppStatus) -> str:
    """The app's name within its cluster row: its namespace too where it is not the usual one."""
    app = status.app
    home = app.home or DEFAULT_HOME.get(app.origin, "")
    default = DEFAULT_HOME.get(app.origin, "")
    return f"{home}/{app.name}" if home and home != default and app.kind != HELM_RELEASE else app.name


def _tree_row(
    status: AppStatus, now: float, key: str, *, depth: int, parent: bool, folded: bool, hidden: bool
) -> TableRow:
    base = app_row(status, now)
    name = Text("  " * depth)
    name.append("▸ " if parent and folded else "▾ " if parent else "  ", style="dim")
    name.append(short_name(status), style="bold")
    if status.app.kind == HELM_RELEASE:
        name.append(" (HelmRelease)", style="dim")
    if status.error:
        name.append(" !", style="bold red")
    app = status.app
    search = f"{base.search} {app.cluster} {app.kind} {app.appset} {short_name(status)}"
    return TableRow(
        key=key,
        cells=(name, *base.cells[1:]),
        sort=base.sort,
        search=search,
        attention=base.attention,
        extra=status,
        hidden=hidden,
    )


def _group_row(cluster: str, members: Sequence[AppStatus], context: str, folded: bool) -> TableRow:
    info = ClusterGroup(
        name=cluster,
        context=context,
        apps=len(members),
        out_of_sync=sum(1 for a in members if a.sync is not SyncStatus.SYNCED),
        errors=sum(1 for a in members if a.error),
    )
    name = Text("▸ " if folded else "▾ ", style="bold")
    name.append(f"cluster {cluster}", style="bold magenta")
    counts = Text(f"{info.apps} apps", style="dim")
    if info.out_of_sync:
        counts.append(f", {info.out_of_sync} not synced", style="yellow")
    message = Text(f"→ {context}" if context else "→ (no kube context)", style="cyan" if context else "red")
    cells: list[Text | str] = [name, Text(""), Text(""), counts, Text(""), Text(""), message]
    return TableRow(
        key=group_key(cluster),
        cells=tuple(cells),
        sort=(cluster, 9, 9, 0, "", 0.0, ""),
        search="",
        attention=False,
        extra=info,
        group=True,
    )
