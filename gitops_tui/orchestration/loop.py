"""The reconcile loop engine, shared by the TUI's worker and the headless `gitops-tui watch`.

Triggers (DESIGN §2): a periodic full reconcile (`Settings.interval`), working-tree and HEAD/ref changes
(watchfiles, debounced; `.git` internals ignored except HEAD and refs), live changes through Kubernetes watches
on the kinds in use (resumed from the last resourceVersion, bookmarks, a fresh LIST after 410 Gone, reconnect
with backoff: gitops_tui.orchestration.livewatch), and manual / hard refresh. A file or live change recomputes only the
apps it concerns.

The engine knows no screen: it reports through two callbacks, `on_snapshot(Snapshot)` and `on_event(LoopEvent)`,
and runs automation through an injected `automate(Snapshot) -> list[LoopEvent]` (the policy lives above, in
the actions layer, because it syncs).
"""

from __future__ import annotations

import collections
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from gitops_tui.cluster.tracking import ANNOTATION, FLUX_NAME, HELM_NAME, LABEL, tracking_name
from gitops_tui.model import AppStatus, GitopsError, ResourceKey, SyncStatus
from gitops_tui.orchestration.heap import HeapPolicy
from gitops_tui.orchestration.livewatch import KindWatch, LiveWatches, backoff
from gitops_tui.orchestration.reconcile import Snapshot, Workspace
from gitops_tui.source.dependencies import app_paths

_POLL = 0.1
DEBOUNCE_MS = 150  # file saves come in bursts (editor swap files, git writing several refs)
COALESCE = 0.05  # live events this close together are one reconcile


@dataclass(frozen=True)
class LoopEvent:
    time: float
    kind: str  # drift | in-sync | health | error | recovered | sync | automation | freeze | trigger | watch
    app: str
    message: str

    def line(self) -> str:
        stamp = time.strftime("%H:%M:%S", time.localtime(self.time))
        return f"{stamp} {self.kind:<10} {self.app or '-':<16} {self.message}"


class EventLog:
    """The last `size` loop events, newest first; safe to add to from any thread."""

    def __init__(self, size: int = 500) -> None:
        self._items: collections.deque[LoopEvent] = collections.deque(maxlen=size)
        self._lock = threading.Lock()

    def add(self, event: LoopEvent) -> None:
        with self._lock:
            self._items.appendleft(event)

    def items(self) -> list[LoopEvent]:
        with self._lock:
            return list(self._items)


def _summary(status: AppStatus) -> str:
    drifted = [r.key.display() for r in status.resources if r.sync is not SyncStatus.SYNCED]
    shown = ", ".join(drifted[:3]) + (f" (+{len(drifted) - 3})" if len(drifted) > 3 else "")
    return f"{status.sync}/{status.health}" + (f": {shown}" if shown else "")


def status_events(old: Snapshot | None, new: Snapshot, now: float) -> list[LoopEvent]:
    """What changed between two snapshots, one event per app that changed (never values, only names)."""
    before = {a.app.id: a for a in old.apps} if old is not None else {}
    events = []
    for status in new.apps:
        name, prev = status.app.id, before.get(status.app.id)
        if status.error and (prev is None or prev.error != status.error):
            events.append(LoopEvent(now, "error", name, f"Unknown: {status.error}"))
            continue
        if prev is not None and prev.error and not status.error:
            events.append(LoopEvent(now, "recovered", name, _summary(status)))
            continue
        drift = _drift_of(status)
        old_drift = _drift_of(prev) if prev else None
        if old_drift is None:
            kind = "drift" if drift else "in-sync"
            events.append(LoopEvent(now, kind, name, _summary(status)))
        elif drift != old_drift:
            kind = "drift" if set(drift.items()) - set(old_drift.items()) else "in-sync"
            if kind == "in-sync" and drift:
                kind = "drift"  # some drift went away, some remains
            events.append(LoopEvent(now, kind, name, _summary(status)))
        elif prev is not None and prev.health != status.health:
            events.append(LoopEvent(now, "health", name, _summary(status)))
    return events


def _drift_of(status: AppStatus) -> dict[ResourceKey, tuple[str, int]]:
    """Each drifted resource's sync and a fingerprint of its drifted fields (values hashed, never shown): a
    second `kubectl scale` of an already drifted Deployment is an event too."""
    return {
        r.key: (str(r.sync), hash(tuple((d.path, repr(d.git), repr(d.live)) for d in r.drift)))
        for r in status.resources
        if r.sync is not SyncStatus.SYNCED
    }


class _Reconciler(Protocol):
    last: Snapshot | None

    def reconcile_once(self, *, hard: bool = False, only: Iterable[str] | None = None) -> Snapshot: ...


