"""Argo CD `ignoreDifferences`: fields that are never drift for matching resources.

`jsonPointers` and `jqPathExpressions` remove fields from both sides before comparing (Argo CD runs
`del(<expr>)`; we ask jq for `[path(<expr>)]` once per compiled program and delete those paths ourselves, so
the object crosses into jq once). `managedFieldsManagers` works on the live side: a drifted field whose live
value is owned by one of those managers (an HPA, a mutating controller) is theirs, not drift.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from typing import Any

import jq

from gitops_tui.engine import pointer
from gitops_tui.engine.managedfields import Ownership
from gitops_tui.model import IgnoreRule, Obj, ResourceKey

Token = str | int


def _matches(value: str, wanted: str) -> bool:
    return not wanted or wanted == "*" or value == wanted


def rules_for(key: ResourceKey, rules: Sequence[IgnoreRule]) -> tuple[IgnoreRule, ...]:
    return tuple(
        r
        for r in rules
        if _matches(key.group, r.group)
        and _matches(key.kind, r.kind)
        and _matches(key.name, r.name)
        and _matches(key.namespace, r.namespace)
    )


@lru_cache(maxsize=512)
def _program(expression: str) -> Any:
    return jq.compile(f"[path({expression})]")


def jq_paths(obj: Obj, expression: str) -> list[list[Token]]:
    """Paths selected by one jq path expression; an expression that fails on this object selects nothing
    (e.g. iterating a list the object does not have), as in Argo CD."""
    try:
        paths = _program(expression).input_value(obj).first()
    except ValueError:
        return []
    return [p for p in paths or [] if isinstance(p, list)]


def _pointer_tokens(obj: Any, ptr: str) -> list[Token] | None:
    tokens: list[Token] = []
    cur = obj
    for token in pointer.split(ptr):
        if isinstance(cur, dict):
            if token not in cur:
                return None
            tokens.append(token)
            cur = cur[token]
        elif isinstance(cur, list) and token.isdigit() and int(token) < len(cur):
            tokens.append(int(token))
            cur = cur[int(token)]
        else:
            return None
    return tokens


def _without(node: Any, path: Sequence[Token]) -> Any:
    """`node` with `path` removed; containers along the path are copied, everything else is shared."""
    if not path:
        return node
    head, rest = path[0], path[1:]
    if isinstance(node, dict) and isinstance(head, str) and head in node:
        copy = dict(node)
        if rest:
            copy[head] = _without(node[head], rest)
        else:
            del copy[head]
        return copy
    if isinstance(node, list) and isinstance(head, int) and 0 <= head < len(node):
        items = list(node)
        if rest:
            items[head] = _without(node[head], rest)
        else:
            del items[head]
        return items
    return node


def _sort_key(path: Sequence[Token]) -> tuple[tuple[int, Any], ...]:
    return tuple((0, t) if isinstance(t, int) else (1, t) for t in path)


def remove_paths(obj: Obj, paths: Sequence[Sequence[Token]]) -> Obj:
    out: Any = obj
    # Deepest and highest index first, so that deleting one list item does not shift the next one.
    for path in sorted({tuple(p) for p in paths if p}, key=_sort_key, reverse=True):
        out = _without(out, path)
    result: Obj = out
    return result


def apply_ignores(obj: Obj, key: ResourceKey, rules: Sequence[IgnoreRule]) -> Obj:
    """A copy of `obj` without the fields that the matching rules' pointers and jq expressions select."""
    matching = rules_for(key, rules)
    if not any(r.json_pointers or r.jq_path_expressions for r in matching):
        return obj
    paths: list[Sequence[Token]] = []
    for rule in matching:
        for ptr in rule.json_pointers:
            tokens = _pointer_tokens(obj, ptr)
            if tokens is not None:
                paths.append(tokens)
        for expression in rule.jq_path_expressions:
            paths.extend(jq_paths(obj, expression))
    return remove_paths(obj, paths)


def ignored_by_manager(
    path: str, live: Obj, rules: Sequence[IgnoreRule], ownership: Ownership | None = None
) -> bool:
    """Whether the live value at `path` belongs to a manager that a matching rule tells us to ignore."""
    managers = {m for r in rules_for(ResourceKey.of(live), rules) for m in r.managed_fields_managers}
    if not managers:
        return False
    owned = ownership or Ownership(live)
    return any(e.manager in managers for e in owned.owners_or_parts(path))
