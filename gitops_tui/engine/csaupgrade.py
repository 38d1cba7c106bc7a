"""kubectl's `csaupgrade`: moving client-side-apply ownership to a server-side-apply manager.

Without it a field removed from Git stays co-owned by `kubectl-client-side-apply`, so a server-side apply
never removes it (fixture 23). This mirrors client-go's `util/csaupgrade`, which kubectl runs before its
first server-side apply over a client-side-applied object.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from gitops_tui.model import Obj

Tree = Mapping[str, Any]


def _union(a: Tree, b: Tree) -> dict[str, Any]:
    merged: dict[str, Any] = {k: dict(v) if isinstance(v, dict) else v for k, v in a.items()}
    for k, v in b.items():
        merged[k] = _union(merged[k], v) if k in merged else v
    return {k: merged[k] for k in sorted(merged)}


def migration_patch(live: Obj, manager: str, csa_managers: Sequence[str]) -> list[dict[str, Any]] | None:
    """The JSON patch on `/metadata/managedFields` that merges the fields held by `csa_managers` (their
    Update entries on the main resource) into `manager`'s Apply entry and drops those entries; None when
    there is nothing to migrate. Like kubectl, the second op *replaces* resourceVersion with its current value
    rather than `test`ing it, so a concurrent writer makes the server answer 409 Conflict (not 422)."""
    meta = live.get("metadata") or {}
    original = [dict(e) for e in (meta.get("managedFields") or []) if isinstance(e, dict)]
    current = [dict(e) for e in original]
    for csa in csa_managers:
        current = _migrate(current, csa, manager)
    if current == original:
        return None
    return [
        {"op": "replace", "path": "/metadata/managedFields", "value": current},
        {"op": "replace", "path": "/metadata/resourceVersion", "value": meta.get("resourceVersion", "")},
    ]


def _is_csa(entry: Mapping[str, Any], csa: str) -> bool:
    return entry.get("manager") == csa and entry.get("operation") == "Update" and not entry.get("subresource")


def _migrate(managed: list[dict[str, Any]], csa: str, manager: str) -> list[dict[str, Any]]:
    target = next(
        (
            i
            for i, e in enumerate(managed)
            if e.get("manager") == manager and e.get("operation") == "Apply" and not e.get("subresource")
        ),
        None,
    )
    if target is None:
        target = next((i for i, e in enumerate(managed) if _is_csa(e, csa)), None)
        if target is None:
            return managed
        managed[target] = {**managed[target], "manager": manager, "operation": "Apply"}
    version = managed[target].get("apiVersion")
    source = next((e for e in managed if _is_csa(e, csa) and e.get("apiVersion") == version), None)
    if source is not None:
        fields = _union(managed[target].get("fieldsV1") or {}, source.get("fieldsV1") or {})
        managed[target] = {**managed[target], "fieldsV1": fields}
    return [e for e in managed if not _is_csa(e, csa)]
