"""The data an ApplicationSet's expansion takes and gives (re-exported by the package)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class ClusterInfo:
    """A cluster as Argo CD's cluster Secret describes it; `labels`/`annotations` are the Secret's (the
    clusters generator adds `argocd.argoproj.io/secret-type: cluster`, which every such Secret carries)."""

    name: str
    server: str
    labels: Mapping[str, str] = field(default_factory=dict)
    annotations: Mapping[str, str] = field(default_factory=dict)
    project: str = ""  # the Secret's `project`, for project-scoped clusters


@dataclass(frozen=True)
class AppSetContext:
    tree: Path  # the checkout being read (working tree or a --revision tree)
    remotes: tuple[str, ...] = ()  # this checkout's remote URLs (GitRepo.remote_urls())
    local_repos: Mapping[str, Path] = field(default_factory=dict)  # other repo URL -> local checkout (config)
    clusters: tuple[ClusterInfo, ...] = ()
    branch: str = ""  # the checked-out branch: a git generator `revision` naming it needs no note
    # the namespace of an ApplicationSet whose manifest has none (its parent app's destination namespace)
    default_namespace: str = "argocd"


@dataclass(frozen=True)
class AppSetResult:
    # Application manifests, as the controller would create them. With an `error` from generating or
    # templating there are none (the controller writes nothing); with an error from checking the generated
    # Applications (no name, a duplicate or invalid name) these are the ones it still writes.
    applications: tuple[dict[str, Any], ...]
    error: str = ""  # one line, "file:line: ApplicationSet NAME: what"
    notes: tuple[str, ...] = ()  # e.g. a generator that cannot be evaluated offline
