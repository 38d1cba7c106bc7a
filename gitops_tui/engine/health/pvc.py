"""PersistentVolumeClaim health (gitops-engine health_pvc.go)."""

from __future__ import annotations

from gitops_tui.engine.health.convert import api_group_version, string, unsupported
from gitops_tui.model import HealthResult, HealthStatus, Obj

_BY_PHASE = {
    "Lost": HealthStatus.DEGRADED,
    "Pending": HealthStatus.PROGRESSING,
    "Bound": HealthStatus.HEALTHY,
}


def pvc_health(obj: Obj) -> HealthResult:
    if api_group_version(obj) != ("", "v1"):
        raise unsupported(obj)
    return HealthResult(_BY_PHASE.get(string(obj, "status.phase"), HealthStatus.UNKNOWN))
