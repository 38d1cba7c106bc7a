"""What a sync would do, in which order: the blast radius shown before anyone confirms.

Order follows Argo CD: Namespaces and CRDs first (everything else may depend on them), then
`argocd.argoproj.io/sync-wave` ascending, then kind order (Helm's install order, which Argo CD uses), then
name. Resources of one wave are applied concurrently; prunes run last, in reverse order.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field

from gitops_tui.engine import pointer
from gitops_tui.model import (
    AppStatus,
    DriftField,
    Obj,
    ResourceKey,
    SyncStatus,
    TakenOverField,
)

WAVE_ANNOTATION = "argocd.argoproj.io/sync-wave"
PRUNE_DISABLED = "Prune=false"  # argocd.argoproj.io/sync-options on a resource

KIND_ORDER: tuple[str, ...] = (
    "Namespace",
    "NetworkPolicy",
    "ResourceQuota",
    "LimitRange",
    "PodSecurityPolicy",
    "PodDisruptionBudget",
    "ServiceAccount",
    "Secret",
    "ConfigMap",
    "StorageClass",
    "PersistentVolume",
    "PersistentVolumeClaim",
    "CustomResourceDefinition",
    "ClusterRole",
    "ClusterRoleBinding",
    "Role",
    "RoleBinding",
    "Service",
    "DaemonSet",
    "Pod",
    "ReplicationController",
    "ReplicaSet",
    "Deployment",
    "HorizontalPodAutoscaler",
    "StatefulSet",
    "Job",
    "CronJob",
    "IngressClass",
    "Ingress",
    "APIService",
)
_KIND_RANK = {kind: i for i, kind in enumerate(KIND_ORDER)}

# Fields the API server refuses to change in place (an apply fails with 422; the object must be replaced).
IMMUTABLE: Mapping[str, tuple[str, ...]] = {
    "Deployment": ("/spec/selector",),
    "ReplicaSet": ("/spec/selector",),
    "DaemonSet": ("/spec/selector",),
    "StatefulSet": (
        "/spec/selector",
        "/spec/serviceName",
        "/spec/volumeClaimTemplates",
        "/spec/podManagementPolicy",
    ),
    "Job": ("/spec/selector", "/spec/template", "/spec/completions"),
    "Service": ("/spec/clusterIP", "/spec/clusterIPs"),
    "PersistentVolumeClaim": (
        "/spec/storageClassName",
        "/spec/accessModes",
        "/spec/volumeName",
        "/spec/selector",
    ),
}


@dataclass(frozen=True)
class PlannedChange:
    key: ResourceKey
    action: str  # "create" | "update" | "prune"
    wave: int = 0
    drift: tuple[DriftField, ...] = ()
    taken_over: tuple[TakenOverField, ...] = ()
    immutable: tuple[str, ...] = ()  # drifted paths the server will refuse to change
    needs_replace: bool = False
    obj: Obj | None = field(default=None, compare=False, repr=False)  # what to apply (create/update)

    @property
    def will_fail(self) -> bool:
        return bool(self.immutable) or self.needs_replace


@dataclass(frozen=True)
class SyncPlan:
    app: str
    waves: tuple[tuple[PlannedChange, ...], ...]  # applied in order, each wave concurrently
    prunes: tuple[PlannedChange, ...] = ()
    skipped_prunes: tuple[ResourceKey, ...] = ()  # would be pruned, but prune was not asked for / disabled
    blocked_reason: str = ""  # non-empty: the plan must not run (e.g. a listing failed and prune was asked)

    @property
    def changes(self) -> tuple[PlannedChange, ...]:
        return tuple(c for wave in self.waves for c in wave) + self.prunes

    def count(self, action: str) -> int:
        return sum(1 for c in self.changes if c.action == action)

    @property
    def empty(self) -> bool:
        return not self.changes


def wave_of(obj: Obj) -> int:
    raw = ((obj.get("metadata") or {}).get("annotations") or {}).get(WAVE_ANNOTATION, "0")
    try:
        return int(str(raw).strip())
    except ValueError:
        return 0


def order_key(obj: Obj) -> tuple[int, int, int, str, str]:
    kind = str(obj.get("kind") or "")
    first = 0 if kind in ("Namespace", "CustomResourceDefinition") else 1
    meta = obj.get("metadata") or {}
    rank = _KIND_RANK.get(kind, len(KIND_ORDER))
    return (first, wave_of(obj), rank, str(meta.get("namespace") or ""), str(meta.get("name") or ""))


def _immutable_paths(kind: str, drift: Sequence[DriftField]) -> tuple[str, ...]:
    prefixes = IMMUTABLE.get(kind, ())
    hits = []
    for d in drift:
        parts = pointer.split(d.path)
        for prefix in prefixes:
            pre = pointer.split(prefix)
            if parts[: len(pre)] == pre:
                hits.append(d.path)
                break
    return tuple(hits)


def _prune_disabled(live: Obj) -> bool:
    options = ((live.get("metadata") or {}).get("annotations") or {}).get(
        "argocd.argoproj.io/sync-options", ""
    )
    return PRUNE_DISABLED in str(options)


def plan_sync(
    status: AppStatus,
    desired: Mapping[ResourceKey, Obj],
    live: Mapping[ResourceKey, Obj],
    *,
    prune: bool = False,
    selected: Collection[ResourceKey] | None = None,
    taken_over: Mapping[ResourceKey, tuple[TakenOverField, ...]] | None = None,
) -> SyncPlan:
    """Plan a sync of `status.app` from its last comparison. `selected` limits it to some resources."""
    taken_over = taken_over or {}
    applies: list[tuple[tuple[int, int, int, str, str], PlannedChange]] = []
    prunes: list[tuple[tuple[int, int, int, str, str], PlannedChange]] = []
    skipped: list[ResourceKey] = []
    for res in status.resources:
        if selected is not None and res.key not in selected:
            continue
        if res.sync is SyncStatus.REQUIRES_PRUNING:
            obj = live.get(res.key)
            if obj is None:
                continue
            if not prune or _prune_disabled(obj):
                skipped.append(res.key)
                continue
            prunes.append((order_key(obj), PlannedChange(key=res.key, action="prune", wave=wave_of(obj))))
            continue
        if res.sync not in (SyncStatus.MISSING, SyncStatus.OUT_OF_SYNC):
            continue
        obj = desired.get(res.key)
        if obj is None:
            continue
        change = PlannedChange(
            key=res.key,
            action="create" if res.sync is SyncStatus.MISSING else "update",
            wave=wave_of(obj),
            drift=res.drift,
            taken_over=taken_over.get(res.key, ()),
            immutable=_immutable_paths(res.key.kind, res.drift),
            needs_replace=res.needs_replace,
            obj=obj,
        )
        applies.append((order_key(obj), change))
    applies.sort(key=lambda item: item[0])
    waves: list[list[PlannedChange]] = []
    last: tuple[int, int, int] | None = None
    for okey, change in applies:
        group = okey[:3]
        if group != last:
            waves.append([])
            last = group
        waves[-1].append(change)
    prunes.sort(key=lambda item: item[0], reverse=True)
    blocked = ""
    unknown = [r for r in status.resources if r.sync is SyncStatus.UNKNOWN]
    chosen_unknown = [r for r in unknown if selected is None or r.key in selected]
    if prune and (unknown or status.sync is SyncStatus.UNKNOWN):
        blocked = (
            "refusing to prune: the cluster could not be listed completely ("
            + (status.error or unknown[0].error or "unknown state")
            + ")"
        )
    elif chosen_unknown:
        # Not knowing what is live, a sync would apply blind and report it as done: say why instead.
        first = chosen_unknown[0]
        more = f" and {len(chosen_unknown) - 1} more" if len(chosen_unknown) > 1 else ""
        blocked = (
            f"cannot sync {first.key.display()}{more}: its live state is unknown "
            f"({first.error or status.error or 'not compared'})"
        )
    return SyncPlan(
        app=status.app.id,
        waves=tuple(tuple(w) for w in waves),
        prunes=tuple(c for _, c in prunes),
        skipped_prunes=tuple(skipped),
        blocked_reason=blocked,
    )
