"""Server-side apply and update ownership, following structured-merge-diff (the library inside the real
kube-apiserver): merge the applied configuration into the live object, prune what this manager applied
before and nobody owns any more, find conflicts, and move ownership between managers.

The functions here work on objects *without* managedFields and on decoded `Entry` lists; defaulting,
validation and storage happen around them (see `operations.py`).
"""

from __future__ import annotations

from typing import Any

from gitops_tui.sandbox import fieldset as fs
from gitops_tui.sandbox import managed as mf
from gitops_tui.sandbox.errors import ApiError
from gitops_tui.sandbox.fieldset import MISSING
from gitops_tui.sandbox.schema import ASSOC, MAP, SET, STRUCT, Schema, resolve


class ApplyConflict(ApiError):
    def __init__(self, conflicts: list[tuple[mf.Entry, tuple[str, ...]]]) -> None:
        causes = [
            {
                "reason": "FieldManagerConflict",
                "message": f"conflict with {e.describe()}",
                "field": fs.path_string(p),
            }
            for e, p in conflicts
        ]
        if len(conflicts) == 1:
            entry, path = conflicts[0]
            message = (
                f"Apply failed with 1 conflict: conflict with {entry.describe()}: {fs.path_string(path)}"
            )
        else:
            lines = []
            by_manager: dict[str, list[str]] = {}
            for e, p in conflicts:
                by_manager.setdefault(e.describe(), []).append(fs.path_string(p))
            for manager in sorted(by_manager):
                lines.append(f"conflicts with {manager}:")
                lines.extend(f"- {p}" for p in by_manager[manager])
            message = f"Apply failed with {len(conflicts)} conflicts: " + "\n".join(lines)
        super().__init__(409, "Conflict", message, {"causes": causes})
        self.conflicts = conflicts


# ---------------------------------------------------------------- merge


def merge(live: Any, config: Any, schema: Schema) -> Any:
    """Merge `config` into `live` in place (live must be a private copy); returns the merged value."""
    s = resolve(schema, config)
    if isinstance(config, dict) and s.kind in (STRUCT, MAP):
        if not isinstance(live, dict):
            live = {}
        for k, v in config.items():
            live[k] = merge(live.get(k, MISSING), v, s.child(k))
        return live
    if isinstance(config, list) and s.kind in (ASSOC, SET):
        return _merge_list(live if isinstance(live, list) else [], config, s)
    return config


def _merge_list(lhs: list[Any], rhs: list[Any], s: Schema) -> list[Any]:
    """SMD's list merge: items of both sides in the config's order, live-only items kept where they were."""
    item_schema = s.item()
    lpes = [fs.item_element(s, x, i) for i, x in enumerate(lhs)]
    rpes = [fs.item_element(s, x, i) for i, x in enumerate(rhs)]
    lmap: dict[str, Any] = {}
    for pe, x in zip(lpes, lhs, strict=True):
        lmap.setdefault(pe, x)
    rmap: dict[str, Any] = {}
    for pe, x in zip(rpes, rhs, strict=True):
        rmap.setdefault(pe, x)
    shared = [pe for pe in rpes if pe in lmap]
    shared_i = 0
    next_shared = shared[0] if shared else None
    out: list[Any] = []
    merged: set[str] = set()
    li = ri = 0
    while li < len(lpes) or ri < len(rpes):
        if li < len(lpes) and ri < len(rpes):
            pe = lpes[li]
            if pe == rpes[ri]:
                merged.add(pe)
                out.append(merge(lmap[pe], rmap[pe], item_schema))
                li += 1
                ri += 1
                shared_i += 1
                next_shared = shared[shared_i] if shared_i < len(shared) else None
                continue
            if pe in rmap and next_shared is not None and next_shared != pe:
                li += 1
                continue
        if li < len(lpes):
            pe = lpes[li]
            if pe not in rmap:
                out.append(lhs[li])
                li += 1
                continue
            if pe in merged:
                li += 1
                continue
        if ri < len(rpes):
            pe = rpes[ri]
            merged.add(pe)
            out.append(merge(lmap.get(pe, MISSING), rmap[pe], item_schema))
            ri += 1
            if next_shared is not None and next_shared == pe:
                shared_i += 1
                next_shared = shared[shared_i] if shared_i < len(shared) else None
    return out


