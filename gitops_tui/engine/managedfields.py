"""Who owns which field: `metadata.managedFields` (FieldsV1) read against the live object.

FieldsV1 is a trie: `f:<name>` a map field, `k:<json>` a list item by its key fields, `v:<json>` a set
member by value, `i:<n>` a list item by index, and `.` marks the node itself as owned (an empty `{}` leaf
owns its whole value). Entries may lack `time`: the server stamps it only when an operation changes the
object (fixtures 01, 18, 23).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from gitops_tui.engine import lists, pointer
from gitops_tui.engine.conflicts import parse_conflict
from gitops_tui.engine.csaupgrade import migration_patch
from gitops_tui.engine.fieldpath import PathElement, Tree, decode, path_text
from gitops_tui.engine.normalize import scalar_equal
from gitops_tui.model import Obj, TakenOverField

__all__ = [
    "ManagedEntry",
    "Ownership",
    "apply_is_noop",
    "csa_migration_patch",
    "entries",
    "is_client_side_applied",
    "owner",
    "parse_conflict",
    "takeovers",
]

CLIENT_SIDE_APPLY = "kubectl-client-side-apply"
BEFORE_FIRST_APPLY = "before-first-apply"
CSA_MANAGERS = (CLIENT_SIDE_APPLY, BEFORE_FIRST_APPLY)
LAST_APPLIED = "kubectl.kubernetes.io/last-applied-configuration"


@dataclass(frozen=True)
class ManagedEntry:
    manager: str
    operation: str
    subresource: str
    time: str | None
    api_version: str
    fields: Tree


def entries(live: Obj) -> tuple[ManagedEntry, ...]:
    raw = (live.get("metadata") or {}).get("managedFields") or ()
    out = []
    for item in raw:
        if not isinstance(item, dict):
            continue
        out.append(
            ManagedEntry(
                manager=str(item.get("manager") or ""),
                operation=str(item.get("operation") or ""),
                subresource=str(item.get("subresource") or ""),
                time=item.get("time") or None,
                api_version=str(item.get("apiVersion") or ""),
                fields=item.get("fieldsV1") or {},
            )
        )
    return tuple(out)


def list_child(node: Tree, item: Any, index: int) -> tuple[str, Tree] | None:
    """The trie child that names list item `item` (at `index`), if the trie has one."""
    for name, child in node.items():
        kind = name[:2]
        if kind == "k:":
            if isinstance(item, dict):
                key = decode(name[2:])
                if all(item.get(k) == v for k, v in key.items()):
                    return name, child
        elif kind == "v:":
            if decode(name[2:]) == item:
                return name, child
        elif kind == "i:" and name[2:] == str(index):
            return name, child
    return None


def _walk(tree: Tree, live: Any, tokens: Sequence[str]) -> tuple[int, Tree | None, list[PathElement]]:
    """Follow `tokens` through the trie and the live object together.

    Returns how deep the deepest *owned* node along the way is (0: none), the trie node reached at the end
    (None if the trie stops earlier) and the server-notation path walked."""
    node: Tree = tree
    cur: Any = live
    owned = 0
    walked: list[PathElement] = []
    for depth, token in enumerate(tokens, start=1):
        if isinstance(cur, dict):
            name = "f:" + token
            child = node.get(name)
            cur = cur.get(token)
        elif isinstance(cur, list) and token.isdigit() and int(token) < len(cur):
            found = list_child(node, cur[int(token)], int(token))
            if found is None:
                return owned, None, walked
            name, child = found
            cur = cur[int(token)]
        else:
            return owned, None, walked
        if child is None:
            return owned, None, walked
        walked.append((name[0], name[2:]))
        node = child
        if not child or "." in child:
            owned = depth
            if not child:
                # An empty leaf owns its whole value (atomic): nothing deeper is listed.
                return (len(tokens) if depth < len(tokens) else depth), None, walked
    return owned, node, walked


# --- ownership ------------------------------------------------------------------------------------------


class Ownership:
    """The managedFields of one live object, parsed once and asked many questions."""

    def __init__(self, live: Obj) -> None:
        self.live = live
        self.entries = entries(live)

    def owners(self, ptr: str) -> list[ManagedEntry]:
        """Entries that own the value at `ptr` (the field itself or an atomic ancestor of it)."""
        tokens = pointer.split(ptr)
        return [e for e in self.entries if _walk(e.fields, self.live, tokens)[0] == len(tokens)]

    def owners_or_parts(self, ptr: str) -> list[ManagedEntry]:
        """Entries that own the value at `ptr` or something inside it."""
        tokens = pointer.split(ptr)
        out = []
        for entry in self.entries:
            owned, node, _ = _walk(entry.fields, self.live, tokens)
            if owned == len(tokens) or node:
                out.append(entry)
        return out

    def owner(self, ptr: str) -> tuple[str | None, str | None]:
        """Manager and time of the most specific entry owning `ptr` (or, failing that, owning part of it)."""
        tokens = pointer.split(ptr)
        under_status = bool(tokens) and tokens[0] == "status"
        best: tuple[float, int, str, ManagedEntry] | None = None
        for entry in self.entries:
            owned, node, _ = _walk(entry.fields, self.live, tokens)
            if owned:
                score = float(owned)
            elif node:
                score = 0.5  # owns something inside the value: a part-owner, better than nothing
            else:
                continue
            # A status-subresource writer is rarely who changed a spec field they happen to share.
            relevant = 1 if (entry.subresource != "status") != under_status else 0
            rank = (score, relevant, entry.time or "", entry)
            if best is None or rank[:3] > best[:3]:
                best = rank
        if best is None:
            return None, None
        return best[3].manager, best[3].time


def owner(live: Obj, ptr: str) -> tuple[str | None, str | None]:
    """(manager, time) of the most specific entry owning `ptr` in `live`; spec paths prefer non-status
    writers; the time may be None."""
    return Ownership(live).owner(ptr)


def is_client_side_applied(live: Obj) -> bool:
    meta = live.get("metadata") or {}
    if LAST_APPLIED in (meta.get("annotations") or {}):
        return True
    # Called for every object on the fast path: read the raw entries rather than parse them.
    return any(
        isinstance(e, dict) and e.get("manager") in CSA_MANAGERS for e in meta.get("managedFields") or ()
    )


# --- what a forced apply takes over ---------------------------------------------------------------------


class _Unresolved(Exception):
    pass


def _leaves(desired: Any, tokens: tuple[str, ...], live: Any) -> Iterator[tuple[tuple[str, ...], Any]]:
    """Leaf fields of the applied object as pointers into live (keyed list items matched by key)."""
    if isinstance(desired, dict) and desired:
        live_map = live if isinstance(live, dict) else {}
        for k, v in desired.items():
            yield from _leaves(v, (*tokens, k), live_map.get(k))
        return
    if isinstance(desired, list) and desired and isinstance(live, list):
        field = tokens[-1] if tokens else ""
        fields = lists.key_fields(field, [*desired, *live])
        if fields is not None and field in lists.MERGE_KEYS:
            # By key only: an item whose key changed is a new item to the server, not a takeover (fixture 22).
            for i, j in lists.match(desired, live, fields, pair_renamed=False):
                if i is not None and j is not None:
                    yield from _leaves(desired[i], (*tokens, str(j)), live[j])
            return
    yield tokens, desired


def takeovers(live: Obj, desired: Obj, manager: str) -> tuple[TakenOverField, ...]:
    """Fields of `desired` whose live value differs and that another manager owns: what a forced
    server-side apply by `manager` takes over, named as the server's conflict message names them."""
    live_entries = [e for e in entries(live) if e.manager != manager]
    if not live_entries:
        return ()
    # Secret stringData is not folded: the apply owns `stringData`, so a changed `data` conflicts with
    # nothing (fixture 10).
    out: dict[tuple[str, str], None] = {}
    for tokens, value in _leaves(desired, (), live):
        if tokens and tokens[0] in ("status", "apiVersion", "kind"):
            continue
        try:
            current = pointer.resolve(live, pointer.join(tokens))
        except KeyError:
            continue  # nobody owns what does not exist
        if scalar_equal(value, current, tokens):
            continue
        for entry in live_entries:
            owned, _, walked = _walk(entry.fields, live, tokens)
            if owned == len(tokens):
                out[(path_text(walked), entry.manager)] = None
    return tuple(TakenOverField(path, mgr) for path, mgr in out)


