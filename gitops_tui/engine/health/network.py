"""Service and Ingress health (gitops-engine health_service.go, health_ingress.go): both wait only for a
load balancer address; anything else about them is healthy as soon as it exists."""

from __future__ import annotations

from gitops_tui.engine.health.convert import api_group_version, items, string, unsupported
from gitops_tui.model import HealthResult, HealthStatus, Obj


def _has_load_balancer(obj: Obj) -> bool:
    return len(items(obj, "status.loadBalancer.ingress")) > 0


def service_health(obj: Obj) -> HealthResult:
    if api_group_version(obj) != ("", "v1"):
        raise unsupported(obj)
    if string(obj, "spec.type") == "LoadBalancer" and not _has_load_balancer(obj):
        return HealthResult(HealthStatus.PROGRESSING)
    return HealthResult(HealthStatus.HEALTHY)


def ingress_health(obj: Obj) -> HealthResult:
    # Argo reads Ingress unstructured, so every API version is accepted.
    if _has_load_balancer(obj):
        return HealthResult(HealthStatus.HEALTHY)
    return HealthResult(HealthStatus.PROGRESSING)
