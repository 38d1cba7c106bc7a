"""Sync and health of an app from its resources' states."""

from __future__ import annotations

from collections.abc import Iterable

from gitops_tui.engine.syncoptions import IGNORE_EXTRANEOUS
from gitops_tui.model import HealthResult, HealthStatus, Obj, ResourceStatus, SyncStatus


def ignored_extraneous(res: ResourceStatus) -> bool:
    """An extra object carrying `compare-options: IgnoreExtraneous`: still listed as RequiresPruning, but it
    does not make the app OutOfSync. Argo CD's rule holds for extraneous objects only: a drifted object
    with the option still counts (controller/state.go)."""
    return res.sync is SyncStatus.REQUIRES_PRUNING and IGNORE_EXTRANEOUS in res.compare_options


def app_sync(resources: Iterable[ResourceStatus]) -> SyncStatus:
    """Synced only when every resource is (extraneous ones with IgnoreExtraneous aside); Unknown as soon as
    one could not be compared."""
    states = {r.sync for r in resources if not ignored_extraneous(r)}
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
