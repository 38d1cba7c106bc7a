"""Hook resources, told apart as Argo CD tells them apart: they are run by a sync phase, never compared.

An object is one of (gitops-engine `pkg/sync/hook`, `pkg/sync/ignore`, `pkg/sync/reconcile.go splitHooks`,
and Argo CD's `controller/hook.go` for the delete hooks):
- a **sync hook**: `argocd.argoproj.io/hook` with PreSync, Sync, PostSync or SyncFail (a comma list), or, when
  that annotation names none of Argo's types, Helm's `helm.sh/hook` mapped as Argo maps it (pre-install and
  pre-upgrade are PreSync, post-install and post-upgrade are PostSync);
- a **delete hook**: PreDelete / PostDelete (or Helm's pre-delete / post-delete) and no sync phase: run only
  when the Application is deleted, left out of every sync;
- **Skip**: `argocd.argoproj.io/hook: Skip` alone — never applied, never compared;
- **ignored**: a hook annotation naming no type Argo CD runs (Helm `test`, `pre-rollback`, a misspelling):
  Argo CD drops the object altogether;
- or a plain resource (also `helm.sh/hook: crd-install`, which Helm calls a hook and Argo CD does not).

None of these but the last is drift: they never make an app OutOfSync, never count in its health and are
never pruned. `hook_statuses` lists them apart, each with the live object of its last run when there is one.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from gitops_tui.engine.health import assess
from gitops_tui.engine.syncoptions import annotation_csv, annotations_of, csv, kind_rank, wave_of
from gitops_tui.model import HealthStatus, HookStatus, Obj, ResourceKey

HOOK = "argocd.argoproj.io/hook"
HOOK_DELETE_POLICY = "argocd.argoproj.io/hook-delete-policy"
HELM_HOOK = "helm.sh/hook"
HELM_HOOK_DELETE_POLICY = "helm.sh/hook-delete-policy"

PRE_SYNC, SYNC, POST_SYNC, SYNC_FAIL = "PreSync", "Sync", "PostSync", "SyncFail"
SKIP, PRE_DELETE, POST_DELETE = "Skip", "PreDelete", "PostDelete"
SYNC_PHASES = (PRE_SYNC, SYNC, POST_SYNC, SYNC_FAIL)  # in the order a sync runs them
_ENGINE_TYPES = (*SYNC_PHASES, SKIP)  # gitops-engine common.NewHookType
_HELM_TYPES = {
    "pre-install": PRE_SYNC,
    "pre-upgrade": PRE_SYNC,
    "post-install": POST_SYNC,
    "post-upgrade": POST_SYNC,
}
_DELETE_TYPES = {PRE_DELETE: "pre-delete", POST_DELETE: "post-delete"}  # Argo type -> Helm's name
DELETE_POLICIES = ("HookSucceeded", "HookFailed", "BeforeHookCreation")
_HELM_DELETE_POLICIES = {
    "before-hook-creation": "BeforeHookCreation",
    "hook-succeeded": "HookSucceeded",
    "hook-failed": "HookFailed",
}
DEFAULT_DELETE_POLICY = "BeforeHookCreation"
# Where a hook's phase falls among all of them, for listing: sync phases in run order, then the rest.
PHASE_RANK = {p: i for i, p in enumerate((*SYNC_PHASES, PRE_DELETE, POST_DELETE, SKIP))}


class Role(enum.StrEnum):
    SYNC = "sync"  # run by a sync phase
    DELETE = "delete"  # run only when the Application is deleted
    SKIP = "skip"  # never applied
    IGNORED = "ignored"  # dropped by Argo CD


@dataclass(frozen=True)
class Hook:
    role: Role
    phases: tuple[str, ...]  # sync phases in run order, then PreDelete/PostDelete; (Skip,); () when ignored
    delete_policies: tuple[str, ...] = ()
    note: str = ""


def engine_types(obj: Obj) -> tuple[str, ...]:
    """gitops-engine `hook.Types`: Argo's own annotation, else Helm's mapped; unknown names left out."""
    types = tuple(t for t in annotation_csv(obj, HOOK) if t in _ENGINE_TYPES)
    if not types:
        types = tuple(
            dict.fromkeys(_HELM_TYPES[t] for t in annotation_csv(obj, HELM_HOOK) if t in _HELM_TYPES)
        )
    return types


def is_skip(obj: Obj) -> bool:
    types = engine_types(obj)
    return SKIP in types and len(types) == 1


def _engine_is_hook(obj: Obj) -> bool:
    notes = annotations_of(obj)
    if HOOK in notes:
        return not is_skip(obj)
    return HELM_HOOK in notes and notes[HELM_HOOK] != "crd-install"


def _delete_phases(obj: Obj) -> tuple[str, ...]:
    argo, helm = annotation_csv(obj, HOOK), annotation_csv(obj, HELM_HOOK)
    return tuple(t for t, helm_name in _DELETE_TYPES.items() if t in argo or helm_name in helm)


def delete_policies(obj: Obj) -> tuple[str, ...]:
    """gitops-engine `hook.DeletePolicies`: both annotations' known policies; BeforeHookCreation if none."""
    found = [p for p in annotation_csv(obj, HOOK_DELETE_POLICY) if p in DELETE_POLICIES]
    found += [
        _HELM_DELETE_POLICIES[p]
        for p in annotation_csv(obj, HELM_HOOK_DELETE_POLICY)
        if p in _HELM_DELETE_POLICIES
    ]
    return tuple(dict.fromkeys(found)) or (DEFAULT_DELETE_POLICY,)


