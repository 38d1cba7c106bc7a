"""Adopting into Kustomize apps: the overlay's images/replicas entries, its patches, or a new patch —
each verified by rendering the overlay again with kustomize. The shared base is never edited."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from gitops_tui.model import AppOrigin, AppSpec, DriftField, ResourceKey, SourceType
from gitops_tui.source.adopt import AdoptPlan, apply_adopt, plan_adopt, verify_adopt
from gitops_tui.source.render import clear_render_cache, render_app

from .repos import commit, deployment, git, init, service, write

pytestmark = pytest.mark.skipif(
    not (shutil.which("kustomize") or shutil.which("kubectl")), reason="needs kustomize or kubectl"
)

OVERLAY = "api/overlays/production"
KEY = ResourceKey("apps", "Deployment", "production", "api")
APP = AppSpec(name="api-production", path=OVERLAY, source_type=SourceType.KUSTOMIZE)
CONTAINER = "/spec/template/spec/containers/0"
KEYED = "/spec/template/spec/containers/[name=api]"


def image(git_value: str, live: str) -> DriftField:
    return DriftField(f"{CONTAINER}/image", git=git_value, live=live, keyed_path=f"{KEYED}/image")


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    clear_render_cache()
    root = init(tmp_path / "platform")
    api = deployment("api", "registry.example.com/api:1.0.0", 2)
    api["spec"]["template"]["spec"]["containers"][0]["env"] = [{"name": "LOG", "value": "info"}]
    write(root, "api/base/deployment.yaml", api)
    write(root, "api/base/service.yaml", service("api"))
    write(root, "api/base/kustomization.yaml", "resources:\n  - deployment.yaml\n  - service.yaml\n")
    write(
        root,
        f"{OVERLAY}/kustomization.yaml",
        "# production overlay\nnamespace: production\nresources:\n  - ../../base\n",
    )
    commit(root, "api")
    return root


def adopt(root: Path, app: AppSpec, key: ResourceKey, fields: list[DriftField]) -> AdoptPlan:
    plan = plan_adopt(root, app, render_app(root, app), key, fields)
    assert verify_adopt(root, app, key, fields) != []
    apply_adopt(root, plan)
    clear_render_cache()
    assert verify_adopt(root, app, key, fields) == []
    assert git(root, "status", "--porcelain", "api/base") == ""  # the base is shared: never edited
    return plan


def numstat(root: Path) -> dict[str, tuple[int, int]]:
    git(root, "add", "-N", ".")
    out = git(root, "diff", "--numstat")
    return {path: (int(a), int(r)) for a, r, path in (line.split("\t") for line in out.splitlines())}


def test_images_entry_edited(repo: Path) -> None:
    kfile = f"{OVERLAY}/kustomization.yaml"
    (repo / kfile).write_text(
        (repo / kfile).read_text() + 'images:\n  - name: registry.example.com/api\n    newTag: "1.0.1"\n'
    )
    commit(repo, "pin")
    plan = adopt(repo, APP, KEY, [image("registry.example.com/api:1.0.1", "registry.example.com/api:1.2.0")])
    assert numstat(repo) == {kfile: (1, 1)}
    assert '    newTag: "1.2.0"' in (repo / kfile).read_text()
    assert plan.summary[0].startswith(f"{kfile}: spec.template.spec.containers[name=api].image (images entry")


def test_images_entry_with_a_new_name_and_digest(repo: Path) -> None:
    kfile = f"{OVERLAY}/kustomization.yaml"
    (repo / kfile).write_text(
        (repo / kfile).read_text() + "images:\n- name: registry.example.com/api\n  newTag: 1.0.1\n"
    )
    commit(repo, "pin")
    live = "mirror.example.com/api:1.2.0@sha256:" + "a" * 64
    adopt(repo, APP, KEY, [image("registry.example.com/api:1.0.1", live)])
    entry = yaml.safe_load((repo / kfile).read_text())["images"][0]
    assert entry == {
        "name": "registry.example.com/api",
        "newTag": "1.2.0",
        "newName": "mirror.example.com/api",
        "digest": "sha256:" + "a" * 64,
    }


def test_replicas_entry_edited(repo: Path) -> None:
    kfile = f"{OVERLAY}/kustomization.yaml"
    (repo / kfile).write_text((repo / kfile).read_text() + "replicas:\n  - name: api\n    count: 3 # peak\n")
    commit(repo, "replicas")
    adopt(repo, APP, KEY, [DriftField("/spec/replicas", git=3, live=6)])
    assert numstat(repo) == {kfile: (1, 1)}
    assert "    count: 6 # peak\n" in (repo / kfile).read_text()


def test_existing_patch_edited(repo: Path) -> None:
    kfile = f"{OVERLAY}/kustomization.yaml"
    (repo / kfile).write_text((repo / kfile).read_text() + "patches:\n  - path: scale.yaml\n")
    write(
        repo,
        f"{OVERLAY}/scale.yaml",
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: api\nspec:\n  replicas: 4  # prod load\n",
    )
    commit(repo, "patch")
    plan = adopt(repo, APP, KEY, [DriftField("/spec/replicas", git=4, live=8)])
    assert numstat(repo) == {f"{OVERLAY}/scale.yaml": (1, 1)}
    assert plan.summary == (f"{OVERLAY}/scale.yaml: spec.replicas (patch) 4 → 8",)


def test_json6902_patch_is_overridden_by_a_new_patch(repo: Path) -> None:
    kfile = f"{OVERLAY}/kustomization.yaml"
    (repo / kfile).write_text(
        (repo / kfile).read_text()
        + "patches:\n  - path: ops.yaml\n    target:\n      kind: Deployment\n      name: api\n"
    )
    write(repo, f"{OVERLAY}/ops.yaml", "- op: replace\n  path: /spec/replicas\n  value: 4\n")
    commit(repo, "ops")
    adopt(repo, APP, KEY, [DriftField("/spec/replicas", git=4, live=9)])
    assert set(numstat(repo)) == {kfile, f"{OVERLAY}/adopt-deployment-api.yaml"}


def test_new_patch_added_and_registered(repo: Path) -> None:
    fields = [
        image("registry.example.com/api:1.0.0", "registry.example.com/api:1.0.1"),
        DriftField(
            f"{CONTAINER}/env/1",
            git=None,
            live={"name": "DEBUG", "value": "1"},
            keyed_path=f"{KEYED}/env/[name=DEBUG]",
        ),
        DriftField("/spec/replicas", git=2, live=4),
    ]
    plan = adopt(repo, APP, KEY, fields)
    patch = f"{OVERLAY}/adopt-deployment-api.yaml"
    kfile = f"{OVERLAY}/kustomization.yaml"
    # the image as `kustomize edit set image` would write it; the rest in a new registered patch
    assert numstat(repo) == {kfile: (5, 0), patch: (14, 0)}
    assert (
        (repo / kfile)
        .read_text()
        .endswith(
            "  - ../../base\nimages:\n  - name: registry.example.com/api\n    newTag: 1.0.1\n"
            "patches:\n  - path: adopt-deployment-api.yaml\n"
        )
    )
    assert yaml.safe_load((repo / patch).read_text()) == {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": "api"},
        "spec": {
            "template": {
                "spec": {
                    "containers": [
                        {
                            "name": "api",
                            "env": [{"name": "DEBUG", "value": "1"}],
                        }
                    ]
                }
            },
            "replicas": 4,
        },
    }
    assert plan.summary[-1] == f"{kfile}: patches += adopt-deployment-api.yaml (new patch for Deployment/api)"

    # a second adopt for the same object goes into the same patch, registered once
    commit(repo, "first adopt")
    adopt(repo, APP, KEY, [DriftField("/spec/replicas", git=4, live=5)])
    assert numstat(repo) == {patch: (1, 1)}


def test_removal_through_a_patch(repo: Path) -> None:
    gone = DriftField(
        f"{CONTAINER}/env/0",
        git={"name": "LOG", "value": "info"},
        live=None,
        keyed_path=f"{KEYED}/env/[name=LOG]",
    )
    adopt(repo, APP, KEY, [gone])
    text = (repo / f"{OVERLAY}/adopt-deployment-api.yaml").read_text()
    assert "$patch: delete" in text


def test_resource_defined_in_the_overlay_is_edited_there(repo: Path) -> None:
    kfile = f"{OVERLAY}/kustomization.yaml"
    (repo / kfile).write_text((repo / kfile).read_text() + "  - worker.yaml\n")
    write(repo, f"{OVERLAY}/worker.yaml", deployment("worker", "registry.example.com/worker:3", 1))
    commit(repo, "worker")
    key = ResourceKey("apps", "Deployment", "production", "worker")
    adopt(repo, APP, key, [DriftField("/spec/replicas", git=1, live=2)])
    assert numstat(repo) == {f"{OVERLAY}/worker.yaml": (1, 1)}


def test_name_prefix_overlay_patches_by_base_name(repo: Path) -> None:
    kfile = f"{OVERLAY}/kustomization.yaml"
    (repo / kfile).write_text((repo / kfile).read_text() + "namePrefix: prod-\n")
    commit(repo, "prefix")
    key = ResourceKey("apps", "Deployment", "production", "prod-api")
    adopt(repo, APP, key, [DriftField("/spec/replicas", git=2, live=7)])
    assert (repo / f"{OVERLAY}/adopt-deployment-api.yaml").exists()


def test_argo_image_override_is_edited_in_the_application(repo: Path) -> None:
    write(
        repo,
        "apps/api.yaml",
        "apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata:\n  name: api-production\nspec:\n"
        "  source:\n    path: api/overlays/production\n    kustomize:\n      images:\n"
        "        - registry.example.com/api:1.0.5  # pinned by release\n",
    )
    commit(repo, "argo")
    app = AppSpec(
        name="api-production",
        path=OVERLAY,
        source_type=SourceType.KUSTOMIZE,
        origin=AppOrigin.ARGO,
        defined_in="apps/api.yaml",
        kustomize_images=("registry.example.com/api:1.0.5",),
    )
    fields = [image("registry.example.com/api:1.0.5", "registry.example.com/api:1.0.6")]
    plan = plan_adopt(repo, app, render_app(repo, app), KEY, fields)
    apply_adopt(repo, plan)
    assert numstat(repo) == {"apps/api.yaml": (1, 1)}
    assert (
        "        - registry.example.com/api:1.0.6  # pinned by release\n"
        in (repo / "apps/api.yaml").read_text()
    )
    fixed = AppSpec(**{**app.__dict__, "kustomize_images": ("registry.example.com/api:1.0.6",)})
    assert verify_adopt(repo, fixed, KEY, fields) == []


def test_images_entry_names_the_other_containers_it_sets(repo: Path) -> None:
    kfile = f"{OVERLAY}/kustomization.yaml"
    (repo / kfile).write_text(
        (repo / kfile).read_text()
        + "  - migrate.yaml\nimages:\n  - name: registry.example.com/api\n    newTag: 1.0.1\n"
    )
    write(repo, f"{OVERLAY}/migrate.yaml", deployment("migrate", "registry.example.com/api:1.0.0", 1))
    commit(repo, "migrate job shares the image")
    plan = adopt(repo, APP, KEY, [image("registry.example.com/api:1.0.1", "registry.example.com/api:1.1.0")])
    assert (
        plan.summary[-1]
        == f"{kfile}: the images entry registry.example.com/api also sets the image of Deployment/migrate (migrate)"
    )


def test_patches_strategic_merge_file_edited(repo: Path) -> None:
    kfile = f"{OVERLAY}/kustomization.yaml"
    (repo / kfile).write_text((repo / kfile).read_text() + "patchesStrategicMerge:\n  - env.yaml\n")
    write(
        repo,
        f"{OVERLAY}/env.yaml",
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: api\nspec:\n  template:\n    spec:\n"
        "      containers:\n        - name: api\n          env:\n            - name: LOG\n"
        "              value: warn  # quiet in production\n",
    )
    commit(repo, "smp")
    field = DriftField(
        f"{CONTAINER}/env/0/value", git="warn", live="debug", keyed_path=f"{KEYED}/env/[name=LOG]/value"
    )
    adopt(repo, APP, KEY, [field])
    assert numstat(repo) == {f"{OVERLAY}/env.yaml": (1, 1)}
    assert "              value: debug  # quiet in production\n" in (repo / f"{OVERLAY}/env.yaml").read_text()


def test_patch_shared_from_outside_the_overlay_is_not_edited(repo: Path) -> None:
    # Flux builds without load restrictions, so an overlay may use a patch kept elsewhere
    write(
        repo,
        "api/shared/scale.yaml",
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: api\nspec:\n  replicas: 4\n",
    )
    kfile = f"{OVERLAY}/kustomization.yaml"
    (repo / kfile).write_text((repo / kfile).read_text() + "patches:\n  - path: ../../shared/scale.yaml\n")
    commit(repo, "shared patch")
    flux = AppSpec(name="api", path=OVERLAY, source_type=SourceType.KUSTOMIZE, origin=AppOrigin.FLUX)
    adopt(repo, flux, KEY, [DriftField("/spec/replicas", git=4, live=6)])
    assert set(numstat(repo)) == {kfile, f"{OVERLAY}/adopt-deployment-api.yaml"}
    assert git(repo, "status", "--porcelain", "api/shared") == ""


def test_an_image_change_alone_is_one_new_images_entry(repo: Path) -> None:
    plan = adopt(repo, APP, KEY, [image("registry.example.com/api:1.0.0", "registry.example.com/api:1.2.0")])
    kfile = f"{OVERLAY}/kustomization.yaml"
    assert numstat(repo) == {kfile: (3, 0)}  # one hunk, one file, as `kustomize edit set image` writes it
    assert yaml.safe_load((repo / kfile).read_text())["images"] == [
        {"name": "registry.example.com/api", "newTag": "1.2.0"}
    ]
    assert plan.summary == (
        f"{kfile}: spec.template.spec.containers[name=api].image (new images entry registry.example.com/api) "
        "registry.example.com/api:1.0.0 → registry.example.com/api:1.2.0",
    )


def test_an_image_other_containers_share_goes_into_a_patch_instead(repo: Path) -> None:
    write(repo, "api/base/migrate.yaml", deployment("migrate", "registry.example.com/api:1.0.0", 1))
    write(
        repo,
        "api/base/kustomization.yaml",
        "resources:\n  - deployment.yaml\n  - service.yaml\n  - migrate.yaml\n",
    )
    commit(repo, "migrate shares the image")
    adopt(repo, APP, KEY, [image("registry.example.com/api:1.0.0", "registry.example.com/api:1.2.0")])
    kfile = f"{OVERLAY}/kustomization.yaml"
    assert "images" not in yaml.safe_load((repo / kfile).read_text())  # it would change migrate too
    assert set(numstat(repo)) == {kfile, f"{OVERLAY}/adopt-deployment-api.yaml"}
