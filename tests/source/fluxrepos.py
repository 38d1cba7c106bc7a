"""Temporary repositories shaped like Flux's reference repositories (written here, never fetched):

- `helm_example`: fluxcd/flux2-kustomize-helm-example's layout — two cluster directories, each with its
  bootstrap, an ArtifactGenerator splitting the monorepo into `infrastructure` and `apps` ExternalArtifacts,
  Kustomizations with paths inside those artifacts, `dependsOn`, a JSON6902 patch per cluster, and
  `apps/base` + `apps/<env>` overlays.
- `tenancy_example`: fluxcd/flux2-multi-tenancy's — a Kustomization whose source is an OCIRepository, and a
  tenant whose GitRepository is this very repository on another branch.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from .repos import commit, configmap, deployment, git, init, write

URL = "https://github.com/acme/fleet"
FLUX_KS = "kustomize.toolkit.fluxcd.io/v1"


def kustomization(
    name: str, path: str, source: dict[str, Any], namespace: str = "flux-system", **spec: Any
) -> dict[str, Any]:
    return {
        "apiVersion": FLUX_KS,
        "kind": "Kustomization",
        "metadata": {"name": name, "namespace": namespace},
        "spec": {"interval": "1h", "sourceRef": source, "path": path, "prune": True, **spec},
    }


def namespace(name: str) -> dict[str, Any]:
    return {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": name}}


def bootstrap(repo: Path, cluster: str) -> None:
    base = f"clusters/{cluster}/flux-system"
    write(repo, f"{base}/gotk-components.yaml", "# flux bootstrap writes the controllers here\n")
    write(
        repo,
        f"{base}/gotk-sync.yaml",
        [
            {
                "apiVersion": "source.toolkit.fluxcd.io/v1",
                "kind": "GitRepository",
                "metadata": {"name": "flux-system", "namespace": "flux-system"},
                "spec": {"interval": "1m", "url": URL, "ref": {"branch": "main"}},
            },
            kustomization(
                "flux-system", f"./clusters/{cluster}", {"kind": "GitRepository", "name": "flux-system"}
            ),
        ],
    )
    write(repo, f"{base}/kustomization.yaml", "resources:\n  - gotk-components.yaml\n  - gotk-sync.yaml\n")


def helm_example(repo: Path) -> Path:
    init(repo)
    git(repo, "remote", "add", "origin", URL + ".git")
    infra = {"kind": "ExternalArtifact", "name": "infrastructure"}
    for cluster, server in (("staging", "https://acme-staging.example/directory"), ("production", "")):
        bootstrap(repo, cluster)
        patches = (
            [
                {
                    "patch": f"- op: replace\n  path: /data/server\n  value: {server}\n",
                    "target": {"kind": "ConfigMap", "name": "issuer"},
                }
            ]
            if server
            else []
        )
        write(
            repo,
            f"clusters/{cluster}/infrastructure.yaml",
            [
                kustomization("infra-controllers", "./controllers", infra, wait=True),
                kustomization(
                    "infra-configs",
                    "./configs",
                    infra,
                    dependsOn=[{"name": "infra-controllers"}],
                    **({"patches": patches} if patches else {}),
                ),
            ],
        )
        write(
            repo,
            f"clusters/{cluster}/apps.yaml",
            kustomization(
                "apps",
                f"./{cluster}",
                {"kind": "ExternalArtifact", "name": "apps"},
                dependsOn=[{"name": "infra-configs"}],
            ),
        )
        write(
            repo,
            f"clusters/{cluster}/artifacts.yaml",
            {
                "apiVersion": "source.extensions.fluxcd.io/v1beta1",
                "kind": "ArtifactGenerator",
                "metadata": {"name": "flux-system", "namespace": "flux-system"},
                "spec": {
                    "sources": [{"alias": "monorepo", "kind": "GitRepository", "name": "flux-system"}],
                    "artifacts": [
                        {
                            "name": "infrastructure",
                            "originRevision": "@monorepo",
                            "copy": [{"from": "@monorepo/infrastructure/**", "to": "@artifact/"}],
                        },
                        {
                            "name": "apps",
                            "originRevision": "@monorepo",
                            "copy": [
                                {"from": "@monorepo/apps/base/**", "to": "@artifact/base/"},
                                {"from": f"@monorepo/apps/{cluster}/**", "to": f"@artifact/{cluster}/"},
                            ],
                        },
                    ],
                },
            },
        )
        write(
            repo,
            f"apps/{cluster}/kustomization.yaml",
            "resources:\n  - ../base/podinfo\npatches:\n  - path: podinfo-values.yaml\n",
        )
        write(
            repo,
            f"apps/{cluster}/podinfo-values.yaml",
            {
                "apiVersion": "v1",
                "kind": "ConfigMap",
                "metadata": {"name": "podinfo-values", "namespace": "podinfo"},
                "data": {"env": cluster},
            },
        )
    write(repo, "infrastructure/controllers/kustomization.yaml", "resources:\n  - cert-manager.yaml\n")
    write(
        repo,
        "infrastructure/controllers/cert-manager.yaml",
        [namespace("cert-manager"), deployment("cert-manager")],
    )
    write(
        repo,
        "infrastructure/configs/kustomization.yaml",
        "namespace: cert-manager\nresources:\n  - issuer.yaml\n",
    )
    write(
        repo,
        "infrastructure/configs/issuer.yaml",
        configmap("issuer", server="https://acme.example/directory"),
    )
    write(
        repo,
        "apps/base/podinfo/kustomization.yaml",
        "namespace: podinfo\nresources:\n  - namespace.yaml\n  - values.yaml\n",
    )
    write(repo, "apps/base/podinfo/namespace.yaml", namespace("podinfo"))
    write(repo, "apps/base/podinfo/values.yaml", configmap("podinfo-values", env="base", replicas="1"))
    write(repo, ".sourceignore", "/*\n!/apps/\n!/clusters/\n!/infrastructure/\n")
    write(repo, "README.md", "# fleet\n")
    commit(repo, "fleet")
    return repo


def tenancy_example(repo: Path, *, with_branch: bool = True) -> Path:
    init(repo)
    git(repo, "remote", "add", "origin", URL + ".git")
    bootstrap(repo, "staging")
    flux_system = {"kind": "GitRepository", "name": "flux-system"}
    write(
        repo,
        "clusters/staging/infrastructure.yaml",
        kustomization("kyverno", "./infrastructure/kyverno", flux_system),
    )
    write(
        repo,
        "clusters/staging/tenants.yaml",
        kustomization("tenants", "./tenants/staging", flux_system, dependsOn=[{"name": "kyverno"}]),
    )
    write(repo, "infrastructure/kyverno/kustomization.yaml", "resources:\n  - source.yaml\n  - sync.yaml\n")
    write(
        repo,
        "infrastructure/kyverno/source.yaml",
        {
            "apiVersion": "source.toolkit.fluxcd.io/v1",
            "kind": "OCIRepository",
            "metadata": {"name": "kyverno-controller", "namespace": "flux-system"},
            "spec": {
                "interval": "2h",
                "url": "oci://ghcr.io/kyverno/manifests/kyverno",
                "ref": {"tag": "v1.14.4"},
            },
        },
    )
    write(
        repo,
        "infrastructure/kyverno/sync.yaml",
        kustomization("kyverno-controller", "./", {"kind": "OCIRepository", "name": "kyverno-controller"}),
    )
    write(
        repo,
        "tenants/base/dev-team/kustomization.yaml",
        "namespace: apps\nresources:\n  - rbac.yaml\n  - sync.yaml\n",
    )
    write(repo, "tenants/base/dev-team/rbac.yaml", [namespace("apps")])
    write(
        repo,
        "tenants/base/dev-team/sync.yaml",
        [
            {
                "apiVersion": "source.toolkit.fluxcd.io/v1",
                "kind": "GitRepository",
                "metadata": {"name": "dev-team", "namespace": "apps"},
                "spec": {"interval": "1m", "url": URL, "ref": {"branch": "dev-team"}},
            },
            {
                "apiVersion": FLUX_KS,
                "kind": "Kustomization",
                "metadata": {"name": "dev-team", "namespace": "apps"},
                "spec": {
                    "interval": "5m",
                    "sourceRef": {"kind": "GitRepository", "name": "dev-team"},
                    "prune": True,
                },
            },
        ],
    )
    write(
        repo,
        "tenants/staging/kustomization.yaml",
        "resources:\n  - ../base/dev-team\npatches:\n  - path: dev-team-patch.yaml\n",
    )
    write(
        repo,
        "tenants/staging/dev-team-patch.yaml",
        {
            "apiVersion": FLUX_KS,
            "kind": "Kustomization",
            "metadata": {"name": "dev-team", "namespace": "apps"},
            "spec": {"path": "./staging"},
        },
    )
    main = commit(repo, "fleet")
    if with_branch:  # the tenant's branch, as `git fetch` leaves it: a remote-tracking branch only
        git(repo, "checkout", "-q", "--orphan", "dev-team")
        git(repo, "rm", "-rqf", ".")
        write(repo, "staging/kustomization.yaml", "namespace: apps\nresources:\n  - podinfo.yaml\n")
        write(repo, "staging/podinfo.yaml", configmap("podinfo", team="dev"))
        branch = commit(repo, "dev-team: podinfo")
        git(repo, "checkout", "-q", "main")
        git(repo, "update-ref", "refs/remotes/origin/dev-team", branch)
        git(repo, "branch", "-q", "-D", "dev-team")
    assert main
    return repo