def _ignored_note(obj: Obj) -> str:
    notes = annotations_of(obj)
    if HOOK in notes:
        return f"{HOOK}: {notes[HOOK]!r} names no hook type Argo CD runs: ignored, as Argo CD does"
    values = csv(notes.get(HELM_HOOK, ""))
    what = (
        "a Helm test hook"
        if any(v.startswith("test") for v in values)
        else "a Helm hook Argo CD does not run"
    )
    return f"{HELM_HOOK}: {notes.get(HELM_HOOK, '')} is {what}: ignored, as Argo CD does"


def _names_a_hook(obj: Obj) -> bool:
    """Whether either hook annotation is there at all: without one, an object is a plain resource (most
    are, and a reconcile asks of every object)."""
    meta = obj.get("metadata")
    raw = meta.get("annotations") if isinstance(meta, dict) else None
    return isinstance(raw, dict) and (HOOK in raw or HELM_HOOK in raw)


def classify(obj: Obj) -> Hook | None:
    """What the hook annotations make of an object; None for a plain resource."""
    if not _names_a_hook(obj):
        return None
    types = engine_types(obj)
    sync_phases = tuple(p for p in SYNC_PHASES if p in types)
    deleting = _delete_phases(obj)
    if deleting and not sync_phases:
        note = "runs only when the Application is deleted (Argo CD), never in a sync"
        return Hook(Role.DELETE, deleting, delete_policies(obj), note)
    if _engine_is_hook(obj):
        if not types:
            return Hook(Role.IGNORED, (), note=_ignored_note(obj))
        return Hook(Role.SYNC, sync_phases + deleting, delete_policies(obj))
    if is_skip(obj):
        return Hook(Role.SKIP, (SKIP,), note="Skip: never applied, never compared")
    return None


def is_hook_like(obj: Obj) -> bool:
    """Whether the object is anything but a plain resource (a hook, Skip, or ignored)."""
    return classify(obj) is not None


def generate_name(obj: Obj) -> str:
    meta = obj.get("metadata") or {}
    return str(meta.get("generateName") or "") if not meta.get("name") else ""


def _newest(candidates: Iterable[Obj]) -> Obj | None:
    def when(obj: Obj) -> tuple[str, str]:
        meta = obj.get("metadata") or {}
        return str(meta.get("creationTimestamp") or ""), str(meta.get("name") or "")

    return max(candidates, key=when, default=None)


def _same_kind(a: ResourceKey, b: ResourceKey) -> bool:
    return (a.group, a.kind, a.namespace) == (b.group, b.kind, b.namespace)


def _status(obj: Obj, hook: Hook, live: Obj | None, *, in_git: bool) -> HookStatus:
    key = ResourceKey.of(obj)
    health, message = HealthStatus.NONE, ""
    if live is not None:
        result = assess(live)
        health, message = result.status, result.message
    return HookStatus(
        key=key,
        version=str((live or obj).get("apiVersion") or ""),
        phases=hook.phases,
        generate_name=generate_name(obj),
        wave=wave_of(obj),
        delete_policies=hook.delete_policies,
        in_git=in_git,
        live_name=str((live.get("metadata") or {}).get("name") or "") if live is not None else "",
        health=health,
        health_message=message,
        note=hook.note,
    )


def order_key(status: HookStatus) -> tuple[int, int, int, str, str]:
    """Argo CD's run order (phase, wave, kind, name); Skip and ignored ones last."""
    first = status.phases[0] if status.phases else ""
    name = status.key.name or status.generate_name
    rank = PHASE_RANK.get(first, len(PHASE_RANK))
    return (rank, status.wave, kind_rank(status.key.kind), name, status.key.namespace)


def hook_statuses(git: Sequence[Obj], live: Sequence[Obj]) -> tuple[HookStatus, ...]:
    """The app's hooks: each hook-like object from Git with its live object (by name; for a
    `generateName` hook, the newest live hook whose name starts with it), then the live hooks no Git object
    accounts for (left by earlier syncs: listed, never pruned). `live`: hook objects tracked to the app and
    live objects at the keys of Git hooks."""
    by_key = {ResourceKey.of(o): o for o in live}
    used: set[ResourceKey] = set()
    out: list[HookStatus] = []
    for obj in git:
        hook = classify(obj)
        if hook is None:
            continue
        key = ResourceKey.of(obj)
        prefix = generate_name(obj)
        runs: list[Obj] = []
        if key.name:
            runs = [by_key[key]] if key in by_key else []
        elif prefix:
            runs = [
                o
                for k, o in by_key.items()
                if _same_kind(k, key) and k.name.startswith(prefix) and k not in used and is_hook_like(o)
            ]
        used.update(ResourceKey.of(o) for o in runs)
        if len(runs) > 1:  # every run of a generateName hook is that hook's: the newest shown
            note = f"{len(runs) - 1} older run(s) still live"
            hook = Hook(
                hook.role, hook.phases, hook.delete_policies, f"{hook.note}; {note}" if hook.note else note
            )
        out.append(_status(obj, hook, _newest(runs), in_git=True))
    for key, obj in by_key.items():
        hook = classify(obj)
        if key in used or hook is None:
            continue
        left = "not in Git: left by an earlier sync, never pruned"
        out.append(_status(obj, Hook(hook.role, hook.phases, hook.delete_policies, left), obj, in_git=False))
    return tuple(sorted(out, key=order_key))
