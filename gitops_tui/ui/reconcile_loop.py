"""The body of the TUI's one long-lived reconcile worker: the shared loop engine (`gitops_tui.orchestration.loop`), its
outcomes posted to the app as messages.

The engine reconciles every `interval` seconds, at once when asked (`r`, `R`), when a file of the working tree
or a Git ref changes, and when a watched live object changes (only the apps concerned). Failures retry
sooner, with backoff (2 s × 3 up to 300 s, DESIGN §2). Automation (`A`) and freeze (`f`) go through
`Automation`, which the engine calls after each reconcile.

`reconcile_once` can block for a long time on a dead API server. The engine runs in a daemon thread of its
own that the worker waits on, so quitting never waits for a hung request: the abandoned call dies with the
process.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

from textual.message import Message
from textual.message_pump import MessagePump
from textual.worker import get_current_worker

from gitops_tui.orchestration.livewatch import backoff
from gitops_tui.orchestration.loop import LoopEvent, ReconcileEngine

__all__ = ["ReconcileLoop", "backoff", "failed_everywhere"]

_POLL = 0.1  # how often the worker looks at stop/cancel


class Reconciler(Protocol):
    def reconcile_once(self, *, hard: bool = False) -> Any: ...


def failed_everywhere(snapshot: Any) -> str:
    """Why a snapshot counts as a failed reconcile (every app has an error, or the whole run did), or ""."""
    if getattr(snapshot, "error", ""):
        return str(snapshot.error)
    apps = getattr(snapshot, "apps", ())
    if apps and all(a.error for a in apps):
        return str(apps[0].error)
    return ""


class ReconcileLoop:
    @dataclass
    class Started(Message):
        hard: bool

    @dataclass
    class Finished(Message):
        snapshot: Any  # gitops_tui.orchestration.reconcile.Snapshot
        failures: int = 0  # consecutive failed runs, this one included (every app in error)
        retry_in: float = 0.0

    @dataclass
    class Failed(Message):
        error: str
        failures: int
        retry_in: float

    @dataclass
    class EventRecorded(Message):
        event: LoopEvent

    def __init__(
        self,
        workspace: Reconciler,
        interval: float,
        target: MessagePump,
        *,
        automation: Any = None,  # gitops_tui.actions.automation.Automation, or None: observe only
        watch_files: bool = True,
        watch_cluster: bool = True,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._target = target
        self.automation = automation
        self.engine = ReconcileEngine(
            workspace,  # type: ignore[arg-type]
            interval=interval,
            on_snapshot=self._finished,
            on_event=self._event,
            on_started=self._started,
            on_failed=self._failed,
            automate=automation.run if automation is not None else None,
            due=automation.next_due if automation is not None else None,
            watch_files=watch_files,
            watch_cluster=watch_cluster,
            clock=clock,  # events are stamped by the app's clock, as everything it shows
        )
        self._stopping = threading.Event()

    @property
    def interval(self) -> float:
        return self.engine.interval

    @property
    def events(self) -> list[LoopEvent]:
        """The last loop events, newest first."""
        return self.engine.events.items()

    def request(self, *, hard: bool = False) -> None:
        """Reconcile now (after the one running, if any)."""
        self.engine.request(hard=hard)

    def stop(self) -> None:
        self._stopping.set()
        self.engine.stop()

    def _event(self, event: LoopEvent) -> None:
        self._target.post_message(self.EventRecorded(event))

    def _started(self, hard: bool) -> None:
        self._target.post_message(self.Started(hard))

    def _finished(self, snapshot: Any) -> None:
        failures = self.engine.failures
        retry_in = self.engine.retry_in if failures else 0.0
        self._target.post_message(self.Finished(snapshot, failures, retry_in))

    def _failed(self, error: str) -> None:
        self._target.post_message(self.Failed(error, self.engine.failures, self.engine.retry_in))

    def run(self) -> None:
        worker = get_current_worker()
        thread = threading.Thread(target=self.engine.run, name="reconcile-engine", daemon=True)
        thread.start()
        while thread.is_alive():
            if self._stopping.is_set() or worker.is_cancelled:
                self.engine.stop()
                return
            thread.join(_POLL)
