"""The kinds each app has had live, remembered across reconciles and processes, as Flux keeps an inventory.

A reconcile lists the kinds of an app's desired objects. When the last object of a kind leaves Git (the
ConfigMap taken out of a kustomization), its live leftover would then never be listed, so never found by its
tracking marker, shown as RequiresPruning, or pruned. Remembering the kinds an app had (desired, or found
tracked to it) keeps them listed until nothing of the kind is left: an entry lives while the app has a
resource of that kind. Kept on disk beside the dry-run cache, so `gitops-tui status` in a new process
still finds what the last one saw.
"""

from __future__ import annotations

import contextlib
import json
import os
import threading
from collections.abc import Iterable
from pathlib import Path

from gitops_tui.cluster.discovery import split_api_version
from gitops_tui.cluster.errors import NotFound
from gitops_tui.cluster.live import LiveSnapshot
from gitops_tui.model import ResourceStatus

Kind = tuple[str, str, str]  # (apiVersion, kind, namespace; "" for cluster-scoped kinds)


class KindInventory:
    """Thread-safe: the TUI's header and reconcile workers share a workspace."""

    def __init__(self) -> None:
        self._apps: dict[str, frozenset[Kind]] = {}
        self._lock = threading.Lock()

    def kinds(self, app: str) -> frozenset[Kind]:
        with self._lock:
            return self._apps.get(app, frozenset())

    def update(self, app: str, kinds: Iterable[Kind]) -> None:
        """What the app has now (its desired kinds and those of live objects tracked to it)."""
        with self._lock:
            self._apps[app] = frozenset(kinds)

    def load(self, path: Path) -> None:
        """Missing or unreadable: start empty (the first reconcile lists the desired kinds only)."""
        try:
            doc = json.loads(path.read_text(encoding="utf-8"))
            apps = {
                str(name): frozenset((str(a), str(k), str(n)) for a, k, n in kinds)
                for name, kinds in doc["apps"].items()
            }
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            return
        with self._lock:
            self._apps = {**apps, **self._apps}

    def save(self, path: Path) -> None:
        with self._lock:
            doc = {"version": 1, "apps": {name: sorted(kinds) for name, kinds in sorted(self._apps.items())}}
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.{os.getpid()}")
        tmp.write_text(json.dumps(doc, separators=(",", ":")), encoding="utf-8")
        with contextlib.suppress(OSError):
            os.replace(tmp, path)


def kinds_of(resources: Iterable[ResourceStatus]) -> set[tuple[str, str, str]]:
    """(apiVersion, kind, namespace) of each resource: desired ones and live leftovers alike."""
    kinds = set()
    for res in resources:
        key = res.key
        api_version = res.version if "/" in res.version or not key.group else f"{key.group}/{res.version}"
        kinds.add((api_version, key.kind, key.namespace))
    return kinds


def list_failed(snapshot: LiveSnapshot, kind: tuple[str, str, str]) -> bool:
    """Whether the LIST of a (apiVersion, kind, namespace) failed in a way that may pass (a kind the
    server does not serve at all, a CRD deleted, is not kept: nothing of it can be left)."""
    group = split_api_version(kind[0])[0]
    failure = snapshot.failed.get((group, kind[1], kind[2])) or snapshot.failed.get((group, kind[1], ""))
    return failure is not None and not isinstance(failure, NotFound)
