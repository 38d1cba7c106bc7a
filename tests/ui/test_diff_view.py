"""DiffView behaviour under Pilot: next/previous change, unified toggle, folds, documents, drawing."""

from __future__ import annotations

import time

import pytest
from textual.app import App, ComposeResult

from gitops_tui.ui.widgets.diff_layout import DiffDocument, RowKind
from gitops_tui.ui.widgets.diff_view import DiffView
from gitops_tui.ui.yaml_text import to_yaml
from tests.ui.latency import key_to_frame, summary


def numbered(count: int) -> list[str]:
    return [f"key{i}: value{i}" for i in range(count)]


def changed(lines: list[str], *indexes: int) -> list[str]:
    out = list(lines)
    for i in indexes:
        out[i] = f"key{i}: CHANGED"
    return out


class DiffApp(App[None]):
    def __init__(self, documents: list[DiffDocument]) -> None:
        super().__init__()
        self.documents = documents
        self.entered: list[int] = []

    def compose(self) -> ComposeResult:
        yield DiffView(self.documents)

    def on_diff_view_document_entered(self, message: DiffView.DocumentEntered) -> None:
        self.entered.append(message.index)


def text(lines: list[str]) -> str:
    return "\n".join(lines) + "\n"


def row_text(view: DiffView, row: int) -> str:
    return view.render_line(row - int(view.scroll_offset.y) + 1).text


async def test_n_and_shift_n_walk_the_changes_in_order() -> None:
    base = numbered(200)
    app = DiffApp([DiffDocument("doc", text(base), text(changed(base, 20, 100, 180)))])
    async with app.run_test(size=(100, 30)) as pilot:
        view = app.query_one(DiffView)
        assert view.change_count == 3
        assert view.current_change == -1
        await pilot.press("e")  # unfold everything so that jumping has to scroll
        seen = []
        offsets = []
        for _ in range(3):
            await pilot.press("n")
            seen.append((view.current_change, view.rows[view.cursor].kind, view.rows[view.cursor].left))
            offsets.append(view.cursor - int(view.scroll_offset.y))
        assert seen == [(0, RowKind.REPLACE, 20), (1, RowKind.REPLACE, 100), (2, RowKind.REPLACE, 180)]
        # each change is on screen; one in the middle of the text lands near the top, with context above
        assert all(0 <= offset < 28 for offset in offsets)
        assert 1 <= offsets[1] <= 4
        await pilot.press("n")  # no further change: stays
        assert view.current_change == 2
        await pilot.press("N")
        assert view.current_change == 1 and view.rows[view.cursor].left == 100
        await pilot.press("N")
        assert view.current_change == 0
        await pilot.press("N")  # nothing above the first change: stays
        assert view.current_change == 0 and view.rows[view.cursor].left == 20


async def test_previous_change_from_inside_a_change_goes_to_its_start() -> None:
    base = numbered(40)
    left = base
    right = changed(base, 10, 11, 12, 13)
    app = DiffApp([DiffDocument("doc", text(left), text(right))])
    async with app.run_test(size=(100, 30)) as pilot:
        view = app.query_one(DiffView)
        await pilot.press("n", "j", "j")
        assert view.rows[view.cursor].left == 12
        await pilot.press("N")
        assert view.rows[view.cursor].left == 10


async def test_u_toggles_unified_and_keeps_the_cursor_on_the_same_line() -> None:
    base = numbered(60)
    app = DiffApp([DiffDocument("doc", text(base), text(changed(base, 30)))])
    async with app.run_test(size=(100, 30)) as pilot:
        view = app.query_one(DiffView)
        await pilot.press("n", "j")
        assert view.rows[view.cursor].left == 31
        side_by_side_rows = len(view.rows)
        await pilot.press("u")
        assert view.unified is True
        assert view.rows[view.cursor].left == 31
        # the replaced line becomes a removal and an addition
        assert len(view.rows) == side_by_side_rows + 1
        kinds = {r.kind for r in view.rows}
        assert RowKind.REPLACE not in kinds and {RowKind.DELETE, RowKind.INSERT} <= kinds
        assert "(unified)" in view.render_line(0).text
        await pilot.press("u")
        assert view.unified is False and RowKind.REPLACE in {r.kind for r in view.rows}


async def test_enter_on_a_fold_expands_it_and_e_toggles_every_fold() -> None:
    base = numbered(100)
    app = DiffApp([DiffDocument("doc", text(base), text(changed(base, 50)))])
    async with app.run_test(size=(100, 30)) as pilot:
        view = app.query_one(DiffView)
        folds = [i for i, r in enumerate(view.rows) if r.kind is RowKind.FOLD]
        assert len(folds) == 2
        assert "47 unchanged lines" in row_text(view, folds[0])
        await pilot.press("j")  # title -> first fold
        assert view.cursor == folds[0]
        await pilot.press("enter")
        assert view.rows[view.cursor].kind is RowKind.EQUAL and view.rows[view.cursor].left == 0
        assert sum(r.kind is RowKind.FOLD for r in view.rows) == 1
        await pilot.press("e")
        assert sum(r.kind is RowKind.FOLD for r in view.rows) == 0
        assert len([r for r in view.rows if r.kind is RowKind.EQUAL]) == 99
        await pilot.press("e")
        assert sum(r.kind is RowKind.FOLD for r in view.rows) == 2


