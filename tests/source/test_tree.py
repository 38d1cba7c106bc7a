"""The discovery tree: apps an app's rendered output declares are its children (app-of-apps, Flux trees,
ApplicationSets), as Argo CD and Flux would see them from the checkout alone."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from gitops_tui.model import AppOrigin, AppSpec, RenderedApp
from gitops_tui.source.fluxsources import FluxSources
from gitops_tui.source.render import render_apps
from gitops_tui.source.tree import LAZY, AppTree, discover_tree

from .repos import application, deployment, write


def tree_of(root: Path, **kwargs: Any) -> AppTree:
    return discover_tree(root, lambda apps: render_apps(root, apps), **kwargs)


def parents(tree: AppTree) -> list[tuple[str, str]]:
    return [(a.id, a.parent) for a in tree.apps]


def flux(name: str, path: str, namespace: str = "flux-system", **spec: Any) -> dict[str, Any]:
    return {
        "apiVersion": "kustomize.toolkit.fluxcd.io/v1",
        "kind": "Kustomization",
        "metadata": {"name": name, "namespace": namespace},
        "spec": {
            "interval": "10m",
            "path": path,
            "sourceRef": {"kind": "GitRepository", "name": "flux-system"},
            **spec,
        },
    }


def test_a_root_application_adopts_the_applications_in_its_directory(tmp_path: Path) -> None:
    """The classic app-of-apps: `root` points at `apps/`, which holds the other Applications. Scanning finds
    them all; the tree makes them `root`'s children (Argo CD shows the same: root owns them)."""
    write(tmp_path, "bootstrap/root.yaml", application("root", "apps", "argocd"))
    write(tmp_path, "apps/guestbook.yaml", application("guestbook", "guestbook", "guestbook"))
    write(tmp_path, "apps/web.yaml", application("web", "web", "web"))
    write(tmp_path, "guestbook/deploy.yaml", deployment("guestbook"))
    write(tmp_path, "web/deploy.yaml", deployment("web"))
    tree = tree_of(tmp_path)
    assert parents(tree) == [("root", ""), ("guestbook", "root"), ("web", "root")]
    root = tree.rendered[0]
    assert [o["kind"] for o in root.objects] == ["Application", "Application"]  # root owns them
    assert [len(r.objects) for r in tree.rendered[1:]] == [1, 1]
    assert tree.apps[1].defined_in == "apps/guestbook.yaml"  # History still finds the file


def test_an_inferred_helm_app_of_apps_makes_exactly_its_applications(tmp_path: Path) -> None:
    """argocd-example-apps' shape: no Application in plain YAML, an `apps/` chart whose template makes
    them. Argo CD deploys the root app and what it declares; the other charts and Kustomize dirs the
    layout suggests are not apps of their own."""
    write(tmp_path, "apps/Chart.yaml", "apiVersion: v2\nname: applications\nversion: 0.1.0\n")
    write(
        tmp_path,
        "apps/values.yaml",
        "repoURL: https://github.com/acme/examples\napplications:\n  - name: guestbook\n  - name: kustomized\n",
    )
    write(
        tmp_path,
        "apps/templates/applications.yaml",
        """{{- range .Values.applications }}
apiVersion: argoproj.io/v1alpha1
kind: Application
metadata:
  name: {{ printf "example.%s" .name | quote }}
  namespace: argocd
spec:
  destination:
    namespace: {{ .name | quote }}
    server: https://kubernetes.default.svc
  project: default
  source:
    path: {{ .name | quote }}
    repoURL: {{ $.Values.repoURL }}
    targetRevision: main
---
{{ end -}}
""",
    )
    write(tmp_path, "guestbook/deploy.yaml", deployment("guestbook"))
    write(tmp_path, "kustomized/deploy.yaml", deployment("kustomized"))
    write(tmp_path, "kustomized/kustomization.yaml", "resources:\n  - deploy.yaml\n")
    write(tmp_path, "unrelated/kustomization.yaml", "resources: []\n")
    tree = tree_of(tmp_path)
    assert parents(tree) == [("apps", ""), ("example.guestbook", "apps"), ("example.kustomized", "apps")]
    assert [a.namespace for a in tree.apps[1:]] == ["guestbook", "kustomized"]
    assert all(not r.error for r in tree.rendered), [r.error for r in tree.rendered]


