"""The Apps screen's rows are remembered from one refresh to the next: reused while the status is the same
object (with the age moved on), their cells reused for a new status that shows the same (a hard refresh),
built again once a reconcile changed what the row shows, forgotten once no refresh asks for them."""

from __future__ import annotations

from dataclasses import replace

import pytest
from rich.text import Text

from gitops_tui.model import AppOrigin, AppStatus, HealthStatus, ResourceKey, ResourceStatus, SyncStatus
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


def resource(name: str, sync: SyncStatus = SyncStatus.SYNCED) -> ResourceStatus:
    return ResourceStatus(
        key=ResourceKey("apps", "Deployment", "web", name),
        version="v1",
        sync=sync,
        health=HealthStatus.HEALTHY,
    )


def drawn(row: object) -> list[object]:
    """Everything a row puts on the screen or sorts and filters by: the cells with their styles too (a
    Text's == leaves its base style out)."""
    cells = [(c.plain, str(c.style), c.spans) if isinstance(c, Text) else c for c in row.cells]  # type: ignore[attr-defined]
    return [cells, row.sort, row.search, row.attention, row.hidden, row.key]  # type: ignore[attr-defined]


BEFORE = AppStatus(
    app=spec("web", "apps/web", "web", parent="apps"),
    sync=SyncStatus.OUT_OF_SYNC,
    health=HealthStatus.HEALTHY,
    resources=(resource("a", SyncStatus.OUT_OF_SYNC), resource("b")),
    revision="abc1234",
    reconciled_at=NOW - 30,
    notes=("one note", "another"),
)
PARENT = AppStatus(app=spec("apps", "apps", "apps"), sync=SyncStatus.SYNCED, health=HealthStatus.HEALTHY)

# A new status for the same app after a reconcile: each changes one thing the row may show (or not).
AFTER = {
    "same content, compared again": replace(BEFORE, reconciled_at=NOW - 1),
    "sync": replace(BEFORE, sync=SyncStatus.SYNCED),
    "health": replace(BEFORE, health=HealthStatus.DEGRADED),
    "drifted": replace(BEFORE, resources=(resource("a"), resource("b"))),
    "drifted the other way": replace(BEFORE, resources=(resource("a", SyncStatus.MISSING), resource("b"))),
    "total": replace(BEFORE, resources=(*BEFORE.resources, resource("c"))),
    "revision": replace(BEFORE, revision="def5678"),
    "dirty": replace(BEFORE, dirty=True),
    "error": replace(BEFORE, error="kustomize build failed"),
    "first note": replace(BEFORE, notes=("a new note",)),
    "second note": replace(BEFORE, notes=("one note", "changed")),
    "no notes": replace(BEFORE, notes=()),
    "path": replace(BEFORE, app=replace(BEFORE.app, path="apps/web2")),
    "home": replace(BEFORE, app=replace(BEFORE.app, home="team-a")),
    "origin": replace(BEFORE, app=replace(BEFORE.app, origin=AppOrigin.FLUX)),
    "appset": replace(BEFORE, app=replace(BEFORE.app, appset="web-set")),
    "context": replace(BEFORE, context="other"),
    "hooks and the rest of the spec": replace(BEFORE, app=replace(BEFORE.app, prune=True, automated=True)),
}


@pytest.mark.parametrize("change", list(AFTER))
@pytest.mark.parametrize("shape", ["flat", "tree", "folded tree"])
def test_a_new_status_is_drawn_as_a_fresh_build_draws_it(change: str, shape: str) -> None:
    after = AFTER[change]
    folded = {"apps"} if shape == "folded tree" else set()

    def apps_of(s: AppStatus) -> list[AppStatus]:
        return [replace(s, app=replace(s.app, parent=""))] if shape == "flat" else [PARENT, s]

    memo = AppRows()
    tree_rows(apps_of(BEFORE), NOW, folded, {}, memo)
    kept = tree_rows(apps_of(after), NOW + 5, folded, {}, memo)
    fresh = tree_rows(apps_of(after), NOW + 5, folded, {})
    assert [drawn(r) for r in kept] == [drawn(r) for r in fresh]
    assert kept[-1].extra == apps_of(after)[-1]  # the new status, not the one the row was made for
    assert kept[-1].extra.reconciled_at == after.reconciled_at


def test_a_hard_refresh_that_changed_nothing_reuses_every_cell_but_the_age() -> None:
    memo = AppRows()
    [first] = tree_rows([BEFORE], NOW, set(), {}, memo)
    again = replace(BEFORE, reconciled_at=NOW - 1)  # compared again, the same outcome
    [row] = tree_rows([again], NOW, set(), {}, memo)
    assert row.extra is again and row.sort[AGE_CELL] == -again.reconciled_at
    assert [a is b for a, b in zip(first.cells, row.cells, strict=True)] == [i != AGE_CELL for i in range(7)]
    assert plain(row)[AGE_CELL] == "1s"
