"""RFC 6901 JSON pointers: how every drifted field is named between layers."""

from __future__ import annotations

import copy
from collections.abc import Iterable
from typing import Any


def escape(token: str | int) -> str:
    return str(token).replace("~", "~0").replace("/", "~1")


def unescape(token: str) -> str:
    # Order matters: "~01" must become "~1", not "/".
    return token.replace("~1", "/").replace("~0", "~")


def join(parts: Iterable[str | int]) -> str:
    return "".join("/" + escape(p) for p in parts)


def split(ptr: str) -> list[str]:
    if ptr == "":
        return []
    if not ptr.startswith("/"):
        raise ValueError(f"not a JSON pointer: {ptr!r}")
    return [unescape(t) for t in ptr[1:].split("/")]


def resolve(obj: Any, ptr: str) -> Any:
    """The value at `ptr`; KeyError when any step is absent (a list index out of range included)."""
    cur = obj
    for token in split(ptr):
        if isinstance(cur, dict):
            if token not in cur:
                raise KeyError(ptr)
            cur = cur[token]
        elif isinstance(cur, list):
            if not token.isdigit() or (len(token) > 1 and token[0] == "0") or int(token) >= len(cur):
                raise KeyError(ptr)
            cur = cur[int(token)]
        else:
            raise KeyError(ptr)
    return cur


def without(obj: Any, pointers: Iterable[str]) -> Any:
    """A copy of `obj` with the values at `pointers` removed (pointers that do not resolve are skipped).
    List items go deepest index first, so removing two items of one list removes the ones meant."""
    result = copy.deepcopy(obj)
    for ptr in sorted(
        set(pointers), key=lambda p: [int(t) if t.isdigit() else -1 for t in split(p)], reverse=True
    ):
        tokens = split(ptr)
        if not tokens:
            continue
        try:
            parent = resolve(result, join(tokens[:-1]))
        except KeyError:
            continue
        last = tokens[-1]
        if isinstance(parent, dict):
            parent.pop(last, None)
        elif isinstance(parent, list) and last.isdigit() and int(last) < len(parent):
            del parent[int(last)]
    return result
