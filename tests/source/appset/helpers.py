"""Building ApplicationSets and checkouts for the appset tests."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from gitops_tui.source.appset import AppSetContext, AppSetResult, ClusterInfo, expand_application_set

ARGO_REPO = "https://github.com/argoproj/argo-cd.git"


def appset(
    spec: dict[str, Any] | str, name: str = "guestbook", namespace: str | None = "argocd"
) -> dict[str, Any]:
    """An ApplicationSet manifest; `spec` may be YAML text (as in Argo's docs)."""
    meta: dict[str, Any] = {"name": name}
    if namespace is not None:
        meta["namespace"] = namespace
    body = yaml.safe_load(spec) if isinstance(spec, str) else spec
    return {"apiVersion": "argoproj.io/v1alpha1", "kind": "ApplicationSet", "metadata": meta, "spec": body}


def tree(root: Path, files: dict[str, str]) -> Path:
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return root


def expand(
    doc: dict[str, Any],
    root: Path | None = None,
    *,
    remotes: tuple[str, ...] = (ARGO_REPO,),
    clusters: tuple[ClusterInfo, ...] = (),
    where: str = "appset.yaml:1",
    **ctx: Any,
) -> AppSetResult:
    return expand_application_set(
        doc,
        where,
        AppSetContext(tree=root or Path("/nonexistent"), remotes=remotes, clusters=clusters, **ctx),
    )


def names(result: AppSetResult) -> list[str]:
    assert not result.error, result.error
    return [app["metadata"]["name"] for app in result.applications]


def ok(result: AppSetResult) -> AppSetResult:
    assert not result.error, result.error
    return result


def field(app: dict[str, Any], path: str) -> Any:
    node: Any = app
    for step in path.split("."):
        node = node[int(step)] if isinstance(node, list) else node[step]
    return node
