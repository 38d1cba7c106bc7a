"""Read-only mode (`--read-only` or the setting): every mutating command exits 2 with a one-line reason, the
API server receives no write, Git is untouched and the audit log stays empty. What only reads still works."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from clitools import Env, synced_env
from repotools import commit_all, write
from test_status_cli import make_repo

from gitops_tui.actions import Actions, ReadOnlyRefused
from gitops_tui.audit import AuditLog
from gitops_tui.config import Settings
from gitops_tui.model import ResourceKey
from gitops_tui.orchestration.reconcile import Workspace
from gitops_tui.source.repo import GitRepo


@pytest.fixture
def env(tmp_path: Path, capsys, monkeypatch) -> Iterator[Env]:
    with synced_env(tmp_path, make_repo(tmp_path), capsys, monkeypatch) as e:
        e.kubectl.scale("Deployment", "production", "api", 5)
        e.kubectl.delete("Service", "production", "api")
        write(
            e.repo,
            "api/base/configmap.yaml",
            [
                {
                    "apiVersion": "v1",
                    "kind": "ConfigMap",
                    "metadata": {"name": "api-config"},
                    "data": {"MODE": "x"},
                }
            ],
        )
        commit_all(e.repo, "api: mode x")
        yield e


@pytest.mark.parametrize(
    "command",
    [
        ["sync", "api-production", "--yes"],
        ["sync", "api-production", "--prune", "--yes"],
        ["adopt", "api-production", "--resource", "Deployment/production/api", "-m", "x", "--yes"],
        ["revert", "HEAD", "--yes"],
        ["revert", "HEAD", "--push", "--sync", "--yes"],
    ],
    ids=["sync", "sync-prune", "adopt", "revert", "revert-push-sync"],
)
def test_every_mutating_command_is_refused(env: Env, command: list[str]) -> None:
    head, before = env.head(), env.mark()
    code, out, err = env.cli(*command, "--read-only")
    assert code == 2
    assert err.startswith("gitops-tui: read-only mode: refusing to ") and err.count("\n") == 1
    assert env.writes(before) == []
    assert env.head() == head and env.git("status", "--porcelain") == ""
    assert env.audit() == []


def test_the_setting_refuses_like_the_flag(env: Env, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GITOPS_TUI_READ_ONLY", "1")
    before = env.mark()
    code, _, err = env.cli("sync", "api-production", "--yes")
    assert code == 2 and "read-only mode" in err
    assert env.writes(before) == [] and env.audit() == []


def test_reading_still_works(env: Env) -> None:
    before = env.mark()
    code, out, err = env.cli("sync", "api-production", "--dry-run", "--read-only")
    assert code == 1, err
    assert "would be created" in out and "would be updated" in out
    code, out, _ = env.cli("history", "api-production", "--read-only")
    assert code == 0 and "api: mode x" in out
    assert env.writes(before) == [] and env.audit() == []
    assert env.status()["api-production"]["sync"] == "OutOfSync"


def test_the_actions_api_refuses_before_anything(env: Env) -> None:
    """What the TUI calls: planning is allowed, every mutation raises ReadOnlyRefused."""
    ws = Workspace(
        Settings(kubeconfig=str(env.kubeconfig), context="sandbox", read_only=True), GitRepo(env.repo)
    )
    actions = Actions(ws, AuditLog())
    head, before = env.head(), env.mark()
    try:
        plan = actions.plan_sync("api-production", prune=True)
        assert plan.count("update") == 2
        with pytest.raises(ReadOnlyRefused):
            actions.sync(plan)
        adopt = actions.plan_adopt("api-production", ResourceKey("apps", "Deployment", "production", "api"))
        with pytest.raises(ReadOnlyRefused):
            actions.adopt(adopt, "x")
        assert actions.preview_revert("HEAD").affected_apps == ("api-production", "api-staging")
        with pytest.raises(ReadOnlyRefused):
            actions.revert("HEAD", push=True, sync=True)
    finally:
        ws.close()
    assert env.writes(before) == [] and env.head() == head and env.git("status", "--porcelain") == ""
    assert env.audit() == []
