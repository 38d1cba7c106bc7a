"""Deployment health (gitops-engine health_deployment.go, which follows `kubectl rollout status`)."""

from __future__ import annotations

from gitops_tui.engine.health.convert import (
    api_group_version,
    boolean,
    go_quote,
    integer,
    items,
    optional_int,
    string,
    unsupported,
)
from gitops_tui.model import HealthResult, HealthStatus, Obj


def deployment_health(obj: Obj) -> HealthResult:
    if api_group_version(obj) != ("apps", "v1"):
        raise unsupported(obj)
    if boolean(obj, "spec.paused"):
        return HealthResult(HealthStatus.SUSPENDED, "Deployment is paused")
    if integer(obj, "metadata.generation") > integer(obj, "status.observedGeneration"):
        return HealthResult(
            HealthStatus.PROGRESSING,
            "Waiting for rollout to finish: observed deployment generation less than desired generation",
        )
    # Only the first Progressing condition counts, as in Go's condition lookup.
    progressing = next((c for c in items(obj, "status.conditions") if c.get("type") == "Progressing"), None)
    desired = optional_int(obj, "spec.replicas")
    replicas = integer(obj, "status.replicas")
    updated = integer(obj, "status.updatedReplicas")
    available = integer(obj, "status.availableReplicas")
    if progressing is not None and string(progressing, "reason") == "ProgressDeadlineExceeded":
        name = string(obj, "metadata.name")
        return HealthResult(
            HealthStatus.DEGRADED, f"Deployment {go_quote(name)} exceeded its progress deadline"
        )
    if desired is not None and updated < desired:
        return HealthResult(
            HealthStatus.PROGRESSING,
            f"Waiting for rollout to finish: {updated} out of {desired} new replicas have been updated...",
        )
    if replicas > updated:
        return HealthResult(
            HealthStatus.PROGRESSING,
            f"Waiting for rollout to finish: {replicas - updated} old replicas are pending termination...",
        )
    if available < updated:
        return HealthResult(
            HealthStatus.PROGRESSING,
            f"Waiting for rollout to finish: {available} of {updated} updated replicas are available...",
        )
    return HealthResult(HealthStatus.HEALTHY)
