"""Git faults: a dirty tree, untracked files in the app path, a revert conflict, a detached HEAD, a push that
is rejected or hangs, a repo with no commits, a file deleted between render and adopt. Every test snapshots
HEAD, `git status --porcelain` and the bytes of every file before and after: uncommitted work is never lost
and never committed by accident."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from gitops_tui.model import ResourceKey, SyncStatus
from gitops_tui.source.adopt import AdoptRefused, apply_adopt, plan_adopt
from gitops_tui.source.gitwrite import (
    DirtyTree,
    PushFailed,
    PushRejected,
    RevertConflict,
    commit_paths,
    push,
    revert,
)
from gitops_tui.source.render import render_apps
from gitops_tui.source.repo import GitRepo

from .conftest import Env, no_traceback
from .reltools import commit_all, configmap, git, porcelain, tree_state, write

WEB_DEPLOY = ResourceKey("apps", "Deployment", "web", "web")


def edit_config(repo: Path, greeting: str) -> None:
    write(repo, "web/config.yaml", [configmap("web-config", GREETING=greeting)])


def test_status_and_diff_on_a_dirty_tree_change_nothing_in_it(env: Env) -> None:
    edit_config(env.repo, "uncommitted")
    (env.repo / "web/notes.txt").write_text("operator's scratch notes\n")
    write(env.repo, "web/extra.yaml", [configmap("web-extra", A="1")])  # untracked manifest
    before = tree_state(env.repo)
    code, apps, err = env.status()
    assert code == 1, err
    web = {r["name"]: r["sync"] for r in apps["web"]["resources"]}
    # The working tree is what is compared, untracked manifests included.
    assert web["web-config"] == "OutOfSync" and web["web-extra"] == "Missing"
    code, _out, err = env.cli("diff", "web")
    assert code == 1
    no_traceback(err)
    assert tree_state(env.repo) == before


def test_revert_refused_on_a_dirty_tree(env: Env) -> None:
    edit_config(env.repo, "v2")
    sha = commit_all(env.repo, "web: v2")
    edit_config(env.repo, "operator is still typing")
    before = tree_state(env.repo)
    with pytest.raises(DirtyTree, match="web/config.yaml"):
        revert(GitRepo(env.repo), sha)
    assert tree_state(env.repo) == before


def test_revert_refused_with_an_untracked_file_in_the_app_path(env: Env) -> None:
    edit_config(env.repo, "v2")
    sha = commit_all(env.repo, "web: v2")
    (env.repo / "web/new-service.yaml").write_text("# half written\nkind: Service\n")
    before = tree_state(env.repo)
    with pytest.raises(DirtyTree, match="new-service.yaml"):
        revert(GitRepo(env.repo), sha)
    assert tree_state(env.repo) == before


def test_revert_conflict_aborts_to_exactly_the_previous_state(env: Env) -> None:
    edit_config(env.repo, "v2")
    first = commit_all(env.repo, "web: v2")
    edit_config(env.repo, "v3")
    commit_all(env.repo, "web: v3")  # touches the same line: reverting v2 now conflicts
    before = tree_state(env.repo)
    with pytest.raises(RevertConflict, match="web/config.yaml"):
        revert(GitRepo(env.repo), first)
    assert tree_state(env.repo) == before
    assert not (env.repo / ".git/REVERT_HEAD").exists()
    # The tool still works on the repo afterwards.
    code, apps, _ = env.status()
    assert apps["web"]["sync"] == "OutOfSync"  # v3 is in Git, v1 live


def test_detached_head_is_shown_and_works(env: Env) -> None:
    edit_config(env.repo, "v2")
    commit_all(env.repo, "web: v2")
    git(env.repo, "checkout", "-q", "--detach", "HEAD~1")
    before = tree_state(env.repo)
    code, apps, err = env.status()
    assert code == 0, err  # HEAD~1 is what was synced
    header = env.ws.header()
    assert header.head and header.branch != "main"
    # A push needs a branch: a clear refusal, not a push of something unexpected.
    with pytest.raises(PushFailed) as info:
        push(GitRepo(env.repo), timeout=5)
    assert "branch" in info.value.message or "detached" in info.value.message
    assert tree_state(env.repo) == before


def bare_remote(tmp_path: Path, repo: Path, hook: str) -> Path:
    remote = tmp_path / "remote.git"
    git(tmp_path, "init", "-q", "--bare", str(remote))
    git(repo, "remote", "add", "origin", str(remote))
    git(repo, "push", "-q", "origin", "main")
    git(repo, "branch", "-q", "--set-upstream-to=origin/main")
    script = remote / "hooks/pre-receive"
    script.write_text("#!/bin/sh\n" + hook)
    script.chmod(script.stat().st_mode | stat.S_IXUSR)
    return remote


def test_rejected_push_keeps_the_local_commit_and_says_why(env: Env, tmp_path: Path) -> None:
    remote = bare_remote(tmp_path, env.repo, 'echo "main is protected: open a merge request" >&2\nexit 1\n')
    edit_config(env.repo, "v2")
    local = commit_all(env.repo, "web: v2")
    remote_before = git(remote, "rev-parse", "main")
    before = tree_state(env.repo)
    with pytest.raises(PushRejected) as info:
        push(GitRepo(env.repo), timeout=10)
    assert "main is protected" in info.value.message
    assert tree_state(env.repo) == before and before[0] == local
    assert git(remote, "rev-parse", "main") == remote_before


def test_hanging_push_times_out_and_reports(env: Env, tmp_path: Path) -> None:
    remote = bare_remote(tmp_path, env.repo, "sleep 30\n")
    edit_config(env.repo, "v2")
    commit_all(env.repo, "web: v2")
    remote_before = git(remote, "rev-parse", "main")
    before = tree_state(env.repo)
    with pytest.raises(PushFailed, match="timed out"):
        push(GitRepo(env.repo), timeout=1)
    assert tree_state(env.repo) == before
    assert git(remote, "rev-parse", "main") == remote_before


def test_repo_with_no_commits(env: Env, tmp_path: Path) -> None:
    empty = tmp_path / "fresh"
    empty.mkdir()
    git(empty, "init", "-q", "-b", "main")
    write(
        empty,
        "web/config.yaml",
        [{**configmap("c", x="1"), "metadata": {"name": "c", "namespace": "default"}}],
    )
    before = tree_state(empty)
    env.capsys.readouterr()
    from gitops_tui.cli import main

    common = ["--repo", str(empty), "--kubeconfig", str(env.kubeconfig), "--context", "sandbox"]
    code = main(["status", "--json", *common])
    out, err = env.capsys.readouterr()
    no_traceback(err)
    assert code in (1, 2)
    assert code == 2 or '"Missing"' in out  # either a clear refusal or the working tree compared
    assert tree_state(empty) == before
    assert GitRepo(empty).history("web") == []


def _drifted_web(env: Env) -> tuple[object, object, tuple]:
    env.kubectl.scale("Deployment", "web", "web", 7)
    snap = env.ws.reconcile_once()
    status = snap.app("web")
    assert status is not None
    res = next(r for r in status.resources if r.key == WEB_DEPLOY)
    assert res.sync is SyncStatus.OUT_OF_SYNC
    app = env.ws.app_spec("web")
    [rendered] = render_apps(env.repo, [app])
    return app, rendered, res.drift


def test_file_deleted_between_render_and_adopt(env: Env) -> None:
    app, rendered, drift = _drifted_web(env)
    plan = plan_adopt(env.repo, app, rendered, WEB_DEPLOY, drift)  # type: ignore[arg-type]
    (env.repo / "web/deployment.yaml").unlink()
    before = tree_state(env.repo)
    with pytest.raises(AdoptRefused, match="changed since"):
        apply_adopt(env.repo, plan)
    assert tree_state(env.repo) == before
    assert not (env.repo / "web/deployment.yaml").exists()  # not resurrected from the plan


def test_file_edited_between_render_and_adopt_keeps_the_edit(env: Env) -> None:
    app, rendered, drift = _drifted_web(env)
    plan = plan_adopt(env.repo, app, rendered, WEB_DEPLOY, drift)  # type: ignore[arg-type]
    path = env.repo / "web/deployment.yaml"
    path.write_text(path.read_text() + "# operator's edit\n")
    before = tree_state(env.repo)
    with pytest.raises(AdoptRefused, match="changed since"):
        apply_adopt(env.repo, plan)
    assert tree_state(env.repo) == before


def test_adopt_commits_only_its_file_never_the_operators_work(env: Env) -> None:
    app, rendered, drift = _drifted_web(env)
    edit_config(env.repo, "operator is still typing")  # modified, same app path
    (env.repo / "web/notes.txt").write_text("scratch\n")  # untracked, same app path
    config_before = (env.repo / "web/config.yaml").read_bytes()
    plan = plan_adopt(env.repo, app, rendered, WEB_DEPLOY, drift)  # type: ignore[arg-type]
    written = apply_adopt(env.repo, plan)
    assert written == ["web/deployment.yaml"]
    commit_paths(GitRepo(env.repo), written, "adopt: Deployment/web spec.replicas")
    assert git(env.repo, "show", "--name-only", "--format=", "HEAD").split() == ["web/deployment.yaml"]
    assert porcelain(env.repo).splitlines() == [" M web/config.yaml", "?? web/notes.txt"]
    assert (env.repo / "web/config.yaml").read_bytes() == config_before
    assert "replicas: 7" in (env.repo / "web/deployment.yaml").read_text()


# -- the same faults through Actions (what the TUI and the CLI call) -----------------------------------


def _actions(env: Env, **kw: object):  # type: ignore[no-untyped-def]
    from gitops_tui.actions import Actions

    return Actions(env.ws, env.audit, sleep=lambda _s: None, **kw)


def test_actions_revert_refused_on_dirty_tree_and_conflict(env: Env) -> None:
    from gitops_tui.actions import DirtyTree as ActionsDirtyTree
    from gitops_tui.actions import RevertConflict as ActionsRevertConflict

    actions = _actions(env)
    edit_config(env.repo, "v2")
    first = commit_all(env.repo, "web: v2")
    edit_config(env.repo, "v3")
    commit_all(env.repo, "web: v3")
    (env.repo / "web/notes.txt").write_text("scratch\n")
    before = tree_state(env.repo)
    plan = actions.preview_revert(first)
    assert plan.blocked_reason  # the preview already says it would be refused
    with pytest.raises(ActionsDirtyTree):
        actions.revert(first, preview=plan)
    assert tree_state(env.repo) == before
    (env.repo / "web/notes.txt").unlink()
    before = tree_state(env.repo)
    with pytest.raises(ActionsRevertConflict):
        actions.revert(first)
    assert tree_state(env.repo) == before
    assert [e.result for e in env.audit.entries()] == ["failed", "refused"]


def test_actions_revert_then_rejected_push_keeps_the_revert(env: Env, tmp_path: Path) -> None:
    remote = bare_remote(tmp_path, env.repo, 'echo "pushes to main need review" >&2\nexit 1\n')
    edit_config(env.repo, "v2")
    sha = commit_all(env.repo, "web: v2")
    git(env.repo, "push", "-q", "--no-verify", "origin", "main", check=False)  # rejected by the hook too
    result = _actions(env).revert(sha, push=True)
    assert not result.pushed and "pushes to main need review" in result.push_error
    assert git(env.repo, "rev-parse", "HEAD").strip() == result.sha  # the revert commit stands
    assert porcelain(env.repo) == ""
    assert "GREETING: hello" in (env.repo / "web/config.yaml").read_text()
    push_entry = env.audit.entries()[0]
    assert push_entry.action == "push" and push_entry.result == "failed"
    assert remote.exists()


def test_actions_revert_then_hanging_push_times_out(env: Env, tmp_path: Path) -> None:
    bare_remote(tmp_path, env.repo, "sleep 30\n")
    edit_config(env.repo, "v2")
    sha = commit_all(env.repo, "web: v2")
    result = _actions(env, push_timeout=1.0).revert(sha, push=True)
    assert not result.pushed and "timed out" in result.push_error
    assert porcelain(env.repo) == ""


def test_actions_adopt_refused_when_the_operator_edits_the_same_file(env: Env) -> None:
    env.kubectl.scale("Deployment", "web", "web", 7)
    path = env.repo / "web/deployment.yaml"
    path.write_text(path.read_text() + "# work in progress\n")
    before = tree_state(env.repo)
    with pytest.raises(AdoptRefused, match="uncommitted changes in web/deployment.yaml"):
        _actions(env).plan_adopt("web", WEB_DEPLOY)
    assert tree_state(env.repo) == before


def test_actions_adopt_after_the_file_was_deleted_commits_nothing(env: Env) -> None:
    env.kubectl.scale("Deployment", "web", "web", 7)
    actions = _actions(env)
    plan = actions.plan_adopt("web", WEB_DEPLOY)
    (env.repo / "web/deployment.yaml").unlink()
    before = tree_state(env.repo)
    with pytest.raises(AdoptRefused):
        actions.adopt(plan, "keep the scale")
    assert tree_state(env.repo) == before


def test_actions_adopt_with_untracked_files_commits_only_the_adopted_file(env: Env) -> None:
    env.kubectl.scale("Deployment", "web", "web", 7)
    (env.repo / "web/notes.txt").write_text("scratch\n")
    edit_config(env.repo, "operator is still typing")
    config_before = (env.repo / "web/config.yaml").read_bytes()
    actions = _actions(env)
    result = actions.adopt(actions.plan_adopt("web", WEB_DEPLOY), "keep the scale")
    assert result.files == ("web/deployment.yaml",)
    assert git(env.repo, "show", "--name-only", "--format=", "HEAD").split() == ["web/deployment.yaml"]
    assert porcelain(env.repo).splitlines() == [" M web/config.yaml", "?? web/notes.txt"]
    assert (env.repo / "web/config.yaml").read_bytes() == config_before
    assert result.sync is SyncStatus.SYNCED


# -- the same faults through the command line ---------------------------------------------------------


def test_cli_revert_on_a_dirty_tree_or_with_a_conflict_exits_2_and_changes_nothing(env: Env) -> None:
    edit_config(env.repo, "v2")
    first = commit_all(env.repo, "web: v2")
    edit_config(env.repo, "v3")
    commit_all(env.repo, "web: v3")
    (env.repo / "web/notes.txt").write_text("scratch\n")
    before = tree_state(env.repo)
    code, _out, err = env.cli("revert", first, "--yes")
    no_traceback(err)
    assert code == 2 and "web/notes.txt" in err and err.count("\n") == 1, err
    assert tree_state(env.repo) == before
    (env.repo / "web/notes.txt").unlink()
    before = tree_state(env.repo)
    code, _out, err = env.cli("revert", first, "--yes")
    no_traceback(err)
    assert code == 2 and "conflict" in err and "web/config.yaml" in err, err
    assert tree_state(env.repo) == before


def test_cli_revert_with_a_rejected_push_keeps_the_revert_and_exits_2(env: Env, tmp_path: Path) -> None:
    bare_remote(tmp_path, env.repo, 'echo "main is frozen for the release" >&2\nexit 1\n')
    edit_config(env.repo, "v2")
    sha = commit_all(env.repo, "web: v2")
    code, out, err = env.cli("revert", sha, "--push", "--yes")
    no_traceback(err)
    assert code == 2 and "main is frozen for the release" in err, (out, err)
    assert porcelain(env.repo) == ""
    assert git(env.repo, "log", "-1", "--format=%s").startswith("Revert")
    assert "GREETING: hello" in (env.repo / "web/config.yaml").read_text()


def test_cli_adopt_into_a_file_with_uncommitted_edits_exits_2(env: Env) -> None:
    env.kubectl.scale("Deployment", "web", "web", 7)
    path = env.repo / "web/deployment.yaml"
    path.write_text(path.read_text() + "# work in progress\n")
    before = tree_state(env.repo)
    code, _out, err = env.cli("adopt", "web", "--resource", "Deployment/web/web", "--yes", "-m", "x")
    no_traceback(err)
    assert code == 2 and "uncommitted changes in web/deployment.yaml" in err, err
    assert tree_state(env.repo) == before
