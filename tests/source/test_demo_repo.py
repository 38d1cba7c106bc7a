from __future__ import annotations

from pathlib import Path

import pytest

from gitops_tui.model import AppOrigin, ResourceKey, SourceType
from gitops_tui.sandbox.demo_manifests import SECRET_CANARY
from gitops_tui.sandbox.demo_repo import build_demo_repo
from gitops_tui.source.discover import discover_apps
from gitops_tui.source.render import render_apps
from gitops_tui.source.repo import GitRepo

from .repos import git


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_demo_repo(tmp_path_factory.mktemp("demo") / "platform")


def test_discovers_the_five_apps_with_their_types(demo: Path) -> None:
    found = discover_apps(demo)
    assert found.errors == () and found.notes == ()
    apps = {a.name: a for a in found.apps}
    assert {n: (a.origin, a.source_type, a.path, a.namespace) for n, a in apps.items()} == {
        "api-staging": (AppOrigin.ARGO, SourceType.KUSTOMIZE, "api/overlays/staging", "staging"),
        "api-production": (AppOrigin.ARGO, SourceType.KUSTOMIZE, "api/overlays/production", "production"),
        "web": (AppOrigin.ARGO, SourceType.DIRECTORY, "web", "web"),
        "database": (AppOrigin.ARGO, SourceType.DIRECTORY, "database", "database"),
        "monitoring": (AppOrigin.FLUX, SourceType.DIRECTORY, "monitoring", "monitoring"),
    }
    staging = apps["api-staging"]
    assert (staging.automated, staging.prune, staging.self_heal) == (True, True, True)
    assert apps["api-production"].automated is False and apps["api-production"].retry is not None
    assert len(apps["web"].ignore_differences) == 1
    assert apps["monitoring"].flux_namespace == "flux-system" and apps["monitoring"].prune


def test_every_app_renders_without_error(demo: Path) -> None:
    rendered = {r.app.name: r for r in render_apps(demo, discover_apps(demo).apps)}
    assert {n: r.error for n, r in rendered.items()} == dict.fromkeys(rendered, "")
    objects = {n: {ResourceKey.of(o).display(): o for o in r.objects} for n, r in rendered.items()}
    assert sorted(objects["api-production"]) == [
        "ConfigMap/production/api-config",
        "Deployment.apps/production/api",
        "Namespace/production",
        "Service/production/api",
    ]
    prod = objects["api-production"]["Deployment.apps/production/api"]["spec"]
    stage = objects["api-staging"]["Deployment.apps/staging/api"]["spec"]
    assert (prod["replicas"], stage["replicas"]) == (3, 1)
    assert prod["template"]["spec"]["containers"][0]["image"] == "registry.example.com/api:1.4.2"
    assert prod["template"]["spec"]["containers"][0]["resources"]["limits"] == {"memory": "1Gi"}
    assert {"name": "LOG_LEVEL", "value": "debug"} in stage["template"]["spec"]["containers"][0]["env"]
    assert sorted(objects["web"]) == [
        "ConfigMap/web/web-config",
        "Deployment.apps/web/web",
        "Namespace/web",
        "Secret/web/web-credentials",
        "Service/web/web",
    ]
    assert objects["web"]["Secret/web/web-credentials"]["stringData"] == {"session-key": SECRET_CANARY}
    assert (
        objects["web"]["Deployment.apps/web/web"]["spec"]["template"]["spec"]["containers"][0]["name"]
        == "web"
    )
    sts = objects["database"]["StatefulSet.apps/database/database"]["spec"]
    assert sts["serviceName"] == "database" and sts["volumeClaimTemplates"][0]["metadata"]["name"] == "data"
    assert objects["database"]["Service/database/database"]["spec"]["clusterIP"] == "None"
    assert sorted(objects["monitoring"]) == [
        "ConfigMap/monitoring/prometheus-config",
        "Deployment.apps/monitoring/prometheus",
        "Namespace/monitoring",
        "Service/monitoring/prometheus",
    ]


def test_history_has_content_and_the_tree_is_clean(demo: Path) -> None:
    repo = GitRepo(demo)
    assert repo.branch() == "main" and not repo.is_dirty()
    everything = repo.history(".")
    assert len(everything) >= 3
    assert len({c.author for c in everything}) >= 3
    assert [c.summary for c in repo.history("api/overlays/production")] == [
        "api(production): 3 replicas and more memory ahead of the spring sale",
        "api: bump to 1.4.2",
        "api: Kustomize base with staging and production overlays",
    ]
    bump = repo.history("api/base")[0]
    assert bump.summary == "api: bump to 1.4.2"
    assert "-          image: registry.example.com/api:1.4.0" in repo.commit_diff(bump.sha, "api/base")


def test_is_deterministic(demo: Path, tmp_path: Path) -> None:
    again = build_demo_repo(tmp_path / "again")
    assert git(again, "rev-parse", "HEAD") == git(demo, "rev-parse", "HEAD")
    assert git(again, "log", "--format=%an %ad %s") == git(demo, "log", "--format=%an %ad %s")


def test_refuses_a_non_empty_destination(tmp_path: Path) -> None:
    (tmp_path / "keep.txt").write_text("mine")
    with pytest.raises(FileExistsError):
        build_demo_repo(tmp_path)
    assert (tmp_path / "keep.txt").read_text() == "mine"
