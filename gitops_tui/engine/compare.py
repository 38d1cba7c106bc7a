"""Compare one application: its desired objects against what the cluster holds, into an AppStatus.

Pure: the caller (reconcile) has already rendered, listed and dry-run; this decides per resource which diff
mode applies, what the sync and health states are, and how the app as a whole stands.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace

from gitops_tui.engine import diff as diffmod
from gitops_tui.engine.encrypted import ENCRYPTED_NOTE, is_sops_encrypted, key_names_view
from gitops_tui.engine.health import aggregate, assess
from gitops_tui.engine.hooks import hook_statuses, is_hook_like
from gitops_tui.engine.secrets import mask_drift, mask_drift_values
from gitops_tui.engine.status import app_sync
from gitops_tui.engine.syncoptions import compare_options, sync_options
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
    # per desired key whose kind the cluster does not serve (a CRD not installed): Missing, with why
    unserved: Mapping[ResourceKey, str] = field(default_factory=dict)
    ignore: Sequence[IgnoreRule] = ()
    server_side: bool = True
    manager: str = "gitops-tui"
    hooks: Sequence[Obj] = ()  # desired hook objects (and Skip / ignored ones): listed apart, not compared
    live_hooks: Sequence[Obj] = ()  # live hook objects tracked to the app, and live objects at hooks' keys
    # Values Flux substituted from Secrets into the desired objects: masked wherever they show.
    secret_values: Sequence[str] = field(default=(), repr=False)


def _version(obj: Obj) -> str:
    return str(obj.get("apiVersion") or "")


def compare_resource(inputs: AppInputs, desired: Obj) -> ResourceDiff:
    key = ResourceKey.of(desired)
    if key in inputs.list_failures:
        return ResourceDiff(key=key, sync=SyncStatus.UNKNOWN, error=inputs.list_failures[key])
    if key in inputs.unserved:
        return ResourceDiff(key=key, sync=SyncStatus.MISSING, note=inputs.unserved[key])
    live = inputs.live.get(key)
    if is_sops_encrypted(desired):  # its values are ciphertext: key names and metadata only
        if live is None:
            return replace(diffmod.missing(desired), note=ENCRYPTED_NOTE)
        view = key_names_view(desired, live)
        return replace(diffmod.client_side_diff(view, live, ignore=inputs.ignore), note=ENCRYPTED_NOTE)
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


def _split_hooks(inputs: AppInputs) -> tuple[list[Obj], list[Obj], list[Obj]]:
    """(hook objects from Git, their live objects and other live hooks, the extras that are not hooks).
    Hooks are not drift (Argo CD's splitHooks): whether they come split already or not, they are listed
    apart, and so are live hooks that would otherwise look extra."""
    hooks = [*inputs.hooks, *(o for o in inputs.desired if is_hook_like(o))]
    hook_keys = {ResourceKey.of(o) for o in hooks}
    live_hooks = {ResourceKey.of(o): o for o in inputs.live_hooks}
    for key in hook_keys:
        if key in inputs.live:
            live_hooks.setdefault(key, inputs.live[key])
    extras = []
    for obj in inputs.extras:
        key = ResourceKey.of(obj)
        if key in hook_keys or is_hook_like(obj):
            live_hooks.setdefault(key, obj)
        else:
            extras.append(obj)
    return hooks, list(live_hooks.values()), extras


def compare_app(inputs: AppInputs, *, revision: str = "", context: str = "", now: float = 0.0) -> AppStatus:
    hooks, live_hooks, extras = _split_hooks(inputs)
    resources: list[ResourceStatus] = []
    for desired in inputs.desired:
        if is_hook_like(desired):
            continue
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
                drift=mask_drift_values(mask_drift(rdiff.key, rdiff.drift), inputs.secret_values),
                mode=rdiff.mode,
                needs_replace=rdiff.needs_replace,
                note=rdiff.note,
                error=rdiff.error,
                sync_options=sync_options(desired) or sync_options(live),
                compare_options=compare_options(desired) or compare_options(live),
            )
        )
    for extra in extras:
        rdiff = diffmod.extra(extra)
        health, message = _health(rdiff.sync, extra)
        resources.append(
            ResourceStatus(
                key=rdiff.key,
                version=_version(extra),
                sync=SyncStatus.REQUIRES_PRUNING,
                health=health,
                health_message=message,
                sync_options=sync_options(extra),
                compare_options=compare_options(extra),
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
        hooks=hook_statuses(hooks, live_hooks),
        notes=_compare_notes(inputs.app),
    )


_COMPARE_NOTES = {
    "ServerSideDiff=false": "compared client-side",
    "ServerSideDiff=true": "as always here, when the cluster allows dry runs",
    "IncludeMutationWebhook=true": "as always here: the server-side dry run runs the mutating webhooks",
}


def _compare_notes(app: AppSpec) -> tuple[str, ...]:
    """What the Application's compare-options change here, said once on the app."""
    return tuple(
        f"compare-options {option}: {_COMPARE_NOTES[option]}"
        for option in app.compare_options
        if option in _COMPARE_NOTES
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
