"""The Argo CD annotations that change how one resource is compared and synced, read as Argo CD reads them.

`argocd.argoproj.io/sync-options` and `compare-options` are comma-separated lists, trimmed and de-duplicated
in order (gitops-engine `resource.GetAnnotationCSVs`); an option with a value (`Prune=false`) is found by
its name (`GetAnnotationOptionValue`). A resource's option wins over the Application's
`syncPolicy.syncOptions` where Argo CD lets it (Prune, Delete).

The wave is `argocd.argoproj.io/sync-wave`, else Helm's `helm.sh/hook-weight` (gitops-engine
`syncwaves.Wave`), else 0; a value that Go's `strconv.Atoi` would refuse counts as absent.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from gitops_tui.model import Obj

SYNC_OPTIONS = "argocd.argoproj.io/sync-options"
COMPARE_OPTIONS = "argocd.argoproj.io/compare-options"
SYNC_WAVE = "argocd.argoproj.io/sync-wave"
HELM_HOOK_WEIGHT = "helm.sh/hook-weight"

IGNORE_EXTRANEOUS = "IgnoreExtraneous"
PRUNE_LAST = "PruneLast=true"
REPLACE = "Replace=true"
FORCE = "Force=true"
SERVER_SIDE_APPLY = "ServerSideApply=true"
NO_SERVER_SIDE_APPLY = "ServerSideApply=false"
NO_VALIDATE = "Validate=false"
SKIP_DRY_RUN_ON_MISSING = "SkipDryRunOnMissingResource=true"
CREATE_NAMESPACE = "CreateNamespace=true"
APPLY_OUT_OF_SYNC_ONLY = "ApplyOutOfSyncOnly=true"

# Argo CD's kind order within a wave (gitops-engine sync_tasks.go, Helm's install order); kinds not listed
# come after all of these.
KIND_ORDER: tuple[str, ...] = (
    "Namespace",
    "NetworkPolicy",
    "ResourceQuota",
    "LimitRange",
    "PodSecurityPolicy",
    "PodDisruptionBudget",
    "ServiceAccount",
    "Secret",
    "SecretList",
    "ConfigMap",
    "StorageClass",
    "PersistentVolume",
    "PersistentVolumeClaim",
    "CustomResourceDefinition",
    "ClusterRole",
    "ClusterRoleList",
    "ClusterRoleBinding",
    "ClusterRoleBindingList",
    "Role",
    "RoleList",
    "RoleBinding",
    "RoleBindingList",
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

# Go's strconv.Atoi: an optional sign and decimal digits, nothing else (no spaces, no underscores).
_ATOI = re.compile(r"[+-]?[0-9]+")


def annotations_of(obj: Obj | None) -> dict[str, str]:
    if obj is None:
        return {}
    meta = obj.get("metadata")
    raw = meta.get("annotations") if isinstance(meta, dict) else None
    return {str(k): str(v) for k, v in raw.items()} if isinstance(raw, dict) else {}


def csv(value: str) -> tuple[str, ...]:
    """Items of a comma-separated annotation value: trimmed, empty ones dropped, first occurrence kept."""
    seen: dict[str, None] = {}
    for item in value.split(","):
        item = item.strip()
        if item:
            seen.setdefault(item, None)
    return tuple(seen)


def annotation_csv(obj: Obj | None, key: str) -> tuple[str, ...]:
    return csv(annotations_of(obj).get(key, ""))


def sync_options(obj: Obj | None) -> tuple[str, ...]:
    return annotation_csv(obj, SYNC_OPTIONS)


def compare_options(obj: Obj | None) -> tuple[str, ...]:
    return annotation_csv(obj, COMPARE_OPTIONS)


def option_value(options: Iterable[str], name: str) -> str | None:
    """The value of `name=value` among options (the first one), None when the option is not set."""
    prefix = name + "="
    for item in options:
        if item.startswith(prefix):
            return item[len(prefix) :]
    return None


def resource_option(resource: Sequence[str], app: Sequence[str], name: str) -> str | None:
    """A `name=value` option for one resource: its own annotation first, else the Application's."""
    value = option_value(resource, name)
    return value if value is not None else option_value(app, name)


def kind_rank(kind: str) -> int:
    return _KIND_RANK.get(kind, len(KIND_ORDER))


def atoi(text: str) -> int | None:
    return int(text) if _ATOI.fullmatch(text) else None


def wave_of(obj: Obj | None) -> int:
    notes = annotations_of(obj)
    for key in (SYNC_WAVE, HELM_HOOK_WEIGHT):  # a bad sync-wave falls back to the Helm weight
        value = atoi(notes.get(key, ""))
        if value is not None:
            return value
    return 0
