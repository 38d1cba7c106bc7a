"""App sync from resource sync states; resource health glue."""

from __future__ import annotations

from gitops_tui.engine.status import app_sync, resource_health
from gitops_tui.model import HealthResult, HealthStatus, ResourceKey, ResourceStatus, SyncStatus


def res(sync: SyncStatus, name: str = "x") -> ResourceStatus:
    return ResourceStatus(ResourceKey("", "ConfigMap", "ns", name), "v1", sync, HealthStatus.NONE)


def test_synced_only_when_every_resource_is() -> None:
    assert app_sync([]) is SyncStatus.SYNCED
    assert app_sync([res(SyncStatus.SYNCED), res(SyncStatus.SYNCED, "y")]) is SyncStatus.SYNCED
    for other in (SyncStatus.OUT_OF_SYNC, SyncStatus.MISSING, SyncStatus.REQUIRES_PRUNING):
        assert app_sync([res(SyncStatus.SYNCED), res(other, "y")]) is SyncStatus.OUT_OF_SYNC


def test_unknown_wins_over_everything() -> None:
    states = [res(SyncStatus.OUT_OF_SYNC), res(SyncStatus.UNKNOWN, "y"), res(SyncStatus.MISSING, "z")]
    assert app_sync(states) is SyncStatus.UNKNOWN
    assert app_sync(iter(states)) is SyncStatus.UNKNOWN


def test_missing_resources_are_missing_whatever_the_kind() -> None:
    assert resource_health(SyncStatus.MISSING, None, None).status is HealthStatus.MISSING
    assert (
        resource_health(SyncStatus.MISSING, None, HealthResult(HealthStatus.HEALTHY)).status
        is HealthStatus.MISSING
    )


def test_live_resources_keep_their_assessed_health() -> None:
    degraded = HealthResult(HealthStatus.DEGRADED, "CrashLoopBackOff")
    assert resource_health(SyncStatus.OUT_OF_SYNC, {"kind": "Pod"}, degraded) == degraded
    assert resource_health(SyncStatus.SYNCED, {"kind": "Pod"}, None).status is HealthStatus.UNKNOWN
