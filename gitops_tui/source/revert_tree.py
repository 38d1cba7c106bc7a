"""The tree a revert would leave, built aside: HEAD with the commit's inverse applied three-way in a private
index, checked out into a temporary directory. The repository (index, HEAD, working tree) is untouched, so
the revert's effect on every rendered app can be previewed before anything is written."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from gitops_tui.source.errors import GitCommandFailed
from gitops_tui.source.repo import GitRepo

_ENV = {"GIT_TERMINAL_PROMPT": "0", "GIT_OPTIONAL_LOCKS": "0", "LC_ALL": "C", "GIT_LFS_SKIP_SMUDGE": "1"}


@dataclass(frozen=True)
class RevertedTree:
    path: Path  # the files as they would be after the revert
    conflicts: tuple[str, ...]  # files the revert would conflict in (the tree then holds HEAD's version)


def _git(
    repo: GitRepo, env: dict[str, str], *args: str, stdin: str | None = None
) -> subprocess.CompletedProcess[str]:
    try:
        return subprocess.run(
            ["git", "-c", "core.quotePath=false", "-C", str(repo.root), *args],
            input=stdin,
            capture_output=True,
            text=True,
            encoding="utf-8",
            errors="replace",
            env={**os.environ, **_ENV, **env},
            timeout=120,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise GitCommandFailed(f"git {args[0]} failed: {exc}") from None


@contextmanager
def reverted_tree(repo: GitRepo, sha: str, inverse_patch: str) -> Iterator[RevertedTree]:
    """HEAD with `inverse_patch` (the inverse of commit `sha`) applied, in a temporary directory named like
    the repository; removed on exit."""
    tmp = Path(tempfile.mkdtemp(prefix="gitops-tui-revert-"))
    try:
        env = {"GIT_INDEX_FILE": str(tmp / "index")}
        proc = _git(repo, env, "read-tree", "HEAD")
        if proc.returncode != 0:
            raise GitCommandFailed(f"git read-tree failed in {repo.root}: {' '.join(proc.stderr.split())}")
        conflicts: tuple[str, ...] = ()
        if inverse_patch.strip():
            proc = _git(repo, env, "apply", "--cached", "--3way", "--allow-empty", "-", stdin=inverse_patch)
            if proc.returncode != 0:
                unmerged = _git(repo, env, "diff", "--name-only", "--diff-filter=U").stdout.split()
                conflicts = (
                    tuple(unmerged) or tuple(_failed_files(proc.stderr)) or ("(patch does not apply)",)
                )
                _git(repo, env, "read-tree", "HEAD")  # show HEAD's tree rather than a half-applied one
        tree = tmp / repo.root.name
        proc = _git(repo, env, "checkout-index", "--all", "--force", f"--prefix={tree}/")
        if proc.returncode != 0:
            raise GitCommandFailed(f"git checkout-index failed: {' '.join(proc.stderr.split())}")
        tree.mkdir(exist_ok=True)
        yield RevertedTree(tree, conflicts)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def _failed_files(stderr: str) -> list[str]:
    out = []
    for line in stderr.splitlines():
        # "error: patch failed: api/base/deployment.yaml:12"
        if line.startswith("error: patch failed: "):
            out.append(line.removeprefix("error: patch failed: ").rsplit(":", 1)[0])
    return list(dict.fromkeys(out))
