"""`status` and `diff` end to end: a repo shaped like the seeds' examples, the sandbox, kubectl-style drift."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from repotools import commit_all, git, write

from gitops_tui.cli import main
from gitops_tui.config import Settings
from gitops_tui.orchestration.reconcile import Workspace
from gitops_tui.sandbox.demo import initial_sync
from gitops_tui.sandbox.kubectl import Kubectl
from gitops_tui.source.repo import GitRepo

DEPLOY = {
    "apiVersion": "apps/v1",
    "kind": "Deployment",
    "metadata": {"name": "api", "labels": {"app": "api"}},
    "spec": {
        "replicas": 2,
        "selector": {"matchLabels": {"app": "api"}},
        "template": {
            "metadata": {"labels": {"app": "api"}},
            "spec": {
                "containers": [
                    {
                        "name": "api",
                        "image": "registry.example.com/api:1.0.0",
                        "env": [
                            {"name": "LOG_LEVEL", "value": "info"},
                            {"name": "LEGACY_MODE", "value": "on"},
                        ],
                        "ports": [{"containerPort": 8080, "name": "http"}],
                    }
                ]
            },
        },
    },
}
SERVICE = {
    "apiVersion": "v1",
    "kind": "Service",
    "metadata": {"name": "api"},
    "spec": {"selector": {"app": "api"}, "ports": [{"name": "http", "port": 80, "targetPort": "http"}]},
}
CONFIG = {
    "apiVersion": "v1",
    "kind": "ConfigMap",
    "metadata": {"name": "api-config"},
    "data": {"MODE": "prod"},
}


def application(name: str, path: str, namespace: str) -> dict:
    return {
        "apiVersion": "argoproj.io/v1alpha1",
        "kind": "Application",
        "metadata": {"name": name, "namespace": "argocd"},
        "spec": {
            "project": "default",
            "source": {
                "repoURL": "https://git.example.com/platform.git",
                "targetRevision": "main",
                "path": path,
            },
            "destination": {"server": "https://kubernetes.default.svc", "namespace": namespace},
            "syncPolicy": {"syncOptions": ["CreateNamespace=true"]},
        },
    }


def make_repo(root: Path) -> Path:
    repo = root / "platform"
    repo.mkdir()
    git(repo, "init", "-q", "-b", "main")
    write(repo, "apps/api-staging.yaml", [application("api-staging", "api/overlays/staging", "staging")])
    write(
        repo,
        "apps/api-production.yaml",
        [application("api-production", "api/overlays/production", "production")],
    )
    write(repo, "api/base/deployment.yaml", [DEPLOY])
    write(repo, "api/base/service.yaml", [SERVICE])
    write(repo, "api/base/configmap.yaml", [CONFIG])
    write(
        repo,
        "api/base/kustomization.yaml",
        "resources:\n  - deployment.yaml\n  - service.yaml\n  - configmap.yaml\n",
    )
    for env, replicas in (("staging", 1), ("production", 3)):
        write(
            repo,
            f"api/overlays/{env}/kustomization.yaml",
            f"namespace: {env}\nresources:\n  - ../../base\n  - namespace.yaml\n"
            f"replicas:\n  - name: api\n    count: {replicas}\n",
        )
        write(
            repo,
            f"api/overlays/{env}/namespace.yaml",
            [{"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": env}}],
        )
    commit_all(repo, "api: initial")
    return repo


def run_cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_status_and_diff_report_exactly_the_drift_made(tmp_path: Path, sandbox, capsys) -> None:
    server, kubeconfig = sandbox
    repo = make_repo(tmp_path)
    common = ["--repo", str(repo), "--kubeconfig", str(kubeconfig), "--context", "sandbox"]
    ws = Workspace(Settings(kubeconfig=str(kubeconfig), context="sandbox"), GitRepo(repo))
    initial_sync(ws.client(), ws.desired_objects())
    ws.close()

    code, out, err = run_cli(capsys, "status", "--json", *common)
    assert code == 0, out + err
    doc = json.loads(out)
    assert {a["name"]: a["sync"] for a in doc["apps"]} == {
        "api-production": "Synced",
        "api-staging": "Synced",
    }

    # Out-of-band changes, as kubectl makes them.
    kubectl = Kubectl(str(kubeconfig), "sandbox")
    kubectl.scale("Deployment", "production", "api", 5)
    kubectl.set_image("Deployment", "staging", "api", "api", "registry.example.com/api:2.0.0-hotfix")
    kubectl.delete("Service", "staging", "api")
    kubectl.create(
        {
            "apiVersion": "v1",
            "kind": "ConfigMap",
            "metadata": {
                "name": "stray",
                "namespace": "production",
                "annotations": {
                    "argocd.argoproj.io/tracking-id": "api-production:/ConfigMap:production/stray"
                },
            },
            "data": {"x": "1"},
        }
    )
    kubectl.close()
    # A field removed from Git (and committed) is drift too: the cluster still has it.
    write(repo, "api/base/deployment.yaml", [_without_legacy_env(DEPLOY)])
    commit_all(repo, "api: drop LEGACY_MODE")

    code, out, err = run_cli(capsys, "status", "--json", *common)
    assert code == 1, out + err
    apps = {a["name"]: a for a in json.loads(out)["apps"]}
    prod = {(r["kind"], r["name"]): r for r in apps["api-production"]["resources"]}
    stage = {(r["kind"], r["name"]): r for r in apps["api-staging"]["resources"]}

    scaled = prod[("Deployment", "api")]
    assert scaled["sync"] == "OutOfSync"
    paths = {d["path"]: d for d in scaled["drift"]}
    assert paths["/spec/replicas"]["live"] == 5 and paths["/spec/replicas"]["git"] == 3
    assert paths["/spec/replicas"]["manager"] == "kubectl"
    legacy = "/spec/template/spec/containers/0/env/1"
    assert set(paths) == {"/spec/replicas", legacy}
    assert paths[legacy]["manager"] == "gitops-tui"

    assert prod[("ConfigMap", "stray")]["sync"] == "RequiresPruning"
    assert prod[("Service", "api")]["sync"] == "Synced"
    assert prod[("ConfigMap", "api-config")]["sync"] == "Synced"

    image = stage[("Deployment", "api")]
    ipaths = {d["path"]: d for d in image["drift"]}
    assert set(ipaths) == {"/spec/template/spec/containers/0/image", legacy}
    assert ipaths["/spec/template/spec/containers/0/image"]["manager"] == "kubectl-set"
    assert ipaths["/spec/template/spec/containers/0/image"]["live"] == "registry.example.com/api:2.0.0-hotfix"
    assert stage[("Service", "api")]["sync"] == "Missing"
    assert stage[("Service", "api")]["health"] == "Missing"
    assert stage[("ConfigMap", "api-config")]["sync"] == "Synced"

    code, out, err = run_cli(capsys, "diff", "api-staging", "--resource", "Deployment/staging/api", *common)
    assert code == 1, err
    assert (
        "-        image: registry.example.com/api:1.0.0" in out
        or "image: registry.example.com/api:1.0.0" in out
    )
    assert "registry.example.com/api:2.0.0-hotfix" in out
    assert "kubectl-set" in out

    code, out, err = run_cli(
        capsys, "diff", "api-staging", "--resource", "ConfigMap/staging/api-config", *common
    )
    assert code == 0 and out == ""


def _without_legacy_env(deploy: dict) -> dict:
    clone = json.loads(json.dumps(deploy))
    container = clone["spec"]["template"]["spec"]["containers"][0]
    container["env"] = [e for e in container["env"] if e["name"] != "LEGACY_MODE"]
    return clone


def test_unknown_context_is_one_line_exit_2(tmp_path: Path, sandbox, capsys) -> None:
    _, kubeconfig = sandbox
    repo = make_repo(tmp_path)
    code, out, err = run_cli(
        capsys, "status", "--repo", str(repo), "--kubeconfig", str(kubeconfig), "--context", "nope"
    )
    assert code == 2
    assert "nope" in err and err.count("\n") <= 1 and "Traceback" not in err


def test_unreachable_server_marks_every_app(tmp_path: Path, sandbox, capsys) -> None:
    server, kubeconfig = sandbox
    repo = make_repo(tmp_path)
    server.stop()
    code, out, err = run_cli(
        capsys,
        "status",
        "--json",
        "--repo",
        str(repo),
        "--kubeconfig",
        str(kubeconfig),
        "--context",
        "sandbox",
    )
    assert code == 2
    apps = json.loads(out)["apps"]
    assert len(apps) == 2
    assert all(a["sync"] == "Unknown" and a["error"] for a in apps)
    assert "Traceback" not in err
    # exit 2 comes with its reason on stderr, as for every error (the table alone went to stdout)
    assert err.startswith("gitops-tui: api-production: connection refused") and "(and 1 more)" in err


def test_malformed_yaml_marks_only_that_app(tmp_path: Path, sandbox, capsys) -> None:
    _, kubeconfig = sandbox
    repo = make_repo(tmp_path)
    write(repo, "api/overlays/staging/broken.yaml", "kind: ConfigMap\nmetadata: {name: x\n")
    text = (repo / "api/overlays/staging/kustomization.yaml").read_text()
    (repo / "api/overlays/staging/kustomization.yaml").write_text(
        text.replace("  - namespace.yaml\n", "  - namespace.yaml\n  - broken.yaml\n")
    )
    code, out, err = run_cli(
        capsys,
        "status",
        "--json",
        "--repo",
        str(repo),
        "--kubeconfig",
        str(kubeconfig),
        "--context",
        "sandbox",
    )
    assert code == 2
    apps = {a["name"]: a for a in json.loads(out)["apps"]}
    assert apps["api-staging"]["sync"] == "Unknown" and apps["api-staging"]["error"]
    assert apps["api-production"]["error"] == ""
    assert "Traceback" not in err


def test_second_status_with_nothing_changed_sends_no_dry_run(tmp_path: Path, sandbox, capsys) -> None:
    server, kubeconfig = sandbox
    repo = make_repo(tmp_path)
    ws = Workspace(Settings(kubeconfig=str(kubeconfig), context="sandbox"), GitRepo(repo))
    initial_sync(ws.client(), ws.desired_objects())
    ws.close()
    common = [
        "status",
        "--json",
        "--repo",
        str(repo),
        "--kubeconfig",
        str(kubeconfig),
        "--context",
        "sandbox",
    ]
    kubectl = Kubectl(str(kubeconfig), "sandbox")
    kubectl.set_image("Deployment", "staging", "api", "api", "registry.example.com/api:9.9.9")
    server.requests.clear()
    assert run_cli(capsys, *common)[0] == 1
    # Everything we applied ourselves and nobody touched is answered from managedFields: only the object
    # kubectl changed needs the server's dry run.
    assert server.requests.count(dry_run=True) == 1
    server.requests.clear()
    code, out, _ = run_cli(capsys, *common)  # a new Workspace, as a new process would have
    assert code == 1
    assert server.requests.count(dry_run=True) == 0
    # Something changes live: only that object is asked about again.
    kubectl.scale("Deployment", "production", "api", 4)
    kubectl.close()
    server.requests.clear()
    assert run_cli(capsys, *common)[0] == 1
    assert server.requests.count(dry_run=True) == 1


def test_a_reader_that_leaves_early_is_not_an_error(tmp_path: Path, sandbox) -> None:
    """`gitops-tui diff APP | head -1`: the pipe closes under us. No "internal error", no "Exception
    ignored" from the interpreter's last flush: exit 141 (SIGPIPE's), as git and the shell report it."""
    server, kubeconfig = sandbox
    repo = make_repo(tmp_path)
    read_end, write_end = os.pipe()
    os.close(read_end)  # the reader left before the first line
    try:
        proc = subprocess.run(
            [sys.executable, "-m", "gitops_tui", "status", "--repo", str(repo)],
            stdout=write_end,
            stderr=subprocess.PIPE,
            text=True,
            env={**os.environ, "KUBECONFIG": str(kubeconfig)},
            timeout=60,
        )
    finally:
        os.close(write_end)
    assert proc.stderr == ""
    assert proc.returncode == 141


