"""The verbs on objects (get, list, create, update, patch, apply, delete, and the status and scale
subresources), independent of HTTP. Every write goes through `_commit`: defaulting, ownership
(managedFields), validation, generation, the no-op rule, then storage with a new resourceVersion.
Server-side apply is in `apply.py`; the Scale view and its ownership rules in `scale.py`; deletion and
garbage collection in `deletion.py`.
"""

from __future__ import annotations

import base64
import builtins
import ipaddress
import json
import random
import string
from collections.abc import Callable
from typing import Any

from gitops_tui.sandbox import errors, objects, patches, scale, ssa
from gitops_tui.sandbox import fieldset as fs
from gitops_tui.sandbox import managed as mf
from gitops_tui.sandbox.apply import ApplyVerbs
from gitops_tui.sandbox.catalog import ResourceType
from gitops_tui.sandbox.defaults import apply_defaults, schema_defaults
from gitops_tui.sandbox.deletion import DeleteVerbs
from gitops_tui.sandbox.registry import Registry
from gitops_tui.sandbox.selectors import Predicate
from gitops_tui.sandbox.store import Store, Stored, dumps
from gitops_tui.sandbox.validation import validate

Obj = dict[str, Any]

APPLY_PATCH = "application/apply-patch+yaml"


class Api(ApplyVerbs, DeleteVerbs):
    def __init__(self, store: Store, registry: Registry) -> None:
        self.store = store
        self.registry = registry
        # Called after every stored write: (resource type, object or None when deleted).
        self.listeners: list[Callable[[ResourceType, Obj, bool], None]] = []
        self._ips = ipaddress.ip_network("10.96.0.0/12")
        self._rand = random.Random()

    # ------------------------------------------------------------ helpers

    def _key(self, rt: ResourceType) -> tuple[str, str]:
        return (rt.group, rt.plural)

    def _to_version(self, rt: ResourceType, obj: Obj) -> Obj:
        """A stored object as seen through `rt`'s version."""
        if rt.kind == "HorizontalPodAutoscaler" and rt.version == "v1":
            return objects.hpa_to_v1(obj)
        if obj.get("apiVersion") != rt.api_version:
            obj = dict(obj)
            obj["apiVersion"] = rt.api_version
        return obj

    def _from_version(self, rt: ResourceType, obj: Obj) -> Obj:
        if rt.kind == "HorizontalPodAutoscaler" and rt.version == "v1":
            return objects.hpa_from_v1(obj)
        return obj

    def _existing(self, rt: ResourceType, ns: str, name: str) -> Stored:
        stored = self.store.get(self._key(rt), ns, name)
        if stored is None:
            raise errors.not_found(rt.plural, rt.group, name)
        return stored

    def render(self, rt: ResourceType, stored: Stored) -> bytes:
        if rt.version == self.registry.storage_type(rt).version:
            return stored.raw
        return dumps(self._to_version(rt, stored.obj))

    def _allocate_ip(self) -> str:
        used = set()
        for _, stored in self.store.all_objects():
            ip = (
                ((stored.obj.get("spec") or {}).get("clusterIP"))
                if stored.obj.get("kind") == "Service"
                else None
            )
            if ip:
                used.add(ip)
        for _ in range(1000):
            candidate = str(self._ips[self._rand.randrange(2, self._ips.num_addresses - 1)])
            if candidate not in used:
                return candidate
        raise errors.internal_error("failed to allocate a new IP: range is full")

    # ------------------------------------------------------------ reads

    def get(self, rt: ResourceType, ns: str, name: str) -> bytes:
        return self.render(rt, self._existing(rt, ns, name))

    def list(self, rt: ResourceType, ns: str, accepts: Predicate, limit: int = 0, cont: str = "") -> bytes:
        items, rv = self.store.list(self._key(rt), ns)
        start = ""
        if cont:
            try:
                token = json.loads(base64.urlsafe_b64decode(cont.encode()))
                start, rv = str(token["start"]), int(token["rv"])
            except (ValueError, KeyError, TypeError) as exc:
                raise errors.bad_request(f"continue key is not valid: {exc}") from exc
        chosen: list[Stored] = []
        more = 0
        for stored in items:
            meta = stored.obj["metadata"]
            key = f"{meta.get('namespace', '')}/{meta['name']}"
            if start and key <= start:
                continue
            if not accepts(stored.obj):
                continue
            if limit and len(chosen) >= limit:
                more += 1
                continue
            chosen.append(stored)
        metadata: Obj = {"resourceVersion": str(rv)}
        if more:
            last = chosen[-1].obj["metadata"]
            token = {"rv": rv, "start": f"{last.get('namespace', '')}/{last['name']}"}
            metadata["continue"] = base64.urlsafe_b64encode(json.dumps(token).encode()).decode()
            metadata["remainingItemCount"] = more
        head = dumps({"kind": f"{rt.kind}List", "apiVersion": rt.api_version, "metadata": metadata})[:-1]
        if rt.served_by_crd:
            raws = [self.render(rt, s) for s in chosen]
        else:
            # A real server leaves kind and apiVersion out of the items of built-in lists.
            raws = [self._item_raw(rt, s) for s in chosen]
        return head + b',"items":[' + b",".join(raws) + b"]}"

    def _item_raw(self, rt: ResourceType, stored: Stored) -> bytes:
        obj = self._to_version(rt, stored.obj)
        return dumps({k: v for k, v in obj.items() if k not in ("kind", "apiVersion")})

    # ------------------------------------------------------------ create

    def create(self, rt: ResourceType, ns: str, body: Any, manager: str, dry_run: bool) -> bytes:
        obj = self._check_body(rt, ns, body, "")
        obj = self._from_version(rt, obj)
        meta = obj["metadata"]
        if not meta.get("name") and meta.get("generateName"):
            meta["name"] = meta["generateName"] + "".join(
                self._rand.choices(string.ascii_lowercase + string.digits, k=5)
            )
        entries = mf.decode(meta.get("managedFields")) or []
        meta.pop("managedFields", None)
        if rt.status:
            obj.pop("status", None)
        return self._create(
            rt,
            ns,
            obj,
            dry_run,
            lambda new: ssa.update(
                objects.skeleton(rt),
                new,
                entries,
                manager,
                rt.api_version,
                rt.schema,
                now=objects.now(),
                status_subresource=rt.status,
            ),
        )

    def _create(
        self,
        rt: ResourceType,
        ns: str,
        obj: Obj,
        dry_run: bool,
        ownership: Callable[[Obj], builtins.list[mf.Entry]],
    ) -> bytes:
        srt = self.registry.storage_type(rt)
        meta = obj["metadata"]
        name = str(meta.get("name") or "")
        if rt.namespaced:
            meta["namespace"] = ns
            namespace = self.store.get(("", "namespaces"), "", ns)
            if namespace is None:
                raise errors.not_found("namespaces", "", ns)
            if (namespace.obj.get("metadata") or {}).get("deletionTimestamp"):
                raise errors.ApiError(
                    403,
                    "Forbidden",
                    f'{errors.qualified(rt.plural, rt.group)} "{name}" is forbidden: unable to create new content '
                    f"in namespace {ns} because it is being terminated",
                )
        else:
            meta.pop("namespace", None)
        for key in ("resourceVersion", "deletionTimestamp", "deletionGracePeriodSeconds", "selfLink"):
            meta.pop(key, None)
        meta["uid"] = objects.new_uid()
        meta["creationTimestamp"] = objects.now()
        if srt.generation:
            meta["generation"] = 1
        else:
            meta.pop("generation", None)
        obj["apiVersion"] = srt.api_version
        obj["kind"] = srt.kind
        self._default(srt, obj, None)
        validate(obj, srt.group, srt.kind)
        entries = ownership(objects.without_managed_fields(obj))
        meta["managedFields"] = mf.encode(entries)
        obj = objects.ordered(obj)
        if dry_run:
            if self.store.get(self._key(rt), ns if rt.namespaced else "", name) is not None:
                raise errors.already_exists(rt.plural, rt.group, name)
            return dumps(self._to_version(rt, obj))
        with self.store.lock:
            if self.store.get(self._key(rt), ns if rt.namespaced else "", name) is not None:
                raise errors.already_exists(rt.plural, rt.group, name)
            stored = self._store(srt, obj)
        return self.render(rt, stored)

    def _check_body(self, rt: ResourceType, ns: str, body: Any, name: str) -> Obj:
        if not isinstance(body, dict):
            raise errors.bad_request("the body of the request was not a JSON object")
        obj = ssa.copy(body)
        kind = obj.get("kind")
        if kind and kind != rt.kind:
            raise errors.bad_request(
                f"the API version in the data ({obj.get('apiVersion')}) does not match the expected API version "
                f"({rt.api_version})"
                if obj.get("apiVersion") != rt.api_version
                else f"kind {kind} does not match {rt.kind}"
            )
        meta = obj.setdefault("metadata", {})
        if not isinstance(meta, dict):
            raise errors.bad_request("metadata must be an object")
        if rt.namespaced and meta.get("namespace") and meta["namespace"] != ns:
            raise errors.bad_request(
                "the namespace of the provided object does not match the namespace sent on the request"
            )
        if name and meta.get("name") and meta["name"] != name:
            raise errors.bad_request(
                f"the name of the object ({meta['name']}) does not match the name on the URL ({name})"
            )
        if name:
            meta["name"] = name
        return dict(obj)

    def _default(self, rt: ResourceType, obj: Obj, old: Obj | None) -> None:
        if old is not None and rt.kind == "Service" and not rt.group:
            # Allocated values survive updates that leave them out, as on a real server.
            spec, before = obj.setdefault("spec", {}), old.get("spec") or {}
            for key in ("clusterIP", "clusterIPs", "ipFamilies", "ipFamilyPolicy"):
                if key not in spec and key in before:
                    spec[key] = before[key]
        apply_defaults(obj, rt.group, rt.kind, self._allocate_ip)
        if rt.openapi:
            schema_defaults(obj, rt.openapi)

    def _store(self, rt: ResourceType, obj: Obj) -> Stored:
        """Store under the lock with a new resourceVersion and tell listeners."""
        rv = self.store.next_rv()
        obj["metadata"]["resourceVersion"] = str(rv)
        obj = objects.ordered(obj)
        stored = self.store.put(self._key(rt), obj, rv)
        for listener in self.listeners:
            listener(rt, obj, False)
        return stored

    # ------------------------------------------------------------ update / patch / apply

    def replace(
        self,
        rt: ResourceType,
        ns: str,
        name: str,
        body: Any,
        manager: str,
        dry_run: bool,
        subresource: str = "",
    ) -> bytes:
        new = self._from_version(rt, self._check_body(rt, ns, body, name))
        return self._update(rt, ns, name, lambda old: new, manager, dry_run, subresource)

    def patch(
        self,
        rt: ResourceType,
        ns: str,
        name: str,
        body: bytes,
        content_type: str,
        manager: str,
        dry_run: bool,
        force: bool = False,
        subresource: str = "",
    ) -> bytes:
        if content_type == APPLY_PATCH:
            return self.apply(rt, ns, name, body, manager, dry_run, force, subresource)
        if content_type == patches.STRATEGIC_PATCH and rt.served_by_crd:
            raise errors.unsupported_media_type(content_type)
        try:
            patch = json.loads(body or b"null")
        except ValueError as exc:
            raise errors.bad_request(f"error decoding patch: {exc}") from exc

        def patched(old: Obj) -> Obj:
            result = patches.apply_patch(content_type, self._to_version(rt, old), patch, rt.schema)
            if not isinstance(result, dict):
                raise errors.bad_request("the patch did not produce an object")
            return self._from_version(rt, result)

        return self._update(rt, ns, name, patched, manager, dry_run, subresource, patching=True)

    def _update(
        self,
        rt: ResourceType,
        ns: str,
        name: str,
        change: Callable[[Obj], Obj],
        manager: str,
        dry_run: bool,
        subresource: str,
        patching: bool = False,
    ) -> bytes:
        srt = self.registry.storage_type(rt)
        ns = ns if rt.namespaced else ""

        def attempt() -> bytes:
            stored = self._existing(rt, ns, name)
            old = stored.obj
            new = ssa.copy(change(old))
            meta = new.setdefault("metadata", {})
            wanted_rv = meta.get("resourceVersion")
            if wanted_rv and str(wanted_rv) != old["metadata"]["resourceVersion"]:
                raise errors.conflict(rt.plural, rt.group, name)
            if meta.get("uid") and meta["uid"] != old["metadata"]["uid"]:
                raise errors.ApiError(
                    409,
                    "Conflict",
                    f'Operation cannot be fulfilled on {errors.qualified(rt.plural, rt.group)} "{name}": '
                    f"Precondition failed: UID in precondition: {meta['uid']}, UID in object meta: {old['metadata']['uid']}",
                )
            # managedFields sent with a write replace the stored ones (how clients migrate ownership);
            # absent, empty or malformed ones keep them; [{}] clears them.
            raw_fields = meta.pop("managedFields", None)
            given = mf.decode(raw_fields)
            if raw_fields == [{}]:
                base: list[mf.Entry] = []
            elif given and not subresource:
                base = given
            else:
                base = mf.decode(old["metadata"].get("managedFields")) or []
            if subresource == "status":
                new = self._status_view(old, new)
            elif rt.status:
                new["status"] = ssa.copy(old.get("status")) if "status" in old else new.pop("status", None)
                if new.get("status") is None:
                    new.pop("status", None)
            self._carry_meta(srt, old, new)
            self._default(srt, new, old)
            entries = ssa.update(
                objects.without_managed_fields(old),
                new,
                base,
                manager,
                rt.api_version,
                rt.schema,
                now=objects.now(),
                subresource=subresource,
                status_subresource=rt.status,
            )
            return self._commit(rt, srt, stored, new, entries, dry_run, subresource)

        if dry_run:
            return attempt()
        with self.store.lock:
            return attempt()

    def _status_view(self, old: Obj, new: Obj) -> Obj:
        """A status write changes status (and annotations, where controllers keep revisions), nothing else."""
        result = ssa.copy(old)
        if "status" in new:
            result["status"] = new["status"]
        else:
            result.pop("status", None)
        annotations = (new.get("metadata") or {}).get("annotations")
        result["metadata"] = dict(result["metadata"])
        if annotations is not None:
            result["metadata"]["annotations"] = annotations
        result["metadata"].pop("managedFields", None)
        rv = (new.get("metadata") or {}).get("resourceVersion")
        if rv:
            result["metadata"]["resourceVersion"] = rv
        return dict(result)

    def _carry_meta(self, rt: ResourceType, old: Obj, new: Obj) -> None:
        meta, before = new["metadata"], old["metadata"]
        for key in (
            "name",
            "namespace",
            "uid",
            "creationTimestamp",
            "generation",
            "deletionTimestamp",
            "deletionGracePeriodSeconds",
        ):
            if key in before:
                meta[key] = before[key]
            else:
                meta.pop(key, None)
        new["apiVersion"] = rt.api_version
        new["kind"] = rt.kind

    def _commit(
        self,
        rt: ResourceType,
        srt: ResourceType,
        stored: Stored,
        new: Obj,
        entries: builtins.list[mf.Entry],
        dry_run: bool,
        subresource: str = "",
    ) -> bytes:
        old = stored.obj
        validate(new, srt.group, srt.kind, old)
        # Status writes never move generation (the status strategies keep it), even when they change
        # the annotations a Deployment otherwise counts.
        if subresource != "status" and objects.bumps_generation(srt, old, new):
            new["metadata"]["generation"] = int(old["metadata"].get("generation") or 0) + 1
        new["metadata"]["resourceVersion"] = old["metadata"]["resourceVersion"]
        old_entries = mf.decode(old["metadata"].get("managedFields")) or []
        if objects.same_content(objects.without_managed_fields(old), new) and _same_owners(
            old_entries, entries
        ):
            # Nothing changed but (maybe) times: the server keeps the stored object and its resourceVersion.
            return self.render(rt, stored)
        new["metadata"]["managedFields"] = mf.encode(entries)
        new = objects.ordered(new)
        if dry_run:
            return dumps(self._to_version(rt, new))
        if self._finalized(srt, new):
            return self._remove(srt, new)
        return self.render(rt, self._store(srt, new))

    # ------------------------------------------------------------ scale

    def get_scale(self, rt: ResourceType, ns: str, name: str) -> bytes:
        return dumps(scale.scale_of(self._existing(rt, ns, name).obj))

    def update_scale(
        self,
        rt: ResourceType,
        ns: str,
        name: str,
        body: bytes,
        content_type: str,
        manager: str,
        dry_run: bool,
    ) -> bytes:
        """PUT or PATCH of /scale: the object with the scale's replicas, and ownership of spec.replicas moved
        as the server moves it (see `scale.replicas_owners`)."""
        srt = self.registry.storage_type(rt)
        try:
            doc = json.loads(body or b"null")
        except ValueError as exc:
            raise errors.bad_request(f"error decoding body: {exc}") from exc

        def attempt() -> bytes:
            stored = self._existing(rt, ns, name)
            old = stored.obj
            replicas = scale.requested_replicas(old, doc, content_type, rt, name)
            new = ssa.copy(objects.without_managed_fields(old))
            new.setdefault("spec", {})["replicas"] = replicas
            entries = mf.decode(old["metadata"].get("managedFields")) or []
            if (old.get("spec") or {}).get("replicas") != replicas:
                entries = scale.replicas_owners(entries, manager, srt.api_version)
            result = self._commit(rt, srt, stored, new, entries, dry_run)
            return dumps(scale.scale_of(json.loads(result)))

        if dry_run:
            return attempt()
        with self.store.lock:
            return attempt()


def _same_owners(a: list[mf.Entry], b: list[mf.Entry]) -> bool:
    def norm(entries: list[mf.Entry]) -> list[tuple[Any, ...]]:
        return sorted(
            (e.identity, json.dumps(fs.encode(e.fields), sort_keys=True)) for e in entries if e.fields
        )

    return norm(a) == norm(b)
