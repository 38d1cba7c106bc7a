"""What the API server serves (kinds, plurals, scope, verbs), cached, loaded lazily per group version.

A reconcile resolves every desired object's (apiVersion, kind), so lookups must be dictionary reads. Group
versions are fetched the first time one of their kinds is asked for (a cluster with 80 CRD groups costs
nothing for the groups an app does not use). A kind that is unknown makes us look again once (a CRD may
have been created since), but at most once per `refetch_after` seconds per group version, so 500 objects of
a kind whose CRD is missing cost one request, not 500. `refresh()` drops everything (the `R` key).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from gitops_tui.cluster.errors import ClusterError
from gitops_tui.threads import daemon_map

# GET a discovery path; returns the decoded JSON, or None when the server says 404 (not served).
Fetch = Callable[[str], dict[str, Any] | None]


@dataclass(frozen=True)
class ApiResource:
    group: str
    version: str
    kind: str
    plural: str
    namespaced: bool
    verbs: tuple[str, ...] = ()

    @property
    def api_version(self) -> str:
        return f"{self.group}/{self.version}" if self.group else self.version

    @property
    def qualified(self) -> str:
        """`deployments.apps`, `configmaps`: the name kubectl and RBAC messages use."""
        return f"{self.plural}.{self.group}" if self.group else self.plural

    def path(self, namespace: str | None = None, name: str = "", subresource: str = "") -> str:
        """The REST path: collection (all namespaces when namespace is None/""), or one object."""
        base = f"/apis/{self.group}/{self.version}" if self.group else f"/api/{self.version}"
        ns = f"/namespaces/{namespace}" if self.namespaced and namespace else ""
        tail = f"/{name}" if name else ""
        sub = f"/{subresource}" if subresource else ""
        return f"{base}{ns}/{self.plural}{tail}{sub}"


def split_api_version(api_version: str) -> tuple[str, str]:
    group, _, version = api_version.rpartition("/")
    return group, version


def _gv_path(group: str, version: str) -> str:
    return f"/apis/{group}/{version}" if group else f"/api/{version}"


def _parse_resource_list(group: str, version: str, doc: dict[str, Any]) -> dict[str, ApiResource]:
    by_kind: dict[str, ApiResource] = {}
    for raw in doc.get("resources") or ():
        name = str(raw.get("name") or "")
        kind = str(raw.get("kind") or "")
        if not name or not kind or "/" in name:  # subresources (deployments/scale) are not kinds of their own
            continue
        res = ApiResource(
            group, version, kind, name, bool(raw.get("namespaced")), tuple(raw.get("verbs") or ())
        )
        # Two plurals for one kind happen (legacy aliases); keep the listable one.
        if kind not in by_kind or ("list" in res.verbs and "list" not in by_kind[kind].verbs):
            by_kind[kind] = res
    return by_kind


class Discovery:
    """Thread-safe discovery cache for one cluster."""

    def __init__(
        self,
        fetch: Fetch,
        *,
        refetch_after: float = 5.0,
        clock: Callable[[], float] = time.monotonic,
        max_workers: int = 8,
    ) -> None:
        self._fetch = fetch
        self._refetch_after = refetch_after
        self._clock = clock
        self._max_workers = max_workers
        self._lock = threading.RLock()
        # group -> (preferred version, every served version); None until /api and /apis were read.
        self._groups: dict[str, tuple[str, tuple[str, ...]]] | None = None
        self._groups_at = 0.0
        # "group/version" -> kind -> resource; an empty dict is a group version the server does not serve.
        self._resources: dict[str, dict[str, ApiResource]] = {}
        self._loaded_at: dict[str, float] = {}
        self.errors: dict[str, ClusterError] = {}  # group versions that failed in the last all()
        self.requests = 0

    # -- public --------------------------------------------------------------------------------------
    def resolve(self, api_version: str, kind: str) -> ApiResource | None:
        """The resource for exactly this apiVersion and kind, or None if the server does not serve it.
        Raises ClusterError when discovery itself fails (unreachable, forbidden, 5xx)."""
        group, version = split_api_version(api_version)
        if not version:
            return None
        with self._lock:
            found = self._resource_list(group, version).get(kind)
            if found is None and self._stale(f"{group}/{version}"):
                found = self._load_gv(group, version).get(kind)
            return found

    def for_kind(self, group: str, kind: str) -> ApiResource | None:
        """The resource for a kind in a group at the server's preferred version (else any served one)."""
        with self._lock:
            found = self._find_in_group(group, kind)
            if found is None and self._groups_stale():
                self._load_groups()
                found = self._find_in_group(group, kind)
            return found

    def all(self) -> list[ApiResource]:
        """Every kind at its group's preferred version. Group versions that fail (an aggregated API that
        is down is common) are skipped and recorded in `errors`."""
        with self._lock:
            groups = self._groups_or_load()
            pending = [(g, pref) for g, (pref, _) in groups.items() if f"{g}/{pref}" not in self._resources]
            self.errors = {}
            if pending:
                futures = daemon_map(
                    self._fetch_gv_safely, pending, max_workers=self._max_workers, name="discovery"
                )
                outcomes = [f.result() for f in futures]
                now = self._clock()
                for (group, version), outcome in zip(pending, outcomes, strict=True):
                    if isinstance(outcome, ClusterError):
                        self.errors[f"{group}/{version}"] = outcome
                    else:
                        self._resources[f"{group}/{version}"] = outcome
                        self._loaded_at[f"{group}/{version}"] = now
            result: list[ApiResource] = []
            for group, (pref, _) in groups.items():
                result.extend(self._resources.get(f"{group}/{pref}", {}).values())
            return result

    def refresh(self) -> None:
        """Forget everything; the next lookups read the server again."""
        with self._lock:
            self._groups = None
            self._resources.clear()
            self._loaded_at.clear()
            self.errors = {}

    def groups(self) -> dict[str, tuple[str, tuple[str, ...]]]:
        """group -> (preferred version, served versions); "" is the core group."""
        with self._lock:
            return dict(self._groups_or_load())

    # -- internals -----------------------------------------------------------------------------------
    def _get(self, path: str) -> dict[str, Any] | None:
        self.requests += 1
        return self._fetch(path)

    def _stale(self, gv: str) -> bool:
        return self._clock() - self._loaded_at.get(gv, float("-inf")) >= self._refetch_after

    def _groups_stale(self) -> bool:
        return self._groups is None or self._clock() - self._groups_at >= self._refetch_after

    def _resource_list(self, group: str, version: str) -> dict[str, ApiResource]:
        gv = f"{group}/{version}"
        cached = self._resources.get(gv)
        return cached if cached is not None else self._load_gv(group, version)

    def _load_gv(self, group: str, version: str) -> dict[str, ApiResource]:
        doc = self._get(_gv_path(group, version))
        parsed = _parse_resource_list(group, version, doc) if doc else {}
        self._resources[f"{group}/{version}"] = parsed
        self._loaded_at[f"{group}/{version}"] = self._clock()
        return parsed

    def _fetch_gv_safely(self, gv: tuple[str, str]) -> dict[str, ApiResource] | ClusterError:
        try:
            doc = self._get(_gv_path(*gv))
        except ClusterError as exc:
            return exc
        return _parse_resource_list(gv[0], gv[1], doc) if doc else {}

    def _groups_or_load(self) -> dict[str, tuple[str, tuple[str, ...]]]:
        return self._groups if self._groups is not None else self._load_groups()

    def _load_groups(self) -> dict[str, tuple[str, tuple[str, ...]]]:
        groups: dict[str, tuple[str, tuple[str, ...]]] = {}
        core = self._get("/api") or {}
        core_versions = tuple(str(v) for v in core.get("versions") or ())
        if core_versions:
            groups[""] = (core_versions[0], core_versions)
        for raw in (self._get("/apis") or {}).get("groups") or ():
            name = str(raw.get("name") or "")
            versions = tuple(str(v.get("version")) for v in raw.get("versions") or () if v.get("version"))
            preferred = str(
                (raw.get("preferredVersion") or {}).get("version") or (versions[0] if versions else "")
            )
            if name and preferred:
                groups[name] = (preferred, versions or (preferred,))
        self._groups = groups
        self._groups_at = self._clock()
        # A group version that disappeared (CRD deleted) must not keep answering from the cache.
        served = {f"{g}/{v}" for g, (_, vs) in groups.items() for v in vs}
        for gv in [gv for gv in self._resources if gv not in served]:
            del self._resources[gv]
            self._loaded_at.pop(gv, None)
        return groups

    def _find_in_group(self, group: str, kind: str) -> ApiResource | None:
        entry = self._groups_or_load().get(group)
        if entry is None:
            return None
        preferred, versions = entry
        for version in _preferred_first(preferred, versions):
            found = self._resource_list(group, version).get(kind)
            if found is not None:
                return found
        return None


def _preferred_first(preferred: str, versions: Iterable[str]) -> list[str]:
    return [preferred, *(v for v in versions if v != preferred)]
