"""Typed errors of the Git side, each with a one-line message meant to be shown as is."""

from __future__ import annotations

from gitops_tui.model import GitopsError


class SourceError(GitopsError):
    """Anything that went wrong reading the repository."""


class NotAGitRepo(SourceError):
    pass


class RevisionNotFound(SourceError):
    pass


class GitCommandFailed(SourceError):
    pass


class ManifestError(SourceError):
    """A file that could not be read as manifests; `file` is relative to the repo root where known."""

    def __init__(self, file: str, line: int | None, problem: str) -> None:
        where = f"{file}:{line}" if line else file
        super().__init__(f"{where}: {problem}")
        self.file = file
        self.line = line
        self.problem = problem


class RenderError(SourceError):
    """Why an app could not be rendered; it becomes that app's error, never a reason to skip other apps."""
