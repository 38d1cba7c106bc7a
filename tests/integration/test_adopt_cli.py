"""`gitops-tui adopt` end to end: a `kubectl scale` and a `kubectl set image` adopted into a Kustomize overlay
and into a plain manifest — each a one-hunk commit of only the touched file, with the DESIGN message and the
operator's reason — after which the app is Synced with nothing applied; and each refusal (Secret data, Helm,
uncommitted edits in the file, a field that did not drift), which leaves Git and the cluster as they were."""

from __future__ import annotations

import base64
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from clitools import Env, remote, synced_env
from repotools import commit_all, write
from test_status_cli import application, make_repo

WEB_DEPLOYMENT = """\
# Web frontend. Owned by team-web; ask in #web before changing.
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  labels:
    app: web  # the selector's label
spec:
  replicas: 2
  selector:
    matchLabels:
      app: web
  template:
    metadata:
      labels:
        app: web
    spec:
      containers:
        - name: web
          image: "registry.example.com/web:1.4.2"  # pinned: see RUNBOOK.md
          args: [--port, "8080"]
          ports:
            - containerPort: 8080
---
apiVersion: v1
kind: Secret
metadata:
  name: web-token
stringData:
  token: not-a-real-token
"""


def make_adopt_repo(tmp_path: Path) -> Path:
    repo = make_repo(tmp_path)
    write(repo, "apps/web.yaml", [application("web", "web", "web")])
    write(
        repo, "web/namespace.yaml", [{"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "web"}}]
    )
    write(repo, "web/deployment.yaml", WEB_DEPLOYMENT)
    # Staging pins its image tag in the overlay, as most overlays do; production does not.
    staging = repo / "api/overlays/staging/kustomization.yaml"
    staging.write_text(
        staging.read_text()
        + "images:\n  - name: registry.example.com/api\n    newTag: 1.0.0  # release train\n"
    )
    commit_all(repo, "web: initial")
    return repo


@pytest.fixture
def env(tmp_path: Path, capsys, monkeypatch) -> Iterator[Env]:
    with synced_env(tmp_path, make_adopt_repo(tmp_path), capsys, monkeypatch) as e:
        yield e


def committed(env: Env) -> tuple[list[str], str, str]:
    """(files, message, patch) of the last commit."""
    files = env.git("show", "--name-only", "--format=", "HEAD").split()
    message = env.git("log", "-1", "--format=%B").strip()
    patch = env.git("show", "--format=", "--unified=3", "HEAD")
    return files, message, patch


def hunks(patch: str) -> int:
    return sum(1 for line in patch.splitlines() if line.startswith("@@"))


def changed_lines(patch: str) -> list[str]:
    return [line for line in patch.splitlines() if line[:1] in "+-" and not line.startswith(("+++", "---"))]


def adopt(env: Env, app: str, resource: str, *extra: str) -> tuple[int, str, str, list[tuple[str, str]]]:
    before = env.mark()
    code, out, err = env.cli("adopt", app, "--resource", resource, *extra)
    return code, out, err, env.writes(before)


def test_a_kubectl_scale_is_adopted_into_the_overlay_replicas_entry(env: Env) -> None:
    env.kubectl.scale("Deployment", "production", "api", 5)
    head = env.head()
    code, out, err, sent = adopt(
        env,
        "api-production",
        "Deployment/production/api",
        "--path",
        "/spec/replicas",
        "-m",
        "Black Friday traffic: keep 5 until Monday",
        "--yes",
    )
    assert code == 0, out + err
    assert "api/overlays/production/kustomization.yaml: " in out and " 3 → 5" in out  # the plan shown
    assert sent == []  # adopt writes Git, never the cluster
    files, message, patch = committed(env)
    assert env.git("rev-parse", "HEAD~1").strip() == head
    assert files == ["api/overlays/production/kustomization.yaml"]
    assert message == "adopt: Deployment/api spec.replicas\n\nBlack Friday traffic: keep 5 until Monday"
    assert hunks(patch) == 1 and changed_lines(patch) == ["-    count: 3", "+    count: 5"]
    assert env.git("status", "--porcelain") == ""

    apps = env.status()
    assert apps["api-production"]["sync"] == "Synced", apps["api-production"]
    assert env.live("Deployment", "production", "api")["spec"]["replicas"] == 5
    [entry] = env.audit()
    assert (entry.action, entry.app, entry.result) == ("adopt", "api-production", "ok")
    assert entry.details["fields"] == ["spec.replicas"] and entry.details["commit"] == env.head()


def test_a_kubectl_set_image_is_adopted_into_the_overlay(env: Env) -> None:
    env.kubectl.set_image("Deployment", "staging", "api", "api", "registry.example.com/api:2.0.0-hotfix")
    code, out, err, sent = adopt(
        env, "api-staging", "Deployment/staging/api", "-m", "INC-2231 hotfix", "--yes"
    )
    assert code == 0, out + err
    assert sent == []
    files, message, patch = committed(env)
    assert files == ["api/overlays/staging/kustomization.yaml"]
    assert message.startswith("adopt: Deployment/api spec.template.spec.containers[name=api].image")
    assert message.endswith("\n\nINC-2231 hotfix")
    assert hunks(patch) == 1
    assert changed_lines(patch) == [
        "-    newTag: 1.0.0  # release train",
        "+    newTag: 2.0.0-hotfix  # release train",
    ]
    apps = env.status()
    assert apps["api-staging"]["sync"] == "Synced"
    assert apps["api-production"]["sync"] == "Synced"  # the shared base was not touched
    assert env.git("status", "--porcelain") == ""


def test_scale_then_set_image_adopted_into_a_plain_manifest_change_one_line_each(env: Env) -> None:
    original = (env.repo / "web/deployment.yaml").read_text()
    env.kubectl.scale("Deployment", "web", "web", 4)
    code, out, err, sent = adopt(env, "web", "Deployment/web/web", "-m", "more capacity", "--yes")
    assert code == 0, out + err
    assert sent == []
    files, message, patch = committed(env)
    assert (
        files == ["web/deployment.yaml"] and message == "adopt: Deployment/web spec.replicas\n\nmore capacity"
    )
    assert hunks(patch) == 1 and changed_lines(patch) == ["-  replicas: 2", "+  replicas: 4"]

    env.kubectl.set_image("Deployment", "web", "web", "web", "registry.example.com/web:1.4.3")
    code, out, err, sent = adopt(env, "web", "Deployment/web/web", "-m", "CVE-2026-0001", "--yes")
    assert code == 0, out + err
    assert sent == []
    files, message, patch = committed(env)
    assert files == ["web/deployment.yaml"]
    assert hunks(patch) == 1
    assert changed_lines(patch) == [
        '-          image: "registry.example.com/web:1.4.2"  # pinned: see RUNBOOK.md',
        '+          image: "registry.example.com/web:1.4.3"  # pinned: see RUNBOOK.md',
    ]
    text = (env.repo / "web/deployment.yaml").read_text()
    assert text == original.replace("replicas: 2", "replicas: 4").replace("web:1.4.2", "web:1.4.3")
    apps = env.status()
    assert apps["web"]["sync"] == "Synced"
    live = env.live("Deployment", "web", "web")
    assert live["spec"]["replicas"] == 4
    assert live["spec"]["template"]["spec"]["containers"][0]["image"] == "registry.example.com/web:1.4.3"
    assert [e.result for e in env.audit()] == ["ok", "ok"]


def test_secret_data_is_never_adopted(env: Env) -> None:
    leaked = "hunter2-rotated-by-hand"
    env.kubectl.patch(
        "Secret", "web", "web-token", {"data": {"token": base64.b64encode(leaked.encode()).decode()}}
    )
    head = env.head()
    code, out, err, sent = adopt(env, "web", "Secret/web/web-token", "--yes")
    assert code == 2
    assert err.startswith("gitops-tui: refusing to write Secret data into Git (Secret/web/web-token)")
    assert err.count("\n") == 1
    assert leaked not in out + err and base64.b64encode(leaked.encode()).decode() not in out + err
    assert env.head() == head and env.git("status", "--porcelain") == ""
    assert sent == [] and env.audit() == []


def test_a_helm_app_is_refused_with_a_reason(env: Env) -> None:
    app = application("chart", "charts/web", "chart")
    app["spec"]["source"]["helm"] = {"valueFiles": ["values.yaml"]}
    write(env.repo, "apps/chart.yaml", [app])
    write(env.repo, "charts/web/Chart.yaml", "apiVersion: v2\nname: web\nversion: 0.1.0\n")
    write(env.repo, "charts/web/values.yaml", "replicas: 2\n")
    commit_all(env.repo, "chart: web")
    head = env.head()
    code, out, err, sent = adopt(env, "chart", "Deployment/chart/web", "--yes")
    assert code == 2
    assert err == (
        "gitops-tui: chart is a Helm app: Helm values cannot be derived from rendered output; "
        "change values.yaml by hand\n"
    )
    assert env.head() == head and env.git("status", "--porcelain") == "" and sent == []


def test_uncommitted_edits_in_the_file_to_change_are_never_swept_into_the_commit(env: Env) -> None:
    path = env.repo / "api/overlays/production/kustomization.yaml"
    edited = path.read_text() + "# work in progress: do not commit\n"
    path.write_text(edited)
    env.kubectl.scale("Deployment", "production", "api", 5)
    head = env.head()
    code, out, err, sent = adopt(env, "api-production", "Deployment/production/api", "--yes")
    assert code == 2
    assert "uncommitted changes in api/overlays/production/kustomization.yaml" in err
    assert path.read_text() == edited and env.head() == head and sent == []


def test_a_path_that_did_not_drift_is_refused(env: Env) -> None:
    env.kubectl.scale("Deployment", "production", "api", 5)
    code, _, err, _ = adopt(
        env, "api-production", "Deployment/production/api", "--path", "/spec/paused", "--yes"
    )
    assert code == 2
    assert err == (
        "gitops-tui: /spec/paused is not a drifted field of Deployment.apps/production/api "
        "(drifted: /spec/replicas)\n"
    )


def test_a_path_that_is_not_a_json_pointer_is_a_usage_error(env: Env) -> None:
    code, _, err, _ = adopt(env, "api-production", "Deployment/production/api", "--path", "spec.replicas")
    assert code == 2
    assert err == "gitops-tui: --path 'spec.replicas' is not a JSON pointer (like /spec/replicas)\n"


def test_an_image_without_an_overlay_entry_becomes_a_new_images_entry(env: Env) -> None:
    env.kubectl.set_image("Deployment", "production", "api", "api", "registry.example.com/api:1.0.1")
    code, out, err, sent = adopt(env, "api-production", "Deployment/production/api", "--yes")
    assert code == 0, out + err
    files, _, patch = committed(env)
    # what `kustomize edit set image` would write: one file, one hunk
    assert files == ["api/overlays/production/kustomization.yaml"]
    assert patch.count("\n@@ ") + patch.startswith("@@ ") == 1, patch
    assert "newTag: 1.0.1" in patch
    assert [line for line in changed_lines(patch) if line.startswith("-")] == []  # only additions
    assert env.git("status", "--porcelain") == "" and sent == []
    assert env.status()["api-production"]["sync"] == "Synced"


def test_without_yes_and_without_a_terminal_nothing_is_written(env: Env) -> None:
    env.kubectl.scale("Deployment", "production", "api", 5)
    head = env.head()
    code, out, err, _ = adopt(env, "api-production", "Deployment/production/api", "-m", "why")
    assert code == 2 and "stdin is not a terminal" in err
    assert "+    count: 5" in out  # the file diff was shown
    assert env.head() == head and env.git("status", "--porcelain") == "" and env.audit() == []


def remote_head(bare: Path) -> str:
    return subprocess.run(
        ["git", "-C", str(bare), "rev-parse", "main"], capture_output=True, text=True, check=True
    ).stdout.strip()


def test_push_sends_the_adopt_commit_upstream(env: Env, tmp_path: Path) -> None:
    bare = remote(env, tmp_path)
    env.kubectl.scale("Deployment", "production", "api", 5)
    code, out, err, _ = adopt(env, "api-production", "Deployment/production/api", "--push", "--yes")
    assert code == 0, out + err
    assert "pushed" in out.splitlines()
    assert remote_head(bare) == env.head()
    assert [(e.action, e.result) for e in env.audit()][:2] == [("push", "ok"), ("adopt", "ok")]


def test_a_rejected_push_keeps_the_adopt_commit_and_exits_2(env: Env, tmp_path: Path) -> None:
    bare = remote(env, tmp_path, reject="main needs a review")
    before = remote_head(bare)
    env.kubectl.scale("Deployment", "production", "api", 5)
    code, out, err, _ = adopt(env, "api-production", "Deployment/production/api", "--push", "--yes")
    assert code == 2
    assert err.startswith(f"gitops-tui: committed {env.head()[:7]}, but push to origin rejected"), err
    assert "main needs a review" in err and err.count("\n") == 1
    assert remote_head(bare) == before
    assert env.git("log", "-1", "--format=%s").startswith("adopt: Deployment/api")
    assert env.git("status", "--porcelain") == ""