def unusable_kubeconfig(good: Path, dest: Path) -> Path:
    """The sandbox's kubeconfig made one that our own reader accepts (the context exists and names a
    server) but the official loader refuses: https, and a client certificate that does not exist."""
    doc = yaml.safe_load(good.read_text())
    doc["clusters"][0]["cluster"]["server"] = "https://127.0.0.1:1"
    doc["users"][0]["user"] = {
        "client-certificate": "/nonexistent/cert.pem",
        "client-key": "/nonexistent/key.pem",
    }
    dest.write_text(yaml.safe_dump(doc))
    return dest


def test_a_kubeconfig_the_official_loader_refuses_is_one_line_exit_2(tmp_path: Path, sandbox, capsys) -> None:
    """The context is checked up front by our own reader and the official client loads while the apps
    render; what only the official loader sees wrong is still one line, not a table of Unknown apps."""
    _, kubeconfig = sandbox
    repo = make_repo(tmp_path)
    bad = unusable_kubeconfig(kubeconfig, tmp_path / "bad-kubeconfig")
    for command in (["status", "--json"], ["diff", "api-staging"]):
        code, out, err = run_cli(
            capsys, *command, "--repo", str(repo), "--kubeconfig", str(bad), "--context", "sandbox"
        )
        assert code == 2, command
        assert out == ""
        assert "/nonexistent/cert.pem" in err and err.count("\n") == 1 and "Traceback" not in err


