"""What a Helm release has deployed, read from Helm's own storage: the `sh.helm.release.v1.<name>.v<N>`
Secrets (labels `owner=helm`, `name=<release>`) in the release's storage namespace, each holding the
release as gzip'd JSON (base64, within the Secret's base64), its `manifest` the objects it applied.

Used when a HelmRelease cannot be rendered here (its chart cannot be fetched offline): the kinds of what
its latest revision deployed are what must be listed to show what the cluster has for it. Only the kinds
and names are kept; the manifest itself (it holds the chart's Secrets) is dropped at once.
"""

from __future__ import annotations

import base64
import binascii
import gzip
import json
import zlib
from typing import Any

import yaml

from gitops_tui.cluster.client import ClusterClient
from gitops_tui.cluster.errors import ClusterError

Kind = tuple[str, str, str]  # (apiVersion, kind, namespace; "" when the manifest names none)
_GZIP = b"\x1f\x8b\x08"


def decode_release(data: str) -> dict[str, Any] | None:
    """Helm's decodeRelease of a storage Secret's `data.release` (as the API serves it, base64)."""
    try:
        raw = base64.b64decode(base64.b64decode(data, validate=True), validate=True)
        if raw[:3] == _GZIP:
            raw = gzip.decompress(raw)
        release = json.loads(raw)
    except (binascii.Error, ValueError, OSError, EOFError, zlib.error):
        return None
    return release if isinstance(release, dict) else None


def manifest_kinds(manifest: str, namespace: str) -> set[Kind]:
    """(apiVersion, kind, namespace) of each object of a release manifest; `namespace` (the release's)
    for those naming none, as Helm installs them."""
    kinds: set[Kind] = set()
    try:
        docs = list(yaml.safe_load_all(manifest))
    except yaml.YAMLError:
        return kinds
    for doc in docs:
        if not isinstance(doc, dict) or not doc.get("apiVersion") or not doc.get("kind"):
            continue
        raw = doc.get("metadata")
        meta: dict[str, Any] = raw if isinstance(raw, dict) else {}
        kinds.add((str(doc["apiVersion"]), str(doc["kind"]), str(meta.get("namespace") or namespace)))
    return kinds


def deployed_kinds(client: ClusterClient, storage_namespace: str, release: str) -> set[Kind]:
    """The kinds the release's newest revision deployed (its hooks' too); empty when Helm's storage
    cannot be read (no such release, no right to read Secrets there)."""
    secrets = client.discovery.resolve("v1", "Secret")
    if secrets is None:
        return set()
    try:
        items, _ = client.list(secrets, storage_namespace, label_selector=f"owner=helm,name={release}")
    except ClusterError:
        return set()
    newest: tuple[int, dict[str, Any]] | None = None
    for item in items:
        labels = (item.get("metadata") or {}).get("labels") or {}
        data = (item.get("data") or {}).get("release")
        if labels.get("owner") != "helm" or labels.get("name") != release or not isinstance(data, str):
            continue
        try:
            version = int(str(labels.get("version") or 0))
        except ValueError:
            continue
        if newest is None or version > newest[0]:
            decoded = decode_release(data)
            if decoded is not None:
                newest = (version, decoded)
    if newest is None:
        return set()
    release_doc = newest[1]
    namespace = str(release_doc.get("namespace") or storage_namespace)
    kinds = manifest_kinds(str(release_doc.get("manifest") or ""), namespace)
    for hook in release_doc.get("hooks") or ():
        if isinstance(hook, dict):
            kinds |= manifest_kinds(str(hook.get("manifest") or ""), namespace)
    return kinds
