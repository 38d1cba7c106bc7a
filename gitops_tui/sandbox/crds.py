"""What the API server does when CustomResourceDefinitions come and go: serve their kinds (discovery and
REST), accept their names in the CRD status as manager `kube-apiserver` (fixture 17), and drop the custom
objects of a deleted CRD."""

from __future__ import annotations

from typing import Any

from gitops_tui.sandbox import managed as mf
from gitops_tui.sandbox import objects, ssa
from gitops_tui.sandbox.catalog import ResourceType
from gitops_tui.sandbox.operations import Api

CRD_KEY = ("apiextensions.k8s.io", "customresourcedefinitions")


class CrdController:
    def __init__(self, api: Api) -> None:
        self.api = api
        api.listeners.append(self._changed)
        # A restarted server serves the CRDs it already stores.
        for resource, stored in api.store.all_objects():
            if resource == CRD_KEY:
                api.registry.set_crd(stored.obj["metadata"]["name"], stored.obj)

    def _changed(self, rt: ResourceType, obj: dict[str, Any], deleted: bool) -> None:
        if (rt.group, rt.plural) != CRD_KEY:
            return
        name = obj["metadata"]["name"]
        registry = self.api.registry
        if deleted:
            gone = registry.crd_types(name)
            registry.set_crd(name, None)
            for t in gone:
                self._drop_objects(t)
            return
        registry.set_crd(name, obj)
        status = obj.get("status") or {}
        names = dict((obj.get("spec") or {}).get("names") or {})
        if status.get("acceptedNames") != names or not status.get("conditions"):
            self._accept(rt, obj, names)

    def _accept(self, rt: ResourceType, obj: dict[str, Any], names: dict[str, Any]) -> None:
        stored = self.api.store.get(CRD_KEY, "", obj["metadata"]["name"])
        if stored is None:
            return
        now = objects.now()
        new = ssa.copy(objects.without_managed_fields(stored.obj))
        before = ssa.copy(new)
        # The status as the naming controller finds it: conditions not yet set, acceptedNames empty.
        before["status"] = {**(before.get("status") or {}), "conditions": None}
        conditions = [
            {
                "type": "NamesAccepted",
                "status": "True",
                "lastTransitionTime": now,
                "reason": "NoConflicts",
                "message": "no conflicts found",
            },
            {
                "type": "Established",
                "status": "True",
                "lastTransitionTime": now,
                "reason": "InitialNamesAccepted",
                "message": "the initial names have been accepted",
            },
        ]
        new["status"] = {**(new.get("status") or {}), "acceptedNames": names, "conditions": conditions}
        entries = ssa.update(
            before,
            new,
            mf.decode(stored.obj["metadata"].get("managedFields")) or [],
            "kube-apiserver",
            rt.api_version,
            rt.schema,
            now=now,
            subresource="status",
        )
        self.api._commit(rt, rt, stored, new, entries, dry_run=False, subresource="status")

    def _drop_objects(self, t: ResourceType) -> None:
        items, _ = self.api.store.list((t.group, t.plural))
        for stored in items:
            self.api._remove(t, ssa.copy(stored.obj))
        self.api.store.drop_resource((t.group, t.plural))
