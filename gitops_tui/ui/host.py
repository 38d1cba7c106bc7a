"""What the screens, the command palette and the mutation flows use of the running app, as protocols.

`app.py` composes: it imports every screen and implements `GitopsHost`. The modules below it import only
this, never `app.py`, so the UI has no import circle (as posting and harlequin keep theirs): a screen asks
the app for the snapshot, the clock or a mutation through these names, and the app is free to change how it
provides them. Textual's own App API (`push_screen`, `notify`, `call_from_thread`...) is typed by Textual.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, Protocol

from gitops_tui.config import Settings
from gitops_tui.model import Commit, ResourceKey
from gitops_tui.ui.backend import Backend


class MutationFlows(Protocol):
    """The confirm-then-run flows of every mutation (ui/mutations.py)."""

    def allowed(self, what: str) -> bool: ...

    def sync(self, app_name: str, selected: Sequence[ResourceKey] | None = None) -> None: ...

    def adopt(self, app_name: str, key: ResourceKey, paths: Sequence[str] = ()) -> None: ...

    def adopt_lines(self, app_name: str, key: ResourceKey, left: set[int], right: set[int]) -> None: ...

    def revert(self, app_name: str, commit: Commit) -> None: ...


class GitopsHost(Protocol):
    """The running gitops-tui app, as the rest of the UI sees it."""

    backend: Backend
    settings: Settings
    actions: Any  # gitops_tui.actions.Actions, or None: nothing can be changed

    @property
    def mutations(self) -> MutationFlows: ...

    loop: Any  # ui.reconcile_loop.ReconcileLoop: its `events`
    clock: Callable[[], float]
    snapshot: Any  # gitops_tui.orchestration.reconcile.Snapshot, None before the first reconcile
    header_info: Any  # gitops_tui.model.HeaderInfo
    reconciling: bool
    problem: str

    def mutation_allowed(self) -> bool: ...

    def open_app(self, name: str) -> None: ...

    def action_refresh(self) -> None: ...

    def frozen_apps(self) -> dict[str, float]: ...


class TextualHost(GitopsHost, Protocol):
    """A GitopsHost with the Textual App methods the mutation flows call from their worker threads."""

    def run_worker(self, work: Any, *args: Any, **kwargs: Any) -> Any: ...

    def call_from_thread(self, callback: Callable[..., Any], *args: Any, **kwargs: Any) -> Any: ...

    def notify(self, message: str, *args: Any, **kwargs: Any) -> None: ...

    def push_screen(self, screen: Any, *args: Any, **kwargs: Any) -> Any: ...
