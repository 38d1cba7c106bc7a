"""A checkout in the shape of kostis-codefresh/many-appsets-demo (written here by hand): three
ApplicationSets with goTemplate, missingkey=error and git directory generators over `apps/*/envs/<env>`,
each app a Kustomize overlay of a shared base."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from tests.source.appset.helpers import expand, ok, tree

REPO = "https://github.com/kostis-codefresh/many-appsets-demo.git"
ENVS = {
    "billing": ["prod-eu", "prod-us"],
    "fake-invoices": ["qa"],
    "invoices": ["prod-eu", "prod-us", "qa", "staging"],
    "orders": ["prod-us", "qa", "staging"],
    "payments": ["prod-eu", "prod-us"],
}


def _appset(name: str, paths: list[str]) -> str:
    directories = "\n".join(f"      - path: {p}" for p in paths)
    return f"""apiVersion: argoproj.io/v1alpha1
kind: ApplicationSet
metadata:
  name: {name}
  namespace: argocd
spec:
  goTemplate: true
  goTemplateOptions: ["missingkey=error"]
  generators:
  - git:
      repoURL: {REPO}
      revision: HEAD
      directories:
{directories}
  template:
    metadata:
      name: '{{{{index .path.segments 1}}}}-{{{{index .path.segments 3}}}}'
    spec:
      project: default
      source:
        repoURL: {REPO}
        targetRevision: HEAD
        path: '{{{{.path.path}}}}'
      destination:
        server: https://kubernetes.default.svc
        namespace: '{{{{index .path.segments 1}}}}-{{{{index .path.segments 3}}}}'
      syncPolicy:
        syncOptions:
          - CreateNamespace=true
        automated:
          prune: true
          selfHeal: true
"""


@pytest.fixture
def demo(tmp_path: Path) -> Path:
    files = {
        "appsets/my-prod-appset.yml": _appset(
            "my-prod-appset", ["apps/*/envs/prod-us", "apps/*/envs/prod-eu"]
        ),
        "appsets/my-qa-appset.yml": _appset("my-qa-appset", ["apps/*/envs/qa"]),
        "appsets/my-staging-appset.yml": _appset("my-staging-appset", ["apps/*/envs/staging"]),
    }
    for app, envs in ENVS.items():
        files[f"apps/{app}/base/kustomization.yml"] = "resources: [deployment.yml]\n"
        files[f"apps/{app}/base/deployment.yml"] = f"kind: Deployment\nmetadata:\n  name: {app}\n"
        for env in envs:
            files[f"apps/{app}/envs/{env}/kustomization.yml"] = "resources: [../../base]\n"
    return tree(tmp_path, files)


def _expand(demo: Path, name: str):
    doc = yaml.safe_load((demo / "appsets" / f"{name}.yml").read_text())
    return ok(
        expand(
            doc,
            demo,
            remotes=("git@github.com:kostis-codefresh/many-appsets-demo.git",),
            where=f"appsets/{name}.yml:1",
        )
    )


def _summary(result) -> list[tuple[str, str, str, str]]:
    return [
        (
            a["metadata"]["name"],
            a["metadata"]["namespace"],
            a["spec"]["source"]["path"],
            a["spec"]["destination"]["namespace"],
        )
        for a in result.applications
    ]


def test_prod_appset(demo: Path) -> None:
    """Both patterns select; the directories come in walk order (apps by name, prod-eu before prod-us)."""
    assert _summary(_expand(demo, "my-prod-appset")) == [
        ("billing-prod-eu", "argocd", "apps/billing/envs/prod-eu", "billing-prod-eu"),
        ("billing-prod-us", "argocd", "apps/billing/envs/prod-us", "billing-prod-us"),
        ("invoices-prod-eu", "argocd", "apps/invoices/envs/prod-eu", "invoices-prod-eu"),
        ("invoices-prod-us", "argocd", "apps/invoices/envs/prod-us", "invoices-prod-us"),
        ("orders-prod-us", "argocd", "apps/orders/envs/prod-us", "orders-prod-us"),
        ("payments-prod-eu", "argocd", "apps/payments/envs/prod-eu", "payments-prod-eu"),
        ("payments-prod-us", "argocd", "apps/payments/envs/prod-us", "payments-prod-us"),
    ]


def test_qa_and_staging_appsets(demo: Path) -> None:
    assert [s[0] for s in _summary(_expand(demo, "my-qa-appset"))] == [
        "fake-invoices-qa",
        "invoices-qa",
        "orders-qa",
    ]
    assert [s[0] for s in _summary(_expand(demo, "my-staging-appset"))] == [
        "invoices-staging",
        "orders-staging",
    ]


def test_generated_application_in_full(demo: Path) -> None:
    app = _expand(demo, "my-staging-appset").applications[1]
    assert app == {
        "apiVersion": "argoproj.io/v1alpha1",
        "kind": "Application",
        "metadata": {
            "name": "orders-staging",
            "namespace": "argocd",
            "finalizers": ["resources-finalizer.argocd.argoproj.io"],
        },
        "spec": {
            "project": "default",
            "source": {"repoURL": REPO, "targetRevision": "HEAD", "path": "apps/orders/envs/staging"},
            "destination": {"server": "https://kubernetes.default.svc", "namespace": "orders-staging"},
            "syncPolicy": {
                "syncOptions": ["CreateNamespace=true"],
                "automated": {"prune": True, "selfHeal": True},
            },
        },
    }
