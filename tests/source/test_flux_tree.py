"""Flux repositories as they are in the wild, rendered as Flux would: paths relative to each Kustomization's
source (an ExternalArtifact an ArtifactGenerator builds, this checkout, another branch of it), sources that
are not here said on the app that needs them, every other app still shown."""

from __future__ import annotations

from pathlib import Path

from gitops_tui.model import RenderedApp
from gitops_tui.source.argo_sources import SourceContext
from gitops_tui.source.dependencies import app_paths
from gitops_tui.source.discover import discover_apps
from gitops_tui.source.render import render_apps
from gitops_tui.source.tree import AppTree, discover_tree

from .fluxrepos import helm_example, tenancy_example
from .repos import git, write


def tree(repo: Path) -> AppTree:
    found = discover_apps(repo, context=SourceContext.for_checkout(repo))
    return discover_tree(repo, lambda apps: render_apps(repo, apps), found=found)


def by_id(t: AppTree) -> dict[str, RenderedApp]:
    return {r.app.id: r for r in t.rendered}


def objects(r: RenderedApp) -> set[tuple[str, str, str]]:
    return {(o["kind"], o["metadata"].get("namespace", ""), o["metadata"]["name"]) for o in r.objects}


def test_helm_example_every_cluster_renders_from_its_artifacts(tmp_path: Path) -> None:
    t = tree(helm_example(tmp_path / "fleet"))
    apps = by_id(t)
    assert t.errors == ()
    for cluster in ("staging", "production"):
        ids = [
            f"{cluster}/flux-system/{n}"
            for n in ("flux-system", "infra-controllers", "infra-configs", "apps")
        ]
        assert set(ids) <= set(apps), sorted(apps)
        assert all(apps[i].error == "" for i in ids), [apps[i].error for i in ids]
        assert objects(apps[ids[1]]) == {
            ("Namespace", "", "cert-manager"),
            ("Deployment", "", "cert-manager"),
        }
        assert objects(apps[ids[3]]) == {
            ("Namespace", "", "podinfo"),
            ("ConfigMap", "podinfo", "podinfo-values"),
        }
        values = next(o for o in apps[ids[3]].objects if o["kind"] == "ConfigMap")
        assert values["data"] == {"env": cluster, "replicas": "1"}  # the overlay's patch, inside the artifact
        assert apps[ids[2]].app.depends_on == (ids[1],)
        assert apps[ids[3]].app.depends_on == (ids[2],)
        assert apps[ids[3]].app.flux.source.display() == "ExternalArtifact flux-system/apps"
    issuer = {
        r.app.cluster: r.objects[0]["data"]["server"] for r in t.rendered if r.app.name == "infra-configs"
    }
    # The staging cluster's JSON6902 patch applies to its own build only.
    assert issuer == {
        "staging": "https://acme-staging.example/directory",
        "production": "https://acme.example/directory",
    }


def test_helm_example_history_follows_what_the_copy_rules_read(tmp_path: Path) -> None:
    repo = helm_example(tmp_path / "fleet")
    apps = {a.id: a for a in tree(repo).apps}
    # The artifact's `staging` and `base/podinfo` are the checkout's `apps/staging` and `apps/base/podinfo`.
    assert app_paths(repo, apps["staging/flux-system/apps"]) == ("apps/staging", "apps/base/podinfo")
    assert app_paths(repo, apps["staging/flux-system/infra-configs"]) == ("infrastructure/configs",)


def test_artifact_reflects_the_working_tree_and_is_rebuilt_on_change(tmp_path: Path) -> None:
    repo = helm_example(tmp_path / "fleet")
    write(
        repo,
        "apps/base/podinfo/values.yaml",
        {
            "apiVersion": "v1",
            "kind": "ConfigMap",
            "metadata": {"name": "podinfo-values"},
            "data": {"env": "base", "replicas": "3"},
        },
    )
    apps = by_id(tree(repo))
    values = next(o for o in apps["staging/flux-system/apps"].objects if o["kind"] == "ConfigMap")
    assert values["data"]["replicas"] == "3"  # uncommitted: the working tree is what is compared