def csa_migration_patch(live: Obj, manager: str) -> list[dict[str, Any]] | None:
    """The JSON patch kubectl's csaupgrade sends before its first server-side apply over a client-side-applied
    object: `kubectl-client-side-apply` and `before-first-apply` ownership merged into `manager`'s Apply
    entry. None when there is nothing to migrate."""
    return migration_patch(live, manager, CSA_MANAGERS)


# --- an apply that would change nothing -----------------------------------------------------------------


def _owned_leaves(tree: Tree, live: Any, tokens: tuple[str, ...]) -> Iterator[tuple[str, ...]]:
    """The leaf fields an entry owns, as pointers into live (list items found by key, value or index)."""
    for name, child in tree.items():
        if name == ".":
            continue
        kind, rest = name[:2], name[2:]
        if kind == "f:":
            if not isinstance(live, dict) or rest not in live:
                raise _Unresolved(name)
            sub, path = live[rest], (*tokens, rest)
        elif kind in ("k:", "v:", "i:") and isinstance(live, list):
            found = next(
                (j for j, item in enumerate(live) if list_child({name: child}, item, j) is not None), None
            )
            if found is None:
                raise _Unresolved(name)
            sub, path = live[found], (*tokens, str(found))
        else:
            raise _Unresolved(name)
        if not child or set(child) == {"."}:
            yield path
        else:
            yield from _owned_leaves(child, sub, path)


