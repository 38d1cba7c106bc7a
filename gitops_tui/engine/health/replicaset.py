"""ReplicaSet health (gitops-engine health_replicaset.go)."""

from __future__ import annotations

from gitops_tui.engine.health.convert import (
    api_group_version,
    integer,
    items,
    optional_int,
    string,
    unsupported,
)
from gitops_tui.model import HealthResult, HealthStatus, Obj


def replicaset_health(obj: Obj) -> HealthResult:
    if api_group_version(obj) != ("apps", "v1"):
        raise unsupported(obj)
    if integer(obj, "metadata.generation") > integer(obj, "status.observedGeneration"):
        return HealthResult(
            HealthStatus.PROGRESSING,
            "Waiting for rollout to finish: observed replica set generation less than desired generation",
        )
    failure = next((c for c in items(obj, "status.conditions") if c.get("type") == "ReplicaFailure"), None)
    if failure is not None and string(failure, "status") == "True":
        return HealthResult(HealthStatus.DEGRADED, string(failure, "message"))
    desired = optional_int(obj, "spec.replicas")
    available = integer(obj, "status.availableReplicas")
    if desired is not None and available < desired:
        return HealthResult(
            HealthStatus.PROGRESSING,
            f"Waiting for rollout to finish: {available} out of {desired} new replicas are available...",
        )
    return HealthResult(HealthStatus.HEALTHY)
