"""The Apps screen's rows are remembered by status object: reused while the status is the same object (with
the age moved on), built again once a reconcile replaced it, forgotten once no refresh asks for them."""

from __future__ import annotations

from dataclasses import replace

from gitops_tui.model import AppStatus, HealthStatus, SyncStatus
from gitops_tui.ui.apptree import tree_rows
from gitops_tui.ui.rows import AGE_CELL, AppRows, app_row
from tests.ui.fakes import spec

NOW = 1_000_000.0


def status(name: str, **kw: object) -> AppStatus:
    fields: dict[str, object] = {"sync": SyncStatus.SYNCED, "health": HealthStatus.HEALTHY}
    fields.update(kw)
    return AppStatus(app=spec(name, f"apps/{name}", name), reconciled_at=NOW - 10, **fields)  # type: ignore[arg-type]


def plain(row: object) -> list[str]:
    return [getattr(c, "plain", c) for c in row.cells]  # type: ignore[attr-defined]


def test_the_same_status_gets_the_same_row_and_cells() -> None:
    memo = AppRows()
    apps = [status("web"), status("api")]
    first = tree_rows(apps, NOW, set(), {}, memo)
    again = tree_rows(apps, NOW + 0.1, set(), {}, memo)  # the age text is still "10s"
    assert [a is b for a, b in zip(first, again, strict=True)] == [True, True]


def test_only_the_age_cell_moves_on() -> None:
    memo = AppRows()
    apps = [status("web")]
    [first] = tree_rows(apps, NOW, set(), {}, memo)
    [later] = tree_rows(apps, NOW + 60, set(), {}, memo)
    assert later is not first
    assert plain(later) == plain(app_row(apps[0], NOW + 60))
    assert plain(later)[AGE_CELL] != plain(first)[AGE_CELL]
    same = [i for i in range(len(first.cells)) if first.cells[i] is later.cells[i]]
    assert same == [i for i in range(len(first.cells)) if i != AGE_CELL]
    assert later.extra is apps[0] and later.sort == first.sort


def test_a_replaced_status_is_shown_as_it_now_is() -> None:
    memo = AppRows()
    web = status("web")
    tree_rows([web], NOW, set(), {}, memo)
    broken = replace(web, sync=SyncStatus.OUT_OF_SYNC, error="render failed")
    [row] = tree_rows([broken], NOW, set(), {}, memo)
    assert plain(row) == plain(app_row(broken, NOW))
    assert row.extra is broken


def test_tree_rows_are_remembered_per_place_in_the_tree() -> None:
    memo = AppRows()
    parent = status("apps")
    child = AppStatus(
        app=spec("web", "apps/web", "web", parent="apps"), sync=SyncStatus.SYNCED, health=HealthStatus.HEALTHY
    )
    open_rows = tree_rows([parent, child], NOW, set(), {}, memo)
    folded = tree_rows([parent, child], NOW, {"apps"}, {}, memo)
    assert [r.hidden for r in folded] == [False, True]  # the fold is part of what is remembered
    assert folded[0] is not open_rows[0] and "▸" in folded[0].cells[0].plain  # type: ignore[union-attr]
    assert tree_rows([parent, child], NOW, {"apps"}, {}, memo)[1] is folded[1]


def test_what_a_refresh_did_not_show_is_forgotten() -> None:
    memo = AppRows()
    web = status("web")
    [first] = tree_rows([web], NOW, set(), {}, memo)
    tree_rows([status("api")], NOW, set(), {}, memo)  # web is gone from this refresh
    [back] = tree_rows([web], NOW, set(), {}, memo)
    assert back is not first and plain(back) == plain(first)
