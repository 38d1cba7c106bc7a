"""`metadata.managedFields`: entries, their identity, their order, and what the server strips from them."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from gitops_tui.sandbox import fieldset as fs

APPLY = "Apply"
UPDATE = "Update"


@dataclass
class Entry:
    manager: str
    operation: str
    api_version: str
    fields: fs.Node
    time: str | None = None
    subresource: str = ""

    @property
    def identity(self) -> tuple[str, str, str, str]:
        # Appliers are one manager whatever API version they used; updaters are one per version.
        return (
            self.manager,
            self.operation,
            "" if self.operation == APPLY else self.api_version,
            self.subresource,
        )

    def describe(self) -> str:
        """How conflict messages name a manager: `"kubectl" with subresource "scale" using apps/v1`."""
        text = json.dumps(self.manager)
        if self.subresource:
            text += f" with subresource {json.dumps(self.subresource)}"
        if self.operation == UPDATE:
            text += f" using {self.api_version}"
        return text

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "manager": self.manager,
            "operation": self.operation,
            "apiVersion": self.api_version,
        }
        if self.time:
            out["time"] = self.time
        out["fieldsType"] = "FieldsV1"
        out["fieldsV1"] = fs.encode(self.fields)
        if self.subresource:
            out["subresource"] = self.subresource
        return out


def decode(raw: Any) -> list[Entry] | None:
    """Entries of an object's managedFields; None when they are malformed (the server then ignores them)."""
    if not isinstance(raw, list):
        return None
    out = []
    for item in raw:
        if not isinstance(item, dict) or not item.get("manager") and not item.get("operation"):
            return None
        out.append(
            Entry(
                manager=str(item.get("manager") or ""),
                operation=str(item.get("operation") or UPDATE),
                api_version=str(item.get("apiVersion") or ""),
                fields=fs.decode(item.get("fieldsV1") or {}),
                time=item.get("time"),
                subresource=str(item.get("subresource") or ""),
            )
        )
    return out


def _sort_key(e: Entry) -> tuple[str, str, str, str, str]:
    # The server's order: operation (Apply before Update), time (none first), manager, version, subresource.
    return (e.operation, e.time or "", e.manager, e.api_version, e.subresource)


def encode(entries: list[Entry]) -> list[dict[str, Any]]:
    return [e.to_json() for e in sorted(entries, key=_sort_key) if e.fields]


def find(entries: list[Entry], identity: tuple[str, str, str, str]) -> Entry | None:
    for e in entries:
        if e.identity == identity:
            return e
    return None


# Never tracked: identity and server-owned metadata (the server's stripMetaManager).
STRIPPED = fs.from_paths(
    ("f:apiVersion",),
    ("f:kind",),
    ("f:metadata",),
    ("f:metadata", "f:name"),
    ("f:metadata", "f:namespace"),
    ("f:metadata", "f:creationTimestamp"),
    ("f:metadata", "f:selfLink"),
    ("f:metadata", "f:uid"),
    ("f:metadata", "f:clusterName"),
    ("f:metadata", "f:generation"),
    ("f:metadata", "f:managedFields"),
    ("f:metadata", "f:resourceVersion"),
)


def strip(node: fs.Node) -> fs.Node:
    node = fs.difference(node, STRIPPED)
    meta = node.get("f:metadata")
    if meta is not None and not meta:
        node = {k: v for k, v in node.items() if k != "f:metadata"}
    return _prune_empty(node)


def _prune_empty(node: fs.Node) -> fs.Node:
    out: fs.Node = {}
    for k, v in node.items():
        if k == fs.DOT:
            out[k] = v
            continue
        child = _prune_empty(v)
        if child:
            out[k] = child
    return out


def only_status(node: fs.Node) -> fs.Node:
    """What a status-subresource write may own: status, and annotations (controllers set revisions there)."""
    out: fs.Node = {}
    if "f:status" in node:
        out["f:status"] = node["f:status"]
    annotations = node.get("f:metadata", {}).get("f:annotations")
    if annotations:
        out["f:metadata"] = {"f:annotations": annotations}
    return out


def without_status(node: fs.Node) -> fs.Node:
    return {k: v for k, v in node.items() if k != "f:status"}
