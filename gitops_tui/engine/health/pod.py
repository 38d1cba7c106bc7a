"""Pod health (gitops-engine health_pod.go)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from gitops_tui.engine.health.convert import (
    annotations_of,
    api_group_version,
    go_quote,
    integer,
    items,
    mapping,
    string,
    unsupported,
)
from gitops_tui.model import HealthResult, HealthStatus, Obj

# Opts a Pod with restartPolicy Never/OnFailure into being judged as a long-running one; hooks stay finite.
IGNORE_RESTART_POLICY = "argocd.argoproj.io/ignore-restart-policy"


def is_hook(obj: Obj) -> bool:
    """Argo CD's own hooks (unless marked Skip) and Helm hooks (except the pre-Helm-3 crd-install)."""
    notes = annotations_of(obj)
    argo = notes.get("argocd.argoproj.io/hook")
    if argo is not None:
        return "Skip" not in {part.strip() for part in str(argo).split(",")}
    helm = notes.get("helm.sh/hook")
    if helm is not None:
        return {part.strip() for part in str(helm).split(",")} != {"crd-install"}
    return False


def _restart_policy(obj: Obj) -> str:
    policy = string(obj, "spec.restartPolicy")
    if annotations_of(obj).get(IGNORE_RESTART_POLICY) == "true" and not is_hook(obj):
        return "Always"
    return policy


def _is_waiting_on_error(status: Mapping[str, Any]) -> bool:
    # Reasons such as ErrImagePull, CreateContainerConfigError, CrashLoopBackOff, ImagePullBackOff.
    reason = string(status, "state.waiting.reason")
    return reason.startswith("Err") or reason.endswith("Error") or reason.endswith("BackOff")


def _fail_message(status: Mapping[str, Any]) -> str:
    if mapping(status, "state").get("terminated") is None:
        return ""
    message = string(status, "state.terminated.message")
    if message:
        return message
    if string(status, "state.terminated.reason") == "OOMKilled":
        return "OOMKilled"
    exit_code = integer(status, "state.terminated.exitCode")
    if exit_code != 0:
        return f"container {go_quote(string(status, 'name'))} failed with exit code {exit_code}"
    return ""


def pod_health(obj: Obj) -> HealthResult:
    if api_group_version(obj) != ("", "v1"):
        raise unsupported(obj)
    policy = _restart_policy(obj)
    containers = items(obj, "status.containerStatuses")
    message = string(obj, "status.message")
    # Only long-running pods are failed on a waiting error: a hook pod marked Degraded would fail its sync
    # phase while the kubelet may still recover it.
    if policy == "Always":
        waiting = [string(c, "state.waiting.message") for c in containers if _is_waiting_on_error(c)]
        if waiting:
            return HealthResult(HealthStatus.DEGRADED, ", ".join(waiting))
    phase = string(obj, "status.phase")
    if phase == "Pending":
        return HealthResult(HealthStatus.PROGRESSING, message)
    if phase == "Succeeded":
        return HealthResult(HealthStatus.HEALTHY, message)
    if phase == "Failed":
        if message:
            return HealthResult(HealthStatus.DEGRADED, message)
        for status in items(obj, "status.initContainerStatuses") + containers:
            if failure := _fail_message(status):
                return HealthResult(HealthStatus.DEGRADED, failure)
        return HealthResult(HealthStatus.DEGRADED, "")
    if phase == "Running":
        if policy == "Always":
            if _is_ready(obj):
                return HealthResult(HealthStatus.HEALTHY, message)
            if any(mapping(c, "lastState").get("terminated") is not None for c in containers):
                return HealthResult(HealthStatus.DEGRADED, message)
            return HealthResult(HealthStatus.PROGRESSING, message)
        if policy in ("OnFailure", "Never"):
            # Finite pods are typically hooks: running is progress, not health.
            return HealthResult(HealthStatus.PROGRESSING, message)
    return HealthResult(HealthStatus.UNKNOWN, message)


def _is_ready(obj: Obj) -> bool:
    return any(
        c.get("type") == "Ready" and string(c, "status") == "True" for c in items(obj, "status.conditions")
    )
