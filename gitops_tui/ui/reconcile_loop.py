"""The body of the TUI's one long-lived reconcile worker.

It calls `Workspace.reconcile_once` every `interval` seconds, or at once when asked (`r`, `R`), and posts
the outcome to the app as messages. Failures retry sooner, with backoff (2 s × 3 up to 300 s, DESIGN §2).

`reconcile_once` can block for a long time on a dead API server. It runs in a daemon thread of its own that
the worker waits on, so quitting never waits for a hung request: the abandoned call dies with the process.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Any, Protocol

from textual.message import Message
from textual.message_pump import MessagePump
from textual.worker import get_current_worker

from gitops_tui.model import GitopsError

_POLL = 0.1  # how often a waiting loop looks at stop/cancel


class Reconciler(Protocol):
    def reconcile_once(self, *, hard: bool = False) -> Any: ...


def backoff(failures: int) -> float:
    """Seconds before retry number `failures` (1-based): 2, 6, 18, 54, 162, then 300."""
    return float(min(300, 2 * 3 ** max(0, failures - 1)))


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
        snapshot: Any  # gitops_tui.reconcile.Snapshot
        failures: int = 0  # consecutive failed runs, this one included (every app in error)
        retry_in: float = 0.0

    @dataclass
    class Failed(Message):
        error: str
        failures: int
        retry_in: float

    def __init__(self, workspace: Reconciler, interval: float, target: MessagePump) -> None:
        self._workspace = workspace
        self.interval = interval
        self._target = target
        self._wake = threading.Event()
        self._hard = False
        self._stopping = threading.Event()

    def request(self, *, hard: bool = False) -> None:
        """Reconcile now (after the one running, if any)."""
        self._hard = self._hard or hard
        self._wake.set()

    def stop(self) -> None:
        self._stopping.set()
        self._wake.set()

    @property
    def stopped(self) -> bool:
        worker = get_current_worker()
        return self._stopping.is_set() or worker.is_cancelled

    def run(self) -> None:
        failures = 0
        while not self.stopped:
            hard, self._hard = self._hard, False
            self._wake.clear()
            self._target.post_message(self.Started(hard))
            outcome = self._call(hard)
            if outcome is None:  # stopped while the call ran
                return
            snapshot, error = outcome
            if error:
                failures += 1
                delay = backoff(failures)
                if snapshot is None:
                    self._target.post_message(self.Failed(error, failures, delay))
                else:
                    self._target.post_message(self.Finished(snapshot, failures, delay))
            else:
                failures = 0
                delay = self.interval
                self._target.post_message(self.Finished(snapshot))
            self._sleep(delay)

    def _sleep(self, seconds: float) -> None:
        waited = 0.0
        while not self.stopped and waited < seconds:
            if self._wake.wait(min(_POLL * 5, seconds - waited)):
                return
            waited += _POLL * 5

    def _call(self, hard: bool) -> tuple[Any, str] | None:
        result: dict[str, Any] = {}
        done = threading.Event()

        def target() -> None:
            try:
                result["snapshot"] = self._workspace.reconcile_once(hard=hard)
            except GitopsError as exc:
                result["error"] = exc.message
            except Exception as exc:  # the loop must outlive any one failure; the UI shows it
                result["error"] = f"{type(exc).__name__}: {exc}"
            finally:
                done.set()

        threading.Thread(target=target, name="reconcile-once", daemon=True).start()
        while not done.wait(_POLL):
            if self.stopped:
                return None
        if "error" in result:
            return None if self.stopped else (None, result["error"])
        snapshot = result["snapshot"]
        return snapshot, failed_everywhere(snapshot)
