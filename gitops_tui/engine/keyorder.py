"""One key order for every object we display, so Git and live read alike whatever order each came in.

Live objects come back in the server's order, dry runs in the apply body's order, Git in the author's. A diff
of two orderings of the same map is noise; this puts `apiVersion`, `kind`, `metadata`, `spec`, `data` first at
the top, `name` first in every map (containers, ports and env entries read as in a manifest), and the rest
alphabetically. List order is meaning, so lists keep theirs.
"""

from __future__ import annotations

from typing import Any

TOP = ("apiVersion", "kind", "metadata", "spec", "data", "stringData", "type", "status")
METADATA = ("name", "generateName", "namespace", "labels", "annotations")


def _rank(key: str, first: tuple[str, ...]) -> tuple[int, str]:
    try:
        return (first.index(key), "")
    except ValueError:
        return (len(first), key)


def ordered(value: Any, _first: tuple[str, ...] = ("name",)) -> Any:
    if isinstance(value, dict):
        return {k: ordered(value[k]) for k in sorted(value, key=lambda k: _rank(str(k), _first))}
    if isinstance(value, list):
        return [ordered(v) for v in value]
    return value


def canonical(obj: dict[str, Any]) -> dict[str, Any]:
    """A copy of a Kubernetes object in display order."""
    return {k: ordered(v, METADATA if k == "metadata" else ("name",)) for k, v in ordered(obj, TOP).items()}
