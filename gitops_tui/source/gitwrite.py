"""Changing the repository: revert a commit, commit chosen paths, push — never losing anyone's work.

Every command runs the `git` command line with no editor and no prompts: these run at 3 a.m. from a
terminal UI, where a waiting prompt would look like a hang. A revert refuses to start on a dirty tree
(untracked files included) and a failed revert is aborted, so the tree is exactly as it was; a commit
takes only the paths it is given; a push cannot ask for a password and is killed after a timeout.
"""

from __future__ import annotations

import contextlib
import getpass
import os
import shlex
import signal
import subprocess
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from gitops_tui.model import Commit, GitopsError
from gitops_tui.source.repo import DETACHED, GitRepo
from gitops_tui.source.secretdiff import mask_patch

_ENV = {
    "GIT_TERMINAL_PROMPT": "0",
    "GIT_EDITOR": "true",  # `git revert` would otherwise open an editor for its message
    "GIT_PAGER": "cat",
    "LC_ALL": "C",
}
_EMPTY_TREE = "4b825dc642cb6eb9a060e54bf8d69288fbee4904"  # git's well-known empty tree object
_MAX_NAMED = 10


class GitWriteError(GitopsError):
    """A write to the repository failed; the repository is as it was unless the message says otherwise."""


class DirtyTree(GitWriteError):
    def __init__(self, files: Sequence[str]) -> None:
        super().__init__(f"uncommitted changes in {_names(files)}: commit or stash them first")
        self.files = list(files)


class RevertConflict(GitWriteError):
    def __init__(self, short: str, files: Sequence[str]) -> None:
        super().__init__(
            f"reverting {short} conflicts with later changes in {_names(files)}; "
            "the revert was aborted and nothing changed"
        )
        self.files = list(files)


class RevertRefused(GitWriteError):
    """A merge commit without a mainline, a commit outside HEAD's history, an operation in progress…"""


class NothingToCommit(GitWriteError):
    pass


class PushRejected(GitWriteError):
    """The remote refused the push (it has commits we do not, or a hook said no)."""


class PushFailed(GitWriteError):
    """The push could not be made: no remote, detached HEAD, authentication, network, timeout."""


def _names(files: Sequence[str]) -> str:
    shown = ", ".join(files[:_MAX_NAMED])
    return shown + (f" and {len(files) - _MAX_NAMED} more" if len(files) > _MAX_NAMED else "")


@dataclass(frozen=True)
class RevertPreview:
    commit: Commit
    files: tuple[str, ...]
    patch: str  # the inverse diff: what the revert will do (raw: it is applied to preview the effect)
    shown: str = ""  # the same diff with Secret values masked: the one to show anyone


