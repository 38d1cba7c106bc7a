"""Pilot tests: help, command palette, keymap, the reconcile loop (refresh, failures, backoff), quitting."""

from __future__ import annotations

import threading

from textual.command import CommandPalette

from gitops_tui.config import Settings
from gitops_tui.model import SyncStatus
from gitops_tui.ui.reconcile_loop import backoff
from gitops_tui.ui.screens.apps import AppsScreen
from gitops_tui.ui.screens.help import HelpScreen
from gitops_tui.ui.screens.history import HistoryScreen
from gitops_tui.ui.widgets.header import StatusHeader
from gitops_tui.ui.widgets.status_table import StatusTable
from tests.ui.fakes import FakeWorkspace
from tests.ui.helpers import build, started, until
from tests.ui.latency import key_to_frame, summary


async def test_question_mark_lists_every_binding_with_its_description() -> None:
    async with build().run_test(size=(120, 36)) as pilot:
        app = await started(pilot)
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)
        entries = app.screen.entries()
        text = "\n".join(" ".join(e) for e in entries)
        for expected in (
            "Next change",
            "diff.next_change",
            "Unified",
            "Filter",
            "Sort",
            "History",
            "Hard refresh",
        ):
            assert expected in text
        assert {e[0] for e in entries} >= {"Everywhere", "Apps", "Diff"}
        assert ("Diff", "n", "Next change — Jump to the next change", "diff.next_change") in entries
        await pilot.press("escape")
        assert isinstance(app.screen, AppsScreen)


async def test_every_binding_has_an_id_and_a_description() -> None:
    from gitops_tui.ui.app import GitopsApp

    ids = []
    for _group, bindings in GitopsApp.binding_groups():
        for binding in bindings:
            assert binding.id, binding
            assert binding.description, binding
            ids.append(binding.id)
    assert len(ids) == len(set(ids)), "binding ids are unique"


async def test_command_palette_runs_an_action_of_the_screen_it_was_opened_on() -> None:
    workspace = FakeWorkspace()
    async with build(workspace).run_test(size=(120, 36)) as pilot:
        app = await started(pilot)
        await pilot.press("colon")
        assert CommandPalette.is_open(app)
        await pilot.press(*"history")
        await pilot.pause(0.3)
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(app.screen, HistoryScreen))
        assert app.screen.app_name == "api-production"


async def test_command_palette_opens_an_app_by_name() -> None:
    async with build().run_test(size=(120, 36)) as pilot:
        app = await started(pilot)
        await pilot.press("ctrl+p", *"open app monitoring")
        await pilot.pause(0.3)
        await pilot.press("enter")
        await until(pilot, lambda: getattr(app.screen, "app_name", "") == "monitoring")


async def test_keymap_from_settings_remaps_by_binding_id() -> None:
    workspace = FakeWorkspace(
        settings=Settings(interval=3600, keymap={"app.help": "f1", "nope.unknown": "x"})
    )
    async with build(workspace).run_test(size=(120, 36)) as pilot:
        app = await started(pilot)
        assert any("nope.unknown" in n.message for n in app._notifications)
        await pilot.press("question_mark")
        assert isinstance(app.screen, AppsScreen)
        await pilot.press("f1")
        assert isinstance(app.screen, HelpScreen)
        assert ("Everywhere", "f1", "Help — Every key and what it does", "app.help") in app.screen.entries()


async def test_a_remapped_key_that_another_binding_uses_is_reported() -> None:
    """`keymap: {app.quit: j}`: the tables' `j` (down) is nearer the focus and wins, so the remap looked
    silently ignored. Now the clash is said at start; a free key says nothing."""
    workspace = FakeWorkspace(settings=Settings(interval=3600, keymap={"app.quit": "j", "app.help": "f1"}))
    async with build(workspace).run_test(size=(120, 36)) as pilot:
        app = await started(pilot)
        messages = [n.message for n in app._notifications]
        assert any("j for app.quit is table.down's key too" in m for m in messages), messages
        assert not any("f1" in m for m in messages)


