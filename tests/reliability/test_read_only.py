"""Read-only mode (flag, environment, repo config): every mutating command exits 2 with a one-line reason,
the audit log stays empty, the cluster receives no write (dry runs are reads) and Git is untouched — even
with --yes, and with real drift for each command to act on."""

from __future__ import annotations

from pathlib import Path

import pytest

from gitops_tui.audit import AuditLog
from gitops_tui.model import ResourceKey

from .conftest import Env, no_traceback
from .reltools import commit_all, configmap, git, tree_state, write, writes


@pytest.fixture
def drifted(env: Env, tmp_path: Path) -> tuple[Env, str]:
    """Drift for sync (scale), prune (a tracked stray), adopt (the scale), revert (a commit), push (a remote)."""
    env.kubectl.scale("Deployment", "web", "web", 6)
    env.kubectl.create(
        {
            "apiVersion": "v1",
            "kind": "ConfigMap",
            "metadata": {
                "name": "stray",
                "namespace": "web",
                "annotations": {"argocd.argoproj.io/tracking-id": "web:/ConfigMap:web/stray"},
            },
        }
    )
    write(env.repo, "web/config.yaml", [configmap("web-config", GREETING="v2")])
    sha = commit_all(env.repo, "web: v2")
    remote = tmp_path / "remote.git"
    git(tmp_path, "init", "-q", "--bare", str(remote))
    # Named as the Applications name the repository; git sends it to the bare one.
    git(env.repo, "config", f"url.{remote}.insteadOf", "https://git.example.com/platform.git")
    git(env.repo, "remote", "add", "origin", "https://git.example.com/platform.git")
    return env, sha


def mutating(sha: str) -> list[list[str]]:
    return [
        ["sync", "web", "--yes"],
        ["sync", "web", "--prune", "--yes"],
        ["sync", "web", "--resource", "Deployment/web/web", "--yes"],
        ["adopt", "web", "--resource", "Deployment/web/web", "--yes", "-m", "keep"],
        ["adopt", "web", "--resource", "Deployment/web/web", "--path", "/spec/replicas", "--yes"],
        ["revert", sha, "--yes"],
        ["revert", sha, "--push", "--sync", "--yes"],
    ]


@pytest.mark.parametrize("how", ["flag", "env", "repo-config"])
def test_every_mutating_command_is_refused(
    drifted: tuple[Env, str], how: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    env, sha = drifted
    extra: list[str] = []
    if how == "flag":
        extra = ["--read-only"]
    elif how == "env":
        monkeypatch.setenv("GITOPS_TUI_READ_ONLY", "1")
    else:
        write(env.repo, ".gitops-tui.yaml", "settings:\n  read_only: true\n")
        commit_all(env.repo, "read-only checkout")
    audit = AuditLog()  # the CLI's own log, under the isolated XDG state directory
    before_tree = tree_state(env.repo)
    before = len(env.server.requests.records)
    for args in mutating(sha):
        code, out, err = env.cli(*args, *extra)
        no_traceback(err)
        assert code == 2, (args, out, err)
        assert "read-only" in err and err.count("\n") == 1, (args, err)
    assert writes(env.server, before) == []
    assert audit.entries() == [] and not audit.path.exists()
    assert tree_state(env.repo) == before_tree
    assert git(env.repo, "ls-remote", "origin") == ""  # nothing pushed
    # Reading is still allowed, and so is a dry run (the server is asked, nothing is written).
    code, out, err = env.cli("sync", "web", "--dry-run", *extra)
    assert code == 1, err  # as kubectl diff: 1 means the sync would change something
    assert "web" in out
    assert writes(env.server, before) == []
    assert (
        env.server.requests.count(verb="apply", dry_run=True)
        + env.server.requests.count(verb="patch", dry_run=True)
        > 0
    )
    assert env.cli("status", *extra)[0] == 1


def test_read_only_actions_refuse_before_any_request(drifted: tuple[Env, str]) -> None:
    env, sha = drifted
    from gitops_tui.actions import Actions, ReadOnlyRefused

    ws = env.workspace(read_only=True)
    actions = Actions(ws, env.audit)
    assert actions.read_only
    plan = actions.plan_sync("web", prune=True)  # planning is a read: allowed
    adopt_plan = actions.plan_adopt("web", ResourceKey("apps", "Deployment", "web", "web"))
    preview = actions.preview_revert(sha)
    before_tree = tree_state(env.repo)
    before = len(env.server.requests.records)
    with pytest.raises(ReadOnlyRefused):
        actions.sync(plan)
    with pytest.raises(ReadOnlyRefused):
        actions.adopt(adopt_plan, "keep")
    with pytest.raises(ReadOnlyRefused):
        actions.revert(sha, preview=preview, push=True, sync=True)
    assert env.server.requests.records[before:] == []  # refused before even a read
    assert env.audit.entries() == []
    assert tree_state(env.repo) == before_tree
