from __future__ import annotations

from pathlib import Path

from gitops_tui.model import AppSpec, SourceType
from gitops_tui.source.dependencies import app_paths, kustomize_inputs
from gitops_tui.source.repo import GitRepo

from .repos import commit, configmap, deployment, init, kustomize_tree, write


def kustomize_app(path: str) -> AppSpec:
    return AppSpec(name="a", path=path, source_type=SourceType.KUSTOMIZE)


def test_kustomize_app_paths_follow_bases_components_patches_and_generators(tmp_path: Path) -> None:
    kustomize_tree(tmp_path)
    write(
        tmp_path,
        "components/debug/kustomization.yaml",
        "kind: Component\nresources:\n  - ../../shared/x.yaml\n",
    )
    write(tmp_path, "shared/x.yaml", configmap("x"))
    write(tmp_path, "shared/patch.yaml", "x: y\n")
    write(tmp_path, "shared/app.env", "A=1\n")
    write(tmp_path, "shared/settings.ini", "[a]\n")
    write(
        tmp_path,
        "api/overlays/staging/kustomization.yaml",
        """\
resources:
  - ../../base
  - https://github.com/example/remote//deploy?ref=v1
  - local.yaml
components:
  - ../../../components/debug
patches:
  - path: ../../../shared/patch.yaml
configMapGenerator:
  - name: cfg
    envs: [../../../shared/app.env]
    files: [settings.ini=../../../shared/settings.ini]
""",
    )
    assert app_paths(tmp_path, kustomize_app("api/overlays/staging")) == (
        "api/overlays/staging",
        "api/base",
        "components/debug",
        "shared/app.env",
        "shared/patch.yaml",
        "shared/settings.ini",
        "shared/x.yaml",
    )


def test_replacements_and_openapi_files_are_inputs_and_helm_charts_make_the_list_incomplete(
    tmp_path: Path,
) -> None:
    """What the render cache fingerprints: a replacement or OpenAPI file outside the overlay is read by the
    build (a change to it must render again); a Helm chart comes from outside, so nothing is cached."""
    kustomize_tree(tmp_path)
    write(tmp_path, "shared/replacement.yaml", "source: {kind: ConfigMap}\n")
    write(tmp_path, "shared/schema.json", "{}\n")
    overlay = "api/overlays/staging/kustomization.yaml"
    text = "resources:\n  - ../../base\nreplacements:\n  - path: ../../../shared/replacement.yaml\n"
    write(tmp_path, overlay, text + "openapi:\n  path: ../../../shared/schema.json\n")
    found, complete = kustomize_inputs(tmp_path, "api/overlays/staging")
    assert {"shared/replacement.yaml", "shared/schema.json"} <= found and complete
    write(tmp_path, overlay, text + "helmCharts:\n  - name: redis\n    repo: https://charts.example.com\n")
    assert not kustomize_inputs(tmp_path, "api/overlays/staging")[1]


def test_other_app_types(tmp_path: Path) -> None:
    assert app_paths(tmp_path, AppSpec(name="w", path="./web/")) == ("web",)
    helm = AppSpec(
        name="h",
        path="charts/a",
        source_type=SourceType.HELM,
        helm_values_files=("values.yaml", "../../env/a.yaml"),
    )
    assert app_paths(tmp_path, helm) == ("charts/a", "env/a.yaml")
    assert app_paths(tmp_path, AppSpec(name="r", path=".")) == (".",)


def test_history_of_an_overlay_includes_commits_to_its_base(tmp_path: Path) -> None:
    repo = init(tmp_path / "r")
    kustomize_tree(repo)
    commit(repo, "initial")
    write(repo, "api/base/deployment.yaml", deployment("api", "registry.example.com/api:2.0.0"))
    commit(repo, "api: bump base to 2.0.0")
    write(repo, "api/overlays/production/extra.yaml", configmap("p"))
    commit(repo, "production only")
    git_repo = GitRepo(repo)
    paths = app_paths(repo, kustomize_app("api/overlays/staging"))
    assert [c.summary for c in git_repo.history(paths)] == ["api: bump base to 2.0.0", "initial"]
    assert [c.summary for c in git_repo.history("api/overlays/staging")] == ["initial"]