def _run(
    repo: GitRepo, *args: str, stdin: str | None = None, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    cmd = ["git", "-c", "core.quotePath=false", "--literal-pathspecs", "-C", str(repo.root), *args]
    try:
        return subprocess.run(
            cmd,
            input=stdin,
            capture_output=True,
            text=True,
            encoding="utf-8",
            errors="replace",
            env={**os.environ, **_ENV, **(env or {})},
            timeout=120,
            check=False,
            stdin=None if stdin is not None else subprocess.DEVNULL,
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise GitWriteError(f"git {args[0]} failed: {exc}") from None


def _reason(proc: subprocess.CompletedProcess[str]) -> str:
    """git's complaint in one line: its `fatal:`/`error:` lines, else everything it said."""
    lines = [line.strip() for line in (proc.stderr + "\n" + proc.stdout).splitlines() if line.strip()]
    errors = [line for line in lines if line.startswith(("fatal:", "error:"))]
    text = " ".join(errors or lines) or f"exit status {proc.returncode}"
    if "Please tell me who you are" in text or "Author identity unknown" in text:
        return "git has no identity to commit with: set user.name and user.email"
    return text


def _git(repo: GitRepo, *args: str, stdin: str | None = None) -> str:
    proc = _run(repo, *args, stdin=stdin)
    if proc.returncode != 0:
        raise GitWriteError(f"git {args[0]} failed in {repo.root}: {_reason(proc)}")
    return proc.stdout


def _git_dir(repo: GitRepo) -> Path:
    return Path(_git(repo, "rev-parse", "--absolute-git-dir").strip())


def _in_progress(repo: GitRepo) -> str:
    git_dir = _git_dir(repo)
    for marker, what in (
        ("MERGE_HEAD", "a merge"),
        ("REVERT_HEAD", "a revert"),
        ("CHERRY_PICK_HEAD", "a cherry-pick"),
        ("rebase-merge", "a rebase"),
        ("rebase-apply", "a rebase"),
    ):
        if (git_dir / marker).exists():
            return what
    return ""


def _commit(repo: GitRepo, sha: str) -> tuple[Commit, list[str]]:
    """The commit and its parents."""
    out = _git(
        repo,
        "log",
        "-1",
        "--name-only",
        "--diff-merges=first-parent",
        "--format=%H%x1f%an%x1f%ae%x1f%at%x1f%s%x1f%P%x1f%B%x1d",
        sha,
        "--",
    )
    header, _, names = out.partition("\x1d")
    full, author, email, stamp, summary, parents, message = header.split("\x1f", 6)
    commit = Commit(
        sha=full,
        short=full[:7],
        author=author,
        email=email,
        timestamp=float(stamp),
        summary=summary,
        message=message.rstrip("\n"),
        files=tuple(n for n in names.splitlines() if n),
    )
    return commit, parents.split()


def preview_revert(repo: GitRepo, sha: str) -> RevertPreview:
    """What reverting `sha` would change (against its first parent for a merge). Changes nothing."""
    commit, parents = _commit(repo, repo.resolve(sha))
    parent = parents[0] if parents else _EMPTY_TREE
    patch = _git(repo, "diff", "--no-color", "--no-ext-diff", commit.sha, parent, "--")
    files = _git(repo, "diff", "--name-only", "--no-renames", commit.sha, parent, "--")
    secret_files = repo.secret_generator_inputs(commit.sha) | repo.secret_generator_inputs(parent)
    shown = mask_patch(
        patch, lambda p: repo.show_file(commit.sha, p), lambda p: repo.show_file(parent, p), secret_files
    )
    return RevertPreview(commit, tuple(f for f in files.splitlines() if f), patch, shown)


def revert(repo: GitRepo, sha: str, *, mainline: int | None = None) -> str:
    """Revert `sha` with a new commit on HEAD and return its sha.

    Refuses (DirtyTree) while anything is uncommitted, untracked files included; a conflict aborts the
    revert, leaving the tree exactly as before (RevertConflict naming the files). A merge commit needs
    `mainline` (1: undo what the merge brought into its first parent)."""
    if what := _in_progress(repo):
        raise RevertRefused(f"{what} is in progress in {repo.root}: finish or abort it first")
    dirty = repo.dirty_files()
    if dirty:
        raise DirtyTree(dirty)
    commit, parents = _commit(repo, repo.resolve(sha))
    if len(parents) > 1 and mainline is None:
        raise RevertRefused(
            f"{commit.short} is a merge commit: say which parent to keep "
            "(mainline 1 undoes what the merge brought into its first parent)"
        )
    if _run(repo, "merge-base", "--is-ancestor", commit.sha, "HEAD").returncode != 0:
        raise RevertRefused(f"{commit.short} is not in the history of HEAD: there is nothing to revert")
    args = ["revert", "--no-edit"]
    if len(parents) > 1:
        args += ["-m", str(mainline)]
    proc = _run(repo, *args, commit.sha)
    if proc.returncode == 0:
        return repo.head_full()
    conflicted = _git(repo, "diff", "--name-only", "--diff-filter=U").split()
    if (_git_dir(repo) / "REVERT_HEAD").exists() or conflicted:
        abort = _run(repo, "revert", "--abort")
        if abort.returncode != 0 or repo.dirty_files():
            raise GitWriteError(
                f"reverting {commit.short} failed and could not be undone cleanly "
                f"({_reason(abort) if abort.returncode else 'the tree is still changed'}): check {repo.root}"
            )
    if conflicted:
        raise RevertConflict(commit.short, conflicted)
    reason = _reason(proc)
    if "nothing to commit" in reason or "nothing added to commit" in reason:
        raise RevertRefused(f"reverting {commit.short} changes nothing: its changes are already undone")
    raise GitWriteError(f"git revert {commit.short} failed: {reason}")


def _relative(repo: GitRepo, path: str) -> str:
    p = Path(path)
    full = (p if p.is_absolute() else repo.root / p).absolute()
    try:
        return full.relative_to(repo.root).as_posix()
    except ValueError:
        raise GitWriteError(f"{path} is outside the repository {repo.root}") from None


def commit_paths(repo: GitRepo, paths: Sequence[str], message: str) -> str:
    """Commit exactly `paths` (files or directories, as they are in the working tree: new, changed or
    deleted) and return the new sha. Everything else — other changed files, other staged changes — is left as it was."""
    rels = sorted({_relative(repo, p) for p in paths})
    if not rels:
        raise NothingToCommit("nothing to commit: no paths given")
    if what := _in_progress(repo):
        raise GitWriteError(f"{what} is in progress in {repo.root}: finish or abort it first")
    changed = repo.dirty_files()
    wanted = [
        c for c in changed if any(c == r or c.startswith(r.rstrip("/") + "/") or r == "." for r in rels)
    ]
    if not wanted:
        raise NothingToCommit(f"nothing to commit: {_names(rels)} unchanged")
    _git(repo, "add", "--all", "--", *wanted)
    _git(
        repo, "commit", "--only", "--quiet", "--cleanup=whitespace", "--file=-", "--", *wanted, stdin=message
    )
    return repo.head_full()


def git_identity(repo: GitRepo) -> str:
    """ "Name <email>" of whoever commits here, for the audit log."""
    proc = _run(repo, "var", "GIT_COMMITTER_IDENT")
    if proc.returncode == 0 and ">" in proc.stdout:
        return proc.stdout.strip().rsplit(" ", 2)[0]
    try:
        user = getpass.getuser()
    except (KeyError, OSError):
        user = "unknown"
    return f"{user} <unknown>"


# -- push -------------------------------------------------------------------------------------------
def _config(repo: GitRepo, key: str) -> str:
    proc = _run(repo, "config", "--get", key)
    return proc.stdout.strip() if proc.returncode == 0 else ""


def no_prompt_env(repo: GitRepo) -> dict[str, str]:
    """An environment in which git (and ssh under it) fails rather than asks for anything."""
    env = {
        "GIT_TERMINAL_PROMPT": "0",
        "GIT_ASKPASS": "true",  # an empty answer: authentication fails instead of prompting
        "SSH_ASKPASS": "true",
        "SSH_ASKPASS_REQUIRE": "never",
        "GCM_INTERACTIVE": "never",  # Git Credential Manager: no dialogs
    }
    if os.environ.get("GIT_SSH") and not os.environ.get("GIT_SSH_COMMAND"):
        return env  # a wrapper program of the user's: not ours to change
    # Keep the user's ssh command (a key file, a jump host) and only forbid it to ask.
    ssh = os.environ.get("GIT_SSH_COMMAND") or _config(repo, "core.sshCommand") or "ssh"
    words = shlex.split(ssh) if ssh else []
    if words and os.path.basename(words[0]) == "ssh":
        ssh += " -o BatchMode=yes -o ConnectTimeout=10"
    env["GIT_SSH_COMMAND"] = ssh
    return env


def _push_target(repo: GitRepo, remote: str | None, branch: str | None) -> tuple[str, str, str]:
    """(remote, local branch, destination ref)."""
    if branch is None:
        branch = repo.branch()
        if branch in (DETACHED, ""):
            raise PushFailed("HEAD is detached (no branch checked out): check out a branch to push")
    if _run(repo, "rev-parse", "--verify", "--quiet", f"refs/heads/{branch}").returncode != 0:
        raise PushFailed(f"there is no local branch {branch} to push")
    upstream_remote = _config(repo, f"branch.{branch}.remote")
    if remote is None:
        remotes = _git(repo, "remote").split()
        if upstream_remote and upstream_remote != ".":
            remote = upstream_remote
        elif "origin" in remotes:
            remote = "origin"
        elif len(remotes) == 1:
            remote = remotes[0]
        else:
            raise PushFailed(f"no remote to push {branch} to: add one with `git remote add`")
    merge = _config(repo, f"branch.{branch}.merge")
    dest = merge if remote == upstream_remote and merge.startswith("refs/heads/") else f"refs/heads/{branch}"
    return remote, branch, dest


def push_target(repo: GitRepo) -> str:
    """Where `push` would send the current branch ("origin refs/heads/main"); PushFailed if nowhere."""
    remote, _, dest = _push_target(repo, None, None)
    return f"{remote} {dest}"


def push(
    repo: GitRepo, *, remote: str | None = None, branch: str | None = None, timeout: float = 30.0
) -> str:
    """Push `branch` (default: the current one) to `remote` (default: its upstream's, else origin) and
    return the sha pushed. Never prompts; killed after `timeout` seconds (PushFailed); a refusal by the
    remote (not a fast-forward, a hook) is PushRejected with git's reason."""
    remote, branch, dest = _push_target(repo, remote, branch)
    sha = _git(repo, "rev-parse", f"refs/heads/{branch}").strip()
    cmd = ["git", "-C", str(repo.root), "push", "--porcelain", remote, f"refs/heads/{branch}:{dest}"]
    env = {**os.environ, **_ENV, **no_prompt_env(repo)}
    try:
        # its own process group, so that a timeout also ends the ssh (or helper) it started
        proc = subprocess.Popen(
            cmd,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            encoding="utf-8",
            errors="replace",
            env=env,
            start_new_session=True,
        )
    except OSError as exc:
        raise PushFailed(f"cannot run git push: {exc.strerror or exc}") from None
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        _kill_group(proc)
        raise PushFailed(
            f"push to {remote} timed out after {timeout:g} s (no answer from the remote)"
        ) from None
    rejected = [line.split("\t") for line in out.splitlines() if line.startswith("!")]
    if rejected:
        parts = rejected[0]
        why = parts[2] if len(parts) > 2 else "rejected"
        hint = ""
        if "fetch first" in why or "non-fast-forward" in why:
            hint = ": the remote has commits this branch does not have; pull, then push again"
        elif said := [line[7:].strip() for line in err.splitlines() if line.startswith("remote:")]:
            hint = f" (remote says: {' '.join(x for x in said if x)})"  # a hook's own explanation
        raise PushRejected(
            f"push to {remote} rejected: {branch} -> {dest.removeprefix('refs/heads/')} {why}{hint}"
        )
    if proc.returncode != 0:
        reason = _reason(subprocess.CompletedProcess(cmd, proc.returncode, out, err))
        raise PushFailed(f"push to {remote} failed: {reason}")
    return sha


def _kill_group(proc: subprocess.Popen[str]) -> None:
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        proc.kill()
    # a descendant that left the group may still hold the pipes: do not wait for it forever
    with contextlib.suppress(subprocess.TimeoutExpired):
        proc.communicate(timeout=5)
