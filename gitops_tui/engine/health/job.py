"""Job health (gitops-engine health_job.go) and Argo Workflow health (health_argo.go): both are runs that
end, judged by how they ended."""

from __future__ import annotations

from gitops_tui.engine.health.convert import api_group_version, items, string, unsupported
from gitops_tui.model import HealthResult, HealthStatus, Obj


def job_health(obj: Obj) -> HealthResult:
    if api_group_version(obj) != ("batch", "v1"):
        raise unsupported(obj)
    failed = complete = suspended = False
    fail_message = message = ""
    # Every condition of these types counts whatever its status, except that only Suspended=True suspends.
    for condition in items(obj, "status.conditions"):
        kind = condition.get("type")
        if kind == "Failed":
            failed = complete = True
            fail_message = string(condition, "message")
        elif kind == "Complete":
            complete = True
            message = string(condition, "message")
        elif kind == "Suspended":
            complete = True
            message = string(condition, "message")
            suspended = suspended or string(condition, "status") == "True"
    if not complete:
        return HealthResult(HealthStatus.PROGRESSING, message)
    if failed:
        return HealthResult(HealthStatus.DEGRADED, fail_message)
    if suspended:
        return HealthResult(HealthStatus.SUSPENDED, message)
    return HealthResult(HealthStatus.HEALTHY, message)


_WORKFLOW_PHASES = {
    "": HealthStatus.PROGRESSING,
    "Pending": HealthStatus.PROGRESSING,
    "Running": HealthStatus.PROGRESSING,
    "Succeeded": HealthStatus.HEALTHY,
    "Failed": HealthStatus.DEGRADED,
    "Error": HealthStatus.DEGRADED,
}


def workflow_health(obj: Obj) -> HealthResult:
    """argoproj.io Workflow, any version: only status.phase and status.message matter."""
    phase = string(obj, "status.phase")
    return HealthResult(_WORKFLOW_PHASES.get(phase, HealthStatus.UNKNOWN), string(obj, "status.message"))
