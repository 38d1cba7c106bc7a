"""Sync and health of an app from its resources' states."""

from __future__ import annotations

from collections.abc import Iterable

from gitops_tui.model import HealthResult, HealthStatus, Obj, ResourceStatus, SyncStatus


def app_sync(resources: Iterable[ResourceStatus]) -> SyncStatus:
    """Synced only when every resource is; Unknown as soon as one could not be compared."""
    states = {r.sync for r in resources}
    if SyncStatus.UNKNOWN in states:
        return SyncStatus.UNKNOWN
    if states - {SyncStatus.SYNCED}:
        return SyncStatus.OUT_OF_SYNC
    return SyncStatus.SYNCED


def resource_health(sync: SyncStatus, live: Obj | None, assessed: HealthResult | None) -> HealthResult:
    """A resource missing from the cluster is Missing whatever its kind; otherwise the kind's health check
    (`assessed`) stands, and a live object nobody assessed is Unknown."""
    if sync is SyncStatus.MISSING or live is None:
        return HealthResult(HealthStatus.MISSING, "not found in the cluster")
    if assessed is None:
        return HealthResult(HealthStatus.UNKNOWN, "")
    return assessed
