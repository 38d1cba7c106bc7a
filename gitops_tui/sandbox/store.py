"""In-memory object storage with one resourceVersion counter, a bounded event history, and watchers.

Stored objects are never mutated: a write stores a new dict, so readers need no lock and a reader's object
can never change under it. Each stored object keeps its JSON encoding once made, so a LIST of thousands of
objects is a join of cached bytes.
"""

from __future__ import annotations

import builtins
import json
import queue
import threading
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

Obj = dict[str, Any]
# Objects of one resource: (group, plural) -> {(namespace, name): Stored}
ResourceKey = tuple[str, str]


def dumps(obj: Any) -> bytes:
    return json.dumps(obj, separators=(",", ":"), ensure_ascii=False).encode()


class Stored:
    __slots__ = ("obj", "rv", "_raw")

    def __init__(self, obj: Obj, rv: int) -> None:
        self.obj = obj
        self.rv = rv
        self._raw: bytes | None = None

    @property
    def raw(self) -> bytes:
        if self._raw is None:
            self._raw = dumps(self.obj)
        return self._raw


@dataclass
class Event:
    rv: int
    type: str  # ADDED / MODIFIED / DELETED
    resource: ResourceKey
    namespace: str
    stored: Stored
    prev: Stored | None = None

    def seen_by(self, w: Watcher) -> tuple[str, Stored] | None:
        """The event as this watcher sees it: an object that starts or stops matching its selectors is
        ADDED or DELETED for it, as with a real server's watch cache."""
        if self.resource != w.resource or (w.namespace and w.namespace != self.namespace):
            return None
        if self.type == "DELETED":
            return (self.type, self.stored) if w.accepts(self.stored.obj) else None
        now = w.accepts(self.stored.obj)
        before = self.prev is not None and w.accepts(self.prev.obj)
        if now:
            return ("MODIFIED" if before else "ADDED", self.stored)
        if before:
            return ("DELETED", self.stored)
        return None


@dataclass(eq=False)
class Watcher:
    resource: ResourceKey
    namespace: str  # "" = all
    accepts: Callable[[Obj], bool]
    events: queue.SimpleQueue[tuple[str, Stored] | None] = field(default_factory=queue.SimpleQueue)
    closed: bool = False

    def close(self) -> None:
        self.closed = True
        self.events.put(None)


class TooOld(Exception):
    def __init__(self, requested: int, oldest: int) -> None:
        super().__init__(f"too old resource version: {requested} ({oldest})")


class Store:
    def __init__(self, history: int = 5000) -> None:
        self.lock = threading.RLock()
        self.rv = 0
        self._objects: dict[ResourceKey, dict[tuple[str, str], Stored]] = {}
        self._history: deque[Event] = deque(maxlen=history)
        # Lowest resourceVersion a watch may resume from; moves up as the history forgets events.
        self._watchers: list[Watcher] = []

    # ------------------------------------------------------------ reads

    def get(self, resource: ResourceKey, namespace: str, name: str) -> Stored | None:
        return self._objects.get(resource, {}).get((namespace, name))

    def list(self, resource: ResourceKey, namespace: str = "") -> tuple[list[Stored], int]:
        """Objects sorted by (namespace, name), as etcd keys sort, and the resourceVersion of the list."""
        with self.lock:
            bucket = self._objects.get(resource, {})
            if namespace:
                items = [(k, v) for k, v in bucket.items() if k[0] == namespace]
            else:
                items = list(bucket.items())
            rv = self.rv
        items.sort(key=lambda kv: kv[0])
        return [v for _, v in items], rv

    def namespaces_in_use(self, namespace: str) -> Iterable[tuple[ResourceKey, str]]:
        for resource, bucket in self._objects.items():
            for ns, name in list(bucket):
                if ns == namespace:
                    yield resource, name

    def all_objects(self) -> Iterable[tuple[ResourceKey, Stored]]:
        for resource, bucket in list(self._objects.items()):
            for stored in list(bucket.values()):
                yield resource, stored

    # ------------------------------------------------------------ writes (callers hold self.lock)

    def next_rv(self) -> int:
        self.rv += 1
        return self.rv

    def put(self, resource: ResourceKey, obj: Obj, rv: int) -> Stored:
        meta = obj["metadata"]
        key = (meta.get("namespace") or "", meta["name"])
        stored = Stored(obj, rv)
        bucket = self._objects.setdefault(resource, {})
        prev = bucket.get(key)
        bucket[key] = stored
        self._emit(Event(rv, "MODIFIED" if prev is not None else "ADDED", resource, key[0], stored, prev))
        return stored

    def delete(self, resource: ResourceKey, namespace: str, name: str, final: Obj, rv: int) -> Stored:
        self._objects.get(resource, {}).pop((namespace, name), None)
        stored = Stored(final, rv)
        self._emit(Event(rv, "DELETED", resource, namespace, stored))
        return stored

    def drop_resource(self, resource: ResourceKey) -> None:
        self._objects.pop(resource, None)

    def _emit(self, event: Event) -> None:
        self._history.append(event)
        for w in self._watchers:
            if not w.closed:
                seen = event.seen_by(w)
                if seen is not None:
                    w.events.put(seen)

    # ------------------------------------------------------------ watches

    def watch(self, watcher: Watcher, since: int | None) -> builtins.list[tuple[str, Stored]]:
        """Register `watcher` and return the events after `since` it must replay first (None: start now).
        Raises TooOld when the history no longer reaches back to `since`."""
        with self.lock:
            replay: list[tuple[str, Stored]] = []
            if since is not None and since < self.rv:
                oldest = self._history[0].rv if self._history else self.rv + 1
                if since + 1 < oldest:
                    raise TooOld(since, oldest - 1)
                for e in self._history:
                    if e.rv > since:
                        seen = e.seen_by(watcher)
                        if seen is not None:
                            replay.append(seen)
            self._watchers.append(watcher)
            return replay

    def unwatch(self, watcher: Watcher) -> None:
        with self.lock:
            if watcher in self._watchers:
                self._watchers.remove(watcher)

    def drop_watches(self) -> None:
        with self.lock:
            for w in self._watchers:
                w.close()
            self._watchers.clear()

    @property
    def watcher_count(self) -> int:
        return len(self._watchers)
