"""Issue 2's acceptance, tried as a new user would: the drift is made by the real /usr/bin/kubectl (its own
verbs, patch types and field managers, not our imitation of them), and the CLI runs as a subprocess.

test_status_cli.py covers the same story through gitops_tui.sandbox.kubectl; this module checks that what
the real kubectl leaves in managedFields is read the same way, and adds the bad inputs not covered there.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from repotools import commit_all, write
from test_status_cli import DEPLOY, _without_legacy_env, make_repo

from gitops_tui.config import Settings
from gitops_tui.orchestration.reconcile import Workspace
from gitops_tui.sandbox.demo import initial_sync
from gitops_tui.source.repo import GitRepo

pytestmark = pytest.mark.skipif(shutil.which("kubectl") is None, reason="needs the real kubectl")

STRAY = """\
apiVersion: v1
kind: ConfigMap
metadata:
  name: stray
  namespace: production
  annotations:
    argocd.argoproj.io/tracking-id: api-production:/ConfigMap:production/stray
data:
  x: "1"
"""


def kubectl(kubeconfig: Path, *args: str, stdin: str | None = None) -> str:
    proc = subprocess.run(
        ["kubectl", "--kubeconfig", str(kubeconfig), "--context", "sandbox", *args],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


def gitops_tui(repo: Path, kubeconfig: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "XDG_CACHE_HOME": str(repo.parent / "cache"),
        "XDG_STATE_HOME": str(repo.parent / "state"),
    }
    return subprocess.run(
        [sys.executable, "-m", "gitops_tui", *args, "--repo", str(repo), "--kubeconfig", str(kubeconfig)]
        + ["--context", "sandbox"],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )


def synced_repo(tmp_path: Path, kubeconfig: Path) -> Path:
    repo = make_repo(tmp_path)
    ws = Workspace(Settings(kubeconfig=str(kubeconfig), context="sandbox"), GitRepo(repo))
    initial_sync(ws.client(), ws.desired_objects())
    ws.close()
    return repo


def test_drift_made_by_real_kubectl_is_reported_exactly(tmp_path: Path, sandbox) -> None:
    _, kubeconfig = sandbox
    repo = synced_repo(tmp_path, kubeconfig)
    first = gitops_tui(repo, kubeconfig, "status", "--json")
    assert first.returncode == 0, first.stdout + first.stderr
    assert {a["sync"] for a in json.loads(first.stdout)["apps"]} == {"Synced"}

    kubectl(kubeconfig, "scale", "deployment/api", "-n", "production", "--replicas=5")
    kubectl(
        kubeconfig,
        "set",
        "image",
        "deployment/api",
        "-n",
        "staging",
        "api=registry.example.com/api:2.0.0-hotfix",
    )
    kubectl(kubeconfig, "delete", "service", "api", "-n", "staging")
    kubectl(kubeconfig, "create", "--validate=false", "-f", "-", stdin=STRAY)
    write(repo, "api/base/deployment.yaml", [_without_legacy_env(DEPLOY)])
    commit_all(repo, "api: drop LEGACY_MODE")

    result = gitops_tui(repo, kubeconfig, "status", "--json")
    assert result.returncode == 1, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    apps = {a["name"]: a for a in json.loads(result.stdout)["apps"]}
    assert {n: a["sync"] for n, a in apps.items()} == {
        "api-production": "OutOfSync",
        "api-staging": "OutOfSync",
    }
    resources = {(app, r["kind"], r["name"]): r for app, a in apps.items() for r in a["resources"]}
    drifted = {key: r["sync"] for key, r in resources.items() if r["sync"] != "Synced"}
    assert drifted == {
        ("api-production", "Deployment", "api"): "OutOfSync",
        ("api-production", "ConfigMap", "stray"): "RequiresPruning",
        ("api-staging", "Deployment", "api"): "OutOfSync",
        ("api-staging", "Service", "api"): "Missing",
    }
    legacy = "/spec/template/spec/containers/0/env/1"
    image = "/spec/template/spec/containers/0/image"
    prod = {d["path"]: d for d in resources[("api-production", "Deployment", "api")]["drift"]}
    stage = {d["path"]: d for d in resources[("api-staging", "Deployment", "api")]["drift"]}
    assert set(prod) == {"/spec/replicas", legacy}
    assert set(stage) == {image, legacy}
    assert (prod["/spec/replicas"]["git"], prod["/spec/replicas"]["live"]) == (3, 5)
    assert stage[image]["live"] == "registry.example.com/api:2.0.0-hotfix"
    # Each field names the manager the real kubectl recorded (and ours for the field Git dropped).
    assert prod["/spec/replicas"]["manager"] == "kubectl"
    assert stage[image]["manager"] == "kubectl-set"
    assert prod[legacy]["manager"] == stage[legacy]["manager"] == "gitops-tui"
    assert all(r["drift"] == [] for key, r in resources.items() if key not in drifted)

    diff = gitops_tui(repo, kubeconfig, "diff", "api-staging")
    assert diff.returncode == 1, diff.stderr
    assert "registry.example.com/api:2.0.0-hotfix" in diff.stdout and "kubectl-set" in diff.stdout
    assert "LEGACY_MODE" in diff.stdout
    assert "Traceback" not in diff.stderr
    as_json = gitops_tui(repo, kubeconfig, "diff", "api-production", "--json")
    assert as_json.returncode == 1, as_json.stderr
    assert "stray" in as_json.stdout and "Traceback" not in as_json.stderr


def test_kustomization_that_fails_to_build_marks_only_that_app(tmp_path: Path, sandbox) -> None:
    _, kubeconfig = sandbox
    repo = synced_repo(tmp_path, kubeconfig)
    path = repo / "api/overlays/production/kustomization.yaml"
    path.write_text(path.read_text() + "patches:\n  - path: does-not-exist.yaml\n")
    result = gitops_tui(repo, kubeconfig, "status", "--json")
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    apps = {a["name"]: a for a in json.loads(result.stdout)["apps"]}
    assert apps["api-production"]["sync"] == "Unknown"
    assert "does-not-exist.yaml" in apps["api-production"]["error"]
    assert apps["api-staging"]["sync"] == "Synced" and apps["api-staging"]["error"] == ""

    diff = gitops_tui(repo, kubeconfig, "diff", "api-production")
    assert diff.returncode == 2
    assert len(diff.stderr.strip().splitlines()) == 1 and "Traceback" not in diff.stderr


def test_unreachable_server_and_unknown_context_as_subprocess(tmp_path: Path, sandbox) -> None:
    server, kubeconfig = sandbox
    repo = make_repo(tmp_path)
    unknown = subprocess.run(
        [sys.executable, "-m", "gitops_tui", "status", "--repo", str(repo), "--kubeconfig", str(kubeconfig)]
        + ["--context", "nope"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert unknown.returncode == 2
    assert len(unknown.stderr.strip().splitlines()) == 1 and "nope" in unknown.stderr
    server.stop()
    down = gitops_tui(repo, kubeconfig, "diff", "api-staging")
    assert down.returncode == 2
    assert len(down.stderr.strip().splitlines()) == 1 and "Traceback" not in down.stderr


def test_kubectl_apply_works_on_the_sandbox_without_turning_validation_off(sandbox) -> None:
    """Trying the demo with kubectl: `kubectl apply` (client- and server-side) validates by default, and
    used to stop at "failed to download openapi" unless given --validate=false. The sandbox's OpenAPI v3
    documents now say every PATCH takes fieldValidation, so kubectl leaves validation to the server."""
    _, kubeconfig = sandbox
    namespace = "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: try\n"
    assert "created" in kubectl(kubeconfig, "apply", "-f", "-", stdin=namespace)
    config = STRAY.replace("namespace: production", "namespace: try")
    assert "created" in kubectl(kubeconfig, "apply", "-f", "-", stdin=config)
    assert "configured" in kubectl(kubeconfig, "apply", "-f", "-", stdin=config.replace('x: "1"', 'x: "2"'))
    assert "serverside-applied" in kubectl(
        kubeconfig, "apply", "--server-side", "--force-conflicts", "-f", "-", stdin=config
    )
    assert kubectl(kubeconfig, "get", "configmap", "stray", "-n", "try", "-o", "jsonpath={.data.x}") == "1"


def test_a_protobuf_body_is_refused_with_what_to_use_instead(sandbox) -> None:
    """`kubectl create namespace x` (the generators) sends protobuf, which the sandbox cannot read: say
    so, and what works, instead of "error decoding body: unacceptable character #x0000"."""
    _, kubeconfig = sandbox
    proc = subprocess.run(
        ["kubectl", "--kubeconfig", str(kubeconfig), "create", "namespace", "try"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 1
    assert "protobuf" in proc.stderr and "kubectl apply" in proc.stderr


def test_a_key_kubectl_apply_added_shows_as_removed_in_the_diff_as_the_sync_removes_it(
    tmp_path: Path, sandbox
) -> None:
    """`kubectl apply` (client-side) of the ConfigMap with a key Git does not have: the last-applied
    annotation names it, so a sync takes it out. The dry run keeps it (kubectl's manager owns it), so the
    diff showed it on both sides, unchanged, while the drift list and the sync preview said it goes."""
    _, kubeconfig = sandbox
    repo = synced_repo(tmp_path, kubeconfig)
    by_hand = (
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: api-config\n  namespace: production\n"
        "data:\n  MODE: prod\n  EXTRA: by-hand\n"
    )
    kubectl(kubeconfig, "apply", "-f", "-", stdin=by_hand)
    ws = Workspace(Settings(kubeconfig=str(kubeconfig), context="sandbox"), GitRepo(repo))
    try:
        snap = ws.reconcile_once()
        app = snap.app("api-production")
        assert app is not None
        res = next(r for r in app.resources if r.key.kind == "ConfigMap")
        assert [(d.path, d.git, d.live) for d in res.drift] == [("/data/EXTRA", None, "by-hand")]
        detail = ws.resource_detail("api-production", res.key)
        assert detail.predicted is not None and "EXTRA" not in detail.predicted["data"]
        assert detail.live is not None and detail.live["data"]["EXTRA"] == "by-hand"
    finally:
        ws.close()
    sync = gitops_tui(
        repo, kubeconfig, "sync", "api-production", "--resource", "ConfigMap/api-config", "--yes"
    )
    assert sync.returncode == 0, sync.stdout + sync.stderr
    live = kubectl(kubeconfig, "get", "configmap", "api-config", "-n", "production", "-o", "jsonpath={.data}")
    assert "EXTRA" not in live
