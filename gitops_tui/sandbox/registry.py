"""Which resource types are served right now: the built-ins plus those of every established CRD, and the
classic discovery documents (`/api`, `/apis`, `/apis/<group>/<version>`) describing them."""

from __future__ import annotations

import hashlib
import json
import threading
from typing import Any

from gitops_tui.sandbox.catalog import BUILTIN, PREFERRED, VERBS, ResourceType, from_crd


class Registry:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._crd_types: dict[str, list[ResourceType]] = {}  # CRD name -> its served versions
        self._rebuild()

    def _rebuild(self) -> None:
        types = list(BUILTIN)
        for served in self._crd_types.values():
            types.extend(served)
        self.by_path: dict[tuple[str, str, str], ResourceType] = {
            (t.group, t.version, t.plural): t for t in types
        }
        groups: dict[str, list[str]] = {}
        for t in types:
            versions = groups.setdefault(t.group, [])
            if t.version not in versions:
                versions.append(t.version)
        self.groups = groups
        self.types = types

    def set_crd(self, name: str, crd: dict[str, Any] | None) -> None:
        with self._lock:
            if crd is None:
                self._crd_types.pop(name, None)
            else:
                self._crd_types[name] = from_crd(crd)
            self._rebuild()

    def lookup(self, group: str, version: str, plural: str) -> ResourceType | None:
        return self.by_path.get((group, version, plural))

    def storage_type(self, rt: ResourceType) -> ResourceType:
        """The version objects of this type are stored in (and which owns the managedFields version)."""
        if rt.storage_version and rt.storage_version != rt.version:
            return self.by_path.get((rt.group, rt.storage_version, rt.plural), rt)
        return rt

    def crd_types(self, crd_name: str) -> list[ResourceType]:
        return list(self._crd_types.get(crd_name, ()))

    # ------------------------------------------------------------ discovery documents

    def preferred_version(self, group: str) -> str:
        versions = self.groups.get(group, [])
        preferred = PREFERRED.get(group)
        if preferred in versions:
            return preferred
        return _by_priority(versions)[0] if versions else ""

    def core_versions(self) -> dict[str, Any]:
        return {
            "kind": "APIVersions",
            "versions": ["v1"],
            "serverAddressByClientCIDRs": [{"clientCIDR": "0.0.0.0/0", "serverAddress": "127.0.0.1:6443"}],
        }

    def api_groups(self) -> dict[str, Any]:
        groups = []
        for group, versions in self.groups.items():
            if not group:
                continue
            ordered = _by_priority(versions)
            preferred = self.preferred_version(group)
            groups.append(
                {
                    "name": group,
                    "versions": [{"groupVersion": f"{group}/{v}", "version": v} for v in ordered],
                    "preferredVersion": {"groupVersion": f"{group}/{preferred}", "version": preferred},
                }
            )
        return {"kind": "APIGroupList", "apiVersion": "v1", "groups": groups}

    def api_group(self, group: str) -> dict[str, Any] | None:
        for doc in self.api_groups()["groups"]:
            if doc["name"] == group:
                return {"kind": "APIGroup", "apiVersion": "v1", **doc}
        return None

    def openapi_v3_root(self) -> dict[str, Any]:
        """`/openapi/v3`: one entry per group version (kubectl reads it before it validates)."""
        paths = {}
        for group, version in sorted({(t.group, t.version) for t in self.types}):
            base = f"apis/{group}/{version}" if group else f"api/{version}"
            doc = self.openapi_v3(group, version) or {}
            digest = hashlib.sha256(json.dumps(doc, sort_keys=True).encode()).hexdigest()[:16].upper()
            paths[base] = {"serverRelativeURL": f"/openapi/v3/{base}?hash={digest}"}
        return {"paths": paths}

    def openapi_v3(self, group: str, version: str) -> dict[str, Any] | None:
        """`/openapi/v3/apis/G/V`: no schemas, only each kind's PATCH operation with its
        `x-kubernetes-group-version-kind` and the `fieldValidation` parameter. That is what kubectl looks
        for to leave validation to the server (the sandbox checks what `validation` knows; it does not
        reject unknown fields) instead of downloading schemas to validate against itself; without these
        documents `kubectl apply` needs `--validate=false`."""
        served = [t for t in self.types if t.group == group and t.version == version]
        if not served:
            return None
        base = f"/apis/{group}/{version}" if group else f"/api/{version}"
        paths: dict[str, Any] = {}
        for t in served:
            scope = f"{base}/namespaces/{{namespace}}" if t.namespaced else base
            paths[f"{scope}/{t.plural}/{{name}}"] = {
                "patch": {
                    "operationId": f"patch{t.kind}",
                    "x-kubernetes-action": "patch",
                    "x-kubernetes-group-version-kind": {
                        "group": t.group,
                        "version": t.version,
                        "kind": t.kind,
                    },
                    "parameters": [
                        {"name": name, "in": "query", "schema": {"type": "string", "uniqueItems": True}}
                        for name in ("dryRun", "fieldManager", "fieldValidation", "force")
                    ],
                    "responses": {"200": {"description": "OK"}},
                }
            }
        return {
            "openapi": "3.0.0",
            "info": {"title": "Kubernetes (gitops-tui sandbox)", "version": "unversioned"},
            "paths": paths,
            "components": {"schemas": {}},
        }

    def resource_list(self, group: str, version: str) -> dict[str, Any] | None:
        served = [t for t in self.types if t.group == group and t.version == version]
        if not served:
            return None
        resources: list[dict[str, Any]] = []
        for t in served:
            entry: dict[str, Any] = {
                "name": t.plural,
                "singularName": t.singular,
                "namespaced": t.namespaced,
                "kind": t.kind,
                "verbs": list(VERBS),
            }
            if t.short_names:
                entry["shortNames"] = list(t.short_names)
            if t.categories:
                entry["categories"] = list(t.categories)
            entry["storageVersionHash"] = f"{abs(hash((t.group, t.kind))) % 10**11:011d}"
            resources.append(entry)
            if t.status:
                resources.append(
                    {
                        "name": f"{t.plural}/status",
                        "singularName": "",
                        "namespaced": t.namespaced,
                        "kind": t.kind,
                        "verbs": ["get", "patch", "update"],
                    }
                )
            if t.scale:
                resources.append(
                    {
                        "name": f"{t.plural}/scale",
                        "singularName": "",
                        "namespaced": t.namespaced,
                        "kind": "Scale",
                        "group": "autoscaling",
                        "version": "v1",
                        "verbs": ["get", "patch", "update"],
                    }
                )
        gv = f"{group}/{version}" if group else version
        return {"kind": "APIResourceList", "apiVersion": "v1", "groupVersion": gv, "resources": resources}


def _by_priority(versions: list[str]) -> list[str]:
    """Kubernetes version priority: GA before beta before alpha, higher numbers first."""

    def key(v: str) -> tuple[int, int, int]:
        import re

        m = re.match(r"^v(\d+)(?:(alpha|beta)(\d+))?$", v)
        if not m:
            return (3, 0, 0)
        major, stage, minor = int(m.group(1)), m.group(2), int(m.group(3) or 0)
        rank = {None: 0, "beta": 1, "alpha": 2}[stage]
        return (rank, -major, -minor)

    return sorted(versions, key=key)