def apps_for_object(obj: dict, snapshot: Snapshot) -> set[str]:  # type: ignore[type-arg]
    """The apps a live object concerns: those with a resource of its key, or named by its tracking marker."""
    key = ResourceKey.of(obj)
    ids = {a.app.id for a in snapshot.apps if any(r.key == key for r in a.resources)}
    meta = obj.get("metadata") or {}
    names = set()
    annotation = (meta.get("annotations") or {}).get(ANNOTATION)
    if annotation:
        names.add(str(annotation).split(":", 1)[0])
    labels = meta.get("labels") or {}
    for label in (LABEL, FLUX_NAME, HELM_NAME):
        if labels.get(label):
            names.add(str(labels[label]))
    # markers carry the name an app tracks by; several apps (two clusters' `apps`) may share it
    ids |= {a.app.id for a in snapshot.apps if tracking_name(a.app) in names}
    return ids


class ReconcileEngine:
    def __init__(
        self,
        workspace: Workspace | _Reconciler,
        *,
        interval: float,
        on_snapshot: Callable[[Snapshot], None] = lambda _s: None,
        on_event: Callable[[LoopEvent], None] = lambda _e: None,
        on_started: Callable[[bool], None] = lambda _h: None,
        on_failed: Callable[[str], None] = lambda _r: None,
        automate: Callable[[Snapshot], list[LoopEvent]] | None = None,
        due: Callable[[], tuple[float, frozenset[str]] | None] | None = None,
        watch_files: bool = True,
        watch_cluster: bool = True,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.ws = workspace
        self.heap: HeapPolicy | None = None
        if isinstance(workspace, Workspace):  # a loop reconciles again and again: worth a worker's start
            workspace.offload_big_reconciles()
            self.heap = HeapPolicy()
        self.interval = interval
        self.on_snapshot = on_snapshot
        self.on_event = on_event
        self.on_started = on_started
        self.on_failed = on_failed
        self.automate = automate
        self.due = due  # (clock time, apps): automation's next retry or freeze end, reconciled then
        self.watch_files = watch_files
        self.watch_cluster = watch_cluster
        self.clock = clock
        self.events = EventLog()
        self._cond = threading.Condition()
        self._full = True
        self._hard = False
        self._apps: set[str] = set()
        self._stopping = threading.Event()
        self.live = LiveWatches(self)
        self._last: Snapshot | None = None
        self.failures = 0
        self.cycles = 0

    # -- triggers ------------------------------------------------------------------------------------
    def request(self, *, hard: bool = False, apps: Iterable[str] | None = None) -> None:
        """Reconcile now: every app, or only `apps` (after the run in progress, if any)."""
        with self._cond:
            if apps is None:
                self._full = True
            else:
                self._apps.update(apps)
            self._hard = self._hard or hard
            self._cond.notify_all()

    def live_changed(self, obj: dict | None) -> None:  # type: ignore[type-arg]
        """A live object changed (None: changes may have been missed: recompute every app)."""
        last = self._last
        if obj is None or last is None:
            self.request()
            return
        apps = apps_for_object(obj, last)
        if apps:
            self.request(apps=apps)

    def files_changed(self, paths: Iterable[Path]) -> None:
        root = Path(self.ws.repo.root) if hasattr(self.ws, "repo") else None
        last = self._last
        if root is None or last is None:
            self.request()
            return
        rel = set()
        for path in paths:
            try:
                parts = path.resolve().relative_to(root.resolve()).parts
            except ValueError:
                continue
            if parts and parts[0] == ".git":
                self.request()  # HEAD or a ref moved: every app's revision may have changed
                return
            rel.add("/".join(parts))
        affected = set()
        for status in last.apps:
            try:
                roots = app_paths(root, status.app)
            except (GitopsError, OSError):
                roots = (status.app.path,)
            if any(_under(p, r) for p in rel for r in roots):
                affected.add(status.app.id)
        # a new or changed Application manifest may add apps: discovery needs the full run
        if affected and not any(
            p.endswith((".yaml", ".yml")) and p not in _covered(rel, last, root) for p in rel
        ):
            self.request(apps=affected)
        else:
            self.request()

    def watch_failed(self, reason: str) -> None:
        # The next reconcile shows Unknown with the reason when the server is really gone (the watch may
        # just have been cut); trigger it so the screen does not keep showing a healthy picture. Not while
        # reconciles already fail: every watch failing would run one more, and the backoff would climb
        # to minutes in seconds.
        if not self.failures:
            self.request()

    def stop(self) -> None:
        self._stopping.set()
        with self._cond:
            self._cond.notify_all()
        self.live.stop()

    @property
    def retry_in(self) -> float:
        """Seconds until the next full reconcile after the last one (backoff while failing)."""
        return backoff(self.failures) if self.failures else self.interval

    @property
    def stopping(self) -> bool:
        return self._stopping.is_set()

    # -- running -------------------------------------------------------------------------------------
    def run(self, should_stop: Callable[[], bool] = lambda: False) -> None:
        """Run until `stop()` (or `should_stop()`); blocks the calling thread."""
        if self.watch_files and isinstance(self.ws, Workspace):
            threading.Thread(target=self._watch_files, name="watch-files", daemon=True).start()
        next_full = 0.0
        due_at, due_apps = float("inf"), frozenset[str]()  # the wake-up automation asked for (monotonic)
        if self.heap is not None:
            self.heap.start()
        try:
            while not (self.stopping or should_stop()):
                with self._cond:
                    while True:
                        now = time.monotonic()
                        if self._full or self._apps or now >= next_full or self.stopping or should_stop():
                            break
                        if now >= due_at:  # kept from before the wait: by now `next_due` has moved on
                            self._apps.update(due_apps)
                            due_at, due_apps = float("inf"), frozenset()
                            break
                        due_in, apps = self._due_in()
                        if apps and now + due_in < due_at:
                            due_at, due_apps = now + due_in, apps
                        self._cond.wait(max(0.0, min(_POLL * 5, next_full - now, due_at - now)))
                    if self.stopping or should_stop():
                        return
                time.sleep(COALESCE)  # let a burst of live events arrive before reconciling
                with self._cond:
                    full = self._full or time.monotonic() >= next_full or self._last is None
                    only = None if full else set(self._apps)
                    hard = self._hard
                    self._full, self._apps, self._hard = False, set(), False
                ok = self._cycle(hard, only)
                if full:
                    next_full = time.monotonic() + (self.interval if ok else self.retry_in)
        finally:
            self.stop()
            if self.heap is not None:
                self.heap.stop()

    def _due_in(self) -> tuple[float, frozenset[str]]:
        """Seconds until, and for which apps, automation next has something to do unasked: a retry whose
        backoff ends ("next try in 6s" happens then, not at the next periodic reconcile), a freeze that
        runs out."""
        due = self.due() if self.due is not None else None
        if due is None:
            return float("inf"), frozenset()
        at, apps = due
        return at - self.clock(), apps

    def _cycle(self, hard: bool, only: set[str] | None) -> bool:
        self.on_started(hard)
        try:
            # `only` is passed only when set: a reconciler may not take it (a full run needs no list)
            snap = self.ws.reconcile_once(hard=hard, **({"only": only} if only is not None else {}))
        except GitopsError as exc:
            return self._failed(exc.message)
        except Exception as exc:  # the loop must outlive any one failure
            return self._failed(f"{type(exc).__name__}: {exc}")
        self.cycles += 1
        for event in status_events(self._last, snap, self.clock()):
            self._emit(event)
        self._last = snap
        failed = bool(snap.apps) and all(a.error for a in snap.apps)
        self.failures = self.failures + 1 if failed else 0
        self.on_snapshot(snap)
        if self.heap is not None:
            self.heap.after_reconcile()
        if not failed and self.watch_cluster:
            self._ensure_watches(snap)
        if self.automate is not None:
            for event in self.automate(snap):
                self._emit(event)
        return not failed

    def _failed(self, reason: str) -> bool:
        self.failures += 1
        self._emit(LoopEvent(self.clock(), "error", "", reason))
        self.on_failed(reason)
        return False

    def _emit(self, event: LoopEvent) -> None:
        self.events.add(event)
        self.on_event(event)

    # -- cluster watches -----------------------------------------------------------------------------
    def _ensure_watches(self, snap: Snapshot) -> None:
        if isinstance(self.ws, Workspace):
            self.live.ensure(self.ws, snap)

    @property
    def watched(self) -> list[tuple[str, str, str]]:
        """(context, resource, namespace or "*" for all namespaces) of every watch the engine keeps."""
        return self.live.watched

    @property
    def watch_count(self) -> int:
        """Watch threads alive: never more than `len(watched)`."""
        return self.live.alive

    @property
    def _watches(self) -> dict[tuple[str, str, str], KindWatch]:
        return self.live.watches

    def watch_event(self, message: str) -> None:
        """A note from the watches (an all-namespaces watch RBAC refused), for the Events view."""
        self._emit(LoopEvent(self.clock(), "watch", "", message))

    # -- files ---------------------------------------------------------------------------------------
    def _watch_files(self) -> None:
        import watchfiles

        root = Path(self.ws.repo.root)  # type: ignore[union-attr]

        def relevant(_change: watchfiles.Change, path: str) -> bool:
            parts = Path(path).relative_to(root).parts if path.startswith(str(root)) else ()
            if parts and parts[0] == ".git":
                return len(parts) >= 2 and (parts[1] in ("HEAD", "packed-refs") or parts[1] == "refs")
            return not any(p.startswith(".") and p != "." for p in parts) and not path.endswith("~")

        try:
            for changes in watchfiles.watch(
                root,
                watch_filter=relevant,
                debounce=DEBOUNCE_MS,
                step=50,
                stop_event=self._stopping,
                raise_interrupt=False,
            ):
                self.files_changed(Path(p) for _c, p in changes)
        except Exception as exc:  # the periodic reconcile still runs; say why the files are not watched
            self._emit(LoopEvent(self.clock(), "error", "", f"working tree not watched: {exc}"))


def _under(path: str, root: str) -> bool:
    root = root.strip("/").removeprefix("./")
    return not root or root == "." or path == root or path.startswith(root + "/")


def _covered(rel: set[str], snap: Snapshot, root: Path) -> set[str]:
    """The changed paths that lie inside some known app's sources (an edit there cannot add an app)."""
    out = set()
    for status in snap.apps:
        try:
            roots = app_paths(root, status.app)
        except (GitopsError, OSError):
            roots = (status.app.path,)
        out |= {p for p in rel if any(_under(p, r) for r in roots)}
    return out
