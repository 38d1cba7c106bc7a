"""Server-side-apply dry runs, cached so that a steady-state reconcile sends none.

A prediction depends on the live object (its resourceVersion changes with every write to it), the
desired object (hashed in canonical JSON, marker already injected) and the field manager. While all three
are unchanged the server would answer the same, so we do not ask. Answers that say something about the
object itself (422 invalid, 409 conflict, 400) are cached too; answers that say something about the
moment (timeouts, 5xx, 429, unreachable, 401/403/404) are not.
"""

from __future__ import annotations

import hashlib
import json
import os
import threading
from collections import OrderedDict
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import cast

from gitops_tui.cluster.client import ClusterClient
from gitops_tui.cluster.errors import ClusterError
from gitops_tui.engine.managedfields import noops
from gitops_tui.giveway import given_way
from gitops_tui.model import Obj, ResourceKey

CacheKey = tuple[ResourceKey, str, str, str]  # (object, live resourceVersion, desired sha256, manager)

_CACHEABLE_STATUSES = frozenset({400, 409, 422})


def desired_hash(obj: Obj) -> str:
    """sha256 of the canonical JSON (sorted keys, no whitespace) of an object."""
    canonical = json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()


def _live_rv(live: Obj | None) -> str:
    # A missing object predicts a create; "" keeps that apart from every real resourceVersion.
    return str(((live or {}).get("metadata") or {}).get("resourceVersion") or "")


NoopChecks = Callable[[Sequence[tuple[Obj, Obj]], str], list[bool]]  # (live, desired) pairs, manager


SAME_AS_LIVE = "=live"  # a cached answer meaning "the live object itself" (an apply proven to be a no-op)


class DryRunCache:
    """Thread-safe LRU of dry-run results. Results are shared: callers must not modify them."""

    def __init__(self, maxsize: int = 20_000) -> None:
        self.maxsize = maxsize
        self._entries: OrderedDict[CacheKey, Obj | ClusterError | str] = OrderedDict()
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0
        self.noops = 0  # answered from managedFields, no request sent
        self._dirty = False

    def __len__(self) -> int:
        return len(self._entries)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self._dirty = True

    def save(self, path: Path) -> None:
        """Persist the successful predictions so the next process (a second `status`) starts warm.
        Secrets are never written: their predictions hold the values."""
        with self._lock:
            if not self._dirty:
                return
            rows = [
                [[k[0].group, k[0].kind, k[0].namespace, k[0].name], k[1], k[2], k[3], v]
                for k, v in self._entries.items()
                if not isinstance(v, ClusterError) and not (k[0].group == "" and k[0].kind == "Secret")
            ]
            self._dirty = False
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            # dumps, not dump: only the one-shot encoder is the C one (6 s against 0.5 s for 4,000 objects)
            fh.write(json.dumps({"version": 2, "entries": rows}, separators=(",", ":")))
        os.replace(tmp, path)

    def load(self, path: Path) -> None:
        """Read what `save` wrote; a missing, foreign or damaged file just means a cold cache."""
        try:
            doc = json.loads(path.read_text(encoding="utf-8"))
            rows = doc["entries"] if doc.get("version") == 2 else []
            loaded = {(ResourceKey(*k), rv, h, m): v for k, rv, h, m, v in rows}
        except (OSError, ValueError, KeyError, TypeError):
            return
        with self._lock:
            for key, value in loaded.items():
                self._entries.setdefault(key, value)
            while len(self._entries) > self.maxsize:
                self._entries.popitem(last=False)

    def predict(
        self,
        client: ClusterClient,
        pairs: Sequence[tuple[Obj, Obj | None]],
        *,
        manager: str,
        noop_checks: NoopChecks | None = None,
        object_keys: Sequence[ResourceKey] | None = None,
    ) -> list[Obj | ClusterError]:
        """For each (desired, live or None): the SSA dry-run result (force, as a sync would apply), or the
        error the server gave. Cache hits send nothing; the misses go out concurrently in one batch.
        `noop_checks` runs apply_is_noop over the misses (the orchestration sends many to worker processes).
        `object_keys`: the desired objects' ResourceKeys, when the caller has them already."""
        if object_keys is None:
            object_keys = [ResourceKey.of(d) for d, _ in pairs]
        keys = [
            (k, _live_rv(live), desired_hash(d), manager)
            for k, (d, live) in given_way(zip(object_keys, pairs, strict=True), every=16)
        ]
        results: list[Obj | ClusterError | None] = [None] * len(pairs)
        todo: dict[CacheKey, list[int]] = {}
        with self._lock:
            for i, key in enumerate(keys):
                entry = self._entries.get(key)
                # "=live": the key holds live's resourceVersion, so the answer is this very object
                cached = pairs[i][1] if isinstance(entry, str) else entry
                if cached is not None:
                    self._entries.move_to_end(key)
                    results[i] = cached
                    self.hits += 1
                else:
                    todo.setdefault(key, []).append(i)  # the same object twice in one batch: one request
        # An apply that managedFields prove would change nothing answers with live itself: no request.
        # Checked outside the lock: for thousands of objects it is the longest part of a cold reconcile.
        candidates = [(key, indexes) for key, indexes in todo.items() if pairs[indexes[0]][1] is not None]
        checked = [(cast(Obj, pairs[ix[0]][1]), pairs[ix[0]][0]) for _, ix in candidates]
        proven = (noop_checks or noops)(checked, manager)
        with self._lock:
            for (key, indexes), noop in zip(candidates, proven, strict=True):
                if not noop:
                    continue
                for i in indexes:
                    results[i] = pairs[i][1]
                del todo[key]
                self.noops += 1
                self._entries[key] = SAME_AS_LIVE  # remembered: the next run checks nothing
                self._dirty = True
            self.misses += len(todo)
        if todo:
            firsts = [indexes[0] for indexes in todo.values()]
            answers = client.apply_many(
                [pairs[i][0] for i in firsts], manager=manager, force=True, dry_run=True
            )
            with self._lock:
                for (key, indexes), answer in zip(todo.items(), answers, strict=True):
                    for i in indexes:
                        results[i] = answer
                    if not isinstance(answer, ClusterError) or answer.status in _CACHEABLE_STATUSES:
                        self._dirty = True
                        self._entries[key] = answer
                        self._entries.move_to_end(key)
                while len(self._entries) > self.maxsize:
                    self._entries.popitem(last=False)
        done = [r for r in results if r is not None]
        assert len(done) == len(pairs)
        return done
