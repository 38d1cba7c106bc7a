"""Fields removed from Git that an apply would remove from live: the three-way part of a diff.

A two-way comparison cannot see a field that Git dropped: Git no longer mentions it. What was applied
before can: kubectl's `last-applied-configuration` annotation (client-side apply), or the fields our own
field manager owns in `managedFields` (server-side apply). A field that was applied, is gone from Git and is
still live is drift, unless another manager holds it too; then an apply leaves it in place.
kubectl's client-side-apply managers do not count as other managers: a sync migrates their ownership to us
first (kubectl's csaupgrade, Argo CD's ClientSideApplyMigration), which is how fixture 23 removes FOO.
"""

from __future__ import annotations

import json
from collections.abc import Collection
from functools import lru_cache
from typing import Any

from gitops_tui.engine import lists, pointer
from gitops_tui.engine.defaults import is_default
from gitops_tui.engine.fielddiff import ABSENT, Difference
from gitops_tui.engine.managedfields import CSA_MANAGERS, LAST_APPLIED, Ownership, list_child
from gitops_tui.engine.normalize import fold_secret, is_empty, strip_noise
from gitops_tui.model import Obj

# An apply cannot remove what names the object; Git leaving the namespace to the app's default is no drift.
_IDENTITY = frozenset({"name", "namespace", "generateName"})


@lru_cache(maxsize=1024)
def _parse_last_applied(text: str) -> Any:
    try:
        return json.loads(text)
    except ValueError:
        return None


def last_applied(live: Obj) -> Obj | None:
    """The configuration kubectl last applied client-side, normalized like Git; None without one."""
    text = ((live.get("metadata") or {}).get("annotations") or {}).get(LAST_APPLIED)
    if not isinstance(text, str):
        return None
    applied = _parse_last_applied(text)
    if not isinstance(applied, dict):
        return None
    return fold_secret(strip_noise(applied))


def owned_projection(live: Obj, ownership: Ownership, manager: str) -> Obj | None:
    """The part of live that `manager` applied (its Apply entry), as an object."""
    trees = [e.fields for e in ownership.entries if e.manager == manager and e.operation == "Apply"]
    if not trees:
        return None
    projected: Obj = {}
    for tree in trees:
        part = _project(tree, live)
        if isinstance(part, dict):
            projected.update(part)
    return strip_noise(projected)


def _project(node: Any, live: Any) -> Any:
    if not node or set(node) == {"."}:
        return live
    if isinstance(live, dict):
        out = {}
        for name, child in node.items():
            if name.startswith("f:") and name[2:] in live:
                out[name[2:]] = _project(child, live[name[2:]])
        return out
    if isinstance(live, list):
        items = []
        for index, item in enumerate(live):
            found = list_child(node, item, index)
            if found is not None:
                items.append(_project(found[1], item))
        return items
    return live


def removed(
    applied: Obj,
    git: Obj,
    live: Obj,
    ownership: Ownership,
    manager: str,
) -> list[Difference]:
    """Fields in `applied` that Git no longer has and live still has, that only we (or kubectl's
    client-side apply) hold."""
    out: list[Difference] = []
    ours = {manager, *CSA_MANAGERS}
    _removed(str(live.get("kind") or ""), applied, git, live, (), (), out)
    return [d for d in out if not _held_by_others(d, ownership, ours)]


def _held_by_others(d: Difference, ownership: Ownership, ours: Collection[str]) -> bool:
    ptr = pointer.join(d.tokens)
    return any(e.manager not in ours for e in ownership.owners_or_parts(ptr))


def _removed(
    kind: str,
    applied: Any,
    git: Any,
    live: Any,
    tokens: tuple[str, ...],
    keyed: tuple[str, ...],
    out: list[Difference],
) -> None:
    if isinstance(applied, dict) and isinstance(live, dict):
        git_map = git if isinstance(git, dict) else {}
        for k, av in applied.items():
            gv = git_map.get(k, ABSENT)
            container = isinstance(av, dict | list)
            if gv is not ABSENT and (not container or av == gv):
                continue  # still in Git as applied: nothing removed below here
            if (not tokens and k in ("apiVersion", "kind")) or (tokens == ("metadata",) and k in _IDENTITY):
                continue
            lv = live.get(k, ABSENT)
            if lv is ABSENT or is_empty(lv):
                continue
            whole = not container or (isinstance(av, list) and not _keyed(k, av, lv))
            if gv is ABSENT and whole:
                # A scalar or an atomic list goes as a whole, unless the server puts the same value back.
                if not is_default(kind, (*tokens, k), lv, live):
                    out.append(Difference((*tokens, k), (*keyed, k), ABSENT, lv))
            else:
                _removed(kind, av, gv, lv, (*tokens, k), (*keyed, k), out)
        return
    if isinstance(applied, list) and isinstance(live, list):
        field = tokens[-1] if tokens else ""
        fields = _keyed(field, applied, live)
        if fields is None:
            return  # atomic and still in Git: the two-way comparison sees every change
        git_items = git if isinstance(git, list) else []
        git_keys = {lists.key_of(g, fields): g for g in git_items}
        live_keys = {lists.key_of(item, fields): j for j, item in enumerate(live)}
        for item in applied:
            key = lists.key_of(item, fields)
            j = live_keys.get(key)
            if j is None:
                continue
            label = lists.label(live[j], fields, j, live)
            if key not in git_keys:
                out.append(Difference((*tokens, str(j)), (*keyed, label), ABSENT, live[j]))
            else:
                _removed(kind, item, git_keys[key], live[j], (*tokens, str(j)), (*keyed, label), out)


def _keyed(field: str, applied: list[Any], live: Any) -> tuple[str, ...] | None:
    items = [*applied, *(live if isinstance(live, list) else [])]
    return lists.key_fields(field, items) if all(isinstance(i, dict) for i in items) else None
