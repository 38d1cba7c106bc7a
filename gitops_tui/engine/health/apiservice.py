"""APIService health (gitops-engine health_apiservice.go): the aggregator's Available condition."""

from __future__ import annotations

from gitops_tui.engine.health.convert import api_group_version, items, string, unsupported
from gitops_tui.model import HealthResult, HealthStatus, Obj


def apiservice_health(obj: Obj) -> HealthResult:
    if api_group_version(obj) not in (
        ("apiregistration.k8s.io", "v1"),
        ("apiregistration.k8s.io", "v1beta1"),
    ):
        raise unsupported(obj)
    for condition in items(obj, "status.conditions"):
        if condition.get("type") == "Available":
            message = f"{string(condition, 'reason')}: {string(condition, 'message')}"
            if string(condition, "status") == "True":
                return HealthResult(HealthStatus.HEALTHY, message)
            return HealthResult(HealthStatus.PROGRESSING, message)
    return HealthResult(HealthStatus.PROGRESSING, "Waiting to be processed")
