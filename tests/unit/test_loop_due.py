"""The loop reconciles the apps automation has something due for at that time, not at the next periodic
reconcile (the interval is minutes)."""

from __future__ import annotations

import threading
import time
from typing import Any

from gitops_tui.actions.automation import Automation
from gitops_tui.model import HeaderInfo, SyncStatus
from gitops_tui.orchestration.loop import ReconcileEngine
from gitops_tui.orchestration.reconcile import Snapshot
from tests.unit.test_automation import FakeActions, snapshot


class Recorder:
    def __init__(self) -> None:
        self.calls: list[Any] = []
        self.second = threading.Event()

    def reconcile_once(self, *, hard: bool = False, only: Any = None) -> Snapshot:
        self.calls.append(only)
        if len(self.calls) >= 2:
            self.second.set()
        return Snapshot(apps=(), header=HeaderInfo("", "", "", "", ""), started=0, finished=0)


def test_a_due_retry_reconciles_its_app_then() -> None:
    ws = Recorder()
    at = time.time() + 0.3

    def due() -> tuple[float, frozenset[str]] | None:  # until done, as Automation.next_due would say
        return None if {"api"} in ws.calls else (at, frozenset({"api"}))

    engine = ReconcileEngine(
        ws,  # type: ignore[arg-type]
        interval=3600,
        due=due,
        watch_files=False,
        watch_cluster=False,
    )
    thread = threading.Thread(target=engine.run, daemon=True)
    thread.start()
    try:
        assert ws.second.wait(10), "the due reconcile never came (the next periodic one is an hour away)"
    finally:
        engine.stop()
        thread.join(5)
    assert ws.calls[:2] == [None, {"api"}]  # the first full reconcile, then only the app that was due


class AlwaysOutOfSync:
    def __init__(self) -> None:
        self.calls: list[Any] = []
        self.retried = threading.Event()

    def reconcile_once(self, *, hard: bool = False, only: Any = None) -> Snapshot:
        self.calls.append(only)
        if only:
            self.retried.set()
        return snapshot(SyncStatus.OUT_OF_SYNC)


def test_a_failed_heal_is_retried_when_its_backoff_ends_with_the_real_automation() -> None:
    """The first heal fails ("next try in 2s"); the loop reconciles the app about 2 s later. Found in
    review: `next_due` only names future times, so the loop that woke at the due time asked again, saw
    nothing due, and slept until the periodic reconcile an hour later."""
    actions = FakeActions()
    actions.fail = "admission webhook denied the request"
    automation = Automation(actions, enabled=True)  # type: ignore[arg-type]
    ws = AlwaysOutOfSync()
    engine = ReconcileEngine(
        ws,  # type: ignore[arg-type]
        interval=3600,
        automate=automation.run,
        due=automation.next_due,
        watch_files=False,
        watch_cluster=False,
    )
    thread = threading.Thread(target=engine.run, daemon=True)
    thread.start()
    try:
        assert ws.retried.wait(10), f"never retried: {ws.calls}"
    finally:
        engine.stop()
        thread.join(5)
    assert ws.calls[:2] == [None, {"api"}]