def test_what_a_kustomize_build_reads_is_no_root(tmp_path: Path) -> None:
    """flux2-multi-tenancy's shape: a tenant's base Kustomization has no path, and each overlay patches one
    in. Scanned one by one they are a broken app and a fragment; rendered, the overlay's is the app."""
    write(tmp_path, "flux/tenants.yaml", flux("tenants", "./tenants/staging"))
    write(
        tmp_path, "tenants/base/dev-team/sync.yaml", flux("dev-team", "", "apps") | {"spec": {"prune": True}}
    )
    write(
        tmp_path, "tenants/base/dev-team/kustomization.yaml", "namespace: apps\nresources:\n  - sync.yaml\n"
    )
    write(
        tmp_path,
        "tenants/staging/patch.yaml",
        flux("dev-team", "./staging", "apps") | {"spec": {"path": "./staging"}},
    )
    write(
        tmp_path,
        "tenants/staging/kustomization.yaml",
        "resources:\n  - ../base/dev-team\npatches:\n  - path: patch.yaml\n",
    )
    write(tmp_path, "staging/deploy.yaml", deployment("api"))
    tree = tree_of(tmp_path)
    assert parents(tree) == [("tenants", ""), ("apps/dev-team", "tenants")]
    assert tree.apps[1].path == "staging"  # the patched manifest, not the base's


def test_a_cycle_and_the_depth_limit_are_said_where_they_stop(tmp_path: Path) -> None:
    write(tmp_path, "a/app-b.yaml", application("b", "b", "b"))
    write(tmp_path, "b/app-a.yaml", application("a", "a", "a"))
    write(tmp_path, "root.yaml", application("a", "a", "a"))
    tree = tree_of(tmp_path)
    assert parents(tree) == [("a", ""), ("b", "a")]
    b = tree.rendered[1]
    assert any("declares Application a, one of its own ancestors: not followed" in n for n in b.notes)

    write(tmp_path, "b/app-a.yaml", application("c", "c", "c"))
    write(tmp_path, "c/deploy.yaml", deployment("c"))
    deep = tree_of(tmp_path, max_depth=2)
    assert parents(deep) == [("a", ""), ("b", "a")]
    assert any("nested deeper than 2 levels" in n for n in deep.rendered[1].notes)


def test_two_parents_declaring_one_app_is_a_duplicate_on_the_second(tmp_path: Path) -> None:
    write(tmp_path, "roots.yaml", [application("one", "one", "x"), application("two", "two", "x")])
    for parent in ("one", "two"):
        write(tmp_path, f"{parent}/child.yaml", application("child", "child", "x"))
    write(tmp_path, "child/deploy.yaml", deployment("c"))
    tree = tree_of(tmp_path)
    assert parents(tree) == [("one", ""), ("child", "one"), ("two", ""), ("child", "two")]
    assert tree.apps[1].error == ""
    assert "duplicate app child: already declared by one" in tree.apps[3].error


def test_a_single_app_reconcile_renders_only_what_may_declare_it(tmp_path: Path) -> None:
    """`diff guestbook` need not render every other app: only those whose files name an Argo CD or Flux
    API group could declare it (`guestbook` is itself declared by `root`'s directory)."""
    write(tmp_path, "bootstrap/root.yaml", application("root", "apps", "argocd"))
    write(tmp_path, "apps/guestbook.yaml", application("guestbook", "guestbook", "guestbook"))
    write(tmp_path, "apps/big.yaml", application("big", "big", "big"))
    write(tmp_path, "guestbook/deploy.yaml", deployment("guestbook"))
    write(tmp_path, "big/deploy.yaml", deployment("big"))
    rendered: list[str] = []

    def render(apps: list[AppSpec]) -> list[RenderedApp]:
        rendered.extend(a.id for a in apps)
        return render_apps(tmp_path, apps)

    tree = discover_tree(tmp_path, render, wanted=lambda a: a.id == "guestbook")
    assert parents(tree) == [("root", ""), ("big", "root"), ("guestbook", "root")]
    assert set(rendered) == {"root", "guestbook"}
    big = next(r for r in tree.rendered if r.app.id == "big")
    assert big.error == LAZY


