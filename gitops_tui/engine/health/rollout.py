"""Argo Rollouts' Rollout health: Argo CD's bundled Lua script
(resource_customizations/argoproj.io/Rollout/health.lua).

The script serves every Rollouts release: v1.0+ controllers write status.phase/message, which is surfaced as
is; older ones are judged from conditions, pause state, replica counts and which ReplicaSet serves traffic.
"""

from __future__ import annotations

from typing import Any

from gitops_tui.engine.health.lua import field, index, ipairs, length, number, script_result, tonumber, truthy
from gitops_tui.model import HealthResult, HealthStatus, Obj

WORKLOAD_GENERATION = "rollout.argoproj.io/workload-generation"

_SPEC_NOT_OBSERVED = HealthResult(HealthStatus.PROGRESSING, "Waiting for rollout spec update to be observed")


def _generation_observed(obj: Obj) -> bool:
    if obj.get("status") is None:
        return False
    observed = tonumber(field(obj, "status.observedGeneration"))
    # Before v0.10 observedGeneration was a hash of the spec, which says nothing comparable.
    if observed is None:
        return True
    generation = number(field(obj, "metadata.generation"), "metadata.generation")
    return observed > generation or observed == generation


def _workload_generation_observed(obj: Obj) -> bool:
    """Only Rollouts that take their pod template from a referenced workload (v1.1+) track its generation."""
    notes = field(obj, "metadata.annotations")
    if field(obj, "spec.workloadRef") is None or notes is None:
        return True
    wanted = tonumber(index(notes, WORKLOAD_GENERATION, "metadata.annotations"))
    return wanted == tonumber(field(obj, "status.workloadObservedGeneration"))


def _value_or(value: Any, default: float, path: str) -> float:
    return default if value is None else number(value, path)


def _stable_replicaset(obj: Obj) -> Any:
    # v0.8 moved status.canary.stableRS to status.stableRS.
    if field(obj, "status.stableRS") is not None:
        return field(obj, "status.stableRS")
    if field(obj, "status.canary") is not None:
        return field(obj, "status.canary.stableRS")
    return ""


def _progressing(message: str) -> HealthResult:
    return HealthResult(HealthStatus.PROGRESSING, message)


def rollout_health(obj: Obj) -> HealthResult:
    if not _generation_observed(obj) or not _workload_generation_observed(obj):
        return _SPEC_NOT_OBSERVED

    phase = field(obj, "status.phase")
    if phase is not None:
        # Rollouts says Paused where Argo CD says Suspended.
        return script_result("Suspended" if phase == "Paused" else phase, field(obj, "status.message"))

    # The script iterates status.conditions without a nil check: a Rollout without them is a script error.
    for condition in ipairs(field(obj, "status.conditions"), "status.conditions"):
        kind, reason = field(condition, "type"), field(condition, "reason")
        if kind == "InvalidSpec" or (
            kind == "Progressing" and reason in ("RolloutAborted", "ProgressDeadlineExceeded")
        ):
            return script_result("Degraded", field(condition, "message"))

    pause_conditions = field(obj, "status.pauseConditions")
    if (pause_conditions is not None and length(pause_conditions, "status.pauseConditions") > 0) or truthy(
        field(obj, "spec.paused")
    ):
        return HealthResult(HealthStatus.SUSPENDED, "Rollout is paused")

    pod_hash = field(obj, "status.currentPodHash")
    if pod_hash is None:
        return _progressing("Waiting for rollout to finish: status has not been reconciled.")

    desired = _value_or(field(obj, "spec.replicas"), 1, "spec.replicas")
    replicas = _value_or(field(obj, "status.replicas"), 0, "status.replicas")
    updated = _value_or(field(obj, "status.updatedReplicas"), 0, "status.updatedReplicas")
    available = _value_or(field(obj, "status.availableReplicas"), 0, "status.availableReplicas")
    if updated < desired:
        return _progressing("Waiting for roll out to finish: More replicas need to be updated")
    if available < updated:
        return _progressing("Waiting for roll out to finish: updated replicas are still becoming available")

    stable = _stable_replicaset(obj)
    if field(obj, "spec.strategy.blueGreen") is not None:
        blue_green = field(obj, "status.blueGreen")
        if blue_green is None or field(blue_green, "activeSelector") != pod_hash:
            return _progressing("active service cutover pending")
        # v0.7 blue-green had no stable ReplicaSet, so its absence is not a pending analysis.
        if stable != "" and stable != pod_hash:
            return _progressing("waiting for analysis to complete")
    elif field(obj, "spec.strategy.canary") is not None:
        if replicas > updated:
            return _progressing("Waiting for roll out to finish: old replicas are pending termination")
        if stable == "" or stable != pod_hash:
            return _progressing("Waiting for rollout to finish steps")
    return HealthResult(HealthStatus.HEALTHY, "")