def test_a_duplicate_app_name_does_not_lend_its_destination_to_the_other(
    tmp_path: Path, sandbox, capsys
) -> None:
    """Two Applications named api-staging, the second aimed at a cluster no context reaches: the first is
    still compared on its own cluster (it once borrowed the duplicate's and failed with 'no kube context')."""
    _, kubeconfig = sandbox
    repo = make_repo(tmp_path)
    ws = Workspace(Settings(kubeconfig=str(kubeconfig), context="sandbox"), GitRepo(repo))
    initial_sync(ws.client(), ws.desired_objects())
    ws.close()
    copy = application("api-staging", "api/overlays/staging", "staging")
    copy["spec"]["destination"] = {"name": "elsewhere", "namespace": "staging"}
    write(repo, "apps/zz-copy.yaml", [copy])
    common = ["--repo", str(repo), "--kubeconfig", str(kubeconfig)]
    code, out, err = run_cli(capsys, "status", "--json", *common, "--context", "sandbox")
    staging = [a for a in json.loads(out)["apps"] if a["name"] == "api-staging"]
    assert [a["context"] for a in staging] == ["sandbox", ""]
    assert staging[0]["sync"] == "Synced", staging[0]["error"]
    assert "duplicate app name api-staging" in staging[1]["error"]
    # and a sync by the name means the first one, not the duplicate
    code, out, err = run_cli(capsys, "sync", "api-staging", "--dry-run", *common)
    assert code == 0 and "nothing to sync" in out, out + err