def test_tenancy_oci_source_is_said_and_the_branch_is_read(tmp_path: Path) -> None:
    t = tree(tenancy_example(tmp_path / "fleet"))
    apps = by_id(t)
    oci = apps["staging/flux-system/kyverno-controller"]
    assert oci.error.endswith(
        "source not in this checkout (OCIRepository oci://ghcr.io/kyverno/manifests/kyverno)"
    )
    assert oci.error.startswith(
        "infrastructure/kyverno/sync.yaml (document 1, rendered by staging/flux-system/kyverno)"
    )
    dev = apps["staging/apps/dev-team"]
    assert dev.error == ""
    assert objects(dev) == {("ConfigMap", "apps", "podinfo")}  # origin/dev-team's staging/, not main's
    assert any("branch dev-team read from origin/dev-team" in n for n in dev.notes)
    assert apps["staging/flux-system/tenants"].error == "" and apps["staging/flux-system/kyverno"].error == ""


def test_tenancy_branch_not_fetched_says_what_to_fetch(tmp_path: Path) -> None:
    apps = by_id(tree(tenancy_example(tmp_path / "fleet", with_branch=False)))
    dev = apps["staging/apps/dev-team"]
    assert dev.error.endswith("branch dev-team is not in this checkout (git fetch origin dev-team)")
    assert apps["staging/flux-system/tenants"].error == ""  # the others still show


def test_source_in_another_repository_and_a_mapped_checkout(tmp_path: Path) -> None:
    repo = tenancy_example(tmp_path / "fleet")
    sync = repo / "tenants/base/dev-team/sync.yaml"
    sync.write_text(
        sync.read_text().replace("https://github.com/acme/fleet", "https://github.com/acme/dev-team")
    )
    dev = by_id(tree(repo))["staging/apps/dev-team"]
    assert "source in another repository: https://github.com/acme/dev-team" in dev.error
    other = tmp_path / "dev-team"
    write(other, "staging/cm.yaml", {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "mapped"}})
    write(repo, ".gitops-tui.yaml", f"repositories:\n  https://github.com/acme/dev-team: {other}\n")
    found = discover_apps(
        repo, context=SourceContext.for_checkout(repo, {"https://github.com/acme/dev-team": str(other)})
    )
    t = discover_tree(repo, lambda apps: render_apps(repo, apps), found=found)
    dev = by_id(t)["staging/apps/dev-team"]
    # The mapped checkout as it is, as an Argo CD source mapped there is read; its ref is said.
    assert objects(dev) == {("ConfigMap", "", "mapped")}
    assert any(f"branch dev-team read from the working tree of {other}" in n for n in dev.notes)


def test_undeclared_source_is_that_apps_error_only(tmp_path: Path) -> None:
    repo = helm_example(tmp_path / "fleet")
    write(
        repo,
        "clusters/staging/extra.yaml",
        {
            "apiVersion": "kustomize.toolkit.fluxcd.io/v1",
            "kind": "Kustomization",
            "metadata": {"name": "platform", "namespace": "flux-system"},
            "spec": {"sourceRef": {"kind": "GitRepository", "name": "platform"}, "path": "./x"},
        },
    )
    apps = by_id(tree(repo))
    assert apps["staging/flux-system/platform"].error == (
        "clusters/staging/extra.yaml (document 1, rendered by staging/flux-system/flux-system): Kustomization platform: "
        "sourceRef GitRepository flux-system/platform is not declared in this repository"
    )
    assert apps["staging/flux-system/apps"].error == "" and apps["production/flux-system/apps"].error == ""


def test_same_branch_is_the_working_tree(tmp_path: Path) -> None:
    repo = tenancy_example(tmp_path / "fleet")
    sync = repo / "tenants/base/dev-team/sync.yaml"
    sync.write_text(sync.read_text().replace("branch: dev-team", "branch: main"))
    write(repo, "staging/cm.yaml", {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "on-main"}})
    git(repo, "add", "-A")
    dev = by_id(tree(repo))["staging/apps/dev-team"]
    assert objects(dev) == {("ConfigMap", "", "on-main")} and not any("read from" in n for n in dev.notes)
