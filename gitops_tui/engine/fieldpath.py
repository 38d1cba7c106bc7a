"""The server's notation for field paths: FieldsV1 trie steps and how conflict messages print them.

A step is `("f", name)` for a map field, `("k", json)` for a list item by key, `("v", json)` for a set member
and `("i", "3")` for an item by index. Printed like structured-merge-diff prints them, with slashes and
pointer escaping so that they read like our JSON pointers: `/spec/ports/[port=80,protocol=TCP]/targetPort`.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping, Sequence
from functools import lru_cache
from typing import Any

from gitops_tui.engine import pointer

Tree = Mapping[str, Any]

# One step of a field path in the server's own notation (what a conflict message prints).
PathElement = tuple[str, str]  # ("f", name) | ("k", json) | ("v", json) | ("i", "3")


@lru_cache(maxsize=8192)
def decode(raw: str) -> Any:
    return json.loads(raw)


def field_paths(tree: Tree, prefix: tuple[PathElement, ...] = ()) -> Iterator[tuple[PathElement, ...]]:
    """Every owned path of one entry's trie: leaves and nodes marked with `.`."""
    for name, child in tree.items():
        if name == ".":
            continue
        kind, _, rest = name.partition(":")
        path = (*prefix, (kind, rest))
        if not child or "." in child:
            yield path
        if child:
            yield from field_paths(child, path)


def element_text(element: PathElement) -> str:
    """The server's notation for one step, as printed in conflict messages, pointer-escaped."""
    kind, raw = element
    if kind == "f":
        return pointer.escape(raw)
    if kind == "k":
        key = decode(raw)
        return "[" + ",".join(f"{k}={_plain(v)}" for k, v in sorted(key.items())) + "]"
    if kind == "v":
        return f"[={_plain(decode(raw))}]"
    return f"[{raw}]"


def _plain(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value, sort_keys=True, separators=(",", ":"))


def path_text(path: Sequence[PathElement]) -> str:
    return "".join("/" + element_text(e) for e in path)
