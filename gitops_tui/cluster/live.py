"""Live state for a reconcile: one LIST per (kind, namespace) — or per kind across namespaces, when many —
concurrently, never a GET per object.

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
from gitops_tui.cluster.errors import ClusterError, ClusterUnreachable, Forbidden, NotFound, Unauthorized
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


# From this many namespaces of one kind, one LIST across all namespaces (filtered here) replaces their LISTs:
# an ApplicationSet that gives each of 500 apps its own namespace would otherwise cost 500 LISTs a kind.
WIDE_FROM = 8


def fetch_live(client: ClusterClient, wanted: Iterable[tuple[str, str, str]]) -> LiveSnapshot:
    """Every live object of the wanted (apiVersion, kind, namespace or "") triples.

    Cluster-scoped kinds are listed once whatever namespaces were asked for. The same kind asked for
    under two API versions (apps/v1 and apps/v1beta1) is one object set and is listed once. A kind wanted in
    many namespaces is listed once across all of them (and kept for those), unless RBAC forbids that, in
    which case each namespace is listed (and the client remembers not to try again). Kinds the server does
    not serve are reported in `failed` as NotFound. Raises ClusterError when discovery fails or the cluster
    is unreachable or rejects our credentials.
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
    objects: dict[ResourceKey, Obj] = {}
    versions: dict[tuple[str, str, str], str] = {}
    requests = _list_all(client, _widen(client, jobs), jobs, objects, versions, failed)
    return LiveSnapshot(objects=objects, failed=failed, lists=requests, resource_versions=versions)


_Job = tuple[ApiResource, str | None]  # namespace None: across all namespaces


def _widen(client: ClusterClient, jobs: dict[tuple[str, str, str], tuple[ApiResource, str]]) -> list[_Job]:
    per_kind: dict[tuple[str, str], list[str]] = {}
    for (group, kind, ns), (res, _) in jobs.items():
        if ns and res.qualified not in client.wide_list_forbidden:
            per_kind.setdefault((group, kind), []).append(ns)
    wide = {k for k, namespaces in per_kind.items() if len(namespaces) >= WIDE_FROM}
    out: list[_Job] = []
    widened: set[tuple[str, str]] = set()
    for (group, kind, ns), (res, _) in jobs.items():
        if (group, kind) in wide:
            if (group, kind) not in widened:
                widened.add((group, kind))
                out.append((res, None))
            continue
        out.append((res, ns))
    return out


def _list_all(
    client: ClusterClient,
    plan: list[_Job],
    jobs: dict[tuple[str, str, str], tuple[ApiResource, str]],
    objects: dict[ResourceKey, Obj],
    versions: dict[tuple[str, str, str], str],
    failed: dict[tuple[str, str, str], ClusterError],
) -> int:
    """Run the LISTs of `plan`, file what they found under each wanted key; a wide LIST that RBAC forbids
    is run again namespace by namespace. The number of LISTs sent."""

    def run(job: _Job) -> tuple[list[Obj], str] | ClusterError:
        res, ns = job
        try:
            return client.list(res, ns)
        except ClusterError as exc:
            return exc

    outcomes = client.map(run, plan)
    sent = len(plan)
    retry: list[_Job] = []
    for (res, ns), outcome in zip(plan, outcomes, strict=True):
        keys = [k for k, (r, _) in jobs.items() if r is res and (ns is None or k[2] == ns)]
        if isinstance(outcome, ClusterError):
            if isinstance(outcome, ClusterUnreachable | Unauthorized):
                raise outcome
            if ns is None and isinstance(outcome, Forbidden):  # allowed per namespace, perhaps
                client.wide_list_forbidden.add(res.qualified)
                retry.extend((res, k[2]) for k in keys)
                continue
            failed.update(dict.fromkeys(keys, outcome))
            continue
        items, rv = outcome
        wanted_ns = {k[2] for k in keys}
        for item in items:
            if ns is None and str((item.get("metadata") or {}).get("namespace") or "") not in wanted_ns:
                continue  # another namespace's: not ours to compare, nor to prune
            objects[ResourceKey.of(item)] = item
        versions.update(dict.fromkeys(keys, rv))
    if retry:
        sent += _list_all(client, retry, jobs, objects, versions, failed)
    return sent