# ---------------------------------------------------------------- ownership


def apply(
    live: dict[str, Any],
    config: dict[str, Any],
    entries: list[mf.Entry],
    manager: str,
    api_version: str,
    schema: Schema,
    *,
    force: bool,
    now: str,
    status_subresource: bool,
) -> tuple[dict[str, Any], list[mf.Entry], bool]:
    """Apply `config` over `live` (a private copy without managedFields; `{}` when creating).

    Returns (merged object before defaulting, new entries, changed). `changed` is False when the merge left
    the object as it was; the applier's entry then keeps its old time (or gets none), as on a real server.
    """
    if status_subresource:
        config = {k: v for k, v in config.items() if k != "status"}
    config_set = fs.to_set(config, schema)
    identity = (manager, mf.APPLY, "", "")
    last = mf.find(entries, identity)
    others = [e for e in entries if e is not last]

    merged = merge(_copy(live), config, schema)
    if last is not None and last.fields:
        owned = config_set
        for e in others:
            owned = fs.union(owned, e.fields)
        stale = fs.difference(fs.ensure_named_fields(last.fields), fs.ensure_named_fields(owned))
        if stale:
            fs.remove(merged, stale, schema)
    _drop_nulls(merged)

    changed, removed = fs.compare(live, merged, schema)
    conflicts: list[tuple[mf.Entry, tuple[str, ...]]] = []
    taken: dict[int, fs.Node] = {}
    for e in others:
        clash = fs.intersection(e.fields, changed)
        if clash:
            taken[id(e)] = clash
            conflicts.extend((e, p) for p in fs.paths(clash))
    if conflicts and not force:
        raise ApplyConflict(conflicts)

    result: list[mf.Entry] = []
    for e in others:
        fields = fs.difference(fs.difference(e.fields, taken.get(id(e), {})), removed)
        if fields:
            result.append(mf.Entry(e.manager, e.operation, e.api_version, fields, e.time, e.subresource))
    is_change = bool(changed) or bool(removed)
    mine = mf.strip(config_set)
    if status_subresource:
        mine = mf.without_status(mine)
    time = now if is_change else (last.time if last is not None else None)
    result.append(mf.Entry(manager, mf.APPLY, api_version, mine, time))
    return merged, result, is_change


def update(
    old: dict[str, Any],
    new: dict[str, Any],
    entries: list[mf.Entry],
    manager: str,
    api_version: str,
    schema: Schema,
    *,
    now: str,
    subresource: str = "",
    status_subresource: bool = False,
) -> list[mf.Entry]:
    """Ownership after a non-apply write (create, PUT, merge/strategic/JSON patch) by `manager`: the fields
    it changed become its own and are taken from everyone else; the entry is stamped only if it changed
    something."""
    changed, removed = fs.compare(old, new, schema)
    if subresource == "status":
        changed, removed = mf.only_status(changed), mf.only_status(removed)
    elif status_subresource:
        changed, removed = mf.without_status(changed), mf.without_status(removed)
    changed = mf.strip(changed)
    identity = (manager, mf.UPDATE, api_version, subresource)
    result: list[mf.Entry] = []
    previous: mf.Entry | None = None
    for e in entries:
        fields = fs.difference(fs.difference(e.fields, changed), removed)
        kept = mf.Entry(e.manager, e.operation, e.api_version, fields, e.time, e.subresource)
        if e.identity == identity:
            previous = kept
        elif fields:
            result.append(kept)
    if changed:
        fields = fs.union(previous.fields, changed) if previous is not None else changed
        result.append(mf.Entry(manager, mf.UPDATE, api_version, fields, now, subresource))
    elif previous is not None and previous.fields:
        result.append(previous)
    return result


def _drop_nulls(value: Any) -> None:
    """A null in an applied configuration owns the field but leaves no value, as after the server's
    conversion to its typed objects."""
    if isinstance(value, dict):
        for k in [k for k, v in value.items() if v is None]:
            del value[k]
        for v in value.values():
            _drop_nulls(v)
    elif isinstance(value, list):
        for v in value:
            _drop_nulls(v)


def _copy(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _copy(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_copy(v) for v in value]
    return value


copy = _copy
