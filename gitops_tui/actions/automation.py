"""Automation: each app's `syncPolicy.automated` (self-heal, prune), run by the reconcile loop after each
reconcile — only when the operator switched it on, never for a frozen app, and never from uncommitted
edits: while a file an app is built from has changes not yet committed, its automation waits (Argo CD and
Flux act on commits too; a half-saved edit must not go live on save). A sync by hand still can.

It syncs through `Actions.plan_sync` / `Actions.sync` like a person would, so the same guards apply
(read-only, one mutation per app, audit). Like Argo CD it backs off (2 s, then ×3, capped at 300 s) and it
counts a heal as failed until a later reconcile sees the app Synced: a resource that another controller keeps
changing back, or that the server keeps refusing, is retried less and less often, never in a tight loop.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from gitops_tui.actions.sync import SyncActions
from gitops_tui.audit import AuditEntry
from gitops_tui.model import GitopsError, SyncStatus
from gitops_tui.orchestration.livewatch import backoff
from gitops_tui.orchestration.loop import LoopEvent
from gitops_tui.orchestration.reconcile import Snapshot

_WAITING = (
    "automation waits: uncommitted changes in what this app is built from (commit them, or sync by hand)"
)


@dataclass
class _AppState:
    attempts: int = 0  # heals since the app was last seen Synced
    next_at: float = 0.0  # no heal before this time
    last_revision: str = ""  # Git revision last synced automatically (automated without selfHeal)
    waiting_for_commit: bool = False  # said once that uncommitted edits hold it back


class Automation:
    def __init__(
        self,
        actions: SyncActions,
        *,
        enabled: bool = False,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.actions = actions
        self.enabled = enabled
        self.clock = clock
        self._frozen: dict[str, float] = {}
        self._state: dict[str, _AppState] = {}
        self._lock = threading.Lock()
        self._pending: list[LoopEvent] = []

    @property
    def state(self) -> str:
        return "on" if self.enabled else "off"

    # -- operator controls (any thread) ------------------------------------------------------------------
    def set_enabled(self, on: bool) -> LoopEvent:
        with self._lock:
            self.enabled = on
            event = LoopEvent(self.clock(), "automation", "", f"automation {self.state}")
            self._pending.append(event)
        self._audit("automation", "", "ok", f"automation {self.state}")
        return event

    def toggle(self) -> LoopEvent:
        return self.set_enabled(not self.enabled)

    def freeze(self, app: str, seconds: float) -> LoopEvent:
        """Pause automation for `app` for `seconds` (0 thaws it now)."""
        now = self.clock()
        with self._lock:
            if seconds <= 0:
                self._frozen.pop(app, None)
                event = LoopEvent(now, "freeze", app, "freeze lifted")
            else:
                self._frozen[app] = now + seconds
                event = LoopEvent(now, "freeze", app, f"automation frozen for {_duration(seconds)}")
            self._pending.append(event)
        self._audit("freeze", app, "ok", event.message, {"seconds": seconds})
        return event

    def frozen_for(self, app: str) -> float:
        """Seconds left of the app's freeze (0: not frozen)."""
        with self._lock:
            until = self._frozen.get(app, 0.0)
        return max(0.0, until - self.clock())

    def frozen(self) -> dict[str, float]:
        now = self.clock()
        with self._lock:
            return {a: u - now for a, u in self._frozen.items() if u > now}

    def next_due(self) -> tuple[float, frozenset[str]] | None:
        """The next time automation has something to do that no reconcile would ask for, and for which
        apps: a retry whose backoff ends, a freeze that runs out. Only future times: what is past has been
        done, or waits for the app's state to allow it."""
        now = self.clock()
        with self._lock:
            times = {app: until for app, until in self._frozen.items() if until > now}
            enabled = self.enabled
        if enabled:
            for app, state in list(self._state.items()):
                if state.attempts and state.next_at > now:
                    times[app] = min(times.get(app, state.next_at), state.next_at)
        if not times:
            return None
        first = min(times.values())
        return first, frozenset(app for app, at in times.items() if at <= first + 1.0)

    # -- the loop's callback ----------------------------------------------------------------------------
    def run(self, snapshot: Snapshot) -> list[LoopEvent]:
        now = self.clock()
        with self._lock:
            events, self._pending = self._pending, []
            for app, until in list(self._frozen.items()):
                if until <= now:
                    del self._frozen[app]
                    events.append(LoopEvent(now, "freeze", app, "freeze ended"))
            enabled, frozen = self.enabled, set(self._frozen)
        for status in snapshot.apps:
            name = status.app.id
            state = self._state.setdefault(name, _AppState())
            if status.sync is SyncStatus.SYNCED:
                state.attempts, state.next_at = 0, 0.0
                continue
            spec = status.app
            if not (enabled and spec.automated) or spec.suspended or name in frozen:
                continue
            if status.dirty:
                if not state.waiting_for_commit:
                    state.waiting_for_commit = True
                    events.append(LoopEvent(now, "sync", name, _WAITING))
                continue
            state.waiting_for_commit = False
            if status.error or status.sync is SyncStatus.UNKNOWN or now < state.next_at:
                continue
            new_revision = status.revision != state.last_revision
            if not spec.self_heal and not new_revision:
                continue  # automated without selfHeal: only a new Git revision is synced
            events.extend(self._heal(name, spec.prune, status.revision, state, now))
        return events

    def _heal(self, app: str, prune: bool, revision: str, state: _AppState, now: float) -> list[LoopEvent]:
        state.attempts += 1
        state.next_at = now + backoff(state.attempts)
        state.last_revision = revision
        trigger = "self-heal" if state.attempts == 1 else f"self-heal (attempt {state.attempts})"
        events = [LoopEvent(now, "sync", app, f"{trigger}: sync started")]
        try:
            plan = self.actions.plan_sync(app, prune=prune, refresh=False)
            if not plan.changes:
                state.attempts = 0
                return events + [LoopEvent(self.clock(), "sync", app, "nothing to sync")]
            result = self.actions.sync(plan)
        except GitopsError as exc:
            self._audit("automation", app, "failed", f"{trigger}: {exc.message}")
            return events + [
                LoopEvent(
                    self.clock(),
                    "error",
                    app,
                    f"{trigger} failed: {exc.message}; next try in {_duration(backoff(state.attempts))}",
                )
            ]
        names = tuple(c.key.display() for c in plan.changes)
        outcome = "ok" if result.ok else "failed"
        self._audit("automation", app, outcome, f"{trigger}: {len(names)} resource(s)", resources=names)
        message = f"{trigger}: sync finished, {len(result.applied)} applied"
        if not result.ok:
            first = result.failed[0] if result.failed else None
            why = f" ({first.key.display()}: {first.message})" if first is not None else ""
            message += f", {len(result.failed)} failed{why}; next try in {_duration(backoff(state.attempts))}"
        return events + [LoopEvent(self.clock(), "sync", app, message)]

    def _audit(
        self,
        action: str,
        app: str,
        result: str,
        message: str,
        details: dict[str, object] | None = None,
        resources: tuple[str, ...] = (),
    ) -> None:
        self.actions.record(  # the same who-fields as a manual action
            AuditEntry(
                action=action,
                app=app,
                result=result,
                time=self.clock(),
                message=message,
                resources=resources,
                details=details or {},
            )
        )


def _duration(seconds: float) -> str:
    seconds = int(round(seconds))
    if seconds < 60:
        return f"{seconds}s"
    if seconds < 3600:
        return f"{seconds // 60}m{seconds % 60:02d}s"
    return f"{seconds // 3600}h{seconds % 3600 // 60:02d}m"
