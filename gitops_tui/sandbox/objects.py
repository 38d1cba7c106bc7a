"""Object-level rules shared by every write: field order as the server prints it, the zero-valued object a
create is compared with, when `generation` moves, and HorizontalPodAutoscaler v1 <-> v2 conversion."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from gitops_tui.sandbox.catalog import ResourceType

Obj = dict[str, Any]

_META_ORDER = (
    "name",
    "generateName",
    "namespace",
    "selfLink",
    "uid",
    "resourceVersion",
    "generation",
    "creationTimestamp",
    "deletionTimestamp",
    "deletionGracePeriodSeconds",
    "labels",
    "annotations",
    "ownerReferences",
    "finalizers",
    "managedFields",
)


_clock: Callable[[], float] = time.time


def now() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(_clock()))


@contextmanager
def frozen_clock(at: float) -> Iterator[None]:
    """Every timestamp the sandbox writes (managedFields, creationTimestamp) is `at` inside the block: the
    demo built for snapshots and screenshots shows the same ages on every run."""
    global _clock
    previous, _clock = _clock, lambda: at
    try:
        yield
    finally:
        _clock = previous


def new_uid() -> str:
    return str(uuid.uuid4())


def ordered(obj: Obj) -> Obj:
    """kind, apiVersion, metadata (in ObjectMeta's order), the body, status last: the server's JSON order."""
    out: Obj = {}
    for key in ("kind", "apiVersion"):
        if key in obj:
            out[key] = obj[key]
    meta = obj.get("metadata")
    if isinstance(meta, dict):
        m = {k: meta[k] for k in _META_ORDER if k in meta}
        m.update({k: v for k, v in meta.items() if k not in m})
        out["metadata"] = m
    for key, value in obj.items():
        if key not in out and key != "status":
            out[key] = value
    if "status" in obj:
        out["status"] = obj["status"]
    return out


def skeleton(rt: ResourceType) -> Obj:
    """The empty object a create is compared with to find what the creator set. Built-in types are Go
    structs: non-pointer structs and lists without omitempty exist even when empty, so they are not "added"
    (no "." in the creator's managedFields); custom resources start from nothing."""
    if rt.served_by_crd:
        return {}
    base: Obj = {"metadata": {}}
    if rt.kind in (
        "ConfigMap",
        "Secret",
        "ServiceAccount",
        "Endpoints",
        "Event",
        "Role",
        "ClusterRole",
        "RoleBinding",
        "ClusterRoleBinding",
        "StorageClass",
        "IngressClass",
    ):
        return base
    base["spec"] = {}
    base["status"] = {}
    template = {"metadata": {}, "spec": {"containers": None}}
    if rt.kind in ("Deployment", "ReplicaSet", "DaemonSet", "StatefulSet", "Job"):
        base["spec"]["template"] = template
    if rt.kind == "Deployment":
        base["spec"]["strategy"] = {}
    if rt.kind in ("StatefulSet", "DaemonSet"):
        base["spec"]["updateStrategy"] = {}
    if rt.kind == "CronJob":
        base["spec"]["jobTemplate"] = {"metadata": {}, "spec": {"template": template}}
    if rt.kind == "Pod":
        base["spec"]["containers"] = None
    return base


def bumps_generation(rt: ResourceType, old: Obj, new: Obj) -> bool:
    if not rt.generation:
        return False
    if rt.served_by_crd:
        # Custom resources: any change outside metadata and status.
        keys = (set(old) | set(new)) - {"metadata", "status"}
        return any(old.get(k) != new.get(k) for k in keys)
    if old.get("spec") != new.get("spec"):
        return True
    # Deployments also count annotations (they are copied to ReplicaSets), as fixture 18 shows.
    return rt.kind == "Deployment" and (old.get("metadata") or {}).get("annotations") != (
        new.get("metadata") or {}
    ).get("annotations")


def without_managed_fields(obj: Obj) -> Obj:
    meta = obj.get("metadata")
    if isinstance(meta, dict) and "managedFields" in meta:
        obj = dict(obj)
        obj["metadata"] = {k: v for k, v in meta.items() if k != "managedFields"}
    return obj


def same_content(a: Obj, b: Obj) -> bool:
    """Equal apart from managedFields and resourceVersion (what a no-op write leaves alone)."""
    ignore = {"managedFields", "resourceVersion"}
    ma, mb = a.get("metadata") or {}, b.get("metadata") or {}
    if {k: v for k, v in ma.items() if k not in ignore} != {k: v for k, v in mb.items() if k not in ignore}:
        return False
    keys = (set(a) | set(b)) - {"metadata"}
    return all(a.get(k) == b.get(k) for k in keys)


# ---------------------------------------------------------------- autoscaling v1 <-> v2 (stored as v2)


def hpa_to_v1(obj: Obj) -> Obj:
    out = dict(obj)
    spec = dict(obj.get("spec") or {})
    metrics = spec.pop("metrics", None) or []
    spec.pop("behavior", None)
    for m in metrics:
        target = ((m or {}).get("resource") or {}).get("target") or {}
        is_cpu = (m or {}).get("type") == "Resource" and (m.get("resource") or {}).get("name") == "cpu"
        if is_cpu and "averageUtilization" in target:
            spec["targetCPUUtilizationPercentage"] = target["averageUtilization"]
    out["spec"] = spec
    status = dict(obj.get("status") or {})
    status.pop("conditions", None)
    current = status.pop("currentMetrics", None) or []
    for m in current:
        value = (((m or {}).get("resource") or {}).get("current") or {}).get("averageUtilization")
        if value is not None:
            status["currentCPUUtilizationPercentage"] = value
    out["status"] = status
    out["apiVersion"] = "autoscaling/v1"
    return out


def hpa_from_v1(obj: Obj) -> Obj:
    out = dict(obj)
    spec = dict(obj.get("spec") or {})
    target = spec.pop("targetCPUUtilizationPercentage", None)
    if target is not None:
        spec["metrics"] = [
            {
                "type": "Resource",
                "resource": {"name": "cpu", "target": {"type": "Utilization", "averageUtilization": target}},
            }
        ]
    out["spec"] = spec
    out["apiVersion"] = "autoscaling/v2"
    return out
