"""HorizontalPodAutoscaler health (gitops-engine health_hpa.go).

autoscaling/v1 has no conditions field: the controller writes them as JSON into an annotation. The v2 API
has them in status.conditions. Either way a failing condition anywhere wins over a healthy one.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

from gitops_tui.engine.health.convert import (
    HealthCheckError,
    annotations_of,
    api_group_version,
    items,
    string,
)
from gitops_tui.model import HealthResult, HealthStatus, Obj

CONDITIONS_ANNOTATION = "autoscaling.alpha.kubernetes.io/conditions"

_WAITING = HealthResult(HealthStatus.PROGRESSING, "Waiting to Autoscale")

# (condition type, reason) pairs the HPA controller sets when it cannot do its job.
_FAILURES = frozenset(
    {
        ("AbleToScale", "FailedGetScale"),
        ("AbleToScale", "FailedUpdateScale"),
        ("ScalingActive", "FailedGetResourceMetric"),
        ("ScalingActive", "FailedGetObjectMetric"),
        ("ScalingActive", "FailedGetPodsMetric"),
        ("ScalingActive", "FailedGetExternalMetric"),
        ("ScalingActive", "FailedComputeMetricsReplicas"),
        ("ScalingActive", "InvalidSelector"),
    }
)
_HEALTHY_TYPES = frozenset({"AbleToScale", "ScalingLimited"})


def _judge(conditions: Sequence[Mapping[str, Any]]) -> HealthResult:
    for condition in conditions:
        if (string(condition, "type"), string(condition, "reason")) in _FAILURES:
            return HealthResult(HealthStatus.DEGRADED, string(condition, "message"))
    for condition in conditions:
        if string(condition, "type") in _HEALTHY_TYPES and string(condition, "status") == "True":
            return HealthResult(HealthStatus.HEALTHY, string(condition, "message"))
    return _WAITING


def _annotated_conditions(obj: Obj) -> list[Mapping[str, Any]] | None:
    raw = annotations_of(obj).get(CONDITIONS_ANNOTATION)
    if raw is None:
        return None
    try:
        decoded = json.loads(str(raw))
    except json.JSONDecodeError as exc:
        raise HealthCheckError(f"failed to convert conditions annotation to typed: {exc}") from exc
    return items({"conditions": decoded}, "conditions")


def hpa_health(obj: Obj) -> HealthResult:
    group, version = api_group_version(obj)
    if version == "v1":
        conditions = _annotated_conditions(obj)
        return _judge(conditions) if conditions else _WAITING
    if version in ("v2", "v2beta2", "v2beta1"):
        return _judge(items(obj, "status.conditions"))
    raise HealthCheckError(f"unsupported HPA GVK: {group}/{version}, Kind=HorizontalPodAutoscaler")