async def test_r_reconciles_now_and_shift_r_drops_caches() -> None:
    workspace = FakeWorkspace()
    async with build(workspace).run_test(size=(120, 36)) as pilot:
        await started(pilot)
        assert workspace.calls.count("reconcile") == 1
        await pilot.press("r")
        await until(pilot, lambda: workspace.calls.count("reconcile") == 2)
        await pilot.press("R")
        await until(pilot, lambda: "reconcile-hard" in workspace.calls)


async def test_a_failed_reconcile_marks_apps_unknown_with_the_reason_and_retries_with_backoff() -> None:
    workspace = FakeWorkspace()
    async with build(workspace).run_test(size=(120, 36)) as pilot:
        app = await started(pilot)
        workspace.fail_with = "connection refused at https://127.0.0.1:6443"
        await pilot.press("r")
        await until(pilot, lambda: app.problem)
        await pilot.pause()
        assert all(
            a.sync is SyncStatus.UNKNOWN and "connection refused" in a.error for a in app.snapshot.apps
        )
        table = app.screen.query_one(StatusTable)
        assert table.get_cell("web", "sync").plain == "? Unknown"
        assert "connection refused" in table.get_cell("web", "message").plain
        header = str(app.screen.query_one(StatusHeader).render())
        assert "connection refused" in header and "retry in 2s" in header
        assert any("Reconcile failed" in n.message for n in app._notifications)
        # the retry comes by itself after 2 s; then it works again
        workspace.fail_with = ""
        await until(pilot, lambda: not app.problem)
        assert app.snapshot.app("web").sync is SyncStatus.OUT_OF_SYNC
        assert workspace.calls.count("reconcile") == 3


def test_backoff_grows_by_three_from_two_seconds_up_to_five_minutes() -> None:
    assert [backoff(n) for n in range(1, 8)] == [2, 6, 18, 54, 162, 300, 300]


async def test_the_ui_answers_while_a_reconcile_hangs_and_q_quits_at_once() -> None:
    workspace = FakeWorkspace()
    workspace.gate = threading.Event()  # the first reconcile hangs like a dead API server
    app = build(workspace)
    async with app.run_test(size=(120, 36)) as pilot:
        await until(pilot, lambda: workspace.calls)
        assert app.reconciling and app.snapshot is None
        assert "first reconcile" in str(app.screen.query_one(StatusHeader).render())
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)
        await pilot.press("escape")
        await pilot.press("q")
    # The app has exited while its reconcile is still hung (the gate opens only now): quitting did not wait
    # for it. (No timing asserted: an app that waited would never get here.)
    assert not workspace.gate.is_set()
    workspace.gate.set()
    assert app.return_code == 0


async def test_key_to_redraw_while_a_reconcile_burns_cpu_is_reported() -> None:
    workspace = FakeWorkspace()
    stop = threading.Event()

    def burn() -> None:  # pure-Python work holding the GIL, like rendering and comparing 4,000 objects
        while not stop.is_set():
            sum(i * i for i in range(20_000))

    async with build(workspace).run_test(size=(120, 36)) as pilot:
        app = await started(pilot)
        workspace.work = burn
        await pilot.press("r")
        await until(pilot, lambda: workspace.calls.count("reconcile") == 2)
        samples = []
        for key in ["j", "j", "j", "k", "k", "k"] * 4:
            samples.append(await key_to_frame(app, key))
            await pilot.pause()
        stop.set()
        print(f"\nApps screen key to frame while a reconcile thread burns CPU: {summary(samples)}")
        assert app.reconciling  # the burn was still running while we measured


async def test_an_app_that_could_not_be_compared_does_not_claim_to_have_no_resources() -> None:
    """Found by hand: a render error or an unreachable cluster showed "This app has no resources." under
    the error, as if the app were empty."""
    from dataclasses import replace

    from gitops_tui.ui.screens.app_resources import AppScreen

    workspace = FakeWorkspace()
    workspace.transform = lambda a: (
        replace(a, error="web/configmap.yaml:7: did not find expected ','", resources=())
        if a.app.name == "web"
        else a
    )
    async with build(workspace).run_test(size=(120, 36)) as pilot:
        app = await started(pilot)
        app.open_app("web")
        await until(pilot, lambda: isinstance(app.screen, AppScreen))
        await pilot.pause(0.2)
        shown = str(app.screen.query_one("#empty").render())
        assert "could not be rendered or compared" in shown and "has no resources" not in shown