def _same(a: Any, b: Any) -> bool:
    """Equal with the same JSON types all the way down (1 is not True, 1 is not 1.0 is not "1")."""
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(_same(v, b[k]) for k, v in a.items())
    if isinstance(a, list):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    return bool(a == b)


_NOT_FIELDS = {("apiVersion",), ("kind",), ("metadata", "name"), ("metadata", "namespace")}


def noops(pairs: Sequence[tuple[Obj, Obj]], manager: str) -> list[bool]:
    """apply_is_noop over (live, desired) pairs (a worker process runs a slice of them)."""
    return [apply_is_noop(live, desired, manager) for live, desired in pairs]


def apply_is_noop(live: Obj, desired: Obj, manager: str) -> bool:
    """True when a server-side apply of `desired` by `manager` would leave `live` exactly as it is, decided
    from `managedFields` alone: then the SSA dry run would answer `live` itself and need not be sent.

    It holds when `manager` has one Apply entry at `desired`'s apiVersion, every field of `desired` is in
    live with the very same value (no server-side normalization or defaulting in between), and the fields
    that entry owns are exactly the fields of `desired` — nothing to remove (a field dropped from Git is
    still owned) and nothing another writer (an admission webhook, say) added under our name. Anything
    less certain — client-side-applied objects, items matched in different ways, fields that cannot be
    found — answers False, and the dry run decides as usual."""
    meta = live.get("metadata") or {}
    if meta.get("deletionTimestamp") or "status" in desired or is_client_side_applied(live):
        return False
    applied = [
        e for e in entries(live) if e.manager == manager and e.operation == "Apply" and not e.subresource
    ]
    if len(applied) != 1 or applied[0].api_version != desired.get("apiVersion"):
        return False
    try:
        owned = set(_owned_leaves(applied[0].fields, live, ()))
    except _Unresolved:
        return False
    used: set[tuple[str, ...]] = set()
    return _same_and_owned(desired, live, (), owned, used) and used == owned


def _same_and_owned(
    desired: Any, live: Any, tokens: tuple[str, ...], owned: set[tuple[str, ...]], used: set[tuple[str, ...]]
) -> bool:
    """Every leaf of `desired` is in `live` with the same value and owned (itself or an atomic ancestor)
    by the entry whose leaves are `owned`; the owning paths met are added to `used`."""
    if isinstance(desired, dict) and desired:
        if not isinstance(live, dict):
            return False
        for k, v in desired.items():
            path = (*tokens, k)
            if path in _NOT_FIELDS:
                continue
            if k not in live or not _same_and_owned(v, live[k], path, owned, used):
                return False
        return True
    if isinstance(desired, list) and desired and isinstance(live, list):
        field = tokens[-1] if tokens else ""
        fields = lists.key_fields(field, [*desired, *live]) if field in lists.MERGE_KEYS else None
        if fields is not None:
            for i, j in lists.match(desired, live, fields, pair_renamed=False):
                if i is None:
                    continue
                if j is None or not _same_and_owned(desired[i], live[j], (*tokens, str(j)), owned, used):
                    return False
            return True
    if not _same(desired, live):
        return False
    for n in range(1, len(tokens) + 1):
        if tokens[:n] in owned:
            used.add(tokens[:n])
            return True
    return False
