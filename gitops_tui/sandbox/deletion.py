"""DELETE and deletecollection: preconditions, finalizers, namespaces that empty themselves, and the
garbage collector following ownerReferences. A part of `operations.Api`, kept apart for its length."""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from typing import Any, Protocol

from gitops_tui.sandbox import errors, objects, ssa
from gitops_tui.sandbox.catalog import ResourceType
from gitops_tui.sandbox.registry import Registry
from gitops_tui.sandbox.selectors import Predicate
from gitops_tui.sandbox.store import Store, Stored, dumps

Obj = dict[str, Any]


class _Api(Protocol):
    """What the deletion verbs use of `operations.Api`."""

    store: Store
    registry: Registry
    listeners: list[Callable[[ResourceType, Obj, bool], None]]

    def _key(self, rt: ResourceType) -> tuple[str, str]: ...
    def _existing(self, rt: ResourceType, ns: str, name: str) -> Stored: ...
    def _store(self, rt: ResourceType, obj: Obj) -> Stored: ...
    def render(self, rt: ResourceType, stored: Stored) -> bytes: ...
    def delete(self, rt: ResourceType, ns: str, name: str, options: Any, dry_run: bool) -> bytes: ...
    def _finalized(self, rt: ResourceType, obj: Obj) -> bool: ...
    def _remove(self, rt: ResourceType, obj: Obj) -> bytes: ...
    def _collect_garbage(self, uid: str | None) -> None: ...
    def _empty_namespace(self, namespace: str) -> None: ...


class DeleteVerbs:
    """Mixed into `Api`; uses its store, registry, listeners and storage helpers."""

    def delete(self: _Api, rt: ResourceType, ns: str, name: str, options: Any, dry_run: bool) -> bytes:
        srt = self.registry.storage_type(rt)
        ns = ns if rt.namespaced else ""
        with self.store.lock:
            stored = self._existing(rt, ns, name)
            old = stored.obj
            pre = (options or {}).get("preconditions") if isinstance(options, dict) else None
            if pre:
                if (
                    pre.get("resourceVersion")
                    and pre["resourceVersion"] != old["metadata"]["resourceVersion"]
                ):
                    raise errors.conflict(rt.plural, rt.group, name)
                if pre.get("uid") and pre["uid"] != old["metadata"]["uid"]:
                    raise errors.conflict(rt.plural, rt.group, name)
            if dry_run:
                return self.render(rt, stored)
            if old["metadata"].get("finalizers") or rt.kind == "Namespace" and not rt.group:
                new = ssa.copy(old)
                new["metadata"].setdefault("deletionTimestamp", objects.now())
                new["metadata"].setdefault("deletionGracePeriodSeconds", 0)
                if rt.kind == "Namespace" and not rt.group:
                    new.setdefault("status", {})["phase"] = "Terminating"
                    self._empty_namespace(name)
                if self._finalized(srt, new):
                    return self._remove(srt, new)
                return self.render(rt, self._store(srt, objects.ordered(new)))
            return self._remove(srt, ssa.copy(old))

    def _finalized(self: _Api, rt: ResourceType, obj: Obj) -> bool:
        meta = obj["metadata"]
        return bool(meta.get("deletionTimestamp")) and not meta.get("finalizers")

    def _remove(self: _Api, rt: ResourceType, obj: Obj) -> bytes:
        """Delete for good (caller holds the lock), then everything it owned (garbage collection)."""
        meta = obj["metadata"]
        rv = self.store.next_rv()
        meta["resourceVersion"] = str(rv)
        stored = self.store.delete(self._key(rt), meta.get("namespace") or "", meta["name"], obj, rv)
        for listener in self.listeners:
            listener(rt, obj, True)
        self._collect_garbage(meta.get("uid"))
        return stored.raw

    def _collect_garbage(self: _Api, uid: str | None) -> None:
        if not uid:
            return
        for (group, plural), stored in list(self.store.all_objects()):
            refs = stored.obj["metadata"].get("ownerReferences") or ()
            if any(isinstance(r, dict) and r.get("uid") == uid for r in refs):
                rt = next((t for t in self.registry.types if (t.group, t.plural) == (group, plural)), None)
                if rt is not None:
                    meta = stored.obj["metadata"]
                    with contextlib.suppress(errors.ApiError):  # already gone
                        self.delete(rt, meta.get("namespace") or "", meta["name"], None, False)

    def _empty_namespace(self: _Api, namespace: str) -> None:
        for (group, plural), name in list(self.store.namespaces_in_use(namespace)):
            stored = self.store.get((group, plural), namespace, name)
            rt = next((t for t in self.registry.types if (t.group, t.plural) == (group, plural)), None)
            if stored is not None and rt is not None:
                obj = ssa.copy(stored.obj)
                obj["metadata"].pop("finalizers", None)
                self._remove(self.registry.storage_type(rt), obj)

    def delete_collection(self: _Api, rt: ResourceType, ns: str, accepts: Predicate, dry_run: bool) -> bytes:
        items, _ = self.store.list(self._key(rt), ns)
        deleted = []
        for stored in items:
            if accepts(stored.obj):
                meta = stored.obj["metadata"]
                try:
                    deleted.append(self.delete(rt, meta.get("namespace") or "", meta["name"], None, dry_run))
                except errors.ApiError:
                    continue
        head = dumps(
            {
                "kind": f"{rt.kind}List",
                "apiVersion": rt.api_version,
                "metadata": {"resourceVersion": str(self.store.rv)},
            }
        )[:-1]
        return head + b',"items":[' + b",".join(deleted) + b"]}"
