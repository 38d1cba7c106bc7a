"""Adopting into a plain-YAML app: plan, apply, verify by re-rendering, and what is refused."""

from __future__ import annotations

from pathlib import Path

import pytest

from gitops_tui.model import AppSpec, DriftField, ResourceKey, SourceType
from gitops_tui.source.adopt import (
    AdoptRefused,
    adopt_message,
    apply_adopt,
    plan_adopt,
    undo_adopt,
    verify_adopt,
)
from gitops_tui.source.render import render_app

from .repos import commit, git, init, write

WEB = """\
# web: the public frontend
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: 2  # two is enough
  template:
    spec:
      containers:
        - name: web
          image: "nginx:1.25"
---
apiVersion: v1
kind: Secret
metadata:
  name: web-tls
stringData:
  password: hunter2
"""

APP = AppSpec(name="web", path="web", namespace="shop")
DEPLOY = ResourceKey("apps", "Deployment", "shop", "web")
REPLICAS = DriftField("/spec/replicas", git=2, live=5)
IMAGE = DriftField(
    "/spec/template/spec/containers/0/image",
    git="nginx:1.25",
    live="nginx:1.27",
    keyed_path="/spec/template/spec/containers/[name=web]/image",
)


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    root = init(tmp_path / "platform")
    write(root, "web/deployment.yaml", WEB)
    commit(root, "web")
    return root


def test_plan_apply_verify(repo: Path) -> None:
    plan = plan_adopt(repo, APP, render_app(repo, APP), DEPLOY, [REPLICAS, IMAGE])
    assert [c.path for c in plan.changes] == ["web/deployment.yaml"]
    assert plan.summary == (
        "web/deployment.yaml: spec.replicas 2 → 5",
        "web/deployment.yaml: spec.template.spec.containers[name=web].image nginx:1.25 → nginx:1.27",
    )
    assert (repo / "web/deployment.yaml").read_text() == WEB  # planning writes nothing
    assert verify_adopt(repo, APP, DEPLOY, [REPLICAS, IMAGE]) == [
        "spec.replicas",
        "spec.template.spec.containers[name=web].image",
    ]
    assert apply_adopt(repo, plan) == ["web/deployment.yaml"]
    assert verify_adopt(repo, APP, DEPLOY, [REPLICAS, IMAGE]) == []
    stat = git(repo, "diff", "--numstat")
    assert stat == "2\t2\tweb/deployment.yaml\n"
    assert "+  replicas: 5  # two is enough" in git(repo, "diff")


def test_removal_is_verified_as_absent(repo: Path) -> None:
    gone = DriftField("/spec/replicas", git=2, live=None)
    apply_adopt(repo, plan_adopt(repo, APP, render_app(repo, APP), DEPLOY, [gone]))
    assert verify_adopt(repo, APP, DEPLOY, [gone]) == []
    assert "replicas" not in (repo / "web/deployment.yaml").read_text()


def test_file_changed_since_planning_is_refused(repo: Path) -> None:
    plan = plan_adopt(repo, APP, render_app(repo, APP), DEPLOY, [REPLICAS])
    edited = WEB.replace("two is enough", "someone's edit")
    (repo / "web/deployment.yaml").write_text(edited)
    with pytest.raises(AdoptRefused, match="web/deployment.yaml: file changed since"):
        apply_adopt(repo, plan)
    assert (repo / "web/deployment.yaml").read_text() == edited


def test_undo_puts_the_file_back(repo: Path) -> None:
    plan = plan_adopt(repo, APP, render_app(repo, APP), DEPLOY, [REPLICAS])
    apply_adopt(repo, plan)
    assert undo_adopt(repo, plan) == ["web/deployment.yaml"]
    assert (repo / "web/deployment.yaml").read_text() == WEB
    assert git(repo, "status", "--porcelain") == ""


def test_secret_data_is_refused(repo: Path) -> None:
    key = ResourceKey("", "Secret", "shop", "web-tls")
    field = DriftField("/stringData/password", git="hunter2", live="hunter3")
    with pytest.raises(AdoptRefused, match="plain secrets must never be committed") as info:
        plan_adopt(repo, APP, render_app(repo, APP), key, [field])
    assert "hunter" not in str(info.value)
    labels = DriftField("/metadata/labels", git=None, live={"team": "web"})
    plan = plan_adopt(repo, APP, render_app(repo, APP), key, [labels])  # other Secret fields are fine
    assert "hunter2" in plan.changes[0].after and "team: web" in plan.changes[0].after


def test_helm_is_refused(repo: Path) -> None:
    helm = AppSpec(name="chart", path="web", source_type=SourceType.HELM)
    with pytest.raises(AdoptRefused, match="Helm values cannot be derived from rendered output"):
        plan_adopt(repo, helm, render_app(repo, APP), DEPLOY, [REPLICAS])


def test_a_field_that_cannot_be_located_is_refused(repo: Path) -> None:
    missing = DriftField(
        "/spec/template/spec/containers/0/env/0",
        git={"name": "X", "value": "1"},
        live=None,
        keyed_path="/spec/template/spec/containers/[name=web]/env/[name=X]",
    )
    with pytest.raises(AdoptRefused, match="web/deployment.yaml: .*env\\[name=X\\] is not set here"):
        plan_adopt(repo, APP, render_app(repo, APP), DEPLOY, [missing])


def test_object_not_in_git_is_refused(repo: Path) -> None:
    with pytest.raises(AdoptRefused, match="not in web's Git source"):
        plan_adopt(repo, APP, render_app(repo, APP), ResourceKey("", "ConfigMap", "shop", "x"), [REPLICAS])


def test_git_already_holding_the_value_is_refused(repo: Path) -> None:
    same = DriftField("/spec/replicas", git=2, live=2)
    with pytest.raises(AdoptRefused, match="nothing to write"):
        plan_adopt(repo, APP, render_app(repo, APP), DEPLOY, [same])


def test_commit_message(repo: Path) -> None:
    plan = plan_adopt(repo, APP, render_app(repo, APP), DEPLOY, [REPLICAS, IMAGE])
    assert adopt_message(plan, "  incident 42: keep the hotfix  ") == (
        "adopt: Deployment/web spec.replicas, spec.template.spec.containers[name=web].image\n"
        "\nincident 42: keep the hotfix\n"
    )
    assert adopt_message(plan, "") == (
        "adopt: Deployment/web spec.replicas, spec.template.spec.containers[name=web].image\n"
    )


def test_keys_with_slashes_and_tildes(repo: Path) -> None:
    field = DriftField("/metadata/annotations/example.com~1owner~0team", git=None, live="payments")
    plan = plan_adopt(repo, APP, render_app(repo, APP), DEPLOY, [field])
    apply_adopt(repo, plan)
    assert (
        "  annotations:\n    example.com/owner~team: payments\n" in (repo / "web/deployment.yaml").read_text()
    )
    assert verify_adopt(repo, APP, DEPLOY, [field]) == []
