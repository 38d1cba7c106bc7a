"""Kubernetes watches on the kinds the apps use, for the reconcile loop (gitops_tui.orchestration.loop).

One watch per kind and namespace — or, for a kind in use in CLUSTER_WIDE_FROM namespaces or more, one across
all namespaces (as Argo CD does: one connection and thread, not one per namespace), falling back to per
namespace where RBAC forbids that. Each is resumed from its last resourceVersion (bookmarks included), LISTs
again after 410 Gone or a failed connection, and reconnects with backoff capped at WATCH_RETRY_MAX, so a
returning API server is noticed within seconds. Watches only report: a changed object, "changes may have been
missed" (None), a failure; the engine decides what to reconcile.
"""

from __future__ import annotations

import threading
import time
from typing import Protocol

from gitops_tui.cluster.client import ClusterClient
from gitops_tui.cluster.discovery import ApiResource
from gitops_tui.cluster.errors import ClusterError, Forbidden, Gone
from gitops_tui.cluster.watch import BOOKMARK, watch
from gitops_tui.model import GitopsError
from gitops_tui.orchestration.reconcile import Snapshot, Workspace

_POLL = 0.1
WATCH_TIMEOUT = 290  # seconds a server keeps one watch open before we resume it
WATCH_RETRY_MAX = 10.0  # seconds between reconnects at most: how soon a returning API server is noticed
CLUSTER_WIDE_FROM = 4  # namespaces of one kind from which a single all-namespaces watch replaces theirs


def backoff(failures: int) -> float:
    """Seconds before retry number `failures` (1-based): 2, 6, 18, 54, 162, then 300 (Argo CD's default)."""
    return float(min(300, 2 * 3 ** max(0, failures - 1)))


class Listener(Protocol):
    """What the watches tell (the reconcile engine)."""

    def live_changed(self, obj: dict | None) -> None: ...  # type: ignore[type-arg]
    def watch_failed(self, reason: str) -> None: ...
    def watch_event(self, message: str) -> None: ...
    def request(self) -> None: ...


class KindWatch:
    """One watch stream for a kind in a namespace, resumed until stopped; at most one thread per key."""

    def __init__(
        self,
        watches: LiveWatches,
        client: ClusterClient,
        res: ApiResource,
        namespace: str,
        *,
        all_namespaces: bool = False,
    ) -> None:
        self.watches, self.listener = watches, watches.listener
        self.client, self.res, self.namespace = client, res, namespace
        self.all_namespaces = all_namespaces  # a namespaced kind watched across every namespace
        self.stop = threading.Event()
        self.wake = threading.Event()  # set when the API is known to be back: retry at once
        self.thread = threading.Thread(target=self._run, name=f"watch-{res.qualified}", daemon=True)
        self.lists = 0  # LISTs made to (re)start this watch

    def _relist(self) -> str:
        self.lists += 1
        ns = self.namespace if self.res.namespaced else ""
        doc = self.client.http.call(
            "GET",
            self.res.path(ns),
            verb="list",
            resource=self.res.qualified,
            namespace=ns,
            query=[("limit", "1")],
        )
        return str(((doc or {}).get("metadata") or {}).get("resourceVersion") or "")

    def _run(self) -> None:
        version, failures = "", 0
        while not self.stop.is_set():
            try:
                if not version:
                    version = self._relist()
                    if self.lists > 1:  # we may have missed changes while we could not watch
                        self.listener.live_changed(None)
                for event in watch(
                    self.client,
                    self.res,
                    self.namespace or None,
                    resource_version=version,
                    timeout_seconds=WATCH_TIMEOUT,
                ):
                    if self.stop.is_set():
                        return
                    failures = 0
                    version = event.resource_version or version
                    if event.type != BOOKMARK:
                        self.listener.live_changed(event.object)
            except Gone:
                version = ""
            except (ClusterError, OSError) as exc:
                if isinstance(exc, Forbidden) and self.all_namespaces:
                    # RBAC grants it per namespace only: the engine watches those instead
                    self.watches.all_namespaces_forbidden(self.client.context, self.res, exc.message)
                    return
                # The connection failed: the next attempt LISTs first. Its success proves the API is back,
                # and the full reconcile it asks for (lists > 1) recovers the apps at once instead of at
                # the end of the engine's backoff; it also covers what changed while we were away.
                version = ""
                failures += 1
                self.listener.watch_failed(f"watch {self.res.qualified}: {getattr(exc, 'message', exc)}")
                self._pause(failures)
            except Exception as exc:  # a watch thread must never die silently
                failures += 1
                self.listener.watch_failed(f"watch {self.res.qualified}: {type(exc).__name__}: {exc}")
                self._pause(failures)

    def _pause(self, failures: int) -> None:
        self.wake.clear()
        deadline = time.monotonic() + min(backoff(failures), WATCH_RETRY_MAX)
        while not (self.stop.is_set() or self.wake.is_set()) and time.monotonic() < deadline:
            self.wake.wait(_POLL * 5)


