"""StatefulSet health (gitops-engine health_statefulset.go, which follows `kubectl rollout status`)."""

from __future__ import annotations

from gitops_tui.engine.health.convert import (
    api_group_version,
    integer,
    mapping,
    optional_int,
    string,
    unsupported,
)
from gitops_tui.model import HealthResult, HealthStatus, Obj


def statefulset_health(obj: Obj) -> HealthResult:
    if api_group_version(obj) != ("apps", "v1"):
        raise unsupported(obj)
    observed = integer(obj, "status.observedGeneration")
    if observed == 0 or integer(obj, "metadata.generation") > observed:
        return HealthResult(HealthStatus.PROGRESSING, "Waiting for statefulset spec update to be observed...")
    desired = optional_int(obj, "spec.replicas")
    ready = integer(obj, "status.readyReplicas")
    updated = integer(obj, "status.updatedReplicas")
    if desired is not None and ready < desired:
        return HealthResult(HealthStatus.PROGRESSING, f"Waiting for {desired - ready} pods to be ready...")
    strategy = string(obj, "spec.updateStrategy.type")
    if strategy == "RollingUpdate" and mapping(obj, "spec.updateStrategy").get("rollingUpdate") is not None:
        partition = optional_int(obj, "spec.updateStrategy.rollingUpdate.partition")
        if desired is not None and partition is not None and updated < desired - partition:
            return HealthResult(
                HealthStatus.PROGRESSING,
                "Waiting for partitioned roll out to finish: "
                f"{updated} out of {desired - partition} new pods have been updated...",
            )
        # With a rollingUpdate block the revisions are not compared, whatever the partition (as kubectl).
        return HealthResult(
            HealthStatus.HEALTHY, f"partitioned roll out complete: {updated} new pods have been updated..."
        )
    if strategy == "OnDelete":
        return HealthResult(HealthStatus.HEALTHY, f"statefulset has {ready} ready pods")
    update_revision = string(obj, "status.updateRevision")
    current_revision = string(obj, "status.currentRevision")
    if update_revision != current_revision:
        return HealthResult(
            HealthStatus.PROGRESSING,
            "waiting for statefulset rolling update to complete "
            f"{updated} pods at revision {update_revision}...",
        )
    current = integer(obj, "status.currentReplicas")
    return HealthResult(
        HealthStatus.HEALTHY,
        f"statefulset rolling update complete {current} pods at revision {current_revision}...",
    )
