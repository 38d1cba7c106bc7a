"""Which list items are "the same item" on both sides: merge keys of Kubernetes list fields.

Lists are matched by key, never by index: a strategic merge patch may insert at the front (fixture 03), and a
removed container must not shift every later one into drift. Keys follow the `patchMergeKey` /
`listMapKey` markers of the Kubernetes API types. A list of objects we have no key for is matched by `name`
when every item has a distinct one (CRDs usually follow that convention), else by index.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

# Field name -> key fields. Where one field name means different things (`ports` of a container versus of a
# Service), the first key whose fields the items carry wins.
MERGE_KEYS: Mapping[str, tuple[tuple[str, ...], ...]] = {
    "containers": (("name",),),
    "initContainers": (("name",),),
    "ephemeralContainers": (("name",),),
    "env": (("name",),),
    "volumes": (("name",),),
    "volumeMounts": (("mountPath",),),
    "volumeDevices": (("devicePath",),),
    "imagePullSecrets": (("name",),),
    "ports": (("containerPort", "protocol"), ("port", "protocol")),
    "hostAliases": (("ip",),),
    "topologySpreadConstraints": (("topologyKey", "whenUnsatisfiable"),),
    "resourceClaims": (("name",),),
    "schedulingGates": (("name",),),
    "resizePolicy": (("resourceName",),),
    "ownerReferences": (("uid",),),
    "secrets": (("name",),),  # ServiceAccount
    "webhooks": (("name",),),  # admission webhook configurations
    "conditions": (("type",),),
}

# Values the server fills into key fields, so that Git's `containerPort: 80` is live's `{80, TCP}`.
KEY_DEFAULTS: Mapping[str, Any] = {"protocol": "TCP"}

Key = tuple[Any, ...]


def key_fields(field: str, items: Sequence[Any]) -> tuple[str, ...] | None:
    """The key of list `field` given its items (either side), or None to match by index."""
    if not items or not all(isinstance(i, dict) for i in items):
        return None
    for candidate in MERGE_KEYS.get(field, ()):
        required = [f for f in candidate if f not in KEY_DEFAULTS]
        if all(all(f in item for f in required) for item in items):
            return candidate
    names = [item.get("name") for item in items]
    if all(isinstance(n, str) for n in names) and len(set(names)) == len(names):
        return ("name",)
    return None


def key_of(item: Any, fields: tuple[str, ...]) -> Key:
    if not isinstance(item, dict):
        return (json.dumps(item, sort_keys=True),)
    return tuple(item.get(f, KEY_DEFAULTS.get(f)) for f in fields)


def label(item: Any, fields: tuple[str, ...] | None, index: int, siblings: Sequence[Any]) -> str:
    """How an item reads in a keyed path: `[name=web]` where names are unique (as in the fixtures),
    else `[port=80,protocol=TCP]` by its key, else its index."""
    if isinstance(item, dict) and isinstance(item.get("name"), str):
        names = [s.get("name") for s in siblings if isinstance(s, dict)]
        if names.count(item["name"]) == 1:
            return f"[name={item['name']}]"
    if fields is not None:
        return (
            "["
            + ",".join(f"{f}={_plain(v)}" for f, v in zip(fields, key_of(item, fields), strict=True))
            + "]"
        )
    return str(index)


def _name(item: Any) -> str | None:
    name = item.get("name") if isinstance(item, dict) else None
    return name if isinstance(name, str) else None


def _plain(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value)


def match(
    left: Sequence[Any], right: Sequence[Any], fields: tuple[str, ...] | None, *, pair_renamed: bool = True
) -> list[tuple[int | None, int | None]]:
    """Pairs of indices (left, right) of the same item; None where an item has no counterpart.

    Items whose key changed but whose unique `name` did not (a Service port renumbered, fixture 22) are
    paired by that name, so the drift reads `port: 80 -> 8080` rather than one item gone and one new.
    """
    if fields is None:
        n = max(len(left), len(right))
        return [(i if i < len(left) else None, i if i < len(right) else None) for i in range(n)]
    right_by_key: dict[Key, int] = {}
    for n, item in enumerate(right):
        right_by_key.setdefault(key_of(item, fields), n)
    pairs: list[tuple[int | None, int | None]] = []
    used: set[int] = set()
    for i, item in enumerate(left):
        found = right_by_key.get(key_of(item, fields))
        if found is None or found in used:
            pairs.append((i, None))
        else:
            used.add(found)
            pairs.append((i, found))
    unmatched_right = [n for n in range(len(right)) if n not in used]
    if pair_renamed and unmatched_right and fields != ("name",):
        by_name = {_name(right[n]): n for n in unmatched_right if _name(right[n]) is not None}
        for pos, (a, b) in enumerate(pairs):
            name = _name(left[a]) if a is not None and b is None else None
            renamed = by_name.pop(name, None) if name is not None else None
            if renamed is not None:
                pairs[pos] = (a, renamed)
                unmatched_right.remove(renamed)
    pairs.extend((None, j) for j in unmatched_right)
    return pairs
