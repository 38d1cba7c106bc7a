"""An app whose desired state could not be had (a HelmRelease whose chart cannot be fetched offline) is
still shown as what the cluster has for it: each live object tracked to it, with its health, and its sync
Unknown, since there is nothing to compare it with. The app carries the error that stopped its render.

Pure: the caller chose the live objects (tracked to the app, not owned by another object).
"""

from __future__ import annotations

from collections.abc import Iterable

from gitops_tui.engine.health import aggregate, assess
from gitops_tui.engine.hooks import is_hook_like
from gitops_tui.model import AppSpec, AppStatus, HealthStatus, Obj, ResourceKey, ResourceStatus, SyncStatus

NOT_COMPARED = "not compared: the app's desired state could not be rendered (what the cluster has)"


def live_only_app(
    app: AppSpec,
    error: str,
    live: Iterable[Obj],
    *,
    revision: str = "",
    context: str = "",
    now: float = 0.0,
) -> AppStatus:
    resources = []
    for obj in live:
        if is_hook_like(obj):  # a hook's last run is not one of the release's resources
            continue
        health = assess(obj)
        resources.append(
            ResourceStatus(
                key=ResourceKey.of(obj),
                version=str(obj.get("apiVersion") or ""),
                sync=SyncStatus.UNKNOWN,
                health=health.status,
                health_message=health.message,
                note=NOT_COMPARED,
            )
        )
    resources.sort(key=lambda r: (r.key.namespace, r.key.kind, r.key.name))
    return AppStatus(
        app=app,
        sync=SyncStatus.UNKNOWN,
        health=aggregate(r.health for r in resources) if resources else HealthStatus.UNKNOWN,
        resources=tuple(resources),
        error=error,
        revision=revision,
        context=context,
        reconciled_at=now,
    )
