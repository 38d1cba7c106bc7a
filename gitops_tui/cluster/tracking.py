"""Which live objects belong to an app: the markers Argo CD and Flux write, read and written the same way.

Pure functions over plain dicts. The tracking id is byte-for-byte what Argo CD writes
(`util/argo/resource_tracking.go`): `<app>:<group>/<kind>:<namespace>/<name>`, where an object without a
namespace (cluster-scoped, or namespaced but left to the destination) carries the app's destination
namespace. Reading it back applies Argo CD's copy protection: an annotation copied onto another object
(`kubectl get -o yaml | sed | kubectl apply`) does not make that object part of the app.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from gitops_tui.model import DEFAULT_HOME, AppOrigin, AppSpec, Obj, TrackingMethod

ANNOTATION = "argocd.argoproj.io/tracking-id"
LABEL = "app.kubernetes.io/instance"
FLUX_NAME = "kustomize.toolkit.fluxcd.io/name"
FLUX_NS = "kustomize.toolkit.fluxcd.io/namespace"
FLUX_DEFAULT_NAMESPACE = "flux-system"
# helm-controller's OriginLabels post-renderer (internal/postrender/common_renderer.go) puts these on every
# object of a HelmRelease, hooks and the chart's CRDs too: the HelmRelease's own name and namespace.
HELM_NAME = "helm.toolkit.fluxcd.io/name"
HELM_NS = "helm.toolkit.fluxcd.io/namespace"

LABEL_MAX_LENGTH = 63
_LABEL_END = re.compile(r"[A-Za-z0-9]$")


@dataclass(frozen=True)
class TrackingId:
    app: str
    group: str
    kind: str
    namespace: str
    name: str


def _group(obj: Obj) -> str:
    api_version = str(obj.get("apiVersion") or "")
    return api_version.rpartition("/")[0]


def tracking_id(app_name: str, obj: Obj, default_namespace: str = "") -> str:
    """`<app>:<group>/<kind>:<namespace>/<name>`; `default_namespace` (the app's destination namespace)
    stands in for a missing namespace, as in Argo CD."""
    meta = obj.get("metadata") or {}
    namespace = str(meta.get("namespace") or default_namespace)
    return f"{app_name}:{_group(obj)}/{obj.get('kind', '')}:{namespace}/{meta.get('name', '')}"


def parse_tracking_id(value: str) -> TrackingId | None:
    """The parts of a tracking id, or None when it is not in Argo CD's format."""
    parts = value.split(":", 2)
    if len(parts) != 3:
        return None
    group_kind = parts[1].split("/")
    ns_name = parts[2].split("/")
    if len(group_kind) != 2 or len(ns_name) != 2:
        return None
    return TrackingId(parts[0], group_kind[0], group_kind[1], ns_name[0], ns_name[1])


def tracking_name(app: AppSpec) -> str:
    """The app name a marker carries: the name, or for an Argo CD Application outside Argo CD's own
    namespace (apps in any namespace) `<namespace>_<name>`, as Argo CD writes it."""
    if app.origin is AppOrigin.ARGO and app.home and app.home != DEFAULT_HOME[AppOrigin.ARGO]:
        return f"{app.home}_{app.name}"
    return app.name


def instance_label_value(app_name: str) -> str:
    """The instance label for annotation+label tracking: cut to 63 characters, never ending in a
    non-alphanumeric character (Argo CD #18237)."""
    value = app_name[:LABEL_MAX_LENGTH]
    while value and not _LABEL_END.search(value):
        value = value[:-1]
    return value


def inject_marker(obj: Obj, app: AppSpec) -> Obj:
    """A copy of obj carrying the app's tracking marker(s), exactly as a sync writes them. The input is not
    modified; only the metadata maps on the way are copied."""
    meta = dict(obj.get("metadata") or {})
    labels = dict(meta.get("labels") or {})
    annotations = dict(meta.get("annotations") or {})
    method = app.tracking
    if method in (TrackingMethod.ANNOTATION, TrackingMethod.ANNOTATION_AND_LABEL):
        annotations[ANNOTATION] = tracking_id(tracking_name(app), obj, app.namespace)
    if method is TrackingMethod.ANNOTATION_AND_LABEL:
        labels[LABEL] = instance_label_value(tracking_name(app))
    elif method is TrackingMethod.LABEL:
        labels[LABEL] = tracking_name(app)
    elif method is TrackingMethod.FLUX:
        labels[FLUX_NAME] = app.name
        labels[FLUX_NS] = app.flux_namespace or FLUX_DEFAULT_NAMESPACE
    elif method is TrackingMethod.FLUX_HELM:
        # Not Helm's own release metadata (managed-by, meta.helm.sh/*): Helm sets it on the release's
        # objects but not on the chart's CRDs, which cannot be told apart here; helm-controller takes
        # ownership of objects without it anyway (install/upgrade.disableTakeOwnership unset).
        labels[HELM_NAME] = app.name
        labels[HELM_NS] = app.flux_namespace or FLUX_DEFAULT_NAMESPACE
    if labels:
        meta["labels"] = labels
    if annotations:
        meta["annotations"] = annotations
    return {**obj, "metadata": meta}


def tracked_by(live: Obj, app: AppSpec) -> bool:
    """Whether the live object carries this app's marker (for the app's tracking method)."""
    meta = live.get("metadata") or {}
    labels = meta.get("labels") or {}
    method = app.tracking
    if method is TrackingMethod.LABEL:
        return bool(labels.get(LABEL)) and labels.get(LABEL) == tracking_name(app)
    if method is TrackingMethod.FLUX:
        return labels.get(FLUX_NAME) == app.name and labels.get(FLUX_NS) == (
            app.flux_namespace or FLUX_DEFAULT_NAMESPACE
        )
    if method is TrackingMethod.FLUX_HELM:
        return labels.get(HELM_NAME) == app.name and labels.get(HELM_NS) == (
            app.flux_namespace or FLUX_DEFAULT_NAMESPACE
        )
    parsed = parse_tracking_id(str((meta.get("annotations") or {}).get(ANNOTATION) or ""))
    if parsed is None or parsed.app != tracking_name(app):
        return False
    # Argo CD's isSelfReferencedObj: the id must name this very object. Cluster-scoped objects carry the
    # destination namespace in the id, so an object without a namespace matches any.
    namespace = str(meta.get("namespace") or "")
    return (
        (namespace == parsed.namespace or namespace == "")
        and str(meta.get("name") or "") == parsed.name
        and _group(live) == parsed.group
        and str(live.get("kind") or "") == parsed.kind
    )


# Secrets made by a controller from an object in Git, known by the marks it leaves even without an
# ownerReference (External Secrets Operator; a Sealed Secrets controller that took over a Secret). They
# carry the labels of the object they come from, Flux's tracking labels among them.
_MADE_BY_LABEL_PREFIXES = ("reconcile.external-secrets.io/",)
_MADE_BY_ANNOTATIONS = ("reconcile.external-secrets.io/data-hash", "sealedsecrets.bitnami.com/managed")


def is_owned(live: Obj) -> bool:
    """Objects with ownerReferences (ReplicaSets of a Deployment, Pods, Endpoints, the Secret of a
    SealedSecret...) are made by a controller from something in Git; so are the Secrets an ExternalSecret
    makes. They are never "extra" and never pruned."""
    meta = live.get("metadata") or {}
    if meta.get("ownerReferences"):
        return True
    if live.get("kind") != "Secret":
        return False
    labels = meta.get("labels") or {}
    annotations = meta.get("annotations") or {}
    return any(str(k).startswith(_MADE_BY_LABEL_PREFIXES) for k in labels) or any(
        k in annotations for k in _MADE_BY_ANNOTATIONS
    )
