"""Where a drifted field lives in a Git document: the DriftField's pointer turned into steps that find
list items by key (`containers/[name=api]`), never by live position, and back into readable names."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from gitops_tui.engine import lists, pointer
from gitops_tui.model import DriftField


class EditError(Exception):
    """Why a change cannot be made in one document; the planner adds the file and turns it into a refusal."""


@dataclass(frozen=True)
class Step:
    """One level of a path: `token` is the pointer token (a mapping key, or a list index in live order);
    `keys` the list item's key from the keyed path (`[name=api]` -> (("name", "api"),)) when known."""

    token: str
    keys: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class Change:
    steps: tuple[Step, ...]
    value: Any = None
    delete: bool = False


Path = tuple[str | int, ...]


def _keyed_tokens(keyed: str) -> list[str]:
    """Tokens of a keyed path. Item labels are not pointer-escaped, so `[mountPath=/data]` holds a slash."""
    if not keyed.startswith("/"):
        return []
    out: list[str] = []
    parts = keyed[1:].split("/")
    i = 0
    while i < len(parts):
        part = parts[i]
        if part.startswith("["):
            while not part.endswith("]") and i + 1 < len(parts):
                i += 1
                part += "/" + parts[i]
            out.append(part)
        else:
            out.append(pointer.unescape(part))
        i += 1
    return out


def parse_label(label: str) -> tuple[tuple[str, str], ...]:
    """`[name=api]` / `[containerPort=80,protocol=TCP]` -> the key's fields and their written values."""
    body = label[1:-1]
    pairs: list[tuple[str, str]] = []
    for part in body.split(","):
        name, eq, value = part.partition("=")
        if not eq:
            return ()
        pairs.append((name, value))
    return tuple(pairs)


def steps_of(drift: DriftField) -> tuple[Step, ...]:
    tokens = pointer.split(drift.path)
    keyed = _keyed_tokens(drift.keyed_path) if drift.keyed_path else []
    if len(keyed) != len(tokens):
        keyed = list(tokens)
    return tuple(
        Step(t, parse_label(k) if k.startswith("[") and k.endswith("]") else ())
        for t, k in zip(tokens, keyed, strict=True)
    )


def concrete_steps(path: Sequence[str | int]) -> tuple[Step, ...]:
    return tuple(Step(str(p)) for p in path)


def display(steps: Sequence[Step]) -> str:
    """`spec.template.spec.containers[name=api].image`, the way an operator reads a field."""
    out = ""
    for step in steps:
        if step.keys:
            out += "[" + ",".join(f"{k}={v}" for k, v in step.keys) + "]"
        elif step.token.isdigit():
            out += f"[{step.token}]"
        else:
            out += ("." if out else "") + step.token
    return out


def _plain(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value)


def matches(item: Any, keys: Sequence[tuple[str, str]]) -> bool:
    return isinstance(item, dict) and all(
        _plain(item.get(f, lists.KEY_DEFAULTS.get(f))) == v for f, v in keys
    )


def find_item(items: list[Any], step: Step) -> int | None:
    """The index of the item a step names, None when the list has no such item."""
    if step.keys:
        found = [i for i, item in enumerate(items) if matches(item, step.keys)]
        if len(found) > 1:
            raise EditError(f"several list items match {display([step])}")
        return found[0] if found else None
    if step.token.isdigit() and int(step.token) < len(items):
        return int(step.token)
    return None


def resolve(doc: Any, steps: Sequence[Step]) -> tuple[Path, tuple[Step, ...]]:
    """How far `steps` reach in `doc`: the concrete path found and the steps that are not there."""
    cur = doc
    path: list[str | int] = []
    for n, step in enumerate(steps):
        if isinstance(cur, dict) and step.token in cur:
            path.append(step.token)
            cur = cur[step.token]
        elif isinstance(cur, list) and (index := find_item(cur, step)) is not None:
            path.append(index)
            cur = cur[index]
        else:
            return tuple(path), tuple(steps[n:])
    return tuple(path), ()


def get(doc: Any, path: Sequence[str | int]) -> Any:
    cur = doc
    for p in path:
        cur = cur[p]
    return cur


def key_value(field: str, written: str) -> Any:
    """A key field's value as the label wrote it: ports are numbers, names stay strings."""
    if field == "name":
        return written
    try:
        value = json.loads(written)
    except ValueError:
        return written
    return value if isinstance(value, int | float | bool) else written


def build(steps: Sequence[Step], value: Any) -> Any:
    """The subtree that holds `value` at `steps` where Git has nothing yet."""
    if not steps:
        return value
    step, rest = steps[0], steps[1:]
    if step.keys:
        inner = build(rest, value)
        item = {f: key_value(f, v) for f, v in step.keys}
        if not isinstance(inner, dict):
            raise EditError(f"cannot add {display(steps)}: a list item must be a mapping")
        return [{**item, **inner}] if rest else [inner]
    return {step.token: build(rest, value)}
