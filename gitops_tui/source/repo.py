"""The local Git checkout: where we are (branch, HEAD, dirty), trees of past revisions, history and diffs.

GitPython finds the repository and reads refs; everything else runs the `git` command line, one process per
call, so a `GitRepo` may be shared between the reconcile worker and the UI thread (GitPython's persistent
`cat-file` processes are not thread-safe, so they are never used here).
"""

from __future__ import annotations

import os
import posixpath
import shutil
import subprocess
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path

import git

from gitops_tui.model import Commit
from gitops_tui.source.errors import GitCommandFailed, NotAGitRepo, RevisionNotFound
from gitops_tui.source.imageauto import changed_policies, made_by
from gitops_tui.source.secretdiff import KUSTOMIZATIONS, generator_inputs, mask_patch

DETACHED = "HEAD (detached)"

# Keep git's output stable and its side effects nil: no pager, no locale, no opportunistic index refresh
# (which takes .git/index.lock and races with the operator's own git commands), no LFS downloads.
_ENV = {
    "GIT_TERMINAL_PROMPT": "0",
    "GIT_OPTIONAL_LOCKS": "0",
    "GIT_PAGER": "cat",
    "LC_ALL": "C",
    "GIT_LFS_SKIP_SMUDGE": "1",
}


class GitRepo:
    def __init__(self, path: str | Path) -> None:
        start = Path(path)
        if start.is_file():  # `--repo some/manifest.yaml` means the repository holding it
            start = start.parent
        try:
            self._repo = git.Repo(str(start), search_parent_directories=True)
        except (git.InvalidGitRepositoryError, git.NoSuchPathError):
            raise NotAGitRepo(f"{path} is not inside a Git repository") from None
        if self._repo.bare or self._repo.working_tree_dir is None:
            raise NotAGitRepo(f"{path} is a bare Git repository (no working tree)")
        self.root = Path(self._repo.working_tree_dir).resolve()

    def __repr__(self) -> str:
        return f"GitRepo({str(self.root)!r})"

    # -- where we are ------------------------------------------------------------------------------
    def branch(self) -> str:
        """The current branch ("main"), DETACHED when HEAD points at a commit, "" if HEAD is unreadable."""
        try:
            head = self._repo.head
            if head.is_detached:
                return DETACHED
            return str(head.reference.name)  # also fine on an unborn branch
        except (TypeError, ValueError, OSError):
            return ""

    def head_full(self) -> str:
        """The full sha of HEAD, "" when the repository has no commits yet."""
        try:
            return str(git.SymbolicReference.dereference_recursive(self._repo, "HEAD"))
        except (ValueError, OSError):
            return ""

    def head(self) -> str:
        return self.head_full()[:7]

    def is_dirty(self) -> bool:
        """Uncommitted changes, staged or not, including untracked (not ignored) files."""
        return bool(self._git("status", "--porcelain=v1", "-z", "--untracked-files=normal"))

    def dirty_files(self, path: str | None = None) -> list[str]:
        """Changed, staged, deleted and untracked files (relative to the root), optionally under `path`; a
        renamed file under both its names."""
        args = ["status", "--porcelain=v1", "-z", "--untracked-files=all"]
        if path not in (None, "", "."):
            args += ["--", str(path)]
        entries = self._git(*args).split("\0")
        files: list[str] = []
        i = 0
        while i < len(entries):
            entry = entries[i]
            i += 1
            if len(entry) < 4:
                continue
            files.append(entry[3:])
            if entry[0] in "RC" and i < len(entries):  # "R  new\0old\0": the old name follows, and a
                if entries[i]:  # file moved out of an app's directory changes that app too
                    files.append(entries[i])
                i += 1
        return files

    def remote_urls(self) -> list[str]:
        """Every URL the repository's remotes fetch from or push to (`remote.<name>.url`, `pushurl`), in
        config order: the spellings under which Argo CD Applications and Flux sources name this checkout."""
        try:
            out = self._git("config", "--get-regexp", r"^remote\..*\.(url|pushurl)$")
        except GitCommandFailed:  # no remote at all (git exits 1)
            return []
        return [line.split(None, 1)[1] for line in out.splitlines() if len(line.split(None, 1)) == 2]

    # -- revisions ---------------------------------------------------------------------------------
    def resolve(self, revision: str) -> str:
        """The full sha of a commit-ish ("HEAD~1", "origin/main", a tag). Raises RevisionNotFound."""
        try:
            out = self._git("rev-parse", "--verify", "--quiet", "--end-of-options", f"{revision}^{{commit}}")
        except GitCommandFailed:
            out = ""
        if not out.strip():
            raise RevisionNotFound(f"revision {revision!r} not found in {self.root}")
        return out.strip()

    @contextmanager
    def worktree_or_revision(self, revision: str | None) -> Iterator[Path]:
        """The directory holding the desired state: the working tree itself, or a revision's tree.

        A revision is checked out into a temporary directory through a private index (the repository's own
        index, HEAD and worktree list are untouched) and removed on exit. The tree's directory carries the
        repository's name, so anything named after the root reads the same in both cases.
        """
        if revision is None:
            yield self.root
            return
        sha = self.resolve(revision)
        tmp = Path(tempfile.mkdtemp(prefix="gitops-tui-rev-"))
        try:
            tree = tmp / self.root.name
            env = {"GIT_INDEX_FILE": str(tmp / "index")}
            self._git("read-tree", sha, env=env)
            self._git("checkout-index", "--all", "--force", f"--prefix={tree}/", env=env)
            tree.mkdir(exist_ok=True)  # a revision with no files
            (tmp / "index").unlink(missing_ok=True)
            yield tree
        finally:
            shutil.rmtree(tmp, ignore_errors=True)

    # -- history -----------------------------------------------------------------------------------
    def history(self, path: str | Sequence[str], limit: int = 100, rev: str | None = None) -> list[Commit]:
        """Commits touching `path` (or any of several paths), newest first, from HEAD (or from `rev`).

        `files` lists every file the commit changed, not only those under `path`: a revert undoes all of
        them, so that is the blast radius the operator needs to see.
        """
        if not self.head_full():
            return []
        paths = [path] if isinstance(path, str) else list(path)
        pathspec = [p for p in paths if p not in ("", ".")]
        if len(pathspec) < len(paths):
            pathspec = []  # the root is one of them: the whole history
        out = self._git(
            "log",
            f"-n{int(limit)}",
            "--full-diff",
            "--name-only",
            "--format=%x1e%H%x1f%an%x1f%ae%x1f%at%x1f%s%x1f%B%x1d",
            *([self.resolve(rev)] if rev else []),
            "--",
            *pathspec,
        )
        commits = []
        for chunk in out.split("\x1e")[1:]:
            header, _, names = chunk.partition("\x1d")
            sha, author, email, stamp, summary, message = header.split("\x1f", 5)
            commits.append(
                Commit(
                    sha=sha,
                    short=sha[:7],
                    author=author,
                    email=email,
                    timestamp=float(stamp),
                    summary=summary,
                    message=message.rstrip("\n"),
                    files=tuple(n for n in names.splitlines() if n),
                )
            )
        policies = self._image_policies(commits, pathspec)
        return [replace(c, made_by=made_by(c), image_policies=policies.get(c.sha, ())) for c in commits]

    def _image_policies(self, commits: list[Commit], pathspec: list[str]) -> dict[str, tuple[str, ...]]:
        """The ImagePolicy markers on the lines each commit changed: one `git log -G` over the same
        commits, only those whose changes touch a marker, with their patches."""
        if not commits:
            return {}
        try:
            out = self._git(
                "log",
                "--no-walk=unsorted",
                "-G",
                r"\$imagepolicy",
                "--format=%x1e%H",
                "--patch",
                "--unified=0",
                "--no-color",
                "--no-ext-diff",
                "--diff-merges=first-parent",
                *(c.sha for c in commits),
                "--",
                *pathspec,
            )
        except GitCommandFailed:
            return {}
        found: dict[str, tuple[str, ...]] = {}
        for chunk in out.split("\x1e")[1:]:
            sha, _, patch = chunk.partition("\n")
            policies = changed_policies(patch)
            if policies:
                found[sha.strip()] = policies
        return found

    def commit_diff(self, sha: str, path: str | None = None) -> str:
        """The unified diff a commit made (against its first parent), optionally limited to a path."""
        full = self.resolve(sha)
        args = [
            "show",
            "--no-color",
            "--no-ext-diff",
            "--format=",
            "--patch",
            "--diff-merges=first-parent",
            full,
        ]
        if path not in (None, "", "."):
            args += ["--", str(path)]
        patch = self._git(*args).lstrip("\n")
        # Secret values never show, not even in a commit's diff: those lines are masked.
        secret_files = self.secret_generator_inputs(full) | self.secret_generator_inputs(f"{full}^")
        return mask_patch(
            patch, lambda p: self.show_file(f"{full}^", p), lambda p: self.show_file(full, p), secret_files
        )

    def secret_generator_inputs(self, revision: str) -> set[str]:
        """The files Kustomize secretGenerators read at a revision (one `git grep`, then only the
        kustomizations that mention one are read): their changes are masked whole in commit diffs."""
        try:
            out = self._git("grep", "-l", "-I", "--fixed-strings", "-e", "secretGenerator", revision)
        except GitCommandFailed:  # no match (exit 1), or no such revision (a root commit's parent)
            return set()
        paths = [line.split(":", 1)[1] for line in out.splitlines() if ":" in line]
        kustomizations = {
            p: self.show_file(revision, p) for p in paths if posixpath.basename(p) in KUSTOMIZATIONS
        }
        return generator_inputs(kustomizations)

    def show_file(self, revision: str, path: str) -> str:
        """A file's text at a revision; "" where it does not exist there."""
        try:
            return self._git("show", f"{revision}:{path}")
        except GitCommandFailed:
            return ""

    # -- plumbing ----------------------------------------------------------------------------------
    def _git(self, *args: str, env: dict[str, str] | None = None) -> str:
        cmd = ["git", "-c", "core.quotePath=false", "--literal-pathspecs", "-C", str(self.root), *args]
        try:
            proc = subprocess.run(
                cmd,
                capture_output=True,
                text=True,
                encoding="utf-8",
                errors="replace",
                env={**os.environ, **_ENV, **(env or {})},
                timeout=120,
                check=False,
            )
        except (OSError, subprocess.TimeoutExpired) as exc:
            raise GitCommandFailed(f"git {args[0]} failed: {exc}") from None
        if proc.returncode != 0:
            reason = " ".join(proc.stderr.split()) or f"exit status {proc.returncode}"
            raise GitCommandFailed(f"git {args[0]} failed in {self.root}: {reason}")
        return proc.stdout
