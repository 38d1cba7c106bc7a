"""The resource types the sandbox serves: built-in kinds, and those that CustomResourceDefinitions add."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from gitops_tui.sandbox import schema as sch

VERBS = ("create", "delete", "deletecollection", "get", "list", "patch", "update", "watch")


@dataclass(frozen=True)
class ResourceType:
    group: str
    version: str
    kind: str
    plural: str
    namespaced: bool = True
    short_names: tuple[str, ...] = ()
    status: bool = False  # has a /status subresource (status is ignored on the main resource)
    scale: bool = False  # has a /scale subresource
    generation: bool = False  # metadata.generation is tracked (bumped on spec changes)
    categories: tuple[str, ...] = ()
    schema: sch.Schema = field(default=sch.GENERIC, compare=False, repr=False)
    openapi: dict[str, Any] | None = field(default=None, compare=False, repr=False)  # CRD schema (defaults)
    served_by_crd: str = ""  # name of the CRD that serves this type
    # Objects of the same group/kind in other versions are one object (stored once, in `storage_version`).
    storage_version: str = ""

    @property
    def api_version(self) -> str:
        return f"{self.group}/{self.version}" if self.group else self.version

    @property
    def singular(self) -> str:
        return self.kind.lower()

    @property
    def group_kind(self) -> tuple[str, str]:
        return (self.group, self.kind)


def _t(group: str, version: str, kind: str, plural: str, **kw: Any) -> ResourceType:
    return ResourceType(group, version, kind, plural, schema=sch.for_kind(group, kind), **kw)


_ALL = ("all",)

BUILTIN: tuple[ResourceType, ...] = (
    _t("", "v1", "Namespace", "namespaces", namespaced=False, short_names=("ns",), status=True),
    _t("", "v1", "ConfigMap", "configmaps", short_names=("cm",)),
    _t("", "v1", "Secret", "secrets"),
    _t("", "v1", "Service", "services", short_names=("svc",), status=True, categories=_ALL),
    _t("", "v1", "ServiceAccount", "serviceaccounts", short_names=("sa",)),
    _t("", "v1", "Pod", "pods", short_names=("po",), status=True, categories=_ALL),
    _t("", "v1", "PodTemplate", "podtemplates"),
    _t("", "v1", "PersistentVolumeClaim", "persistentvolumeclaims", short_names=("pvc",), status=True),
    _t("", "v1", "PersistentVolume", "persistentvolumes", namespaced=False, short_names=("pv",), status=True),
    _t("", "v1", "Endpoints", "endpoints", short_names=("ep",)),
    _t("", "v1", "Event", "events", short_names=("ev",)),
    _t("", "v1", "ResourceQuota", "resourcequotas", short_names=("quota",), status=True),
    _t("", "v1", "LimitRange", "limitranges", short_names=("limits",)),
    _t("", "v1", "Node", "nodes", namespaced=False, short_names=("no",), status=True),
    _t(
        "apps",
        "v1",
        "Deployment",
        "deployments",
        short_names=("deploy",),
        status=True,
        scale=True,
        generation=True,
        categories=_ALL,
    ),
    _t(
        "apps",
        "v1",
        "StatefulSet",
        "statefulsets",
        short_names=("sts",),
        status=True,
        scale=True,
        generation=True,
        categories=_ALL,
    ),
    _t(
        "apps",
        "v1",
        "DaemonSet",
        "daemonsets",
        short_names=("ds",),
        status=True,
        generation=True,
        categories=_ALL,
    ),
    _t(
        "apps",
        "v1",
        "ReplicaSet",
        "replicasets",
        short_names=("rs",),
        status=True,
        scale=True,
        generation=True,
        categories=_ALL,
    ),
    _t("apps", "v1", "ControllerRevision", "controllerrevisions"),
    _t("batch", "v1", "Job", "jobs", status=True, generation=True, categories=_ALL),
    _t(
        "batch",
        "v1",
        "CronJob",
        "cronjobs",
        short_names=("cj",),
        status=True,
        generation=True,
        categories=_ALL,
    ),
    _t("networking.k8s.io", "v1", "Ingress", "ingresses", short_names=("ing",), status=True, generation=True),
    _t("networking.k8s.io", "v1", "IngressClass", "ingressclasses", namespaced=False, generation=True),
    _t(
        "networking.k8s.io",
        "v1",
        "NetworkPolicy",
        "networkpolicies",
        short_names=("netpol",),
        generation=True,
    ),
    _t(
        "autoscaling",
        "v2",
        "HorizontalPodAutoscaler",
        "horizontalpodautoscalers",
        short_names=("hpa",),
        status=True,
        categories=_ALL,
    ),
    _t(
        "autoscaling",
        "v1",
        "HorizontalPodAutoscaler",
        "horizontalpodautoscalers",
        short_names=("hpa",),
        status=True,
        categories=_ALL,
        storage_version="v2",
    ),
    _t("rbac.authorization.k8s.io", "v1", "Role", "roles"),
    _t("rbac.authorization.k8s.io", "v1", "RoleBinding", "rolebindings"),
    _t("rbac.authorization.k8s.io", "v1", "ClusterRole", "clusterroles", namespaced=False),
    _t("rbac.authorization.k8s.io", "v1", "ClusterRoleBinding", "clusterrolebindings", namespaced=False),
    _t(
        "policy",
        "v1",
        "PodDisruptionBudget",
        "poddisruptionbudgets",
        short_names=("pdb",),
        status=True,
        generation=True,
    ),
    _t(
        "apiextensions.k8s.io",
        "v1",
        "CustomResourceDefinition",
        "customresourcedefinitions",
        namespaced=False,
        short_names=("crd", "crds"),
        status=True,
        generation=True,
    ),
    _t("storage.k8s.io", "v1", "StorageClass", "storageclasses", namespaced=False, short_names=("sc",)),
    _t("coordination.k8s.io", "v1", "Lease", "leases"),
)

# Preferred version of each built-in group, first in discovery.
PREFERRED = {"autoscaling": "v2"}


def from_crd(crd: dict[str, Any]) -> list[ResourceType]:
    """The served versions of an established CRD."""
    spec = crd.get("spec") or {}
    names = spec.get("names") or {}
    group = str(spec.get("group") or "")
    kind = str(names.get("kind") or "")
    plural = str(names.get("plural") or "")
    if not (group and kind and plural):
        return []
    versions = [v for v in spec.get("versions") or () if isinstance(v, dict) and v.get("served", True)]
    storage = next(
        (str(v.get("name")) for v in versions if v.get("storage")),
        str(versions[0].get("name")) if versions else "",
    )
    out = []
    for v in versions:
        openapi = (
            ((v.get("schema") or {}).get("openAPIV3Schema")) if isinstance(v.get("schema"), dict) else None
        )
        subresources = v.get("subresources") or {}
        out.append(
            ResourceType(
                group,
                str(v.get("name")),
                kind,
                plural,
                namespaced=spec.get("scope", "Namespaced") == "Namespaced",
                short_names=tuple(names.get("shortNames") or ()),
                status="status" in subresources,
                scale="scale" in subresources,
                generation=True,
                categories=tuple(names.get("categories") or ()),
                schema=sch.from_openapi(openapi),
                openapi=openapi,
                served_by_crd=str((crd.get("metadata") or {}).get("name") or ""),
                storage_version=storage,
            )
        )
    return out
