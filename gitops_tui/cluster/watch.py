"""Kubernetes watches for the reconcile loop: which objects changed, as they change.

A watch starts at the resourceVersion of a LIST and streams ADDED / MODIFIED / DELETED events (and BOOKMARKs,
which only move the resourceVersion forward). The server ends it after `timeoutSeconds`; the caller then
watches again from the last version seen. When that version is too old (etcd compacted it), the server says
410 Gone, as an HTTP status or as an ERROR event, and the caller must LIST again: that is `Gone`.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass

from gitops_tui.cluster.client import ClusterClient
from gitops_tui.cluster.discovery import ApiResource
from gitops_tui.cluster.errors import ClusterError, Gone, error_from_status
from gitops_tui.model import Obj

ADDED, MODIFIED, DELETED, BOOKMARK = "ADDED", "MODIFIED", "DELETED", "BOOKMARK"


@dataclass(frozen=True)
class WatchEvent:
    type: str  # ADDED, MODIFIED, DELETED or BOOKMARK
    object: Obj  # the object (apiVersion/kind filled in); for BOOKMARK only metadata.resourceVersion

    @property
    def resource_version(self) -> str:
        return str((self.object.get("metadata") or {}).get("resourceVersion") or "")


def watch(
    client: ClusterClient,
    res: ApiResource,
    namespace: str | None = None,
    *,
    resource_version: str,
    timeout_seconds: int = 300,
    label_selector: str | None = None,
) -> Iterator[WatchEvent]:
    """Events for a kind in a namespace (all namespaces / cluster-scoped when None or "") after
    `resource_version`. Ends when the server closes the watch; raises Gone when a relist is needed and
    ClusterError for other failures. Close the iterator to stop early."""
    ns = namespace if res.namespaced else ""
    query = [
        ("watch", "true"),
        ("resourceVersion", resource_version),
        ("allowWatchBookmarks", "true"),
        ("timeoutSeconds", str(int(timeout_seconds))),
    ]
    if label_selector:
        query.append(("labelSelector", label_selector))
    lines = client.http.stream_lines(
        res.path(ns),
        query,
        # The server ends the watch itself; the slack only catches a server that went silent.
        read_timeout=timeout_seconds + max(client.timeout, 10.0),
        verb="watch",
        resource=res.qualified,
        namespace=ns or "",
    )
    try:
        for line in lines:
            try:
                event = json.loads(line)
            except ValueError as exc:
                raise ClusterError(f"watch {res.qualified}: the server sent a line that is not JSON") from exc
            kind = str(event.get("type") or "")
            obj = event.get("object") or {}
            if kind == "ERROR":
                code = int(obj.get("code") or 500)
                error = error_from_status(code, obj, verb="watch", resource=res.qualified, namespace=ns or "")
                raise error if code != 410 else Gone(error.message)
            if kind not in (ADDED, MODIFIED, DELETED, BOOKMARK):
                continue
            if kind != BOOKMARK:
                obj.setdefault("apiVersion", res.api_version)
                obj.setdefault("kind", res.kind)
            yield WatchEvent(kind, obj)
    finally:
        lines.close()
