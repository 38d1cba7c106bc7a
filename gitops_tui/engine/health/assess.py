"""One object's health, by Argo CD's rules: which check applies to which kind, and what comes before them."""

from __future__ import annotations

from collections.abc import Callable

from gitops_tui.engine.health.apiservice import apiservice_health
from gitops_tui.engine.health.convert import HealthCheckError, api_group_version
from gitops_tui.engine.health.cronjob import cronjob_health
from gitops_tui.engine.health.daemonset import daemonset_health
from gitops_tui.engine.health.deployment import deployment_health
from gitops_tui.engine.health.hpa import hpa_health
from gitops_tui.engine.health.job import job_health, workflow_health
from gitops_tui.engine.health.network import ingress_health, service_health
from gitops_tui.engine.health.pod import pod_health
from gitops_tui.engine.health.pvc import pvc_health
from gitops_tui.engine.health.replicaset import replicaset_health
from gitops_tui.engine.health.rollout import rollout_health
from gitops_tui.engine.health.statefulset import statefulset_health
from gitops_tui.model import HealthResult, HealthStatus, Obj

Check = Callable[[Obj], HealthResult]

# Argo's hook finalizer keeps a hook alive until its result is read, so such an object still has a health.
HOOK_FINALIZER = "argocd.argoproj.io/hook-finalizer"

# Keyed by (API group, kind), as Argo looks them up; each check decides which versions it understands.
# Kinds absent here (ConfigMap, Secret, Application, CRDs without a bundled script) have no health at all.
CHECKS: dict[tuple[str, str], Check] = {
    ("apps", "Deployment"): deployment_health,
    ("apps", "StatefulSet"): statefulset_health,
    ("apps", "ReplicaSet"): replicaset_health,
    ("apps", "DaemonSet"): daemonset_health,
    ("extensions", "Ingress"): ingress_health,
    ("networking.k8s.io", "Ingress"): ingress_health,
    ("argoproj.io", "Workflow"): workflow_health,
    ("apiregistration.k8s.io", "APIService"): apiservice_health,
    ("", "Service"): service_health,
    ("", "PersistentVolumeClaim"): pvc_health,
    ("", "Pod"): pod_health,
    ("batch", "Job"): job_health,
    ("autoscaling", "HorizontalPodAutoscaler"): hpa_health,
    # Lua scripts bundled with Argo CD rather than built into gitops-engine.
    ("batch", "CronJob"): cronjob_health,
    ("argoproj.io", "Rollout"): rollout_health,
}

_NO_HEALTH = HealthResult(HealthStatus.NONE, "")


def _pending_deletion(obj: Obj) -> bool:
    meta = obj.get("metadata")
    if not isinstance(meta, dict) or meta.get("deletionTimestamp") is None:
        return False
    finalizers = meta.get("finalizers")
    return not (isinstance(finalizers, list) and HOOK_FINALIZER in finalizers)


def assess(obj: Obj) -> HealthResult:
    """The health of a live object. Never raises: an object the check cannot read is Unknown with the reason,
    and a kind without a health check is NONE (left out of the app's health)."""
    if not isinstance(obj, dict):
        return _NO_HEALTH
    # Argo says this of every kind, before any check, even kinds that otherwise have no health.
    if _pending_deletion(obj):
        return HealthResult(HealthStatus.PROGRESSING, "Pending deletion")
    group, _ = api_group_version(obj)
    check = CHECKS.get((group, str(obj.get("kind") or "")))
    if check is None:
        return _NO_HEALTH
    try:
        return check(obj)
    except HealthCheckError as exc:
        return HealthResult(HealthStatus.UNKNOWN, str(exc))
    except Exception as exc:  # noqa: BLE001
        # A flaw in a check must cost one resource its health, not the whole reconcile; the message says so.
        return HealthResult(HealthStatus.UNKNOWN, f"health check failed: {type(exc).__name__}: {exc}")
