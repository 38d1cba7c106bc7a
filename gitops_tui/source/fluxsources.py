"""Flux's source objects as the tree meets them: what a Kustomization's or HelmRelease's `sourceRef` names.

Flux resolves `sourceRef` against objects in the cluster: the bootstrap `GitRepository flux-system`, and
whatever the cluster's Kustomizations applied (`GitRepository`, `OCIRepository`, `Bucket`, `HelmRepository`,
`HelmChart`, `ExternalArtifact`, and `ArtifactGenerator`s that produce ExternalArtifacts). Offline, those
objects are the ones in the rendered output of the cluster's apps, and in files scanned outside any cluster
directory (repositories without the `clusters/` convention). The tree adds each rendered output's sources
before it parses the children of that level, so a child sees the sources of its ancestors and of its
parent's siblings.

The same index keeps the ConfigMaps and Secrets met that way (`values`): what `postBuild.substituteFrom`
(and a HelmRelease's `valuesFrom`) read from Git before asking the cluster; see fluxvalues.py.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

SOURCE_GROUP = "source.toolkit.fluxcd.io"
EXTENSIONS_GROUP = "source.extensions.fluxcd.io"
SOURCE_KINDS = frozenset(
    {
        (SOURCE_GROUP, "GitRepository"),
        (SOURCE_GROUP, "OCIRepository"),
        (SOURCE_GROUP, "Bucket"),
        (SOURCE_GROUP, "HelmRepository"),
        (SOURCE_GROUP, "HelmChart"),
        (SOURCE_GROUP, "ExternalArtifact"),
        (EXTENSIONS_GROUP, "ArtifactGenerator"),
    }
)
DEFAULT_NAMESPACE = "flux-system"
VALUE_KINDS = frozenset({"ConfigMap", "Secret"})


def values_kind(obj: Any) -> str | None:
    """ "ConfigMap" or "Secret" for a core one, else None."""
    if isinstance(obj, dict) and obj.get("apiVersion") == "v1" and obj.get("kind") in VALUE_KINDS:
        return str(obj["kind"])
    return None


def source_kind(obj: Any) -> tuple[str, str] | None:
    """(group, kind) when `obj` is a Flux source object, else None."""
    if not isinstance(obj, dict):
        return None
    group = str(obj.get("apiVersion") or "").rpartition("/")[0]
    kind = str(obj.get("kind") or "")
    return (group, kind) if (group, kind) in SOURCE_KINDS else None


@dataclass(frozen=True)
class FluxSource:
    kind: str
    namespace: str
    name: str
    obj: dict[str, Any] = field(compare=False, repr=False)
    where: str = ""  # "file:line", or "file (document N, rendered by APP)"
    declared_by: str = ""  # the id of the app whose output holds it; "" when scanned


class FluxSources:
    """The source objects one cluster has (or the scanned ones, for the cluster-less part of a repo)."""

    def __init__(self, fallback: FluxSources | None = None) -> None:
        self._by_key: dict[tuple[str, str, str], FluxSource] = {}
        self._values: dict[tuple[str, str, str], FluxSource] = {}
        self._fallback = fallback

    def add(
        self, obj: dict[str, Any], where: str, declared_by: str = "", default_namespace: str = ""
    ) -> None:
        found = source_kind(obj)
        value_kind = values_kind(obj) if found is None else None
        if found is None and value_kind is None:
            return
        raw = obj.get("metadata")
        meta: dict[str, Any] = raw if isinstance(raw, dict) else {}
        name = str(meta.get("name") or "")
        if not name:
            return
        namespace = str(meta.get("namespace") or default_namespace or DEFAULT_NAMESPACE)
        if value_kind is not None:
            entry = FluxSource(value_kind, namespace, name, obj, where, declared_by)
            self._values.setdefault((value_kind, namespace, name), entry)
            return
        assert found is not None
        key = (found[1], namespace, name)
        self._by_key.setdefault(key, FluxSource(found[1], namespace, name, obj, where, declared_by))

    def get(self, kind: str, namespace: str, name: str) -> FluxSource | None:
        """The source of that kind, namespace and name, here or among the scanned ones."""
        found = self._by_key.get((kind, namespace or DEFAULT_NAMESPACE, name))
        if found is None and self._fallback is not None:
            return self._fallback.get(kind, namespace, name)
        return found

    def values(self, kind: str, namespace: str, name: str) -> FluxSource | None:
        """The ConfigMap or Secret of that name in Git, here or among the scanned ones."""
        found = self._values.get((kind, namespace or DEFAULT_NAMESPACE, name))
        if found is None and self._fallback is not None:
            return self._fallback.values(kind, namespace, name)
        return found

    def __iter__(self) -> Iterator[FluxSource]:
        yield from self._by_key.values()
        if self._fallback is not None:
            yield from (s for s in self._fallback if (s.kind, s.namespace, s.name) not in self._by_key)
