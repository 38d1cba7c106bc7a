from __future__ import annotations

from pathlib import Path

import pytest

from gitops_tui.source.errors import NotAGitRepo, RevisionNotFound
from gitops_tui.source.repo import DETACHED, GitRepo

from .repos import commit, configmap, git, init, write


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    root = init(tmp_path / "platform")
    write(root, "web/config.yaml", configmap("web", MODE="a"))
    write(root, "api/config.yaml", configmap("api", MODE="a"))
    commit(root, "initial layout", when="2024-05-01T10:00:00+00:00")
    write(root, "web/config.yaml", configmap("web", MODE="b"))
    commit(root, "web: mode b", author="Alice", when="2024-05-02T10:00:00+00:00")
    write(root, "api/config.yaml", configmap("api", MODE="b"))
    write(root, "web/extra.yaml", configmap("extra"))
    commit(root, "api: mode b\n\nAlso adds web/extra.", author="Bob", when="2024-05-03T10:00:00+00:00")
    return root


def test_not_a_repository(tmp_path: Path) -> None:
    with pytest.raises(NotAGitRepo, match="is not inside a Git repository"):
        GitRepo(tmp_path)
    with pytest.raises(NotAGitRepo):
        GitRepo(tmp_path / "missing")


def test_finds_the_root_from_a_subdirectory(repo: Path) -> None:
    assert GitRepo(repo / "web").root == repo.resolve()
    assert GitRepo(repo / "web" / "config.yaml").root == repo.resolve()


def test_where_we_are(repo: Path) -> None:
    r = GitRepo(repo)
    full = git(repo, "rev-parse", "HEAD").strip()
    assert (r.branch(), r.head_full(), r.head()) == ("main", full, full[:7])
    git(repo, "checkout", "-q", "--detach", "HEAD~1")
    assert r.branch() == DETACHED
    assert r.head_full() == git(repo, "rev-parse", "HEAD").strip()


def test_repository_without_commits(tmp_path: Path) -> None:
    root = init(tmp_path / "empty")
    r = GitRepo(root)
    assert (r.branch(), r.head(), r.head_full()) == ("main", "", "")
    assert not r.is_dirty()
    assert r.history(".") == []
    with pytest.raises(RevisionNotFound), r.worktree_or_revision("HEAD"):
        pass
    write(root, "a.yaml", configmap("a"))
    assert r.is_dirty()
    assert r.dirty_files() == ["a.yaml"]


def test_dirty_detection_includes_untracked_staged_and_renamed(repo: Path) -> None:
    r = GitRepo(repo)
    assert not r.is_dirty()
    assert r.dirty_files() == []
    write(repo, "web/new/untracked.yaml", configmap("n"))
    assert r.is_dirty()
    assert r.dirty_files() == ["web/new/untracked.yaml"]
    git(repo, "mv", "api/config.yaml", "api/renamed.yaml")
    write(repo, "web/config.yaml", configmap("web", MODE="c"))
    # a rename under both names: a file moved out of an app's directory changes that app (its automation
    # must wait, and a prune of what the file held must not happen from the uncommitted move)
    assert sorted(r.dirty_files()) == [
        "api/config.yaml",
        "api/renamed.yaml",
        "web/config.yaml",
        "web/new/untracked.yaml",
    ]
    assert sorted(r.dirty_files("web")) == ["web/config.yaml", "web/new/untracked.yaml"]
    assert sorted(r.dirty_files("api")) == ["api/config.yaml", "api/renamed.yaml"]


def test_ignored_files_are_not_dirty(repo: Path) -> None:
    write(repo, ".gitignore", "*.swp\n")
    commit(repo, "ignore swap files")
    write(repo, "web/config.yaml.swp", "x")
    assert not GitRepo(repo).is_dirty()


def test_history_is_filtered_by_path_newest_first(repo: Path) -> None:
    r = GitRepo(repo)
    web = r.history("web")
    assert [c.summary for c in web] == ["api: mode b", "web: mode b", "initial layout"]
    assert [c.author for c in web] == ["Bob", "Alice", "Ops"]
    # A commit's files are all it changed: that is what a revert would undo.
    assert web[0].files == ("api/config.yaml", "web/extra.yaml")
    assert web[0].message == "api: mode b\n\nAlso adds web/extra."
    assert web[0].timestamp == 1714730400.0
    assert web[0].short == web[0].sha[:7] and len(web[0].sha) == 40
    assert [c.summary for c in r.history("api")] == ["api: mode b", "initial layout"]
    assert [c.summary for c in r.history("web/config.yaml")] == ["web: mode b", "initial layout"]
    assert len(r.history(".")) == 3
    assert [c.summary for c in r.history("web", limit=1)] == ["api: mode b"]
    assert r.history("nowhere") == []
    assert [c.summary for c in r.history(["api", "web/config.yaml"])] == [
        "api: mode b",
        "web: mode b",
        "initial layout",
    ]


def test_commit_diff_optionally_limited_to_a_path(repo: Path) -> None:
    r = GitRepo(repo)
    full = r.commit_diff("HEAD")
    assert "diff --git a/api/config.yaml b/api/config.yaml" in full
    assert "+++ b/web/extra.yaml" in full
    assert "-  MODE: a\n+  MODE: b" in full
    only_api = r.commit_diff("HEAD", "api")
    assert "api/config.yaml" in only_api and "web/extra.yaml" not in only_api
    assert only_api.startswith("diff --git")
    root_commit = r.history("api")[-1].sha
    assert "new file mode" in r.commit_diff(root_commit)
    with pytest.raises(RevisionNotFound, match="'deadbeef'"):
        r.commit_diff("deadbeef")


def test_worktree_or_revision(repo: Path) -> None:
    r = GitRepo(repo)
    write(repo, "web/config.yaml", configmap("web", MODE="uncommitted"))
    with r.worktree_or_revision(None) as tree:
        assert tree == r.root
        assert "uncommitted" in (tree / "web/config.yaml").read_text()
    with r.worktree_or_revision("HEAD~1") as tree:
        assert tree != r.root and tree.name == r.root.name
        assert "MODE: b" in (tree / "web/config.yaml").read_text()
        assert "MODE: a" in (tree / "api/config.yaml").read_text()
        assert not (tree / "web/extra.yaml").exists()
        assert not (tree / ".git").exists()
    assert not tree.exists() and not tree.parent.exists()
    # The repository's own index and status are untouched.
    assert git(repo, "status", "--porcelain") == " M web/config.yaml\n"
    with pytest.raises(RevisionNotFound, match="'no-such-branch'"), r.worktree_or_revision("no-such-branch"):
        pass
    with pytest.raises(RevisionNotFound), r.worktree_or_revision("--output=/tmp/x"):
        pass


def test_revision_tree_is_removed_even_when_the_body_fails(repo: Path) -> None:
    r = GitRepo(repo)
    with pytest.raises(RuntimeError), r.worktree_or_revision("HEAD") as tree:
        raise RuntimeError("boom")
    assert not tree.exists()
