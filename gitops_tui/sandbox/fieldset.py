"""Sets of field paths in the `fieldsV1` shape, and the walks that produce them (structured-merge-diff).

A set is a nested dict keyed by path elements exactly as they appear in `managedFields[].fieldsV1`:
`f:<field>`, `k:<json of the list key>`, `v:<json of a set item>`, `i:<index>`. A node is a *member* of the
set (the path itself is owned) when it holds the key "."; a member without children is `{".": {}}` here and
`{}` in fieldsV1. Sets are treated as immutable values: operations build new dicts and may share subtrees.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from gitops_tui.sandbox.schema import ASSOC, MAP, SET, STRUCT, Schema, resolve

Node = dict[str, Any]
DOT = "."
MISSING: Any = object()  # absent, as opposed to present-but-null
_LEAF: Node = {DOT: {}}


def item_element(schema: Schema, item: Any, index: int) -> str:
    """Path element of a list item: by key for keyed lists, by value for sets, else by index."""
    if schema.kind == ASSOC and isinstance(item, dict):
        key: dict[str, Any] = {}
        for name in schema.keys:
            if name in item:
                key[name] = item[name]
            elif name in schema.key_defaults:
                key[name] = schema.key_defaults[name]
        if key:
            return "k:" + json.dumps(key, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    if schema.kind == SET:
        return "v:" + json.dumps(item, separators=(",", ":"), ensure_ascii=False)
    return f"i:{index}"


# ---------------------------------------------------------------- fieldsV1 <-> internal


def decode(fields_v1: Any) -> Node:
    if not isinstance(fields_v1, dict):
        return {}
    if not fields_v1:
        return dict(_LEAF)
    return {k: ({} if k == DOT else decode(v)) for k, v in fields_v1.items()}


def encode(node: Node) -> dict[str, Any]:
    """fieldsV1 JSON, keys sorted as the server writes them."""
    out: dict[str, Any] = {}
    for k in sorted((k for k in node if k != DOT), key=_element_order):
        v = node[k]
        out[k] = {} if set(v) == {DOT} else encode(v)
    if DOT in node and out:
        return {DOT: {}, **out}
    return out


# ---------------------------------------------------------------- algebra


def union(a: Node, b: Node) -> Node:
    if not a:
        return b
    if not b:
        return a
    out = dict(a)
    for k, v in b.items():
        mine = out.get(k)
        out[k] = v if mine is None else (mine if k == DOT else union(mine, v))
    return out


def difference(a: Node, b: Node) -> Node:
    """Members of `a` that are not members of `b` (removing a member never removes its children)."""
    if not b:
        return a
    out: Node = {}
    for k, v in a.items():
        if k == DOT:
            if DOT not in b:
                out[DOT] = {}
            continue
        other = b.get(k)
        if other is None:
            out[k] = v
        else:
            rest = difference(v, other)
            if rest:
                out[k] = rest
    return out


def intersection(a: Node, b: Node) -> Node:
    out: Node = {}
    for k, v in a.items():
        other = b.get(k)
        if other is None:
            continue
        if k == DOT:
            out[DOT] = {}
            continue
        both = intersection(v, other)
        if both:
            out[k] = both
    return out


def paths(node: Node, prefix: tuple[str, ...] = ()) -> Iterator[tuple[str, ...]]:
    """Member paths in the order structured-merge-diff iterates them: this level's members, then children."""
    children = sorted((k for k in node if k != DOT), key=_element_order)
    for k in children:
        if DOT in node[k]:
            yield (*prefix, k)
    for k in children:
        if any(c != DOT for c in node[k]):
            yield from paths(node[k], (*prefix, k))


def _element_order(element: str) -> tuple[int, str]:
    return ("fkvi".index(element[0]) if element[:1] in ("f", "k", "v", "i") else 4, element)


def has(node: Node, path: tuple[str, ...]) -> bool:
    for element in path:
        node = node.get(element)  # type: ignore[assignment]
        if node is None:
            return False
    return DOT in node


def from_paths(*items: tuple[str, ...]) -> Node:
    out: Node = {}
    for path in items:
        node = out
        for element in path:
            node = node.setdefault(element, {})
        node[DOT] = {}
    return out


def ensure_named_fields(node: Node) -> Node:
    """Struct fields that have owned children count as owned themselves (for pruning), as in SMD."""
    out: Node = {}
    for k, v in node.items():
        if k == DOT:
            out[DOT] = {}
            continue
        child = ensure_named_fields(v)
        if k.startswith("f:") and any(c != DOT for c in child):
            child[DOT] = {}
        out[k] = child
    return out


