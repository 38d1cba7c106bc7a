"""Which kinds have health, and the non-workload checks beyond the Argo corpus."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest

from gitops_tui.engine.health import assess
from gitops_tui.model import HealthResult, HealthStatus

NO_HEALTH = HealthResult(HealthStatus.NONE, "")


def obj(api_version: str, kind: str, **fields: Any) -> dict[str, Any]:
    return {"apiVersion": api_version, "kind": kind, "metadata": {"name": "x", "namespace": "ns"}, **fields}


@pytest.mark.parametrize(
    ("api_version", "kind"),
    [
        ("v1", "ConfigMap"),
        ("v1", "Secret"),
        ("v1", "Namespace"),
        ("argoproj.io/v1alpha1", "Application"),
        ("serving.knative.dev/v1", "Service"),
        ("example.com/v1", "Widget"),
        # Argo looks checks up by group: a Deployment of the retired extensions group has none.
        ("extensions/v1beta1", "Deployment"),
    ],
)
def test_kinds_without_a_check_have_no_health(api_version: str, kind: str) -> None:
    # Conditions are not read generically: Argo does not guess health from them.
    failing = {"conditions": [{"type": "Ready", "status": "False", "message": "broken"}]}
    assert assess(obj(api_version, kind, status=failing)) == NO_HEALTH


@pytest.mark.parametrize("thing", [{}, {"apiVersion": "v1"}, [], None, "Pod"])
def test_anything_else_has_no_health(thing: Any) -> None:
    assert assess(thing) == NO_HEALTH


def test_a_checked_kind_without_api_version_is_unknown_not_guessed() -> None:
    assert assess({"kind": "Pod"}) == HealthResult(HealthStatus.UNKNOWN, "unsupported Pod GVK: /, Kind=Pod")


def test_versions_argo_has_no_type_for_are_unknown() -> None:
    result = assess(obj("apps/v1beta2", "Deployment", spec={}))
    assert result == HealthResult(
        HealthStatus.UNKNOWN, "unsupported Deployment GVK: apps/v1beta2, Kind=Deployment"
    )


def test_service_waits_only_for_a_load_balancer() -> None:
    assert assess(obj("v1", "Service", spec={"type": "ClusterIP"})).status is HealthStatus.HEALTHY
    assert assess(obj("v1", "Service", spec={"type": "LoadBalancer"})).status is HealthStatus.PROGRESSING
    assigned = {"loadBalancer": {"ingress": [{"ip": "10.0.0.1"}]}}
    assert assess(obj("v1", "Service", spec={"type": "LoadBalancer"}, status=assigned)).status is (
        HealthStatus.HEALTHY
    )


def test_ingress_of_either_group_waits_for_an_address() -> None:
    for api_version in ("networking.k8s.io/v1", "extensions/v1beta1"):
        assert assess(obj(api_version, "Ingress")).status is HealthStatus.PROGRESSING
        done = obj(api_version, "Ingress", status={"loadBalancer": {"ingress": [{"hostname": "lb"}]}})
        assert assess(done).status is HealthStatus.HEALTHY


@pytest.mark.parametrize(
    ("phase", "status"),
    [
        ("Bound", HealthStatus.HEALTHY),
        ("Pending", HealthStatus.PROGRESSING),
        ("Lost", HealthStatus.DEGRADED),
        (None, HealthStatus.UNKNOWN),
    ],
)
def test_pvc_by_phase(phase: str | None, status: HealthStatus) -> None:
    pvc = obj("v1", "PersistentVolumeClaim", status={"phase": phase} if phase else {})
    assert assess(pvc).status is status


def condition(kind: str, status: str, reason: str, message: str) -> dict[str, str]:
    return {"type": kind, "status": status, "reason": reason, "message": message}


ABLE = condition("AbleToScale", "True", "ReadyForNewScale", "ready")
NO_METRIC = condition("ScalingActive", "False", "FailedGetExternalMetric", "no metric")


def test_hpa_failure_wins_over_an_earlier_healthy_condition() -> None:
    for api_version in ("autoscaling/v2", "autoscaling/v2beta2"):
        hpa = obj(api_version, "HorizontalPodAutoscaler", status={"conditions": [ABLE, NO_METRIC]})
        assert assess(hpa) == HealthResult(HealthStatus.DEGRADED, "no metric")
    v1 = obj("autoscaling/v1", "HorizontalPodAutoscaler")
    v1["metadata"]["annotations"] = {
        "autoscaling.alpha.kubernetes.io/conditions": json.dumps([ABLE, NO_METRIC])
    }
    assert assess(v1) == HealthResult(HealthStatus.DEGRADED, "no metric")


def test_hpa_without_conditions_waits_and_bad_annotation_is_unknown() -> None:
    waiting = HealthResult(HealthStatus.PROGRESSING, "Waiting to Autoscale")
    assert assess(obj("autoscaling/v2", "HorizontalPodAutoscaler")) == waiting
    v1 = obj("autoscaling/v1", "HorizontalPodAutoscaler")
    v1["metadata"]["annotations"] = {"autoscaling.alpha.kubernetes.io/conditions": "[]"}
    assert assess(v1) == waiting
    v1["metadata"]["annotations"] = {"autoscaling.alpha.kubernetes.io/conditions": "[{"}
    result = assess(v1)
    assert result.status is HealthStatus.UNKNOWN
    assert result.message.startswith("failed to convert conditions annotation")


def test_apiservice_without_conditions_waits() -> None:
    assert assess(obj("apiregistration.k8s.io/v1", "APIService")) == HealthResult(
        HealthStatus.PROGRESSING, "Waiting to be processed"
    )


def cronjob(**status: Any) -> dict[str, Any]:
    return obj("batch/v1", "CronJob", spec={"schedule": "* * * * *"}, status=status)


def test_cronjob_compares_times_whether_read_as_strings_or_datetimes() -> None:
    early = dt.datetime(2025, 7, 30, 13, 44, 19, tzinfo=dt.UTC)
    late = dt.datetime(2025, 7, 30, 13, 46, tzinfo=dt.UTC)
    failed = HealthResult(HealthStatus.DEGRADED, "CronJob has not completed its last execution successfully")
    assert assess(cronjob(lastScheduleTime=late, lastSuccessfulTime=early)) == failed
    assert assess(cronjob(lastScheduleTime="2025-07-30T13:46:00Z", lastSuccessfulTime=early)) == failed
    ok = assess(cronjob(lastScheduleTime=early, lastSuccessfulTime="2025-07-30T13:46:00Z"))
    assert ok == HealthResult(HealthStatus.HEALTHY, "CronJob has completed its last execution successfully")


def test_cronjob_success_at_the_scheduled_second_is_healthy() -> None:
    same = "2025-07-30T13:46:00Z"
    assert assess(cronjob(lastScheduleTime=same, lastSuccessfulTime=same)).status is HealthStatus.HEALTHY


def test_cronjob_without_status_waits() -> None:
    c = cronjob()
    del c["status"]
    assert assess(c) == HealthResult(HealthStatus.PROGRESSING, "Waiting for CronJob")


def rollout(**status: Any) -> dict[str, Any]:
    r = obj(
        "argoproj.io/v1alpha1", "Rollout", spec={"replicas": 1, "strategy": {"canary": {}}}, status=status
    )
    r["metadata"]["generation"] = 3
    return r


def test_rollout_phase_is_surfaced_and_paused_means_suspended() -> None:
    assert assess(rollout(observedGeneration="3", phase="Paused", message="paused by user")) == HealthResult(
        HealthStatus.SUSPENDED, "paused by user"
    )
    assert assess(rollout(observedGeneration="3", phase="Degraded")) == HealthResult(
        HealthStatus.DEGRADED, ""
    )


def test_rollout_phase_argo_does_not_know_is_unknown() -> None:
    assert assess(rollout(observedGeneration="3", phase="Sleeping")) == HealthResult(
        HealthStatus.UNKNOWN, "Lua returned an invalid health status"
    )


def test_rollout_with_an_old_generation_waits() -> None:
    assert assess(rollout(observedGeneration="2", phase="Healthy")) == HealthResult(
        HealthStatus.PROGRESSING, "Waiting for rollout spec update to be observed"
    )


def test_rollout_the_script_cannot_read_is_unknown() -> None:
    # The script iterates status.conditions without a nil check, so Argo reports a script error.
    result = assess(rollout(observedGeneration="3"))
    assert result.status is HealthStatus.UNKNOWN
    assert "status.conditions" in result.message


def test_rollout_canary_waits_for_its_steps() -> None:
    r = rollout(
        observedGeneration="3",
        conditions=[],
        currentPodHash="abc",
        stableRS="old",
        replicas=1,
        updatedReplicas=1,
        availableReplicas=1,
    )
    assert assess(r) == HealthResult(HealthStatus.PROGRESSING, "Waiting for rollout to finish steps")
    r["status"]["stableRS"] = "abc"
    assert assess(r) == HealthResult(HealthStatus.HEALTHY, "")


@pytest.mark.parametrize(
    ("phase", "status"),
    [
        ("", HealthStatus.PROGRESSING),
        ("Running", HealthStatus.PROGRESSING),
        ("Succeeded", HealthStatus.HEALTHY),
        ("Error", HealthStatus.DEGRADED),
        ("Odd", HealthStatus.UNKNOWN),
    ],
)
def test_argo_workflow_by_phase(phase: str, status: HealthStatus) -> None:
    wf = obj("argoproj.io/v1alpha1", "Workflow", status={"phase": phase, "message": "m"})
    assert assess(wf) == HealthResult(status, "m")


def test_rollout_generations_are_read_like_lua_tonumber() -> None:
    healthy = {"conditions": [], "currentPodHash": "a", "stableRS": "a", "replicas": 1, "updatedReplicas": 1}
    healthy["availableReplicas"] = 1
    # A pre-v0.10 hash is not a number: the script cannot compare it and trusts the controller.
    assert assess(rollout(observedGeneration="7d5979db69", **healthy)).status is HealthStatus.HEALTHY
    assert assess(rollout(observedGeneration=" 3 ", **healthy)).status is HealthStatus.HEALTHY
    assert assess(rollout(observedGeneration=2, **healthy)).status is HealthStatus.PROGRESSING
