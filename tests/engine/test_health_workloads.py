"""Workload health beyond the Argo corpus: missing status, pauses, partitions, deletion, failing pods."""

from __future__ import annotations

from typing import Any

from gitops_tui.engine.health import assess
from gitops_tui.model import HealthResult, HealthStatus


def obj(api_version: str, kind: str, **fields: Any) -> dict[str, Any]:
    return {
        "apiVersion": api_version,
        "kind": kind,
        "metadata": {"name": "web", "namespace": "prod"},
        **fields,
    }


def deployment(generation: int = 2, replicas: int = 3, **fields: Any) -> dict[str, Any]:
    d = obj("apps/v1", "Deployment", spec={"replicas": replicas}, **fields)
    d["metadata"]["generation"] = generation
    return d


def test_deployment_without_status_waits_for_the_controller() -> None:
    assert assess(deployment()) == HealthResult(
        HealthStatus.PROGRESSING,
        "Waiting for rollout to finish: observed deployment generation less than desired generation",
    )


def test_deployment_fully_rolled_out_is_healthy() -> None:
    status = {"observedGeneration": 2, "replicas": 3, "updatedReplicas": 3, "availableReplicas": 3}
    assert assess(deployment(status=status)) == HealthResult(HealthStatus.HEALTHY, "")


def test_deployment_counts_in_rollout_order() -> None:
    base = {"observedGeneration": 2, "replicas": 3, "updatedReplicas": 3, "availableReplicas": 3}
    assert assess(deployment(status={**base, "updatedReplicas": 1})).message == (
        "Waiting for rollout to finish: 1 out of 3 new replicas have been updated..."
    )
    assert assess(deployment(status={**base, "replicas": 4})).message == (
        "Waiting for rollout to finish: 1 old replicas are pending termination..."
    )
    assert assess(deployment(status={**base, "availableReplicas": 2})).message == (
        "Waiting for rollout to finish: 2 of 3 updated replicas are available..."
    )


def test_paused_deployment_is_suspended_even_mid_rollout() -> None:
    d = deployment(status={"observedGeneration": 1, "updatedReplicas": 0})
    d["spec"]["paused"] = True
    assert assess(d) == HealthResult(HealthStatus.SUSPENDED, "Deployment is paused")


def test_progress_deadline_is_degraded_before_counts() -> None:
    status = {
        "observedGeneration": 2,
        "updatedReplicas": 1,
        "conditions": [{"type": "Progressing", "status": "False", "reason": "ProgressDeadlineExceeded"}],
    }
    assert assess(deployment(status=status)) == HealthResult(
        HealthStatus.DEGRADED, 'Deployment "web" exceeded its progress deadline'
    )


def statefulset(replicas: int = 5, strategy: dict[str, Any] | None = None, **status: Any) -> dict[str, Any]:
    s = obj(
        "apps/v1",
        "StatefulSet",
        spec={"replicas": replicas, "updateStrategy": strategy or {"type": "RollingUpdate"}},
        status={"observedGeneration": 1, "readyReplicas": replicas, **status},
    )
    s["metadata"]["generation"] = 1
    return s


def test_statefulset_partitioned_rollout_waits_only_for_pods_above_the_partition() -> None:
    partitioned = {"type": "RollingUpdate", "rollingUpdate": {"partition": 3}}
    assert assess(statefulset(strategy=partitioned, updatedReplicas=1)) == HealthResult(
        HealthStatus.PROGRESSING,
        "Waiting for partitioned roll out to finish: 1 out of 2 new pods have been updated...",
    )
    # The pods below the partition stay on the old revision on purpose: that is a finished rollout.
    done = statefulset(strategy=partitioned, updatedReplicas=2, updateRevision="b", currentRevision="a")
    assert assess(done) == HealthResult(
        HealthStatus.HEALTHY, "partitioned roll out complete: 2 new pods have been updated..."
    )


def test_statefulset_rolling_update_without_partition_compares_revisions() -> None:
    rolling = statefulset(updatedReplicas=2, updateRevision="web-2", currentRevision="web-1")
    assert assess(rolling) == HealthResult(
        HealthStatus.PROGRESSING,
        "waiting for statefulset rolling update to complete 2 pods at revision web-2...",
    )
    done = statefulset(currentReplicas=5, updateRevision="web-2", currentRevision="web-2")
    assert assess(done) == HealthResult(
        HealthStatus.HEALTHY, "statefulset rolling update complete 5 pods at revision web-2..."
    )


def test_statefulset_waits_for_ready_pods_and_for_its_first_observation() -> None:
    assert assess(statefulset(readyReplicas=3)).message == "Waiting for 2 pods to be ready..."
    unobserved = statefulset()
    del unobserved["status"]
    assert assess(unobserved) == HealthResult(
        HealthStatus.PROGRESSING, "Waiting for statefulset spec update to be observed..."
    )