def test_flux_clusters_are_trees_of_their_own(tmp_path: Path) -> None:
    """flux2-kustomize-helm-example's shape: each `clusters/<name>/` has a bootstrap and its own `apps`.
    Two apps named `apps` are two apps, one per cluster, under each cluster's `flux-system`."""
    for cluster in ("staging", "production"):
        write(tmp_path, f"clusters/{cluster}/flux-system/gotk-sync.yaml", "# written by flux bootstrap\n")
        write(
            tmp_path, f"clusters/{cluster}/flux-system/kustomization.yaml", "resources:\n  - gotk-sync.yaml\n"
        )
        write(tmp_path, f"clusters/{cluster}/apps.yaml", flux("apps", f"./apps/{cluster}"))
        write(tmp_path, f"apps/{cluster}/deploy.yaml", deployment("podinfo"))
    tree = tree_of(tmp_path)
    assert parents(tree) == [
        ("production/flux-system/flux-system", ""),
        ("production/flux-system/apps", "production/flux-system/flux-system"),
        ("staging/flux-system/flux-system", ""),
        ("staging/flux-system/apps", "staging/flux-system/flux-system"),
    ]
    assert all(a.origin is AppOrigin.FLUX and a.kind == "Kustomization" for a in tree.apps)
    assert [len(r.objects) for r in tree.rendered] == [1, 1, 1, 1]


def test_application_sets_generate_roots_and_children(tmp_path: Path) -> None:
    appset = {
        "apiVersion": "argoproj.io/v1alpha1",
        "kind": "ApplicationSet",
        "metadata": {"name": "envs", "namespace": "argocd"},
        "spec": {
            "generators": [{"list": {"elements": [{"env": "staging"}, {"env": "production"}]}}],
            "template": {
                "metadata": {"name": "api-{{env}}"},
                "spec": {
                    "project": "default",
                    "source": {"repoURL": "https://git.example.com/platform.git", "path": "api/{{env}}"},
                    "destination": {"server": "https://kubernetes.default.svc", "namespace": "{{env}}"},
                },
            },
        },
    }
    for env in ("staging", "production"):
        write(tmp_path, f"api/{env}/deploy.yaml", deployment("api"))
    write(tmp_path, "appsets/envs.yaml", appset)
    alone = tree_of(tmp_path)
    assert parents(alone) == [("api-staging", ""), ("api-production", "")]
    assert {a.appset for a in alone.apps} == {"envs"}
    # Behind a root app (many-appsets-demo's shape): the same Applications, now its children.
    write(tmp_path, "root.yaml", application("all-apps", "appsets", "argocd"))
    behind = tree_of(tmp_path)
    assert parents(behind) == [("all-apps", ""), ("api-staging", "all-apps"), ("api-production", "all-apps")]
    assert [a.namespace for a in behind.apps[1:]] == ["staging", "production"]


def test_flux_sources_are_looked_up_in_the_cluster_then_the_scanned_ones() -> None:
    scanned = FluxSources()
    scanned.add(
        {
            "apiVersion": "source.toolkit.fluxcd.io/v1",
            "kind": "GitRepository",
            "metadata": {"name": "platform"},
        },
        "flux/source.yaml:1",
    )
    staging = FluxSources(fallback=scanned)
    staging.add(
        {
            "apiVersion": "source.toolkit.fluxcd.io/v1",
            "kind": "HelmRepository",
            "metadata": {"name": "podinfo", "namespace": "podinfo"},
        },
        "apps/base/podinfo/repository.yaml (document 2, rendered by staging/flux-system/apps)",
        declared_by="staging/flux-system/apps",
    )
    staging.add({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "not-a-source"}}, "x")
    found = staging.get("HelmRepository", "podinfo", "podinfo")
    assert found is not None and found.declared_by == "staging/flux-system/apps"
    git = staging.get("GitRepository", "flux-system", "platform")  # no namespace: flux-system
    assert git is not None and git.where == "flux/source.yaml:1"
    assert staging.get("ConfigMap", "flux-system", "not-a-source") is None
    assert [s.name for s in staging] == ["podinfo", "platform"]
