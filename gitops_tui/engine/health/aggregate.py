"""An app's health from its resources' health."""

from __future__ import annotations

from collections.abc import Iterable

from gitops_tui.model import HEALTH_ORDER, HealthStatus

_RANK = {status: rank for rank, status in enumerate(HEALTH_ORDER)}


def aggregate(statuses: Iterable[HealthStatus]) -> HealthStatus:
    """The worst of them (Healthy < Suspended < Progressing < Missing < Degraded < Unknown). NONE (no health
    check for the kind) does not count; with nothing that counts the app is Healthy, as in Argo CD."""
    worst = HealthStatus.HEALTHY
    for status in statuses:
        if status is not HealthStatus.NONE and _RANK[status] > _RANK[worst]:
            worst = status
    return worst
