"""What every mutation shares: the read-only guard, one action at a time per app (and per repository),
who is acting (for the audit log), and the audit log itself."""

from __future__ import annotations

import fcntl
import hashlib
import os
import re
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from gitops_tui.audit import AuditEntry, AuditLog
from gitops_tui.config import state_dir
from gitops_tui.model import GitopsError
from gitops_tui.orchestration.reconcile import Workspace

REPO_LOCK = "\0repository"  # revert and adopt write the repository: one at a time, whatever the app


class ReadOnlyRefused(GitopsError):
    def __init__(self, what: str) -> None:
        super().__init__(f"read-only mode: refusing to {what}")


class ActionBusy(GitopsError):
    """Another mutation holds the app (or the repository); nothing was done."""


class ActionsBase:
    def __init__(
        self,
        workspace: Workspace,
        audit: AuditLog | None = None,
        *,
        sleep: Callable[[float], None] = time.sleep,
        push_timeout: float = 30.0,
    ) -> None:
        self.ws = workspace
        self.audit = audit or AuditLog()
        self._sleep = sleep
        self.push_timeout = push_timeout
        self._locks: dict[str, threading.Lock] = {}
        self._guard = threading.Lock()

    # -- guards ----------------------------------------------------------------------------------------
    @property
    def read_only(self) -> bool:
        return bool(self.ws.settings.read_only)

    def _check_writable(self, what: str) -> None:
        if self.read_only:
            raise ReadOnlyRefused(what)

    def app_lock(self, app: str) -> threading.Lock:
        """The lock a mutation of `app` holds; a second mutation finds it taken and is refused (ActionBusy)."""
        with self._guard:
            return self._locks.setdefault(app, threading.Lock())

    def repo_lock(self) -> threading.Lock:
        return self.app_lock(REPO_LOCK)

    @contextmanager
    def _holding(self, *names: str) -> Iterator[None]:
        """Take the named locks without waiting, or raise ActionBusy having taken none. Each is a lock in
        this process and a lock file (flock) for the repository, so that another process — the CLI in a
        second terminal while the TUI syncs — is refused too."""
        taken: list[threading.Lock] = []
        files: list[int] = []
        try:
            for name in names:
                what = "the repository" if name == REPO_LOCK else name
                busy = f"another action on {what} is running; try again when it finishes"
                lock = self.app_lock(name)
                if not lock.acquire(blocking=False):
                    raise ActionBusy(busy)
                taken.append(lock)
                fd = self._lock_file(name)
                if fd is not None:
                    try:
                        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    except OSError:
                        os.close(fd)
                        raise ActionBusy(f"{busy} (in another gitops-tui process)") from None
                    files.append(fd)
            yield
        finally:
            for fd in reversed(files):
                fcntl.flock(fd, fcntl.LOCK_UN)
                os.close(fd)
            for lock in reversed(taken):
                lock.release()

    def _lock_file(self, name: str) -> int | None:
        """An open lock file for `name` in this repository (None where none can be made: then only this
        process is guarded)."""
        repo = hashlib.sha256(str(self.ws.repo.root.resolve()).encode()).hexdigest()[:16]
        safe = "repository" if name == REPO_LOCK else re.sub(r"[^A-Za-z0-9._-]", "_", name)
        folder = state_dir() / "locks"
        try:
            folder.mkdir(parents=True, exist_ok=True)
            return os.open(folder / f"{repo}-{safe}.lock", os.O_RDWR | os.O_CREAT, 0o600)
        except OSError:
            return None

    # -- audit -----------------------------------------------------------------------------------------
    def _who(self, app: str | None) -> dict[str, str]:
        from gitops_tui.source.gitwrite import git_identity

        try:
            client = self.ws.client_for(app) if app else self.ws.client()
            context, user = client.context, client.user
        except GitopsError:
            context, user = self.ws.settings.context or "", ""
        try:
            git_user = git_identity(self.ws.repo)
        except GitopsError:
            git_user = ""
        return {"context": context, "kube_user": user, "git_user": git_user}

    def record(self, entry: AuditEntry) -> AuditEntry:
        """Append an entry to the audit log with the who-fields (Git user, context, kube user) filled in
        as for our own mutations; automation and freeze use it for theirs."""
        who = self._who(entry.app or None)
        return self.audit.record(
            AuditEntry(**{**entry.__dict__, **{k: v for k, v in who.items() if not getattr(entry, k)}})
        )
