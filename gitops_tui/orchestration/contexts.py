"""Per kube context, what a workspace keeps between reconciles: one client, its dry-run cache and the
repository's kind inventory (both warmed from disk and saved on close), and why the last attempt to make
the client failed. Thread-safe: the TUI's header worker asks for a client while a reconcile runs.
"""

from __future__ import annotations

import contextlib
import hashlib
import threading
from collections.abc import Callable
from pathlib import Path

from gitops_tui.cluster.client import ClusterClient
from gitops_tui.cluster.dryrun import DryRunCache
from gitops_tui.cluster.errors import KubeconfigError
from gitops_tui.cluster.inventory import KindInventory
from gitops_tui.config import cache_dir
from gitops_tui.model import GitopsError

ClientFactory = Callable[[str | None], ClusterClient]


def _cache_file(prefix: str, ident: str) -> Path:
    return cache_dir() / f"{prefix}-{hashlib.sha256(ident.encode()).hexdigest()[:16]}.json"


class ClusterContexts:
    def __init__(self, factory: ClientFactory, *, field_manager: str, repo_root: Path) -> None:
        self._factory = factory
        self._field_manager = field_manager
        self._repo_root = repo_root
        self._lock = threading.Lock()
        self._clients: dict[str | None, ClusterClient] = {}
        self._errors: dict[str | None, GitopsError] = {}
        self._dry_runs: dict[str | None, tuple[DryRunCache, Path]] = {}
        self._inventories: dict[str | None, tuple[KindInventory, Path]] = {}

    def client(self, context: str | None) -> ClusterClient:
        """One client per context, never two (the TUI's workers ask at once). Raises ClusterError."""
        with self._lock:
            if context not in self._clients:
                self._clients[context] = self._factory(context)
            return self._clients[context]

    def connect(self, context: str | None) -> tuple[str, ClusterClient | GitopsError]:
        """(the context's name, its client if the server answers, else why not); a failure to make the
        client is remembered for `kubeconfig_error`."""
        try:
            client = self.client(context)
        except GitopsError as exc:
            self._errors[context] = exc
            return context or "", exc
        self._errors.pop(context, None)
        return client.context, client.check_connection() or client

    def kubeconfig_error(self, context: str | None) -> KubeconfigError | None:
        error = self._errors.get(context)
        return error if isinstance(error, KubeconfigError) else None

    def dry_run_cache(self, context: str | None, client: ClusterClient) -> DryRunCache:
        """Warmed from disk: a second `status` with nothing changed sends no dry run."""
        if context not in self._dry_runs:
            file = _cache_file("dryrun", f"{client.server}|{client.context}|{self._field_manager}")
            cache = DryRunCache()
            cache.load(file)
            self._dry_runs[context] = (cache, file)
        return self._dry_runs[context][0]

    def inventory(self, context: str | None, client: ClusterClient) -> KindInventory:
        """This repository's apps' kinds on this cluster, warmed from disk (app names are a repository's
        own: another checkout's same-named app does not lend its kinds)."""
        if context not in self._inventories:
            file = _cache_file("kinds", f"{client.server}|{client.context}|{self._repo_root.resolve()}")
            inventory = KindInventory()
            inventory.load(file)
            self._inventories[context] = (inventory, file)
        return self._inventories[context][0]

    def retire(self) -> None:
        """A hard refresh: forget the dry runs, close the clients (their pool threads end; a request in
        flight finishes first) so that the next ones read discovery afresh."""
        for cache, _ in self._dry_runs.values():
            cache.clear()
        with self._lock:
            retired = list(self._clients.values())
            self._clients.clear()
        for client in retired:
            client.discovery.refresh()
            client.close()

    def close(self) -> None:
        saves = [(c.save, f) for c, f in self._dry_runs.values()]
        saves += [(i.save, f) for i, f in self._inventories.values()]
        for save, file in saves:
            with contextlib.suppress(OSError):  # a read-only home only costs the next process its warm start
                save(file)
        with self._lock:
            for client in self._clients.values():
                client.close()
            self._clients.clear()