async def test_clicking_a_fold_expands_it() -> None:
    base = numbered(100)
    app = DiffApp([DiffDocument("doc", text(base), text(changed(base, 50)))])
    async with app.run_test(size=(100, 30)) as pilot:
        view = app.query_one(DiffView)
        before = len(view.rows)
        # screen row 0 is the column header, row 1 the title, row 2 the first fold
        await pilot.click(DiffView, offset=(10, 2))
        assert len(view.rows) == before + 46


async def test_documents_follow_one_another_and_report_where_the_cursor_is() -> None:
    base = numbered(30)
    docs = [
        DiffDocument("Deployment/web", text(base), text(changed(base, 5))),
        DiffDocument("Service/web", text(base), text(changed(base, 7))),
        DiffDocument("ConfigMap/web", "", "", error="forbidden"),
    ]
    app = DiffApp(docs)
    async with app.run_test(size=(100, 30)) as pilot:
        view = app.query_one(DiffView)
        await pilot.pause()
        assert app.entered == [0]
        await pilot.press("n", "n")
        await pilot.pause()
        assert view.current_change == 1
        assert app.entered == [0, 1]
        view.goto_document(2)
        await pilot.pause()
        assert app.entered == [0, 1, 2]
        assert view.rows[view.cursor].kind is RowKind.TITLE
        assert "forbidden" in row_text(view, view.cursor + 1)


async def test_drawn_rows_show_numbers_signs_notes_and_both_sides() -> None:
    left = ["spec:", "  replicas: 2", "  image: nginx:1.25"]
    right = ["spec:", "  replicas: 5", "  image: nginx:1.25"]
    doc = DiffDocument(
        "Deployment/shop/web", text(left), text(right), annotations={1: "/spec/replicas ← kubectl"}
    )
    app = DiffApp([doc])
    async with app.run_test(size=(80, 20)):
        view = app.query_one(DiffView)
        header = view.render_line(0).text
        assert header.startswith(" Git") and "│ Live" in header and "1 change" in header
        assert "Deployment/shop/web" in view.render_line(1).text
        assert "✎ /spec/replicas ← kubectl" in view.render_line(3).text
        replaced = view.render_line(4).text
        left_half, right_half = replaced.split("│")
        assert left_half.split() == ["2", "-", "replicas:", "2"]
        assert right_half.split() == ["2", "+", "replicas:", "5"]
        assert len(replaced) == 80


async def test_long_lines_are_cut_with_an_ellipsis_and_scroll_sideways() -> None:
    long = "k: " + "x" * 200
    app = DiffApp([DiffDocument("doc", long + "\n", long + "y\n")])
    async with app.run_test(size=(80, 10)) as pilot:
        view = app.query_one(DiffView)
        row = view.render_line(2).text
        assert row.split("│")[0].rstrip().endswith("…")
        await pilot.press("right")
        assert "k:" not in view.render_line(2).text


async def test_set_documents_keeps_the_cursor_on_the_same_line() -> None:
    base = numbered(80)
    app = DiffApp([DiffDocument("doc", text(base), text(changed(base, 40)))])
    async with app.run_test(size=(100, 30)) as pilot:
        view = app.query_one(DiffView)
        await pilot.press("n")
        view.set_documents([DiffDocument("doc", text(base), text(changed(base, 10, 40)))])
        await pilot.pause()
        assert view.rows[view.cursor].left == 40
        assert view.change_count == 2


@pytest.mark.parametrize("lines", [3000])
async def test_open_time_of_a_large_resource_is_reported(lines: int) -> None:
    containers = [
        {
            "name": f"c{i}",
            "image": f"registry.example.com/team/app-{i}:1.{i}.0",
            "env": [{"name": f"VAR_{i}_{j}", "value": str(j)} for j in range(8)],
            "resources": {"limits": {"cpu": "500m", "memory": "256Mi"}},
        }
        for i in range(lines // 23)
    ]
    git = {"kind": "Deployment", "spec": {"template": {"spec": {"containers": containers}}}}
    live_containers = [dict(c) for c in containers]
    for c in live_containers[::25]:
        c["image"] = c["image"].replace("1.", "2.")
    live = {"kind": "Deployment", "spec": {"template": {"spec": {"containers": live_containers}}}}
    app = DiffApp([])
    async with app.run_test(size=(120, 36)) as pilot:
        view = app.query_one(DiffView)
        started = time.perf_counter()
        left, right = to_yaml(git), to_yaml(live)
        view.set_documents([DiffDocument("big", left, right)])
        await pilot.pause()
        elapsed = time.perf_counter() - started
        assert len(left.splitlines()) >= lines * 0.95
        assert view.change_count >= 5
        print(f"\nDiffView open of a {len(left.splitlines())}-line resource: {elapsed * 1000:.0f} ms")
        samples = []
        for key in ["n"] * 5 + ["N"] * 4 + ["j"] * 10 + ["u", "u"]:
            samples.append(await key_to_frame(app, key))
            await pilot.pause()
        print(f"DiffView key to frame (n/N/j on {len(left.splitlines())} lines): {summary(samples)}")
