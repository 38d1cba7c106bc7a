"""CronJob health: Argo CD's bundled Lua script (resource_customizations/batch/CronJob/health.lua).

A CronJob's status only says when a job was last scheduled and last succeeded, so the script gives the
benefit of the doubt: only "scheduled since the last success, and nothing running" is Degraded. A suspended
CronJob is Healthy, not Suspended, so that pausing a schedule does not colour the app (argo-cd#24428).
"""

from __future__ import annotations

from gitops_tui.engine.health.convert import timestamp
from gitops_tui.engine.health.lua import field, length
from gitops_tui.model import HealthResult, HealthStatus, Obj


def cronjob_health(obj: Obj) -> HealthResult:
    if field(obj, "spec.suspend") is True:
        return HealthResult(HealthStatus.HEALTHY, "CronJob is Suspended")
    if obj.get("status") is None:
        return HealthResult(HealthStatus.PROGRESSING, "Waiting for CronJob")
    scheduled = timestamp(field(obj, "status.lastScheduleTime"), "status.lastScheduleTime")
    if scheduled is None:
        # Status cannot tell a missed schedule from one not yet due.
        return HealthResult(HealthStatus.HEALTHY, "CronJob has not been scheduled yet")
    succeeded = timestamp(field(obj, "status.lastSuccessfulTime"), "status.lastSuccessfulTime")
    if succeeded is None:
        return HealthResult(
            HealthStatus.HEALTHY, "The CronJob never completed successfully. It may not be healthy"
        )
    active = field(obj, "status.active")
    if active is not None and length(active, "status.active") > 0:
        return HealthResult(
            HealthStatus.HEALTHY, "The job is running. Its last execution may not have been successful"
        )
    # The script compares the RFC 3339 strings as strings, which orders them correctly in the server's format.
    if succeeded < scheduled:
        return HealthResult(
            HealthStatus.DEGRADED, "CronJob has not completed its last execution successfully"
        )
    return HealthResult(HealthStatus.HEALTHY, "CronJob has completed its last execution successfully")
