"""Reusing Kustomize and Helm output while none of its inputs changed.

A `kubectl kustomize` run costs ~80 ms of CPU, so a repository with a hundred overlays would spend seconds
per reconcile re-running builds whose inputs did not change. The key is the app's spec, the tool, and a hash
of every file the build reads (its kustomization tree or chart directory and value files); builds that read
something we cannot hash (a remote base, a path outside the repository) are never cached. Only successful
renders are kept, so a timeout or a missing tool is retried next time.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import threading
from collections import OrderedDict
from pathlib import Path
from typing import Any

from gitops_tui.model import AppSpec, SourceType
from gitops_tui.source.dependencies import kustomize_inputs
from gitops_tui.source.specfields import SpecError, repo_path

_MAX_ENTRIES = 2048


def fingerprint(root: Path, app: AppSpec) -> bytes | None:
    """A digest of everything the app's external render reads, or None if that cannot be known."""
    try:
        own = repo_path(app.path, "path")
    except SpecError:
        return None
    if app.source_type is SourceType.KUSTOMIZE:
        paths, complete = kustomize_inputs(root, own)
        if not complete:
            return None
    elif app.source_type is SourceType.HELM:
        paths = {own} | {os.path.normpath(os.path.join(own, v)) for v in app.helm_values_files}
    else:
        return None
    digest = hashlib.blake2b(digest_size=20)
    for rel in sorted(paths):
        if rel.startswith("..") or os.path.isabs(rel):
            return None
        _hash_path(digest, root, rel)
    return digest.digest()


def _hash_path(digest: Any, root: Path, rel: str) -> None:
    top = root / rel if rel != "." else root
    if top.is_file():
        files = [top]
    else:
        files = []
        for dirpath, dirnames, filenames in os.walk(top):
            dirnames[:] = sorted(d for d in dirnames if d != ".git")
            files.extend(Path(dirpath) / name for name in sorted(filenames))
    for path in files:
        digest.update(path.relative_to(root).as_posix().encode() + b"\0")
        try:
            digest.update(path.read_bytes())
        except OSError:
            digest.update(b"\1unreadable")
        digest.update(b"\0")
    if not files:
        digest.update(rel.encode() + b"\2missing")


class RenderCache:
    def __init__(self, max_entries: int = _MAX_ENTRIES) -> None:
        self._entries: OrderedDict[Any, bytes] = OrderedDict()
        self._max = max_entries
        self._lock = threading.Lock()

    def get(self, key: Any) -> Any | None:
        with self._lock:
            blob = self._entries.get(key)
            if blob is None:
                return None
            self._entries.move_to_end(key)
        return pickle.loads(blob)  # a fresh copy: callers may mutate what they get

    def put(self, key: Any, value: Any) -> None:
        blob = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
        with self._lock:
            self._entries[key] = blob
            self._entries.move_to_end(key)
            while len(self._entries) > self._max:
                self._entries.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