class LiveWatches:
    """The set of watches the engine keeps, by (context, resource, namespace or "*")."""

    def __init__(self, listener: Listener) -> None:
        self.listener = listener
        self._lock = threading.Lock()
        self._watches: dict[tuple[str, str, str], KindWatch] = {}
        # (context, resource) that RBAC lets us watch per namespace only (kept until the process ends)
        self._wide_forbidden: set[tuple[str, str]] = set()

    def ensure(self, ws: Workspace, snap: Snapshot) -> None:
        """Watch what the apps of `snap` use, and only that: start what is missing, stop what is not
        wanted any more, replace watches on a client a hard refresh retired, wake those waiting to retry
        (the API just answered)."""
        namespaces: dict[tuple[str, str], tuple[ClusterClient, ApiResource, set[str]]] = {}
        for status in snap.apps:
            if status.error:
                continue
            try:
                client = ws.client_for(status.app.id)
            except GitopsError:
                continue
            for res_status in status.resources:
                key = res_status.key
                version = res_status.version
                api_version = version if "/" in version or not key.group else f"{key.group}/{version}"
                try:
                    res = client.discovery.resolve(api_version, key.kind)
                except ClusterError:
                    continue
                if res is None:
                    continue
                kind = namespaces.setdefault((client.context, res.qualified), (client, res, set()))
                kind[2].add(key.namespace if res.namespaced else "")
        # ident (context, resource, namespace; "*" all namespaces) -> (client, resource, namespace, all?)
        wanted: dict[tuple[str, str, str], tuple[ClusterClient, ApiResource, str, bool]] = {}
        for (context, qualified), (client, res, spaces) in namespaces.items():
            wide = (
                res.namespaced
                and len(spaces) >= CLUSTER_WIDE_FROM
                and (context, qualified) not in self._wide_forbidden
            )
            if wide:
                wanted[(context, qualified, "*")] = (client, res, "", True)
            else:
                for ns in spaces:
                    wanted[(context, qualified, ns)] = (client, res, ns, False)
        for ident, (client, res, ns, wide) in wanted.items():
            current = self._watches.get(ident)
            if current is not None and current.client is client and current.thread.is_alive():
                current.wake.set()  # the API answered this reconcile: a watch waiting to reconnect can go now
                continue
            if current is not None:  # a hard refresh made a new client: never keep two watches
                current.stop.set()
            w = KindWatch(self, client, res, ns, all_namespaces=wide)
            self._watches[ident] = w
            w.thread.start()
        for ident in set(self._watches) - set(wanted):
            self._watches.pop(ident).stop.set()

    def all_namespaces_forbidden(self, context: str, res: ApiResource, reason: str) -> None:
        """An all-namespaces watch was refused (RBAC per namespace): watch that kind per namespace from
        the next reconcile on, which comes at once, and say so once."""
        with self._lock:
            if (context, res.qualified) in self._wide_forbidden:
                return
            self._wide_forbidden.add((context, res.qualified))
        self.listener.watch_event(f"{res.qualified} per namespace: all namespaces {reason}")
        self.listener.request()

    @property
    def watched(self) -> list[tuple[str, str, str]]:
        """(context, resource, namespace or "*" for all namespaces) of every watch kept."""
        return sorted(self._watches)

    @property
    def alive(self) -> int:
        """Watch threads alive: never more than `len(watched)`."""
        return sum(1 for w in self._watches.values() if w.thread.is_alive())

    @property
    def watches(self) -> dict[tuple[str, str, str], KindWatch]:
        return self._watches

    def stop(self) -> None:
        for w in list(self._watches.values()):
            w.stop.set()
