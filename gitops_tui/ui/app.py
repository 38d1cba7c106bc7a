"""The Textual application: holds the collaborators and the reconcile state; screens show it.

`make_app(workspace, settings)` is the one way to build it, used by the CLI, the demo and the tests.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import replace
from functools import partial
from typing import Any

from rich.console import RenderableType
from textual import events, on, work
from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.reactive import var
from textual.screen import Screen

from gitops_tui import giveway
from gitops_tui.config import Settings
from gitops_tui.model import GitopsError, HealthStatus, SyncStatus
from gitops_tui.ui.backend import Backend
from gitops_tui.ui.cells import duration
from gitops_tui.ui.commands import AppsProvider
from gitops_tui.ui.frames import PromptFrames
from gitops_tui.ui.mutations import Mutations
from gitops_tui.ui.reconcile_loop import ReconcileLoop
from gitops_tui.ui.screens.app_resources import AppScreen
from gitops_tui.ui.screens.apps import AppsScreen
from gitops_tui.ui.screens.audit import AuditScreen
from gitops_tui.ui.screens.base import BaseScreen, TableScreen
from gitops_tui.ui.screens.confirm import ConfirmScreen
from gitops_tui.ui.screens.diff import DiffScreen
from gitops_tui.ui.screens.events import EventsScreen
from gitops_tui.ui.screens.freeze import FreezeScreen
from gitops_tui.ui.screens.help import BindingGroups, HelpScreen
from gitops_tui.ui.screens.history import HistoryScreen
from gitops_tui.ui.switching import PromptSwitching
from gitops_tui.ui.widgets.diff_view import DiffView
from gitops_tui.ui.widgets.filter_bar import FilterBar
from gitops_tui.ui.widgets.status_table import StatusTable


class GitopsApp(App[None]):
    CSS_PATH = "app.tcss"
    TITLE = "gitops-tui"
    COMMANDS = App.COMMANDS | {AppsProvider}

    BINDINGS = [
        Binding("q", "quit", "Quit", id="app.quit", tooltip="Leave gitops-tui"),
        Binding("question_mark", "help", "Help", id="app.help", tooltip="Every key and what it does"),
        Binding(
            "colon,ctrl+p",
            "command_palette",
            "Commands",
            id="app.commands",
            show=False,
            tooltip="Search every action",
        ),
        Binding("r", "refresh", "Refresh", id="app.refresh", tooltip="Reconcile now"),
        Binding(
            "L",
            "audit",
            "Audit log",
            id="app.audit",
            show=False,
            tooltip="Every sync, adopt, revert and push made here",
        ),
        Binding(
            "A",
            "toggle_automation",
            "Automation",
            id="app.automation",
            show=False,
            tooltip="Switch automation on/off",
        ),
        Binding(
            "f",
            "freeze",
            "Freeze",
            id="app.freeze",
            show=False,
            tooltip="Pause automation for the highlighted app for a while",
        ),
        Binding(
            "E",
            "events",
            "Events",
            id="app.events",
            show=False,
            tooltip="What the reconcile loop saw and did, newest first",
        ),
        Binding(
            "R",
            "hard_refresh",
            "Hard refresh",
            id="app.hard_refresh",
            show=False,
            tooltip="Drop caches, reconcile",
        ),
    ]

    # The app's state is data its screens watch, each redrawing what shows it: a `var`, not a `reactive`,
    # whose every change would repaint the whole screen (a 40-80 ms frame of a 200-row table each time a
    # reconcile starts or ends).
    snapshot: var[Any] = var(None, always_update=True, init=False)  # orchestration.reconcile.Snapshot
    header_info: var[Any] = var(None, init=False)
    reconciling: var[bool] = var(False, init=False)
    problem: var[str] = var("", init=False)

    def __init__(
        self,
        backend: Backend,
        settings: Settings,
        *,
        clock: Callable[[], float] = time.time,
        reconcile: bool = True,
        actions: Any = None,
    ) -> None:
        super().__init__()
        self.backend = backend
        self.settings = settings
        self.actions = actions  # gitops_tui.actions.Actions, or None: nothing can be changed
        self.mutations = Mutations(self)
        self.clock = clock
        self.keymap: dict[str, str] = dict(settings.keymap)
        self._start_loop = reconcile
        self.automation = None
        if actions is not None:
            from gitops_tui.actions.automation import Automation

            self.automation = Automation(actions, enabled=bool(settings.auto) and not settings.read_only)
        self.loop = ReconcileLoop(
            backend, settings.interval, self, automation=self.automation, clock=self.clock
        )
        self.switching = PromptSwitching()  # the reconcile's threads give the lock back to keys sooner

    # -- lifecycle -----------------------------------------------------------------------------------------
    def on_mount(self) -> None:
        self.switching.start()
        self._apply_keymap()
        self.push_screen(AppsScreen())
        self.load_header()
        if self._start_loop:
            self.run_worker(
                self.loop.run,
                name="reconcile",
                group="reconcile",
                description="reconcile loop",
                thread=True,
                exclusive=True,
                exit_on_error=False,
            )

    def on_unmount(self) -> None:
        self.loop.stop()
        self.switching.stop()
        giveway.frame_drawn()  # no key of this app is waited for any more

    def _apply_keymap(self) -> None:
        groups = self.binding_groups()
        known = {b.id for _, bindings in groups for b in bindings if b.id}
        unknown = sorted(set(self.keymap) - known)
        if unknown:
            self.notify(f"keymap: unknown binding id(s) {', '.join(unknown)}", severity="warning", timeout=8)
        keymap = {k: v for k, v in self.keymap.items() if k in known}
        clashes = keymap_clashes(groups, keymap)
        if clashes:
            self.notify(f"keymap: {'; '.join(clashes)}", severity="warning", timeout=12)
        self.set_keymap(keymap)

    @work(
        thread=True,
        exclusive=True,
        group="header",
        exit_on_error=False,
        description="read kube context and repo",
    )
    def load_header(self) -> None:
        try:
            info = self.backend.header()
        except GitopsError as exc:
            self.call_from_thread(self.notify, exc.message, severity="error")
            return
        self.call_from_thread(setattr, self, "header_info", info)

    async def on_event(self, event: events.Event) -> None:
        if isinstance(event, events.Key) and not event.is_forwarded and self._screen_stack:
            giveway.key_pressed()  # the background threads wait for this key's frame (giveway.py)
            screen = self.screen
            if isinstance(screen, PromptFrames):
                screen.hurry_frame()  # the frame this key asks for comes at once (ui/frames.py)
        await super().on_event(event)

    def _display(self, screen: Screen[Any], renderable: RenderableType | None) -> None:
        # Textual's one way to the terminal (pinned): the frame a key waited for is out once it is
        super()._display(screen, renderable)
        if renderable is not None:
            giveway.frame_drawn()

    # -- the reconcile loop's messages ---------------------------------------------------------------------
    @on(ReconcileLoop.Started)
    def _reconcile_started(self, _message: ReconcileLoop.Started) -> None:
        self.reconciling = True

    @on(ReconcileLoop.Finished)
    def _reconcile_finished(self, message: ReconcileLoop.Finished) -> None:
        snapshot = message.snapshot
        self.reconciling = False
        self.header_info = self._with_automation(snapshot.header)
        if message.failures:
            reason = snapshot.error or (snapshot.apps[0].error if snapshot.apps else "reconcile failed")
            self._failed(reason, message.failures, message.retry_in)
        else:
            self.problem = ""
        self.snapshot = snapshot

    @on(ReconcileLoop.Failed)
    def _reconcile_failed(self, message: ReconcileLoop.Failed) -> None:
        self.reconciling = False
        self._failed(message.error, message.failures, message.retry_in)
        previous = self.snapshot
        if previous is not None:
            # what we knew is no longer known: every app is Unknown, with the reason
            apps = tuple(
                replace(a, sync=SyncStatus.UNKNOWN, health=HealthStatus.UNKNOWN, error=message.error)
                for a in previous.apps
            )
            self.snapshot = replace(previous, apps=apps, error=message.error)

    @on(ReconcileLoop.EventRecorded)
    def _loop_event(self, message: ReconcileLoop.EventRecorded) -> None:
        if isinstance(self.screen, EventsScreen):
            self.screen.refresh_events()

    def _with_automation(self, info: Any) -> Any:
        if info is None or self.automation is None:
            return info
        return replace(info, automation=self.automation.enabled)

    def frozen_apps(self) -> dict[str, float]:
        """Apps whose automation is frozen, with the seconds left (the header shows the countdown)."""
        return self.automation.frozen() if self.automation is not None else {}

    def _failed(self, reason: str, failures: int, retry_in: float) -> None:
        first_line = reason.splitlines()[0] if reason else "reconcile failed"
        self.problem = f"retry in {duration(retry_in)}: {first_line}"
        if failures == 1 or failures % 5 == 0:
            self.notify(f"Reconcile failed: {reason}", title="Reconcile", severity="error", timeout=8)

    # -- actions -------------------------------------------------------------------------------------------
    def action_refresh(self) -> None:
        self.loop.request()
        self.reconciling = True

    def action_hard_refresh(self) -> None:
        self.loop.request(hard=True)
        self.reconciling = True
        self.notify("Dropping caches and reconciling…", timeout=2)

    def action_toggle_automation(self) -> None:
        if self.automation is None or not self.mutation_allowed():
            self.notify(f"Automation stays off: {self._no_automation()}", severity="warning", timeout=4)
            return
        event = self.automation.toggle()
        self.header_info = self._with_automation(self.header_info)
        self.notify(event.message.capitalize(), timeout=3)
        self.loop.request()  # on: heal what is out of sync now, not at the next interval

    def _no_automation(self) -> str:
        return "read-only mode" if self.settings.read_only else "no actions in this session"

    def action_freeze(self) -> None:
        if self.automation is None or not self.mutation_allowed():
            why = self._no_automation()
            self.notify(f"Nothing to freeze: automation cannot run ({why})", severity="warning", timeout=4)
            return
        name = self._highlighted_app()
        if not name:
            self.notify("Highlight an app to freeze", timeout=3)
            return
        automation = self.automation

        def chosen(seconds: float | None) -> None:
            if seconds is not None:
                self.notify(automation.freeze(name, seconds).message, title=name, timeout=4)

        self.push_screen(FreezeScreen(name, automation.frozen_for(name)), chosen)

    def _highlighted_app(self) -> str:
        screen = self.screen
        if isinstance(screen, AppScreen):
            return screen.app_name
        if isinstance(screen, AppsScreen) and screen.table.current is not None:
            return str(screen.table.current.extra.app.id)
        return ""

    def action_events(self) -> None:
        if not isinstance(self.screen, EventsScreen):
            self.push_screen(EventsScreen())

    def action_audit(self) -> None:
        if not isinstance(self.screen, AuditScreen):
            self.push_screen(AuditScreen())

    def mutation_allowed(self) -> bool:
        """Mutating keys are shown and work only when something can be changed (not read-only)."""
        return self.actions is not None and not self.settings.read_only

    def action_help(self) -> None:
        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen(self.binding_groups(), self.keymap))

    def open_app(self, name: str) -> None:
        while len(self.screen_stack) > 2:
            self.pop_screen()
        self.push_screen(AppScreen(name))

    @staticmethod
    def binding_groups() -> BindingGroups:
        def of(*classes: type) -> list[Binding]:
            found: list[Binding] = []
            for cls in classes:
                found.extend(b for b in cls.__dict__.get("BINDINGS", []) if isinstance(b, Binding))
            return found

        groups = [
            ("Everywhere", [*of(GitopsApp), *of(BaseScreen)]),
            ("Tables (apps, resources, history)", of(TableScreen, StatusTable, FilterBar)),
            ("Apps", of(AppsScreen)),
            ("App (resources)", of(AppScreen)),
            ("Diff", of(DiffView, DiffScreen)),
            ("History", of(HistoryScreen)),
            ("Freeze", of(FreezeScreen)),
            ("Dialogs", of(ConfirmScreen)),
        ]
        return [(title, bindings) for title, bindings in groups if bindings]

    def get_system_commands(self, screen: Screen[Any]) -> Iterable[SystemCommand]:
        """Every binding that applies on `screen` (where the palette was opened), then the theme picker."""
        seen: set[tuple[int, str]] = set()
        for active in screen.active_bindings.values():
            binding = active.binding
            key = (id(active.node), binding.action)
            if (
                not binding.description
                or key in seen
                or not active.enabled
                or binding.action == "command_palette"
            ):
                continue
            seen.add(key)
            keys = ", ".join(
                self.get_key_display(Binding(k.strip(), ""))
                for k in self.keymap.get(binding.id or "", binding.key).split(",")
            )
            help_text = f"{keys}" + (f" — {binding.tooltip}" if binding.tooltip else "")
            yield SystemCommand(
                binding.description, help_text, partial(self._run, active.node, binding.action)
            )
        yield SystemCommand("Theme", "Change the colours", self.action_change_theme)

    def _run(self, node: Any, action: str) -> None:
        self.call_later(self.run_action, action, node)


def make_app(
    workspace: Backend,
    settings: Settings | None = None,
    *,
    clock: Callable[[], float] = time.time,
    reconcile: bool = True,
    actions: Any = None,
) -> GitopsApp:
    """The app on a workspace (`gitops_tui.orchestration.reconcile.Workspace`, or anything with its methods) and, to
    allow sync / adopt / revert, the `gitops_tui.actions.Actions` on it."""
    return GitopsApp(
        workspace, settings or workspace.settings, clock=clock, reconcile=reconcile, actions=actions
    )


__all__: Sequence[str] = ["GitopsApp", "make_app"]


_TABLE_GROUPS = ("Apps", "App (resources)", "History")


def keymap_clashes(groups: BindingGroups, keymap: dict[str, str]) -> list[str]:
    """Remapped keys that another binding answers to where both apply ("j for app.quit is table.down's
    key too"): whichever is nearer the focus wins, so the remap seems ignored. Bindings of the whole app
    apply everywhere; the tables' own apply on every table screen."""
    by_group = {title: bindings for title, bindings in groups}

    def keys(binding: Binding) -> set[str]:
        raw = keymap.get(binding.id, binding.key) if binding.id else binding.key
        return {k.strip() for k in raw.split(",") if k.strip()}

    clashes = []
    for title, bindings in groups:
        for binding in bindings:
            if not binding.id or binding.id not in keymap:
                continue
            if title == "Everywhere":
                near = [b for group in by_group.values() for b in group]
            else:
                near = [*by_group.get("Everywhere", []), *bindings]
                if title in _TABLE_GROUPS:
                    near += by_group.get("Tables (apps, resources, history)", [])
            for other in near:
                if other.id == binding.id or other.action == binding.action:
                    continue
                for key in sorted(keys(binding) & keys(other)):
                    clash = f"{key} for {binding.id} is {other.id or other.action}'s key too"
                    if clash not in clashes:
                        clashes.append(clash)
    return clashes
