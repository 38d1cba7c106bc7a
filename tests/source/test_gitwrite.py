"""Revert, commit and push against real temporary repositories: nobody's work is ever lost."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from gitops_tui.source.gitwrite import (
    DirtyTree,
    NothingToCommit,
    PushFailed,
    PushRejected,
    RevertConflict,
    RevertRefused,
    commit_paths,
    git_identity,
    no_prompt_env,
    preview_revert,
    push,
    revert,
)
from gitops_tui.source.repo import GitRepo

from .repos import commit, configmap, git, init, write


def identify(root: Path) -> None:
    git(root, "config", "user.name", "On Call")
    git(root, "config", "user.email", "oncall@example.com")


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    root = init(tmp_path / "platform")
    identify(root)
    write(root, "web/config.yaml", configmap("web", MODE="a"))
    write(root, "api/config.yaml", configmap("api", MODE="a"))
    commit(root, "initial layout")
    write(root, "web/config.yaml", configmap("web", MODE="b"))
    commit(root, "web: mode b")
    write(root, "api/config.yaml", configmap("api", MODE="b"))
    commit(root, "api: mode b")
    return root


def state(root: Path) -> tuple[str, str, str]:
    """Everything a failed operation must leave as it was."""
    return (
        git(root, "rev-parse", "HEAD"),
        git(root, "status", "--porcelain=v1", "--untracked-files=all"),
        git(root, "diff", "HEAD"),
    )


def test_preview_changes_nothing(repo: Path) -> None:
    before = state(repo)
    preview = preview_revert(GitRepo(repo), "HEAD~1")
    assert state(repo) == before
    assert preview.commit.summary == "web: mode b"
    assert preview.files == ("web/config.yaml",)
    assert "-  MODE: b\n+  MODE: a\n" in preview.patch  # the inverse of the commit


def test_clean_revert(repo: Path) -> None:
    r = GitRepo(repo)
    target = git(repo, "rev-parse", "HEAD~1").strip()
    sha = revert(r, target)
    assert sha == git(repo, "rev-parse", "HEAD").strip() != target
    assert "MODE: a" in (repo / "web/config.yaml").read_text()
    assert "MODE: b" in (repo / "api/config.yaml").read_text()  # later commits stay
    message = git(repo, "log", "-1", "--format=%B")
    assert message.startswith('Revert "web: mode b"') and f"This reverts commit {target}." in message
    assert git(repo, "status", "--porcelain") == ""


def test_dirty_tree_is_refused(repo: Path) -> None:
    (repo / "api/config.yaml").write_text("work in progress\n")
    before = state(repo)
    with pytest.raises(DirtyTree, match="uncommitted changes in api/config.yaml") as info:
        revert(GitRepo(repo), "HEAD~1")
    assert info.value.files == ["api/config.yaml"]
    assert state(repo) == before
    assert (repo / "api/config.yaml").read_text() == "work in progress\n"


def test_untracked_file_is_refused(repo: Path) -> None:
    write(repo, "web/new.yaml", configmap("new"))
    before = state(repo)
    with pytest.raises(DirtyTree) as info:
        revert(GitRepo(repo), "HEAD~1")
    assert info.value.files == ["web/new.yaml"]
    assert state(repo) == before


def test_conflict_is_aborted_cleanly(repo: Path) -> None:
    write(repo, "web/config.yaml", configmap("web", MODE="c"))
    commit(repo, "web: mode c")
    before = state(repo)
    with pytest.raises(RevertConflict, match="web/config.yaml; the revert was aborted") as info:
        revert(GitRepo(repo), "HEAD~2")  # "web: mode b", since changed again
    assert info.value.files == ["web/config.yaml"]
    assert state(repo) == before
    assert not (Path(git(repo, "rev-parse", "--absolute-git-dir").strip()) / "REVERT_HEAD").exists()


def test_merge_commit_needs_a_mainline(repo: Path) -> None:
    git(repo, "checkout", "-q", "-b", "feature", "HEAD~1")
    write(repo, "web/extra.yaml", configmap("extra"))
    commit(repo, "extra")
    git(repo, "checkout", "-q", "main")
    git(repo, "merge", "-q", "--no-ff", "-m", "merge feature", "feature")
    r = GitRepo(repo)
    before = state(repo)
    with pytest.raises(RevertRefused, match="is a merge commit"):
        revert(r, "HEAD")
    assert state(repo) == before
    assert preview_revert(r, "HEAD").files == ("web/extra.yaml",)
    revert(r, "HEAD", mainline=1)
    assert not (repo / "web/extra.yaml").exists()


def test_already_reverted_changes_nothing(repo: Path) -> None:
    r = GitRepo(repo)
    revert(r, "HEAD")
    before = state(repo)
    with pytest.raises(RevertRefused, match="changes nothing"):
        revert(r, "HEAD~1")
    assert state(repo) == before


def test_commit_outside_history_is_refused(repo: Path) -> None:
    git(repo, "checkout", "-q", "-b", "other")
    write(repo, "web/other.yaml", configmap("other"))
    other = commit(repo, "other")
    git(repo, "checkout", "-q", "main")
    with pytest.raises(RevertRefused, match="not in the history of HEAD"):
        revert(GitRepo(repo), other)


def test_commit_paths_takes_only_those_paths(repo: Path) -> None:
    write(repo, "web/config.yaml", configmap("web", MODE="adopted"))
    write(repo, "web/patch.yaml", configmap("patch"))
    write(repo, "api/config.yaml", configmap("api", MODE="someone else's edit"))
    write(repo, "api/staged.yaml", configmap("staged"))
    git(repo, "add", "api/staged.yaml")
    write(repo, "notes.txt", "scratch\n")
    others = git(repo, "status", "--porcelain", "api", "notes.txt")
    r = GitRepo(repo)
    sha = commit_paths(r, ["web/config.yaml", str(repo / "web/patch.yaml")], "adopt: web\n\nincident 42\n")
    assert sha == git(repo, "rev-parse", "HEAD").strip()
    assert git(repo, "log", "-1", "--format=%B") == "adopt: web\n\nincident 42\n\n"
    assert git(repo, "show", "--name-only", "--format=", "HEAD") == "web/config.yaml\nweb/patch.yaml\n"
    assert git(repo, "status", "--porcelain", "api", "notes.txt") == others
    assert git(repo, "status", "--porcelain", "web") == ""
    with pytest.raises(NothingToCommit):
        commit_paths(r, ["web/config.yaml"], "again")


def test_commit_paths_records_a_deletion(repo: Path) -> None:
    (repo / "web/config.yaml").unlink()
    commit_paths(GitRepo(repo), ["web/config.yaml"], "remove web config")
    assert git(repo, "show", "--name-status", "--format=", "HEAD") == "D\tweb/config.yaml\n"


def test_git_identity(repo: Path) -> None:
    assert git_identity(GitRepo(repo)) == "On Call <oncall@example.com>"


# -- push ---------------------------------------------------------------------------------------------
@pytest.fixture
def remote(repo: Path, tmp_path: Path) -> Path:
    bare = tmp_path / "remote.git"
    git(tmp_path, "init", "-q", "--bare", "-b", "main", str(bare))
    git(repo, "remote", "add", "origin", str(bare))
    git(repo, "push", "-q", "-u", "origin", "main")
    return bare


def test_push_to_a_bare_remote(repo: Path, remote: Path) -> None:
    r = GitRepo(repo)
    new = revert(r, "HEAD")
    assert push(r) == new
    assert git(remote, "rev-parse", "main").strip() == new


def test_push_rejected_when_the_remote_moved_on(repo: Path, remote: Path, tmp_path: Path) -> None:
    other = tmp_path / "colleague"
    git(tmp_path, "clone", "-q", str(remote), str(other))
    identify(other)
    write(other, "api/config.yaml", configmap("api", MODE="theirs"))
    commit(other, "their change")
    git(other, "push", "-q", "origin", "main")
    theirs = git(remote, "rev-parse", "main")
    r = GitRepo(repo)
    revert(r, "HEAD")
    with pytest.raises(PushRejected, match="rejected: main -> main .*pull, then push again"):
        push(r)
    assert git(remote, "rev-parse", "main") == theirs


def test_push_to_a_hanging_remote_times_out(repo: Path) -> None:
    git(repo, "config", "protocol.ext.allow", "always")
    git(repo, "remote", "add", "origin", "ext::sleep 60")
    started = time.monotonic()
    with pytest.raises(PushFailed, match="timed out after 1 s"):
        push(GitRepo(repo), timeout=1)
    assert time.monotonic() - started < 10


def test_push_never_prompts_for_credentials(repo: Path) -> None:
    git(repo, "remote", "add", "origin", "https://127.0.0.1:9/platform.git")
    with pytest.raises(PushFailed, match="push to origin failed: .*127.0.0.1"):
        push(GitRepo(repo), timeout=20)


def test_push_needs_a_branch_and_a_remote(repo: Path) -> None:
    r = GitRepo(repo)
    with pytest.raises(PushFailed, match="no remote to push main to"):
        push(r)
    git(repo, "checkout", "-q", "--detach", "HEAD")
    with pytest.raises(PushFailed, match="HEAD is detached"):
        push(r)


def test_ssh_is_told_not_to_ask(repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("GIT_SSH", raising=False)
    monkeypatch.setenv("GIT_SSH_COMMAND", "ssh -i ~/.ssh/deploy")
    env = no_prompt_env(GitRepo(repo))
    assert env["GIT_SSH_COMMAND"] == "ssh -i ~/.ssh/deploy -o BatchMode=yes -o ConnectTimeout=10"
    assert env["GIT_TERMINAL_PROMPT"] == "0" and env["GIT_ASKPASS"]
    monkeypatch.delenv("GIT_SSH_COMMAND")
    git(repo, "config", "core.sshCommand", "/usr/bin/ssh -F /etc/ssh/ops_config")
    assert no_prompt_env(GitRepo(repo))["GIT_SSH_COMMAND"].endswith(
        "ops_config -o BatchMode=yes -o ConnectTimeout=10"
    )
    assert os.environ.get("GIT_SSH_COMMAND") is None


def test_commit_paths_takes_a_directory(repo: Path) -> None:
    write(repo, "web/a.yaml", configmap("a"))
    write(repo, "web/sub/b.yaml", configmap("b"))
    write(repo, "api/config.yaml", configmap("api", MODE="untouched"))
    commit_paths(GitRepo(repo), ["web"], "web files")
    assert git(repo, "show", "--name-only", "--format=", "HEAD") == "web/a.yaml\nweb/sub/b.yaml\n"
    assert git(repo, "status", "--porcelain") == " M api/config.yaml\n"


def test_push_rejected_by_a_remote_hook(repo: Path, remote: Path) -> None:
    hook = remote / "hooks" / "pre-receive"
    hook.write_text("#!/bin/sh\necho 'main is protected' >&2\nexit 1\n")
    hook.chmod(0o755)
    r = GitRepo(repo)
    revert(r, "HEAD")
    with pytest.raises(
        PushRejected,
        match=r"rejected: main -> main \[remote rejected\] \(pre-receive hook declined\) \(remote says: main is protected\)$",
    ):
        push(r)
