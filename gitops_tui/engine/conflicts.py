"""Reading server-side-apply conflict errors back into the fields and managers they list."""

from __future__ import annotations

import json
import re
from typing import Any

from gitops_tui.engine.fieldpath import PathElement, path_text
from gitops_tui.model import TakenOverField

_MANAGER = re.compile(
    r'conflicts? with "((?:[^"\\]|\\.)*)"'
    r'(?: with subresource "(?:[^"\\]|\\.)*")?(?: using \S+?)?(?: at \S+?)?:(?=\s)'
)
# Maps whose keys are free text (may hold dots): in `.data.nginx.conf` the rest is one key.
_FREE_MAPS = frozenset(
    {
        "data",
        "binaryData",
        "stringData",
        "labels",
        "annotations",
        "matchLabels",
        "nodeSelector",
        "limits",
        "requests",
        "hard",
        "capacity",
        "allocatable",
    }
)


def parse_conflict(message: str) -> tuple[TakenOverField, ...]:
    """The fields and managers an SSA conflict error lists, e.g. `Apply failed with 1 conflict: conflict
    with "kubectl" with subresource "scale" using apps/v1: .spec.replicas`, in `takeovers`' notation."""
    found: dict[tuple[str, str], None] = {}
    headers = list(_MANAGER.finditer(message))
    for n, head in enumerate(headers):
        manager = json.loads(f'"{head.group(1)}"')
        body = message[head.end() : headers[n + 1].start() if n + 1 < len(headers) else len(message)]
        lines = [ln.strip() for ln in body.strip().splitlines()]
        if lines and not lines[0].startswith("- ") and lines[0].startswith("."):
            candidates = [lines[0]]  # single-conflict form: the path follows on the same line
        else:
            candidates = [ln[2:] for ln in lines if ln.startswith("- ")]
        for text in candidates:
            path = _parse_field_path(text.strip())
            if path is not None:
                found[(path, manager)] = None
    return tuple(TakenOverField(p, m) for p, m in found)


def _parse_field_path(text: str) -> str | None:
    """`.spec.ports[port=80,protocol="TCP"].targetPort` -> `/spec/ports/[port=80,protocol=TCP]/targetPort`."""
    elements: list[PathElement] = []
    pos = 0
    while pos < len(text):
        ch = text[pos]
        if ch == ".":
            end = pos + 1
            while end < len(text) and text[end] not in ".[":
                end += 1
            if elements and elements[-1][0] == "f" and elements[-1][1] in _FREE_MAPS:
                end = len(text)
            elements.append(("f", text[pos + 1 : end]))
            pos = end
        elif ch == "[":
            end, element = _parse_bracket(text, pos)
            if element is None:
                return None
            elements.append(element)
            pos = end
        else:
            return None
    return path_text(elements) if elements else None


def _parse_bracket(text: str, pos: int) -> tuple[int, PathElement | None]:
    decoder = json.JSONDecoder()
    pos += 1
    if text.startswith("=", pos):
        value, end = decoder.raw_decode(text, pos + 1)
        return end + 1, ("v", json.dumps(value, sort_keys=True, separators=(",", ":")))
    if text[pos : pos + 1].isdigit():
        end = text.index("]", pos)
        return end + 1, ("i", text[pos:end])
    key: dict[str, Any] = {}
    while pos < len(text) and text[pos] != "]":
        eq = text.index("=", pos)
        name = text[pos:eq]
        value, pos = decoder.raw_decode(text, eq + 1)
        key[name] = value
        if text.startswith(",", pos):
            pos += 1
    if not key:
        return pos + 1, None
    return pos + 1, ("k", json.dumps(key, sort_keys=True, separators=(",", ":")))
