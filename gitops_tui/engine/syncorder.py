"""Argo CD's sync order (gitops-engine `sync_tasks.go`): phase, wave, kind, name, then each Namespace and
CRD moved up to just before the first object that needs it, taking that object's wave and phase; prune
waves mirrored from creation order."""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass
from typing import Generic, TypeVar

from gitops_tui.engine.hooks import POST_SYNC, PRE_SYNC, SYNC, SYNC_FAIL
from gitops_tui.engine.syncoptions import kind_rank
from gitops_tui.model import Obj

PHASE_ORDER = {PRE_SYNC: -1, SYNC: 0, POST_SYNC: 1, SYNC_FAIL: 2}
CRD_GROUP = "apiextensions.k8s.io"
C = TypeVar("C")


def order_key(phase: str, wave: int, obj: Obj) -> tuple[int, int, int, str, str]:
    """Argo CD's task order; the namespace only breaks ties Argo leaves to chance."""
    meta = obj.get("metadata") or {}
    return (
        PHASE_ORDER.get(phase, 0),
        wave,
        kind_rank(str(obj.get("kind") or "")),
        str(meta.get("name") or ""),
        str(meta.get("namespace") or ""),
    )


@dataclass
class Task(Generic[C]):
    """One thing a sync does, where it falls: phase and wave may be moved (prunes, dependencies)."""

    phase: str
    wave: int
    change: C
    target: Obj | None  # None for a prune
    obj: Obj  # what orders it: the target, or the live object of a prune


def _group_of(obj: Obj) -> str:
    api_version = str(obj.get("apiVersion") or "")
    return api_version.rpartition("/")[0]


def namespace_dep(obj: Obj) -> str | None:
    if obj.get("kind") == "Namespace" and not _group_of(obj):
        return str((obj.get("metadata") or {}).get("name") or "")
    return None


def _namespace_ref(obj: Obj) -> str | None:
    return str((obj.get("metadata") or {}).get("namespace") or "") or None


def _crd_dep(obj: Obj) -> str | None:
    if obj.get("kind") != "CustomResourceDefinition" or _group_of(obj) != CRD_GROUP:
        return None
    spec = obj.get("spec") or {}
    group, kind = spec.get("group"), (spec.get("names") or {}).get("kind")
    return f"{group}/{kind}" if isinstance(group, str) and isinstance(kind, str) else None


def _crd_ref(obj: Obj) -> str | None:
    return f"{_group_of(obj)}/{obj.get('kind') or ''}"


def _adjust_deps(
    tasks: list[Task[C]], is_dep: Callable[[Obj], str | None], refers: Callable[[Obj], str | None]
) -> None:
    """gitops-engine `adjustDeps`: a dependency (a Namespace, a CRD) sorted after the first object that
    needs it moves to just before that object, and takes its wave and phase."""
    first: dict[str, int] = {}
    for i in range(len(tasks)):
        task = tasks[i]
        if task.target is None:
            continue
        dep = is_dep(task.target)
        if dep is not None:
            index = first.get(dep)
            if index is None:
                continue
            task.wave, task.phase = tasks[index].wave, tasks[index].phase
            tasks.insert(index, tasks.pop(i))
            for name, at in first.items():
                if at >= index:
                    first[name] = at + 1
        else:
            ref = refers(task.target)
            if ref is not None and ref not in first:
                first[ref] = i


def mirrored(waves: Collection[int]) -> dict[int, int]:
    """Prune waves swapped end for end (gitops-engine: the symmetric swap of the unique prune waves)."""
    unique = sorted(set(waves))
    return dict(zip(unique, reversed(unique), strict=True))


def sort_tasks(tasks: list[Task[C]]) -> None:
    """In place, in the order a sync runs them."""
    tasks.sort(key=lambda t: order_key(t.phase, t.wave, t.obj))
    _adjust_deps(tasks, namespace_dep, _namespace_ref)
    _adjust_deps(tasks, _crd_dep, _crd_ref)
