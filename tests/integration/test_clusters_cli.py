"""A Flux repository with several clusters, on the command line: apps are cluster + namespace + name, a short
name works when it is unique and otherwise says which apps it could mean, and each cluster finds its kube
context by configuration, by name, by a word of a context's name, or as the kubeconfig's only context."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from gitops_tui.cli import main
from gitops_tui.sandbox.server import SandboxServer
from tests.source.repos import commit, deployment, init, write


def flux(name: str, path: str) -> dict[str, Any]:
    return {
        "apiVersion": "kustomize.toolkit.fluxcd.io/v1",
        "kind": "Kustomization",
        "metadata": {"name": name, "namespace": "flux-system"},
        "spec": {
            "interval": "10m",
            "path": path,
            "sourceRef": {"kind": "GitRepository", "name": "flux-system"},
        },
    }


def fleet(root: Path, config: str = "") -> Path:
    repo = init(root / "fleet")
    for cluster in ("staging", "production"):
        write(repo, f"clusters/{cluster}/flux-system/gotk-sync.yaml", "# written by flux bootstrap\n")
        write(repo, f"clusters/{cluster}/flux-system/kustomization.yaml", "resources:\n  - gotk-sync.yaml\n")
        write(repo, f"clusters/{cluster}/apps.yaml", flux("apps", f"./apps/{cluster}"))
        write(
            repo,
            f"apps/{cluster}/deploy.yaml",
            deployment(f"podinfo-{cluster}")
            | {"metadata": {"name": f"podinfo-{cluster}", "namespace": "default"}},
        )
    if config:
        write(repo, ".gitops-tui.yaml", config)
    commit(repo, "fleet")
    return repo


def kubeconfig(server: SandboxServer, path: Path, *names: str) -> Path:
    """A kubeconfig whose contexts (all at the one sandbox) have these names."""
    one = yaml.safe_load(server.write_kubeconfig(path, context="tmp").read_text())
    [context] = one["contexts"]
    one["contexts"] = [{**context, "name": name} for name in names]
    one["current-context"] = names[0]
    path.write_text(yaml.safe_dump(one))
    return path


@pytest.fixture
def server() -> Any:
    sandbox = SandboxServer().start()
    try:
        yield sandbox
    finally:
        sandbox.stop()


def run(capsys: pytest.CaptureFixture[str], repo: Path, config: Path, *args: str) -> tuple[int, str, str]:
    code = main([*args, "--repo", str(repo), "--kubeconfig", str(config)])
    out, err = capsys.readouterr()
    return code, out, err


def apps_of(out: str) -> dict[str, dict[str, Any]]:
    return {a["id"]: a for a in json.loads(out)["apps"]}


def test_the_only_context_stands_for_each_cluster_and_names_must_be_told_apart(
    tmp_path: Path, server: SandboxServer, capsys: pytest.CaptureFixture[str]
) -> None:
    repo = fleet(tmp_path)
    config = kubeconfig(server, tmp_path / "kubeconfig", "sandbox")
    code, out, err = run(capsys, repo, config, "status", "--json")
    apps = apps_of(out)
    assert list(apps) == [
        "production/flux-system/flux-system",
        "production/flux-system/apps",
        "staging/flux-system/flux-system",
        "staging/flux-system/apps",
    ]
    assert {a["error"] for a in apps.values()} == {""}, err
    assert apps["staging/flux-system/apps"] | {"resources": []} == apps["staging/flux-system/apps"] | {
        "name": "apps",
        "kind": "Kustomization",
        "cluster": "staging",
        "appNamespace": "flux-system",
        "parent": "staging/flux-system/flux-system",
        "context": "sandbox",
        "resources": [],
    }
    # `apps` alone could be either: said, with both, and nothing else is done.
    code, out, err = run(capsys, repo, config, "diff", "apps")
    assert code == 2
    assert "app 'apps' is ambiguous: it names production/flux-system/apps, staging/flux-system/apps" in err
    # cluster/name and the whole id both name one.
    for ref in ("staging/apps", "staging/flux-system/apps"):
        code, out, err = run(capsys, repo, config, "diff", ref, "--json")
        assert code == 1, err
        [resource] = json.loads(out)["resources"]
        assert resource["name"] == "podinfo-staging" and resource["sync"] == "Missing"
    code, out, err = run(capsys, repo, config, "diff", "nope")
    assert code == 2 and "unknown app 'nope'" in err


@pytest.mark.parametrize(
    ("contexts", "config", "expected"),
    [
        (("staging", "production"), "", {"staging": "staging", "production": "production"}),
        (
            ("kind-staging", "kind-production"),
            "",
            {"staging": "kind-staging", "production": "kind-production"},
        ),
        (
            ("a", "b"),
            "clusters:\n  staging: {context: b}\n  production: a\n",
            {"staging": "b", "production": "a"},
        ),
    ],
)
def test_each_cluster_finds_its_context(
    tmp_path: Path,
    server: SandboxServer,
    capsys: pytest.CaptureFixture[str],
    contexts: tuple[str, ...],
    config: str,
    expected: dict[str, str],
) -> None:
    repo = fleet(tmp_path, config)
    code, out, err = run(
        capsys, repo, kubeconfig(server, tmp_path / "kubeconfig", *contexts), "status", "--json"
    )
    apps = apps_of(out)
    assert {a["cluster"]: a["context"] for a in apps.values()} == expected, err
    assert {a["error"] for a in apps.values()} == {""}


def test_a_cluster_with_no_context_says_what_to_configure(
    tmp_path: Path, server: SandboxServer, capsys: pytest.CaptureFixture[str]
) -> None:
    repo = fleet(tmp_path, "clusters:\n  staging: {context: staging-admin}\n")
    code, out, err = run(
        capsys, repo, kubeconfig(server, tmp_path / "kubeconfig", "a", "b"), "status", "--json"
    )
    assert code == 2
    apps = apps_of(out)
    assert apps["staging/flux-system/apps"]["error"] == (
        "cluster staging: context 'staging-admin' (set in .gitops-tui.yaml) is not in the kubeconfig"
    )
    assert apps["production/flux-system/apps"]["error"] == (
        "cluster production: no kube context for it (contexts: a, b); name one in .gitops-tui.yaml "
        "under clusters: production: {context: ...}"
    )