def test_daemonset_and_replicaset_without_status() -> None:
    ds = obj("apps/v1", "DaemonSet", spec={})
    ds["metadata"]["generation"] = 1
    assert assess(ds).message.startswith("Waiting for rollout to finish: observed daemon set generation")
    rs = obj("apps/v1", "ReplicaSet", spec={"replicas": 2}, status={"availableReplicas": 1})
    assert assess(rs) == HealthResult(
        HealthStatus.PROGRESSING, "Waiting for rollout to finish: 1 out of 2 new replicas are available..."
    )
    failing = obj(
        "apps/v1",
        "ReplicaSet",
        spec={"replicas": 2},
        status={"conditions": [{"type": "ReplicaFailure", "status": "True", "message": "quota exceeded"}]},
    )
    assert assess(failing) == HealthResult(HealthStatus.DEGRADED, "quota exceeded")


def test_daemonset_rollout_messages_name_it() -> None:
    ds = obj("apps/v1", "DaemonSet", status={"desiredNumberScheduled": 3, "updatedNumberScheduled": 1})
    assert assess(ds) == HealthResult(
        HealthStatus.PROGRESSING,
        'Waiting for daemon set "web" rollout to finish: 1 out of 3 new pods have been updated...',
    )


def pod(policy: str, phase: str, **status: Any) -> dict[str, Any]:
    return obj("v1", "Pod", spec={"restartPolicy": policy}, status={"phase": phase, **status})


BACKOFF = {"state": {"waiting": {"reason": "ImagePullBackOff", "message": "Back-off pulling image"}}}


def test_waiting_errors_degrade_only_long_running_pods() -> None:
    assert assess(pod("Always", "Pending", containerStatuses=[BACKOFF])) == HealthResult(
        HealthStatus.DEGRADED, "Back-off pulling image"
    )
    # A hook pod marked Degraded would fail its sync phase while the kubelet may still pull the image.
    assert assess(pod("Never", "Pending", containerStatuses=[BACKOFF])).status is HealthStatus.PROGRESSING


def test_failed_pod_says_why() -> None:
    oom = {"name": "main", "state": {"terminated": {"reason": "OOMKilled", "exitCode": 137}}}
    assert assess(pod("Never", "Failed", containerStatuses=[oom])) == HealthResult(
        HealthStatus.DEGRADED, "OOMKilled"
    )
    init = {"name": "migrate", "state": {"terminated": {"exitCode": 2}}}
    assert assess(pod("Never", "Failed", initContainerStatuses=[init])) == HealthResult(
        HealthStatus.DEGRADED, 'container "migrate" failed with exit code 2'
    )
    assert assess(pod("Never", "Failed", message="evicted")) == HealthResult(HealthStatus.DEGRADED, "evicted")


def test_running_pod_not_ready_after_a_crash_is_degraded() -> None:
    crashed = {"name": "main", "lastState": {"terminated": {"exitCode": 1}}, "state": {"running": {}}}
    assert assess(pod("Always", "Running", containerStatuses=[crashed])).status is HealthStatus.DEGRADED
    assert assess(pod("Always", "Running")).status is HealthStatus.PROGRESSING


def test_pod_without_status_is_unknown() -> None:
    assert assess(obj("v1", "Pod", spec={"restartPolicy": "Always"})).status is HealthStatus.UNKNOWN


def test_helm_hook_keeps_finite_pod_semantics_despite_the_ignore_annotation() -> None:
    p = pod("Never", "Running", conditions=[{"type": "Ready", "status": "True"}])
    p["metadata"]["annotations"] = {"argocd.argoproj.io/ignore-restart-policy": "true"}
    assert assess(p).status is HealthStatus.HEALTHY
    p["metadata"]["annotations"]["helm.sh/hook"] = "post-install"
    assert assess(p).status is HealthStatus.PROGRESSING


def test_deleting_objects_are_pending_deletion_whatever_their_kind() -> None:
    healthy = deployment(status={"observedGeneration": 2, "replicas": 3, "updatedReplicas": 3})
    for o in (healthy, obj("v1", "ConfigMap", data={})):
        o["metadata"]["deletionTimestamp"] = "2024-01-01T00:00:00Z"
        assert assess(o) == HealthResult(HealthStatus.PROGRESSING, "Pending deletion")


def test_hook_finalizer_keeps_the_real_health_of_a_deleting_hook() -> None:
    done = pod("Never", "Succeeded")
    done["metadata"]["deletionTimestamp"] = "2024-01-01T00:00:00Z"
    done["metadata"]["finalizers"] = ["argocd.argoproj.io/hook-finalizer"]
    assert assess(done).status is HealthStatus.HEALTHY


def job(*conditions: dict[str, str]) -> dict[str, Any]:
    return obj("batch/v1", "Job", status={"conditions": list(conditions)} if conditions else {})


def test_job_states() -> None:
    assert assess(job()) == HealthResult(HealthStatus.PROGRESSING, "")
    assert assess(job({"type": "Complete", "status": "True", "message": "done"})) == HealthResult(
        HealthStatus.HEALTHY, "done"
    )
    failed = job(
        {"type": "Complete", "status": "False"}, {"type": "Failed", "status": "True", "message": "boom"}
    )
    assert assess(failed) == HealthResult(HealthStatus.DEGRADED, "boom")
    # Argo counts a Suspended condition as the end of the run even once it turns False (a resumed Job).
    assert assess(job({"type": "Suspended", "status": "False"})).status is HealthStatus.HEALTHY
