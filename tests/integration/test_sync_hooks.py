"""Argo CD's annotations through the real CLI against the sandbox: a directory app shaped like
argocd-example-apps' sync-waves / pre-post-sync (waves, PreSync / Sync / PostSync hooks, a generateName hook),
with CreateNamespace=true, Replace=true and Prune=false — what the plan says, what the server receives, and
hooks listed apart in `status --json`, never applied, never pruned."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from clitools import Env
from repotools import commit_all, git, write

from gitops_tui.actions import Actions
from gitops_tui.audit import AuditLog
from gitops_tui.config import Settings
from gitops_tui.orchestration.reconcile import Workspace
from gitops_tui.sandbox.kubectl import Kubectl
from gitops_tui.sandbox.server import SandboxServer
from gitops_tui.source.repo import GitRepo

NS = "waves"
TRACKING = "argocd.argoproj.io/tracking-id"
HOOK = "argocd.argoproj.io/hook"


def application() -> dict:
    return {
        "apiVersion": "argoproj.io/v1alpha1",
        "kind": "Application",
        "metadata": {"name": "waves", "namespace": "argocd"},
        "spec": {
            "project": "default",
            "source": {"repoURL": "https://git.example.com/platform.git", "path": "waves"},
            "destination": {"server": "https://kubernetes.default.svc", "namespace": NS},
            "syncPolicy": {"syncOptions": ["CreateNamespace=true"]},
        },
    }


def job(name: str, phase: str, **annotations: str) -> dict:
    meta: dict = {"annotations": {HOOK: phase, **annotations}}
    meta.update({"generateName": name} if name.endswith("-") else {"name": name})
    spec = {
        "containers": [{"name": "run", "image": "alpine:3.20", "command": ["true"]}],
        "restartPolicy": "Never",
    }
    return {"apiVersion": "batch/v1", "kind": "Job", "metadata": meta, "spec": {"template": {"spec": spec}}}


def replicaset(name: str, wave: str | None = None) -> dict:
    meta: dict = {"name": name}
    if wave:
        meta["annotations"] = {"argocd.argoproj.io/sync-wave": wave}
    labels = {"tier": name}
    template = {
        "metadata": {"labels": labels},
        "spec": {"containers": [{"name": "main", "image": "nginx:1.27"}]},
    }
    return {
        "apiVersion": "apps/v1",
        "kind": "ReplicaSet",
        "metadata": meta,
        "spec": {"replicas": 1, "selector": {"matchLabels": labels}, "template": template},
    }


def configmap(name: str, data: dict, **annotations: str) -> dict:
    meta: dict = {"name": name}
    if annotations:
        meta["annotations"] = annotations
    return {"apiVersion": "v1", "kind": "ConfigMap", "metadata": meta, "data": data}


def make_repo(root: Path) -> Path:
    repo = root / "platform"
    repo.mkdir()
    git(repo, "init", "-q", "-b", "main")
    write(repo, "apps/waves.yaml", [application()])
    write(
        repo,
        "waves/manifests.yaml",
        [
            job("upgrade-sql-schema-", "PreSync"),
            configmap("settings", {"MODE": "blue"}, **{"argocd.argoproj.io/sync-wave": "-1"}),
            replicaset("backend"),
            configmap("big", {"SIZE": "1"}, **{"argocd.argoproj.io/sync-options": "Replace=true"}),
            job("maint-page-up", "Sync", **{"argocd.argoproj.io/sync-wave": "1"}),
            replicaset("frontend", "2"),
            job("smoke", "PostSync", **{"argocd.argoproj.io/hook-delete-policy": "HookSucceeded"}),
        ],
    )
    write(
        repo,
        "waves/keep.yaml",
        [configmap("keep", {"A": "1"}, **{"argocd.argoproj.io/sync-options": "Prune=false"})],
    )
    commit_all(repo, "waves: initial")
    return repo


@pytest.fixture
def env(tmp_path: Path, capsys, monkeypatch) -> Iterator[Env]:
    """The sandbox with controllers (ReplicaSets become healthy between waves) and nothing applied yet:
    not even the destination namespace."""
    monkeypatch.setenv("GITOPS_TUI_HEALTH_TIMEOUT", "20")
    repo = make_repo(tmp_path)
    server = SandboxServer(controllers=True, controller_delay=0.01).start()
    kubeconfig = server.write_kubeconfig(tmp_path / "kubeconfig", context="sandbox")
    kubectl = Kubectl(str(kubeconfig), "sandbox")
    try:
        yield Env(server, kubeconfig, repo, kubectl, capsys)
    finally:
        kubectl.close()
        server.stop()


def test_a_sync_in_waves_with_hooks_and_sync_options(env: Env) -> None:
    # The preview (--dry-run) shows the waves, the namespace to create and the hooks not run; it writes nothing.
    before = env.mark()
    code, out, err = env.cli("sync", "waves", "--dry-run")
    assert code == 1, out + err
    lines = out.splitlines()
    assert "sync waves: 6 to create, 0 to update, 0 to prune; 3 hook(s) not run by gitops-tui" in lines
    assert lines.index("  [first of all]") < lines.index("  create   Namespace/waves")
    assert "  hook     PreSync Job.batch/waves/upgrade-sql-schema-…: not run by gitops-tui" in lines
    assert lines.index("  [Sync wave -1]") < lines.index("  create   ConfigMap/waves/settings")
    assert "  hook     Sync Job.batch/waves/maint-page-up: not run by gitops-tui" in lines
    assert "  hook     PostSync Job.batch/waves/smoke: not run by gitops-tui" in lines
    assert "      Replace=true: created (POST), not applied" in lines
    # Objects in the namespace the sync would create cannot be checked by the server: said, not failed.
    assert "would be created (namespace waves is created first; not checked by the server)" in out
    assert env.writes(before) == []
    # Read-only mode previews the same, and refuses the sync itself.
    code, same, err = env.cli("sync", "waves", "--dry-run", "--read-only")
    assert code == 1 and same.splitlines()[1:] == lines[1:], err
    code, _, err = env.cli("sync", "waves", "--yes", "--read-only")
    assert code == 2 and "read-only mode" in err
    assert env.writes(before) == []

    # The sync: the namespace first, then each wave in order (a wave once the one before is healthy).
    before = env.mark()
    code, out, err = env.cli("sync", "waves", "--yes")
    assert code == 0, out + err
    sent = [(m, p.split("?")[0]) for m, p in env.writes(before)]
    paths = [p for _, p in sent]
    # One kind after another, each kind's objects at once (so in any order among themselves).
    assert paths[:2] == ["/api/v1/namespaces/waves", "/api/v1/namespaces/waves/configmaps/settings"]
    assert sorted(sent[2:4]) == [
        ("PATCH", "/api/v1/namespaces/waves/configmaps/keep"),
        ("POST", "/api/v1/namespaces/waves/configmaps"),  # big, Replace=true on a missing object: POST
    ]
    assert paths[4:] == [
        "/apis/apps/v1/namespaces/waves/replicasets/backend",
        "/apis/apps/v1/namespaces/waves/replicasets/frontend",  # wave 2, once backend is healthy
    ]
    assert not any("/jobs" in p for p in paths)  # hooks are never applied
    namespace = env.live("Namespace", "", NS)
    assert TRACKING not in (namespace["metadata"].get("annotations") or {})  # not part of the app

    # An earlier Argo CD sync left a run of the PreSync hook (named from generateName, its tracking id
    # without a name); someone edits the Replace=true ConfigMap and adds a label; keep leaves Git.
    run = job("upgrade-sql-schema-", "PreSync")
    run["metadata"] = {
        "name": "upgrade-sql-schema-4f2c1d0-presync-1718000000",
        "namespace": NS,
        "annotations": {HOOK: "PreSync", TRACKING: f"waves:batch/Job:{NS}/"},
    }
    env.kubectl.create(run)
    env.kubectl.patch("ConfigMap", NS, "big", {"metadata": {"labels": {"by": "hand"}}, "data": {"SIZE": "2"}})
    (env.repo / "waves/keep.yaml").unlink()
    commit_all(env.repo, "waves: keep is no longer in Git")

    code, out, err = env.cli("status", "--json")
    assert code == 1, err
    [app] = json.loads(out)["apps"]
    resources = {(r["kind"], r["name"]): r for r in app["resources"]}
    assert not any(kind == "Job" for kind, _ in resources)  # hooks are not resources
    assert resources[("ConfigMap", "keep")]["sync"] == "RequiresPruning"
    assert resources[("ConfigMap", "keep")]["syncOptions"] == ["Prune=false"]
    assert resources[("ConfigMap", "big")]["sync"] == "OutOfSync"
    hooks = {(h["phases"][0], h["name"] or h["generateName"]): h for h in app["hooks"]}
    assert set(hooks) == {
        ("PreSync", "upgrade-sql-schema-"),
        ("Sync", "maint-page-up"),
        ("PostSync", "smoke"),
    }
    pre = hooks[("PreSync", "upgrade-sql-schema-")]
    assert pre["live"]["name"] == "upgrade-sql-schema-4f2c1d0-presync-1718000000" and pre["inGit"] is True
    assert pre["deletePolicies"] == ["BeforeHookCreation"]
    assert hooks[("PostSync", "smoke")]["deletePolicies"] == ["HookSucceeded"]
    assert hooks[("Sync", "maint-page-up")]["live"] is None and hooks[("Sync", "maint-page-up")]["wave"] == 1

    # With --prune: big is replaced (PUT: the hand-made label is gone), keep (Prune=false) and the hook's
    # live run stay.
    before = env.mark()
    code, out, err = env.cli("sync", "waves", "--prune", "--yes")
    assert code == 0, out + err
    assert "  replace  ConfigMap/waves/big" in out
    assert "skip     ConfigMap/waves/keep" in out and "(Prune=false)" in out
    assert [(m, p.split("?")[0]) for m, p in env.writes(before)] == [
        ("PUT", "/api/v1/namespaces/waves/configmaps/big")
    ]
    big = env.live("ConfigMap", NS, "big")
    assert big["data"] == {"SIZE": "1"} and "by" not in (big["metadata"].get("labels") or {})
    assert big["metadata"]["annotations"][TRACKING] == f"waves:/ConfigMap:{NS}/big"
    assert env.live("ConfigMap", NS, "keep")["data"] == {"A": "1"}
    assert env.live("Job", NS, "upgrade-sql-schema-4f2c1d0-presync-1718000000")


def test_a_wave_waits_for_the_one_before_to_be_healthy(tmp_path: Path, sandbox) -> None:
    """No controllers here: the wave-0 ReplicaSet never becomes ready, so the wave-1 ConfigMap is never
    applied, and the result says why (Argo CD would wait as long; we wait up to the health timeout)."""
    server, kubeconfig = sandbox
    repo = tmp_path / "platform"
    repo.mkdir()
    git(repo, "init", "-q", "-b", "main")
    write(repo, "apps/waves.yaml", [application()])
    write(
        repo,
        "waves/manifests.yaml",
        [
            {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": NS}},
            replicaset("backend"),
            configmap("after", {"A": "1"}, **{"argocd.argoproj.io/sync-wave": "1"}),
        ],
    )
    commit_all(repo, "waves")
    settings = Settings(repo=str(repo), kubeconfig=str(kubeconfig), context="sandbox", health_timeout=0.2)
    ws = Workspace(settings, GitRepo(repo))
    try:
        actions = Actions(ws, AuditLog(tmp_path / "audit.jsonl"), sleep=lambda _s: time.sleep(0.05))
        plan = actions.plan_sync("waves")
        assert [[c.key.name for c in step] for step in plan.waves] == [[NS], ["backend"], ["after"]]
        result = actions.sync(plan)
        assert [r.key.name for r in result.applied] == [NS, "backend"]
        assert result.aborted.startswith(
            f"ReplicaSet.apps/{NS}/backend still Progressing 0.2 s after Sync wave 0"
        )
        assert result.aborted.endswith("; later waves were not attempted")
        assert server.store.get(("", "configmaps"), NS, "after") is None
    finally:
        ws.close()
