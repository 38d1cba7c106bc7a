"""Reusing Kustomize and Helm output while none of its inputs changed.

A `kubectl kustomize` run costs ~80 ms of CPU, so a repository with a hundred overlays would spend seconds
per reconcile re-running builds whose inputs did not change. The key is the app's spec, the tool, and a hash
of every file the build reads (its kustomization tree or chart directory and value files); builds that read
something we cannot hash (a remote base, a path outside the repository) are never cached. Only successful
renders are kept, so a timeout or a missing tool is retried next time.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
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
_MAX_FILES = 4096


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
    return hash_paths(root, paths)


def hash_paths(root: Path, paths: set[str]) -> bytes | None:
    """A digest of the files at and below `paths` (relative to `root`); None when one is outside it or
    cannot be hashed whole."""
    digest = hashlib.blake2b(digest_size=20)
    for rel in sorted(paths):
        if rel.startswith("..") or os.path.isabs(rel):
            return None
        if not _hash_path(digest, root, rel):
            return None
    return digest.digest()


def _hash_path(digest: Any, root: Path, rel: str) -> bool:
    """Hash what is under `rel`; False when that cannot be done completely: a symlinked directory (Helm
    follows a subchart linked into `charts/`; a walk would not), whose content would go unhashed."""
    top = root / rel if rel != "." else root
    if top.is_file():
        files = [top]
    else:
        if top.is_symlink():
            return False
        files = []
        for dirpath, dirnames, filenames in os.walk(top):
            if any(os.path.islink(os.path.join(dirpath, d)) for d in dirnames):
                return False
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
    return True


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


Rendered = tuple[list[Any], list[tuple[str, int]], list[str]]


def entry_name(*parts: Any) -> str:
    """A file name for a key: a digest of the parts' reprs (frozen dataclasses, strings, bytes)."""
    return hashlib.blake2b(repr(parts).encode(), digest_size=20).hexdigest() + ".json"


def tool_identity(tool: str | None) -> tuple[str, int, int] | None:
    """The tool binary as the cache sees it: an upgrade in place changes its size or mtime. None (kept in
    memory only, never on disk) when it cannot be known: a script, such as a version manager's shim
    (asdf, mise), stays the same file whichever version it runs."""
    if not tool:
        return None
    try:
        stat = os.stat(tool)
        with open(tool, "rb") as fh:
            if fh.read(2) == b"#!":
                return None
    except OSError:
        return None
    return tool, stat.st_size, stat.st_mtime_ns


def load_entry(directory: Path, name: str) -> Rendered | None:
    try:
        doc = json.loads((directory / name).read_text(encoding="utf-8"))
        objects, origins, notes = doc["objects"], doc["origins"], doc["notes"]
    except (OSError, ValueError, KeyError, TypeError):
        return None
    with contextlib.suppress(OSError):  # recently used: pruned last (a read-only cache still serves)
        os.utime(directory / name)
    return objects, [(str(p), int(i)) for p, i in origins], [str(n) for n in notes]


_pruned: set[Path] = set()


def store_entry(directory: Path, name: str, value: Rendered) -> None:
    """Write atomically. Not kept: output with a Secret in it (its values would sit in plain text in the
    cache, decrypted if a plugin such as KSOPS decrypts at build time), and values JSON cannot hold exactly
    (a YAML key that is not a string)."""
    objects, origins, notes = value
    if any(isinstance(o, dict) and o.get("kind") == "Secret" for o in objects):
        return
    doc = {"objects": objects, "origins": [list(o) for o in origins], "notes": notes}
    try:
        text = json.dumps(doc, separators=(",", ":"), ensure_ascii=False)
        if json.loads(text) != doc:
            return
        directory.mkdir(parents=True, exist_ok=True)
        tmp = directory / f".{name}.{os.getpid()}.{threading.get_ident()}"
        tmp.write_text(text, encoding="utf-8")
        os.replace(tmp, directory / name)
    except (OSError, TypeError, ValueError):
        return  # a read-only home only costs the next process its warm start
    if directory not in _pruned:
        _pruned.add(directory)
        _prune(directory)


def _prune(directory: Path) -> None:
    try:
        files = [(f.stat().st_mtime_ns, f) for f in directory.glob("*.json")]
    except OSError:
        return
    files.sort()
    for _, old in files[: max(0, len(files) - _MAX_FILES)]:
        with contextlib.suppress(OSError):
            old.unlink()
