"""Clusters a repository describes: Flux's `clusters/<name>/` convention, and `.gitops-tui.yaml`'s
`clusters:` map.

A directory holding a `flux-system/` bootstrap (`gotk-components.yaml`, `gotk-sync.yaml` or a
kustomization) is one cluster, named after the directory; what Flux applies there starts from the bootstrap
Kustomization `flux-system`, whose path is that directory. Apps in different clusters may share a name: an
app is cluster + namespace + name.

    # .gitops-tui.yaml
    clusters:
      staging:                    # the cluster's name (a `clusters/<name>/` directory, or any name)
        path: clusters/staging    # its Flux directory (default: a `clusters/<name>` found by the scan)
        context: kind-staging     # kube context (default: a context named like the cluster)
        server: https://10.0.0.2  # for ApplicationSet cluster generators
        labels: {env: staging}    #   (Argo CD's cluster Secrets are not in Git)
"""

from __future__ import annotations

import posixpath
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from gitops_tui.model import AppOrigin, AppSpec, SourceType, TrackingMethod
from gitops_tui.source import specfields as f
from gitops_tui.source.specfields import SpecError
from gitops_tui.source.walk import find_kustomization, walk_dirs

BOOTSTRAP = "flux-system"
_BOOTSTRAP_FILES = ("gotk-components.yaml", "gotk-sync.yaml", "kustomization.yaml")
CLUSTER_KEYS = ("path", "context", "server", "labels", "annotations")


@dataclass(frozen=True)
class ClusterConfig:
    name: str
    path: str = ""  # repo-relative Flux directory; "" when the cluster has none in this repository
    context: str = ""
    server: str = ""
    labels: Mapping[str, str] = field(default_factory=dict)
    annotations: Mapping[str, str] = field(default_factory=dict)


def parse_clusters(raw: Any, where: str) -> tuple[list[ClusterConfig], list[str]]:
    """`clusters:` of `.gitops-tui.yaml`; (clusters, errors), every error "file: clusters.<name>: what"."""
    if raw is None:
        return [], []
    if not isinstance(raw, dict):
        return [], [f"{where}: clusters must be a mapping of cluster name to its settings"]
    out: list[ClusterConfig] = []
    errors: list[str] = []
    for name, entry in raw.items():
        field_ = f"clusters.{name}"
        try:
            if not isinstance(name, str) or not f.app_name_ok(name):
                raise SpecError("the name must be lowercase letters, digits, - and .")
            body = {"context": entry} if isinstance(entry, str) else f.mapping(entry, field_)
            unknown = [k for k in body if k not in CLUSTER_KEYS]
            if unknown:
                raise SpecError(f"unknown key {unknown[0]!r} (known: {', '.join(CLUSTER_KEYS)})")
            path = f.text(body.get("path"), f"{field_}.path")
            out.append(
                ClusterConfig(
                    name=name,
                    path=f.repo_path(path, f"{field_}.path") if path else "",
                    context=f.text(body.get("context"), f"{field_}.context"),
                    server=f.text(body.get("server"), f"{field_}.server"),
                    labels=_strings(body.get("labels"), f"{field_}.labels"),
                    annotations=_strings(body.get("annotations"), f"{field_}.annotations"),
                )
            )
        except SpecError as exc:
            errors.append(f"{where}: {field_}: {exc}")
    return out, errors


def _strings(value: Any, field_: str) -> dict[str, str]:
    return {str(k): f.text(v, f"{field_}.{k}") for k, v in f.mapping(value, field_).items()}


def is_bootstrap_dir(directory: Path) -> bool:
    boot = directory / BOOTSTRAP
    return boot.is_dir() and any((boot / name).is_file() for name in _BOOTSTRAP_FILES)


def find_clusters(root: Path, configured: list[ClusterConfig]) -> list[ClusterConfig]:
    """Every cluster: the configured ones (a configured path, or `clusters/<name>` when it is a bootstrap
    directory), then each other bootstrap directory found, named after it."""
    found: list[str] = []
    for dirpath, dirnames, _ in walk_dirs(root):
        if BOOTSTRAP in dirnames and is_bootstrap_dir(dirpath):
            found.append(dirpath.relative_to(root).as_posix())
            dirnames.clear()  # a cluster's directory holds no other cluster
    clusters: list[ClusterConfig] = []
    taken_paths: set[str] = set()
    for c in configured:
        path = c.path
        if not path:
            guess = posixpath.join("clusters", c.name)
            path = guess if guess in found else ""
        clusters.append(replace(c, path=path))
        if path:
            taken_paths.add(path)
    names = {c.name for c in clusters}
    for path in found:
        if path in taken_paths:
            continue
        name = _name_for(path, names)
        names.add(name)
        clusters.append(ClusterConfig(name=name, path=path))
    return clusters


def _name_for(path: str, taken: set[str]) -> str:
    """The directory's name; `eu-prod` for `clusters/eu/prod` when another cluster is already `prod`."""
    base = posixpath.basename(path) or "cluster"
    if base not in taken:
        return base
    parts = path.split("/")
    if "clusters" in parts:
        parts = parts[parts.index("clusters") + 1 :]
    candidate = "-".join(p for p in parts if p) or base
    n = 2
    unique = candidate
    while unique in taken:
        unique, n = f"{candidate}-{n}", n + 1
    return unique


def bootstrap_app(root: Path, cluster: ClusterConfig) -> AppSpec:
    """The cluster's bootstrap Kustomization (`flux-system`, path = the cluster's directory), as `flux
    bootstrap` writes it into gotk-sync.yaml: it applies everything else in the directory. When gotk-sync.yaml
    holds the real one, rendering finds it declaring itself, and the scanned one stands."""
    path = cluster.path
    directory = root / path if path != "." else root
    sync = posixpath.join(path, BOOTSTRAP, "gotk-sync.yaml")
    return AppSpec(
        name=BOOTSTRAP,
        path=path,
        origin=AppOrigin.FLUX,
        kind="Kustomization",
        cluster=cluster.name,
        home=BOOTSTRAP,
        source_type=SourceType.KUSTOMIZE if find_kustomization(directory) else SourceType.DIRECTORY,
        defined_in=sync if (root / sync).is_file() else path,
        tracking=TrackingMethod.FLUX,
        flux_namespace=BOOTSTRAP,
        prune=True,  # what `flux bootstrap` writes
        automated=True,
        self_heal=True,
        recurse=True,
    )


def in_cluster_dir(file: str, clusters: list[ClusterConfig]) -> bool:
    return any(c.path and (c.path == "." or file.startswith(c.path.rstrip("/") + "/")) for c in clusters)
