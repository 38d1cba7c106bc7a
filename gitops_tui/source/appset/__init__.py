"""ApplicationSets expanded offline into the Applications Argo CD's applicationset-controller would write.

    result = expand_application_set(doc, "apps/appset.yaml:1", AppSetContext(tree=checkout, remotes=...))

Generators `list`, `git` (directories, files), `clusters` (from the clusters given, since Argo's cluster
Secrets are not in Git), `matrix` and `merge`, with post-selectors, generator templates, both template
syntaxes (fasttemplate, and goTemplate run on Go's text/template through Helm's embedded engine) and
`templatePatch`. Generators that need a service (`pullRequest`, `scmProvider`, `plugin`,
`clusterDecisionResource`) are said in a note; the others still generate.

The controller's semantics are followed to the letter, Go formatting of numbers included; where this
cannot match it, the module says so (see gotemplate.py and the tests that pin each difference).
"""

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


from gitops_tui.source.appset.expand import expand_application_set  # noqa: E402

__all__ = ["AppSetContext", "AppSetResult", "ClusterInfo", "expand_application_set"]
