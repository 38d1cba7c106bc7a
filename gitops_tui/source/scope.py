"""Which objects take a namespace: the destination namespace for objects that have none.

The source side has no cluster, so it knows scope only for well-known kinds. Objects of other kinds (custom
resources) are left as they are and reported, so the cluster layer can resolve them with API discovery.
"""

from __future__ import annotations

from collections.abc import Iterable

from gitops_tui.model import Obj

CLUSTER_SCOPED: frozenset[tuple[str, str]] = frozenset(
    {
        ("", "Namespace"),
        ("", "Node"),
        ("", "PersistentVolume"),
        ("rbac.authorization.k8s.io", "ClusterRole"),
        ("rbac.authorization.k8s.io", "ClusterRoleBinding"),
        ("apiextensions.k8s.io", "CustomResourceDefinition"),
        ("apiregistration.k8s.io", "APIService"),
        ("admissionregistration.k8s.io", "MutatingWebhookConfiguration"),
        ("admissionregistration.k8s.io", "ValidatingWebhookConfiguration"),
        ("admissionregistration.k8s.io", "ValidatingAdmissionPolicy"),
        ("admissionregistration.k8s.io", "ValidatingAdmissionPolicyBinding"),
        ("storage.k8s.io", "StorageClass"),
        ("storage.k8s.io", "CSIDriver"),
        ("storage.k8s.io", "VolumeAttachment"),
        ("scheduling.k8s.io", "PriorityClass"),
        ("networking.k8s.io", "IngressClass"),
        ("node.k8s.io", "RuntimeClass"),
        ("certificates.k8s.io", "CertificateSigningRequest"),
        ("flowcontrol.apiserver.k8s.io", "FlowSchema"),
        ("flowcontrol.apiserver.k8s.io", "PriorityLevelConfiguration"),
    }
)

NAMESPACED: frozenset[tuple[str, str]] = frozenset(
    {
        ("", "ConfigMap"),
        ("", "Endpoints"),
        ("", "Event"),
        ("", "LimitRange"),
        ("", "PersistentVolumeClaim"),
        ("", "Pod"),
        ("", "PodTemplate"),
        ("", "ReplicationController"),
        ("", "ResourceQuota"),
        ("", "Secret"),
        ("", "Service"),
        ("", "ServiceAccount"),
        ("apps", "ControllerRevision"),
        ("apps", "DaemonSet"),
        ("apps", "Deployment"),
        ("apps", "ReplicaSet"),
        ("apps", "StatefulSet"),
        ("autoscaling", "HorizontalPodAutoscaler"),
        ("batch", "CronJob"),
        ("batch", "Job"),
        ("coordination.k8s.io", "Lease"),
        ("discovery.k8s.io", "EndpointSlice"),
        ("networking.k8s.io", "Ingress"),
        ("networking.k8s.io", "NetworkPolicy"),
        ("policy", "PodDisruptionBudget"),
        ("rbac.authorization.k8s.io", "Role"),
        ("rbac.authorization.k8s.io", "RoleBinding"),
        ("argoproj.io", "Application"),
        ("argoproj.io", "Rollout"),
    }
)


def group_kind(obj: Obj) -> tuple[str, str]:
    api_version = str(obj.get("apiVersion") or "")
    return (api_version.rpartition("/")[0], str(obj.get("kind") or ""))


def set_namespaces(
    objects: Iterable[Obj], namespace: str, *, override: bool = False
) -> tuple[list[Obj], list[str]]:
    """Give namespaced objects without a namespace `namespace`; with `override`, every namespaced object.

    `override` is Flux's `targetNamespace` (kustomize's `namespace:`): like kustomize it also applies to
    kinds of unknown scope. Returns the objects (changed ones copied, never mutated) and, when not
    overriding, the kinds of unknown scope that were left without a namespace ("Certificate.cert-manager.io").
    """
    out: list[Obj] = []
    unknown: set[str] = set()
    for obj in objects:
        raw_meta = obj.get("metadata")
        meta: dict[str, object] = raw_meta if isinstance(raw_meta, dict) else {}
        gk = group_kind(obj)
        current = meta.get("namespace") if meta else None
        if not namespace or gk in CLUSTER_SCOPED or (current and not override) or current == namespace:
            out.append(obj)
            continue
        if gk not in NAMESPACED and not override:
            unknown.add(f"{gk[1]}.{gk[0]}" if gk[0] else gk[1])
            out.append(obj)
            continue
        out.append({**obj, "metadata": {**meta, "namespace": namespace}})
    return out, sorted(unknown)