def test_when_stderr_s_reader_leaves_stdout_keeps_its_output(tmp_path: Path, sandbox) -> None:
    """`status 2>&1 >out.txt | true`: the closed pipe is stderr's. The table already buffered for stdout
    (a file here) must still be written, not thrown away with the broken stream."""
    _, kubeconfig = sandbox
    repo = make_repo(tmp_path)
    broken = "apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata: {name: x\n"
    write(repo, "apps/broken.yaml", broken)  # a discovery error, printed on stderr after the table
    read_end, write_end = os.pipe()
    os.close(read_end)
    env = {k: v for k, v in os.environ.items() if k != "PYTHONUNBUFFERED"}  # block-buffered, as for users
    out_file = tmp_path / "out.txt"
    try:
        with out_file.open("w") as out:
            proc = subprocess.run(
                [sys.executable, "-m", "gitops_tui", "status", "--repo", str(repo)],
                stdout=out,
                stderr=write_end,
                env={**env, "KUBECONFIG": str(kubeconfig)},
                timeout=60,
            )
    finally:
        os.close(write_end)
    assert "api-staging" in out_file.read_text()
    assert proc.returncode == 141


def test_a_repository_with_no_manifests_is_an_error_not_all_in_sync(tmp_path: Path, sandbox, capsys) -> None:
    """Pointed at the wrong directory (a README, nothing to deploy), `status` used to say "0/0 Synced" and
    exit 0, so a CI check passed on it."""
    _, kubeconfig = sandbox
    repo = tmp_path / "docs"
    repo.mkdir()
    git(repo, "init", "-q", "-b", "main")
    (repo / "README.md").write_text("# docs\n")
    commit_all(repo, "docs")
    code, out, err = run_cli(capsys, "status", "--repo", str(repo), "--kubeconfig", str(kubeconfig))
    assert code == 2
    assert "no Kubernetes manifests in this repository" in err and "Synced" not in out


