"""DaemonSet health (gitops-engine health_daemonset.go, which follows `kubectl rollout status`)."""

from __future__ import annotations

from gitops_tui.engine.health.convert import api_group_version, go_quote, integer, string, unsupported
from gitops_tui.model import HealthResult, HealthStatus, Obj


def daemonset_health(obj: Obj) -> HealthResult:
    if api_group_version(obj) != ("apps", "v1"):
        raise unsupported(obj)
    if integer(obj, "metadata.generation") > integer(obj, "status.observedGeneration"):
        return HealthResult(
            HealthStatus.PROGRESSING,
            "Waiting for rollout to finish: observed daemon set generation less than desired generation",
        )
    updated = integer(obj, "status.updatedNumberScheduled")
    desired = integer(obj, "status.desiredNumberScheduled")
    available = integer(obj, "status.numberAvailable")
    if string(obj, "spec.updateStrategy.type") == "OnDelete":
        # Pods are replaced only when someone deletes them, so an incomplete update is not progress.
        return HealthResult(
            HealthStatus.HEALTHY, f"daemon set {updated} out of {desired} new pods have been updated"
        )
    name = go_quote(string(obj, "metadata.name"))
    if updated < desired:
        return HealthResult(
            HealthStatus.PROGRESSING,
            f"Waiting for daemon set {name} rollout to finish: "
            f"{updated} out of {desired} new pods have been updated...",
        )
    if available < desired:
        return HealthResult(
            HealthStatus.PROGRESSING,
            f"Waiting for daemon set {name} rollout to finish: "
            f"{available} of {desired} updated pods are available...",
        )
    return HealthResult(HealthStatus.HEALTHY)
