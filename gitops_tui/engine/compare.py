"""Compare one application: its desired objects against what the cluster holds, into an AppStatus.

Pure: the caller (reconcile) has already rendered, listed and dry-run; this decides per resource which diff
mode applies, what the sync and health states are, and how the app as a whole stands.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from gitops_tui.engine import diff as diffmod
from gitops_tui.engine.health import aggregate, assess
from gitops_tui.engine.secrets import mask_drift
from gitops_tui.engine.status import app_sync
from gitops_tui.model import (
    AppSpec,
    AppStatus,
    DiffMode,
    HealthStatus,
    IgnoreRule,
    Obj,
    ResourceDiff,
    ResourceKey,
    ResourceStatus,
    SyncStatus,
)


@dataclass(frozen=True)
class DryRunFailure:
    """Why the server would not predict an object: the HTTP status (None when unreachable) and message."""

    status: int | None
    message: str


@dataclass
class AppInputs:
    """Everything known about one app after render, list and dry-run."""

    app: AppSpec
    desired: Sequence[Obj]  # marker injected, namespace resolved
    live: Mapping[ResourceKey, Obj]  # live counterparts of desired objects that exist
    extras: Sequence[Obj] = ()  # tracked live objects that are not in Git
    predicted: Mapping[ResourceKey, Obj] = field(default_factory=dict)
    dry_run_failures: Mapping[ResourceKey, DryRunFailure] = field(default_factory=dict)
    list_failures: Mapping[ResourceKey, str] = field(default_factory=dict)  # per desired key: listing failed
    ignore: Sequence[IgnoreRule] = ()
    server_side: bool = True
    manager: str = "gitops-tui"


def _version(obj: Obj) -> str:
    return str(obj.get("apiVersion") or "")


def compare_resource(inputs: AppInputs, desired: Obj) -> ResourceDiff:
    key = ResourceKey.of(desired)
    if key in inputs.list_failures:
        return ResourceDiff(key=key, sync=SyncStatus.UNKNOWN, error=inputs.list_failures[key])
    live = inputs.live.get(key)
    if live is None:
        return diffmod.missing(desired)
    if inputs.server_side:
        predicted = inputs.predicted.get(key)
        if predicted is not None:
            return diffmod.server_side_diff(
                desired, live, predicted, ignore=inputs.ignore, manager=inputs.manager
            )
        failure = inputs.dry_run_failures.get(key)
        if failure is not None and failure.status == 422:
            return diffmod.fallback_after_rejected_dry_run(
                desired, live, failure.message, ignore=inputs.ignore
            )
        result = diffmod.client_side_diff(desired, live, ignore=inputs.ignore)
        if failure is not None:
            note = f"server-side dry run refused ({failure.message}); compared client-side"
            return ResourceDiff(
                key=result.key,
                sync=result.sync,
                drift=result.drift,
                mode=DiffMode.CLIENT_SIDE,
                taken_over=result.taken_over,
                needs_replace=result.needs_replace,
                note=note,
            )
        return result
    return diffmod.client_side_diff(desired, live, ignore=inputs.ignore)


def _health(sync: SyncStatus, live: Obj | None) -> tuple[HealthStatus, str]:
    if live is None:
        return (
            (HealthStatus.MISSING, "not found in the cluster")
            if sync is SyncStatus.MISSING
            else (
                HealthStatus.UNKNOWN,
                "",
            )
        )
    result = assess(live)
    return result.status, result.message


def compare_app(inputs: AppInputs, *, revision: str = "", context: str = "", now: float = 0.0) -> AppStatus:
    resources: list[ResourceStatus] = []
    for desired in inputs.desired:
        rdiff = compare_resource(inputs, desired)
        live = inputs.live.get(rdiff.key)
        if rdiff.sync is SyncStatus.UNKNOWN:
            health, message = HealthStatus.UNKNOWN, rdiff.error
        else:
            health, message = _health(rdiff.sync, live)
        resources.append(
            ResourceStatus(
                key=rdiff.key,
                version=_version(live or desired),
                sync=rdiff.sync,
                health=health,
                health_message=message,
                drift=mask_drift(rdiff.key, rdiff.drift),
                mode=rdiff.mode,
                needs_replace=rdiff.needs_replace,
                note=rdiff.note,
                error=rdiff.error,
            )
        )
    for live in inputs.extras:
        rdiff = diffmod.extra(live)
        health, message = _health(rdiff.sync, live)
        resources.append(
            ResourceStatus(
                key=rdiff.key,
                version=_version(live),
                sync=SyncStatus.REQUIRES_PRUNING,
                health=health,
                health_message=message,
            )
        )
    resources.sort(key=lambda r: (r.key.namespace, r.key.kind, r.key.name))
    errors = sorted({r.error for r in resources if r.error})
    return AppStatus(
        app=inputs.app,
        sync=app_sync(resources),
        health=aggregate(r.health for r in resources),
        resources=tuple(resources),
        error="; ".join(errors),
        revision=revision,
        context=context,
        reconciled_at=now,
    )


def failed_app(
    app: AppSpec, error: str, *, revision: str = "", context: str = "", now: float = 0.0
) -> AppStatus:
    """An app whose comparison could not be made at all (render failed, cluster unreachable...)."""
    return AppStatus(
        app=app,
        sync=SyncStatus.UNKNOWN,
        health=HealthStatus.UNKNOWN,
        error=error,
        revision=revision,
        context=context,
        reconciled_at=now,
    )
