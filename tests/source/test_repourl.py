"""Which spellings of a repository URL name the same repository (Argo CD's repoURL, Flux's url)."""

from __future__ import annotations

from pathlib import Path

import pytest

from gitops_tui.source.repo import GitRepo
from gitops_tui.source.repourl import local_checkout, names_checkout, repo_key


@pytest.mark.parametrize(
    "url",
    [
        "https://github.com/argoproj/argocd-example-apps",
        "https://github.com/argoproj/argocd-example-apps.git",
        "https://github.com/argoproj/argocd-example-apps/",
        "https://GitHub.com/argoproj/argocd-example-apps.git",
        "https://user:token@github.com/argoproj/argocd-example-apps.git",
        "https://github.com:443/argoproj/argocd-example-apps",
        "git@github.com:argoproj/argocd-example-apps.git",
        "ssh://git@github.com/argoproj/argocd-example-apps.git",
        "ssh://git@github.com:22/argoproj/argocd-example-apps",
        "http://github.com/argoproj/argocd-example-apps",
    ],
)
def test_spellings_of_one_repository_have_one_key(url: str) -> None:
    assert repo_key(url) == "github.com/argoproj/argocd-example-apps"


def test_different_repositories_differ() -> None:
    assert repo_key("https://github.com/org/a") != repo_key("https://github.com/org/ab")
    assert repo_key("https://github.com/org/a") != repo_key("https://gitlab.com/org/a")
    assert repo_key("ssh://git@git.example.com:2222/org/a") != repo_key("ssh://git@git.example.com/org/a")
    assert not names_checkout("", ["https://github.com/org/a"])


def test_local_paths_and_file_urls() -> None:
    assert repo_key("/srv/git/platform.git") == "/srv/git/platform"
    assert repo_key("file:///srv/git/platform.git") == "/srv/git/platform"


def test_names_checkout_and_mapping() -> None:
    remotes = ["git@github.com:acme/platform.git"]
    assert names_checkout("https://github.com/acme/platform", remotes)
    assert not names_checkout("https://github.com/acme/charts", remotes)
    mapping = {"https://github.com/acme/charts.git": Path("/src/charts")}
    assert local_checkout("git@github.com:acme/charts", mapping) == Path("/src/charts")
    assert local_checkout("https://github.com/acme/other", mapping) is None


def test_remote_urls_of_a_checkout(tmp_path: Path) -> None:
    import subprocess

    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    repo = GitRepo(tmp_path)
    assert repo.remote_urls() == []
    subprocess.run(
        ["git", "-C", str(tmp_path), "remote", "add", "origin", "https://github.com/acme/platform.git"],
        check=True,
    )
    subprocess.run(
        ["git", "-C", str(tmp_path), "config", "remote.origin.pushurl", "git@github.com:acme/platform.git"],
        check=True,
    )
    assert repo.remote_urls() == ["https://github.com/acme/platform.git", "git@github.com:acme/platform.git"]
