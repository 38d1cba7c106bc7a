"""Live state for a reconcile: one LIST per (kind, namespace), concurrently, never a GET per object.

A listing that fails is recorded per (group, kind, namespace) instead of failing the whole snapshot, so one
forbidden namespace only makes its own resources Unknown, and prune can refuse to act on what it could not
see. When the cluster as a whole cannot be read (unreachable, bad credentials) `fetch_live` raises instead:
reporting the same connection error on every resource would only bury it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from gitops_tui.cluster.client import ClusterClient
from gitops_tui.cluster.discovery import ApiResource, split_api_version
from gitops_tui.cluster.errors import ClusterError, ClusterUnreachable, NotFound, Unauthorized
from gitops_tui.model import Obj, ResourceKey


@dataclass(frozen=True)
class LiveSnapshot:
    objects: dict[ResourceKey, Obj] = field(default_factory=dict)
    # (group, kind, namespace) -> why that LIST failed; namespace "" for cluster-scoped kinds
    failed: dict[tuple[str, str, str], ClusterError] = field(default_factory=dict)
    lists: int = 0  # LIST requests made
    resource_versions: dict[tuple[str, str, str], str] = field(default_factory=dict)  # per successful LIST

    def listed(self, group: str, kind: str, namespace: str) -> bool:
        """Whether this (group, kind, namespace) was read successfully (prune must not act otherwise)."""
        return (group, kind, namespace) in self.resource_versions


def fetch_live(client: ClusterClient, wanted: Iterable[tuple[str, str, str]]) -> LiveSnapshot:
    """Every live object of the wanted (apiVersion, kind, namespace or "") triples.

    Cluster-scoped kinds are listed once whatever namespaces were asked for. The same kind asked for
    under two API versions (apps/v1 and apps/v1beta1) is one object set and is listed once. Kinds the
    server does not serve are reported in `failed` as NotFound. Raises ClusterError when discovery fails or
    the cluster is unreachable or rejects our credentials.
    """
    failed: dict[tuple[str, str, str], ClusterError] = {}
    jobs: dict[tuple[str, str, str], tuple[ApiResource, str]] = {}
    for api_version, kind, namespace in sorted(set(wanted)):
        group = split_api_version(api_version)[0]
        res = client.discovery.resolve(api_version, kind)
        if res is None:
            res = client.discovery.for_kind(group, kind)  # served, but under another version
        if res is None:
            failed[(group, kind, namespace)] = NotFound(
                f"kind {kind} ({api_version}) is not served by the cluster"
            )
            continue
        ns = namespace if res.namespaced else ""
        jobs.setdefault((group, kind, ns), (res, ns))

    def run(job: tuple[ApiResource, str]) -> tuple[list[Obj], str] | ClusterError:
        res, ns = job
        try:
            return client.list(res, ns)
        except ClusterError as exc:
            return exc

    outcomes = client.map(run, list(jobs.values()))
    objects: dict[ResourceKey, Obj] = {}
    versions: dict[tuple[str, str, str], str] = {}
    for key, outcome in zip(jobs, outcomes, strict=True):
        if isinstance(outcome, ClusterError):
            if isinstance(outcome, ClusterUnreachable | Unauthorized):
                raise outcome
            failed[key] = outcome
            continue
        items, rv = outcome
        versions[key] = rv
        for item in items:
            objects[ResourceKey.of(item)] = item
    return LiveSnapshot(objects=objects, failed=failed, lists=len(jobs), resource_versions=versions)