def test_uncommitted_changes_mark_only_the_apps_built_from_them(tmp_path: Path, sandbox, capsys) -> None:
    """`+dirty` is per app: an edit to the staging overlay marks api-staging only, one to the shared base
    both, one to a README neither (automation waits on exactly these apps)."""
    _, kubeconfig = sandbox
    repo = make_repo(tmp_path)
    common = ["--repo", str(repo), "--kubeconfig", str(kubeconfig)]

    def dirty() -> set[str]:
        _, out, _ = run_cli(capsys, "status", "--json", *common)
        return {a["name"] for a in json.loads(out)["apps"] if a["dirty"]}

    (repo / "README.md").write_text("notes\n")
    assert dirty() == set()
    overlay = repo / "api/overlays/staging/kustomization.yaml"
    overlay.write_text(overlay.read_text().replace("count: 1", "count: 2"))
    assert dirty() == {"api-staging"}
    (repo / "api/base/extra.yaml").write_text("# new file\n")
    assert dirty() == {"api-staging", "api-production"}


def test_hard_refreshes_do_not_pile_up_client_threads(tmp_path: Path, sandbox) -> None:
    """Each `R` used to drop the clients without closing them: about a dozen pool threads more per hard
    refresh, for the life of the TUI (found in review)."""
    import threading
    import time

    _, kubeconfig = sandbox
    ws = Workspace(Settings(kubeconfig=str(kubeconfig), context="sandbox"), GitRepo(make_repo(tmp_path)))
    try:
        ws.reconcile_once()

        def pool_threads() -> int:
            return sum(t.name.startswith("cluster-") for t in threading.enumerate())

        first = pool_threads()
        for _ in range(5):
            ws.reconcile_once(hard=True)
        # One client's pool is left (how many threads it started depends on timing, up to its
        # max_workers); the leak was a whole pool more per refresh.
        bound = first + ws.client().max_workers
        deadline = time.monotonic() + 10
        while pool_threads() > bound and time.monotonic() < deadline:
            time.sleep(0.05)
        assert pool_threads() <= bound
    finally:
        ws.close()


def test_compare_options_server_side_diff_false_compares_client_side(tmp_path: Path, sandbox, capsys) -> None:
    """An Application annotated `argocd.argoproj.io/compare-options: ServerSideDiff=false` is compared
    client-side, as Argo CD does: no dry run is sent for it, and the app says so."""
    server, kubeconfig = sandbox
    repo = make_repo(tmp_path)
    app = application("api-staging", "api/overlays/staging", "staging")
    app["metadata"]["annotations"] = {"argocd.argoproj.io/compare-options": "ServerSideDiff=false"}
    write(repo, "apps/api-staging.yaml", [app])
    commit_all(repo, "api-staging: client-side diff")
    ws = Workspace(Settings(kubeconfig=str(kubeconfig), context="sandbox"), GitRepo(repo))
    initial_sync(ws.client(), ws.desired_objects())
    ws.close()
    kubectl = Kubectl(str(kubeconfig), "sandbox")
    kubectl.set_image("Deployment", "staging", "api", "api", "registry.example.com/api:9.9.9")
    kubectl.close()
    server.requests.clear()
    code, out, _ = run_cli(
        capsys,
        "status",
        "--json",
        "--repo",
        str(repo),
        "--kubeconfig",
        str(kubeconfig),
        "--context",
        "sandbox",
    )
    assert code == 1
    apps = {a["name"]: a for a in json.loads(out)["apps"]}
    assert apps["api-staging"]["sync"] == "OutOfSync"
    assert any("compared client-side" in n for n in apps["api-staging"]["notes"])
    assert server.requests.count(dry_run=True) == 0
