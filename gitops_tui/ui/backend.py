"""What the UI needs from the backend (`gitops_tui.orchestration.reconcile.Workspace`), as a protocol: the App is handed
a workspace in its constructor, and tests hand it a fake with the same methods."""

from __future__ import annotations

from typing import Any, Protocol

from gitops_tui.config import Settings
from gitops_tui.model import Commit, HeaderInfo, ResourceDetail, ResourceKey


class Backend(Protocol):
    settings: Settings

    def header(self) -> HeaderInfo: ...

    def reconcile_once(
        self, *, hard: bool = False
    ) -> Any: ...  # a gitops_tui.orchestration.reconcile.Snapshot

    def resource_detail(self, app: str, key: ResourceKey) -> ResourceDetail: ...

    def history(self, app: str, limit: int = 100) -> list[Commit]: ...

    def commit_diff(self, sha: str, path: str | None = None) -> str: ...
