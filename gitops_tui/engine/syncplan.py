"""What a sync would do, in which order: the blast radius shown before anyone confirms.

The order is Argo CD's (gitops-engine `sync_tasks.go`): phase (PreSync, Sync, PostSync), then
`argocd.argoproj.io/sync-wave` (Helm's hook-weight when absent), then kind (Helm's install order, unknown
kinds last), then name. A Namespace then moves up to just before the first object in it, and a CRD before
the first of its custom resources, taking their wave and phase. Each (phase, wave) is one step of the sync:
its prunes first, then its applies one kind after the other, each kind's objects concurrently. Prunes are
put in waves mirrored from creation order (the highest wave is pruned in the first prune wave); PruneLast
moves them after the last wave. Hooks are listed where Argo CD would run them; gitops-tui does not run them.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field, replace

from gitops_tui.engine import pointer
from gitops_tui.engine.encrypted import is_sops_encrypted
from gitops_tui.engine.hooks import PRE_SYNC, SYNC, SYNC_PHASES, is_hook_like
from gitops_tui.engine.syncoptions import (
    CREATE_NAMESPACE,
    FORCE,
    NO_SERVER_SIDE_APPLY,
    NO_VALIDATE,
    PRUNE_LAST,
    REPLACE,
    SERVER_SIDE_APPLY,
    SKIP_DRY_RUN_ON_MISSING,
    resource_option,
    sync_options,
    wave_of,
)
from gitops_tui.engine.syncorder import PHASE_ORDER, Task, mirrored, namespace_dep, order_key, sort_tasks
from gitops_tui.model import (
    AppStatus,
    DriftField,
    HookStatus,
    Obj,
    ResourceKey,
    SyncStatus,
    TakenOverField,
)

__all__ = [
    "IMMUTABLE",
    "PHASE_ORDER",
    "PlannedChange",
    "SyncPlan",
    "order_key",
    "plan_sync",
    "prune_kept",
    "wave_of",
]

# The options of one object that change or explain how it is applied, and how it is pruned.
APPLY_OPTIONS = (
    REPLACE,
    FORCE,
    SERVER_SIDE_APPLY,
    NO_SERVER_SIDE_APPLY,
    NO_VALIDATE,
    SKIP_DRY_RUN_ON_MISSING,
)
PRUNE_OPTIONS = ("Prune=false", "Prune=confirm", "Delete=false", "Delete=confirm", PRUNE_LAST)

# Fields the API server refuses to change in place (an apply fails with 422; the object must be replaced).
IMMUTABLE: Mapping[str, tuple[str, ...]] = {
    "Deployment": ("/spec/selector",),
    "ReplicaSet": ("/spec/selector",),
    "DaemonSet": ("/spec/selector",),
    "StatefulSet": (
        "/spec/selector",
        "/spec/serviceName",
        "/spec/volumeClaimTemplates",
        "/spec/podManagementPolicy",
    ),
    "Job": ("/spec/selector", "/spec/template", "/spec/completions"),
    "Service": ("/spec/clusterIP", "/spec/clusterIPs"),
    "PersistentVolumeClaim": (
        "/spec/storageClassName",
        "/spec/accessModes",
        "/spec/volumeName",
        "/spec/selector",
    ),
}


@dataclass(frozen=True)
class PlannedChange:
    key: ResourceKey
    action: str  # "create" | "update" | "prune"
    wave: int = 0
    drift: tuple[DriftField, ...] = ()
    taken_over: tuple[TakenOverField, ...] = ()
    immutable: tuple[str, ...] = ()  # drifted paths the server will refuse to change
    needs_replace: bool = False
    obj: Obj | None = field(default=None, compare=False, repr=False)  # what to apply (create/update)
    phase: str = SYNC
    replace: bool = False  # Replace=true: the object is replaced (PUT), or created (POST) when missing
    recreate: bool = False  # Force=true: deleted, then created again
    options: tuple[str, ...] = ()  # the object's sync options that bear on this change (shown)

    @property
    def will_fail(self) -> bool:
        if self.recreate:
            return False
        # A replace sends the whole object: a list-key change the merge refuses goes through; an immutable
        # field does not.
        return bool(self.immutable) or (self.needs_replace and not self.replace)


@dataclass(frozen=True)
class SyncPlan:
    app: str
    waves: tuple[tuple[PlannedChange, ...], ...]  # steps in run order; one step's changes run concurrently
    skipped_prunes: tuple[ResourceKey, ...] = ()  # would be pruned, but prune was not asked for / disabled
    blocked_reason: str = ""  # non-empty: the plan must not run (e.g. a listing failed and prune was asked)
    skip_reasons: tuple[str, ...] = ()  # why, for each of skipped_prunes
    hooks: tuple[HookStatus, ...] = ()  # the hooks Argo CD would run in this sync (gitops-tui does not)
    notes: tuple[str, ...] = ()  # what the app's syncOptions do here

    @property
    def changes(self) -> tuple[PlannedChange, ...]:
        return tuple(c for wave in self.waves for c in wave)

    @property
    def prunes(self) -> tuple[PlannedChange, ...]:
        return tuple(c for c in self.changes if c.action == "prune")

    def count(self, action: str) -> int:
        return sum(1 for c in self.changes if c.action == action)

    @property
    def empty(self) -> bool:
        return not self.changes


def _immutable_paths(kind: str, drift: Sequence[DriftField]) -> tuple[str, ...]:
    prefixes = IMMUTABLE.get(kind, ())
    hits = []
    for d in drift:
        parts = pointer.split(d.path)
        for prefix in prefixes:
            pre = pointer.split(prefix)
            if parts[: len(pre)] == pre:
                hits.append(d.path)
                break
    return tuple(hits)


def _steps(tasks: Sequence[Task[PlannedChange]]) -> tuple[tuple[PlannedChange, ...], ...]:
    """One (phase, wave) after another: its prunes, then its applies by consecutive kind."""
    steps: list[tuple[PlannedChange, ...]] = []
    i = 0
    while i < len(tasks):
        j = i
        while j < len(tasks) and (tasks[j].phase, tasks[j].wave) == (tasks[i].phase, tasks[i].wave):
            j += 1
        group = [replace(t.change, wave=t.wave, phase=t.phase) for t in tasks[i:j]]
        prunes = [c for c in group if c.action == "prune"]
        if prunes:
            steps.append(tuple(prunes))
        applies: list[PlannedChange] = []
        for change in (c for c in group if c.action != "prune"):
            if applies and applies[-1].key.kind != change.key.kind:
                steps.append(tuple(applies))
                applies = []
            applies.append(change)
        if applies:
            steps.append(tuple(applies))
        i = j
    return tuple(steps)


def prune_kept(live: Obj, app_options: Sequence[str]) -> str:
    """Why a live object is never pruned, from its options and the app's ("" when it may be): Prune=false
    (Argo CD's rule) or Delete=false (ours: Argo CD honours it only when the app is deleted, but an object
    marked so is one its owner wants kept, and gitops-tui deletes no such object)."""
    options = sync_options(live)
    if is_hook_like(live):
        return "a hook is never pruned"
    if resource_option(options, app_options, "Prune") == "false":
        return "Prune=false"
    if resource_option(options, app_options, "Delete") == "false":
        return "Delete=false: gitops-tui never deletes it"
    return ""


def _apply_change(
    res_sync: SyncStatus,
    key: ResourceKey,
    target: Obj,
    live: Obj | None,
    app_options: Sequence[str],
    drift: tuple[DriftField, ...],
    taken_over: tuple[TakenOverField, ...],
    needs_replace: bool,
) -> PlannedChange:
    options = tuple(dict.fromkeys((*sync_options(target), *sync_options(live))))
    immutable = _immutable_paths(key.kind, drift)
    replacing = REPLACE in app_options or REPLACE in options
    delete_disabled = resource_option(options, app_options, "Delete") == "false"
    exists = res_sync is not SyncStatus.MISSING
    recreate = (
        FORCE in options
        and exists
        and not delete_disabled
        and (replacing or bool(immutable) or needs_replace)
    )
    shown = [o for o in options if o in APPLY_OPTIONS]
    if REPLACE in app_options and REPLACE not in shown:
        shown.insert(0, REPLACE)
    if FORCE in options and delete_disabled:
        shown.append("Delete=false")
    return PlannedChange(
        key=key,
        action="create" if not exists else "update",
        drift=drift,
        taken_over=taken_over,
        immutable=immutable,
        needs_replace=needs_replace,
        obj=target,
        replace=replacing,
        recreate=recreate,
        options=tuple(shown),
    )


def _namespace_change(name: str) -> PlannedChange:
    """CreateNamespace=true: the destination namespace, bare and without the tracking marker (Argo CD's
    managed namespace is not part of the app: never extra, never pruned)."""
    obj: Obj = {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": name}}
    key = ResourceKey("", "Namespace", "", name)
    return PlannedChange(key, "create", phase=PRE_SYNC, obj=obj, options=(CREATE_NAMESPACE,))


def _app_notes(app_options: Sequence[str]) -> tuple[str, ...]:
    """The app's syncOptions that change (or would be thought to change) what this sync does. CreateNamespace
    is said by its change, when there is one to make."""
    return tuple(f"{o}: {_APP_OPTION_NOTES[o]}" for o in app_options if o in _APP_OPTION_NOTES)


_APP_OPTION_NOTES = {
    "ApplyOutOfSyncOnly=true": "only out-of-sync resources are applied (gitops-tui always does so)",
    SERVER_SIDE_APPLY: "applied server-side (gitops-tui always applies server-side)",
    NO_SERVER_SIDE_APPLY: "gitops-tui applies server-side all the same",
    REPLACE: "every change is a replace (PUT), or a create where the object is missing",
    PRUNE_LAST: "prunes run after the last wave",
    "Prune=false": "nothing is pruned but resources marked Prune=true",
    "Delete=false": "gitops-tui deletes none of this app's resources (Argo CD keeps them when the app is deleted)",
    NO_VALIDATE: "gitops-tui never asks the server for strict field validation",
    SKIP_DRY_RUN_ON_MISSING: "gitops-tui applies without a separate dry run first",
}


def plan_sync(
    status: AppStatus,
    desired: Mapping[ResourceKey, Obj],
    live: Mapping[ResourceKey, Obj],
    *,
    prune: bool = False,
    selected: Collection[ResourceKey] | None = None,
    taken_over: Mapping[ResourceKey, tuple[TakenOverField, ...]] | None = None,
    missing_namespace: bool = False,
) -> SyncPlan:
    """Plan a sync of `status.app` from its last comparison. `selected` limits it to some resources.
    `missing_namespace`: the app's destination namespace does not exist (CreateNamespace=true makes it)."""
    taken_over = taken_over or {}
    app_options = status.app.sync_options
    tasks: list[Task[PlannedChange]] = []
    skipped: list[tuple[ResourceKey, str]] = []
    encrypted: list[str] = []
    prune_tasks: list[Task[PlannedChange]] = []
    for res in status.resources:
        if selected is not None and res.key not in selected:
            continue
        if res.sync is SyncStatus.REQUIRES_PRUNING:
            obj = live.get(res.key)
            if obj is None or is_hook_like(obj):  # a hook is listed apart, never pruned
                continue
            options = sync_options(obj)
            reason = prune_kept(obj, app_options) or ("" if prune else "prune not asked for")
            change = PlannedChange(
                key=res.key, action="prune", options=tuple(o for o in options if o in PRUNE_OPTIONS)
            )
            task = Task(SYNC, wave_of(obj), change, None, obj)
            prune_tasks.append(task)
            if reason:
                skipped.append((res.key, reason))
            else:
                tasks.append(task)
            continue
        if res.sync not in (SyncStatus.MISSING, SyncStatus.OUT_OF_SYNC):
            continue
        target = desired.get(res.key)
        if target is None or is_hook_like(target):
            continue
        if is_sops_encrypted(target):  # applying it would overwrite the decrypted Secret with ciphertext
            encrypted.append(f"{res.key.display()}: encrypted in Git (SOPS): not applied (Flux decrypts it)")
            continue
        change = _apply_change(
            res.sync,
            res.key,
            target,
            live.get(res.key),
            app_options,
            res.drift,
            taken_over.get(res.key, ()),
            res.needs_replace,
        )
        tasks.append(Task(SYNC, wave_of(target), change, target, target))
    # Prune waves mirror creation's over every object that needs pruning (skipped ones included, as
    # gitops-engine decides the skip only when it gets there), then PruneLast puts them after the last
    # Sync wave, which counts every object of the sync, in sync or not.
    swap = mirrored([t.wave for t in prune_tasks])
    for task in prune_tasks:
        task.wave = swap[task.wave]
    hooks: tuple[HookStatus, ...] = ()
    if selected is None:  # Argo CD runs no hooks in a selective sync
        hooks = tuple(h for h in status.hooks if h.in_git and any(p in SYNC_PHASES for p in h.phases))
    sync_waves = [wave_of(o) for k, o in desired.items() if selected is None or k in selected]
    sync_waves += [t.wave for t in prune_tasks] + [h.wave for h in hooks if SYNC in h.phases]
    last_wave = max([0, *sync_waves]) + 1
    for task in prune_tasks:
        if PRUNE_LAST in app_options or PRUNE_LAST in sync_options(task.obj):
            task.wave = last_wave
    wants_namespace = (
        CREATE_NAMESPACE in app_options
        and missing_namespace
        and bool(status.app.namespace)
        and not any(namespace_dep(o) == status.app.namespace for o in desired.values())
    )
    sort_tasks(tasks)
    if wants_namespace:
        # A PreSync wave 0 task in Argo CD, but created before anything else runs (before PreSync hooks of
        # lower waves, before the dry run): first.
        ns = _namespace_change(status.app.namespace)
        assert ns.obj is not None
        tasks.insert(0, Task(PRE_SYNC, 0, ns, ns.obj, ns.obj))
    notes = [*_app_notes(app_options), *encrypted]
    if selected is not None and any(any(p in SYNC_PHASES for p in h.phases) for h in status.hooks):
        notes.append("hooks do not run in a sync of selected resources (as in Argo CD)")
    return SyncPlan(
        app=status.app.id,
        waves=_steps(tasks),
        skipped_prunes=tuple(k for k, _ in skipped),
        blocked_reason=_blocked(status, prune, selected),
        skip_reasons=tuple(r for _, r in skipped),
        hooks=hooks,
        notes=tuple(notes),
    )


def _blocked(status: AppStatus, prune: bool, selected: Collection[ResourceKey] | None) -> str:
    unknown = [r for r in status.resources if r.sync is SyncStatus.UNKNOWN]
    chosen_unknown = [r for r in unknown if selected is None or r.key in selected]
    if prune and (unknown or status.sync is SyncStatus.UNKNOWN):
        return (
            "refusing to prune: the cluster could not be listed completely ("
            + (status.error or unknown[0].error or "unknown state")
            + ")"
        )
    if chosen_unknown:
        # Not knowing what is live, a sync would apply blind and report it as done: say why instead.
        first = chosen_unknown[0]
        more = f" and {len(chosen_unknown) - 1} more" if len(chosen_unknown) > 1 else ""
        return (
            f"cannot sync {first.key.display()}{more}: its live state is unknown "
            f"({first.error or status.error or 'not compared'})"
        )
    return ""