def path_string(path: tuple[str, ...]) -> str:
    """`.spec.template.spec.containers[name="web"].image`, as the server prints paths in conflicts."""
    out = []
    for element in path:
        kind, text = element[:2], element[2:]
        if kind == "f:":
            out.append("." + text)
        elif kind == "k:":
            key = json.loads(text)
            out.append("[" + ",".join(f"{k}={json.dumps(v)}" for k, v in sorted(key.items())) + "]")
        elif kind == "v:":
            out.append(f"[={text}]")
        else:
            out.append(f"[{text}]")
    return "".join(out)


# ---------------------------------------------------------------- walks over objects


def to_set(value: Any, schema: Schema) -> Node:
    """Every field an applied configuration sets (SMD ToFieldSet)."""
    node: Node = {}
    _fill(node, value, schema)
    return node


def _fill(node: Node, value: Any, schema: Schema) -> bool:
    """Fill `node` with the children of `value`; True when `value` is a leaf (owned as a whole)."""
    s = resolve(schema, value)
    kind = s.kind
    if kind in (STRUCT, MAP):
        if not isinstance(value, dict):
            return True
        for k, v in value.items():
            child: Node = {}
            leaf = _fill(child, v, s.child(k))
            if leaf or v is None or (isinstance(v, dict) and not v) or not s.declared(k):
                child[DOT] = {}
            if child:
                node["f:" + k] = child
        return False
    if kind in (ASSOC, SET):
        if not isinstance(value, list):
            return True
        item_schema = s.item()
        for i, item in enumerate(value):
            child = {}
            _fill(child, item, item_schema)
            child[DOT] = {}
            node[item_element(s, item, i)] = child
        return False
    return True


def compare(old: Any, new: Any, schema: Schema) -> tuple[Node, Node]:
    """(added or modified, removed) between two objects (SMD Compare). A granular node that appears or
    disappears is itself a member, besides its children."""
    changed: Node = {}
    removed: Node = {}
    _compare(old, new, schema, changed, removed)
    return changed, removed


def _is_map(v: Any) -> bool:
    return v is MISSING or v is None or isinstance(v, dict)


def _is_list(v: Any) -> bool:
    return v is MISSING or v is None or isinstance(v, list)


def _compare(old: Any, new: Any, schema: Schema, changed: Node, removed: Node) -> None:
    s = resolve(schema, new if new is not MISSING else old)
    kind = s.kind
    if (
        kind in (STRUCT, MAP)
        and _is_map(old)
        and _is_map(new)
        and (isinstance(old, dict) or isinstance(new, dict))
    ):
        lm = old if isinstance(old, dict) else {}
        rm = new if isinstance(new, dict) else {}
        for k in _keys(lm, rm):
            lv, rv = lm.get(k, MISSING), rm.get(k, MISSING)
            if lv is rv:
                continue
            c: Node = {}
            r: Node = {}
            _compare(lv, rv, s.child(k), c, r)
            if c:
                changed["f:" + k] = c
            if r:
                removed["f:" + k] = r
    elif (
        kind in (ASSOC, SET)
        and _is_list(old)
        and _is_list(new)
        and (isinstance(old, list) or isinstance(new, list))
    ):
        item_schema = s.item()
        lm = {item_element(s, x, i): x for i, x in enumerate(old)} if isinstance(old, list) else {}
        rm = {item_element(s, x, i): x for i, x in enumerate(new)} if isinstance(new, list) else {}
        for k in _keys(lm, rm):
            c, r = {}, {}
            _compare(lm.get(k, MISSING), rm.get(k, MISSING), item_schema, c, r)
            if c:
                changed[k] = c
            if r:
                removed[k] = r
    else:
        if old is MISSING:
            changed[DOT] = {}
        elif new is MISSING:
            removed[DOT] = {}
        elif old != new or type(old) is not type(new):
            changed[DOT] = {}
        return
    if old is MISSING:
        changed[DOT] = {}
    elif new is MISSING:
        removed[DOT] = {}


def _keys(a: dict[str, Any], b: dict[str, Any]) -> list[str]:
    return list(a) + [k for k in b if k not in a]


def remove(value: Any, node: Node, schema: Schema) -> Any:
    """Remove the members of `node` from `value` in place (with their subtrees); returns the value."""
    s = resolve(schema, value)
    if isinstance(value, dict):
        for element, child in node.items():
            if not element.startswith("f:"):
                continue
            name = element[2:]
            if name not in value:
                continue
            if DOT in child:
                del value[name]
            else:
                remove(value[name], child, s.child(name))
    elif isinstance(value, list) and s.kind in (ASSOC, SET):
        item_schema = s.item()
        keep = []
        for i, item in enumerate(value):
            child = node.get(item_element(s, item, i))
            if child is None:
                keep.append(item)
            elif DOT not in child:
                keep.append(remove(item, child, item_schema))
        value[:] = keep
    return value
