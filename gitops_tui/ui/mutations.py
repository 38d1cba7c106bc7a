"""Sync, adopt and revert from the keyboard: plan in a worker (the cluster and Git are slow), show the blast
radius in a confirm dialog, run the confirmed action in a worker, show what happened, reconcile.

Everything goes through `gitops_tui.actions.Actions` (read-only guard, per-app locks, audit log). Cancel at
the dialog and nothing is sent or written.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import partial
from typing import Any

from gitops_tui.model import Commit, GitopsError, ResourceKey
from gitops_tui.ui.host import TextualHost
from gitops_tui.ui.screens.confirm import Answer, ConfirmScreen, Option, ProgressScreen, ResultScreen

# gitops_tui.actions (and through it the reconcile, cluster and source layers) is imported when a
# mutation starts, not with the UI: the first paint does not wait for it.

MUTATING_ACTIONS = frozenset({"sync", "adopt", "revert"})


class Mutations:
    """The app's mutation flows; `app.mutations`."""

    def __init__(self, app: TextualHost) -> None:
        self.app = app

    def _thread(self, description: str, fn: Callable[..., None], *args: Any) -> None:
        """Run `fn(*args)` in a thread worker of the app (planning and mutating block on the network)."""
        self.app.run_worker(
            partial(self._guarded, description, fn, *args),
            thread=True,
            group="mutation",
            exit_on_error=False,
            description=description,
        )

    def _guarded(self, description: str, fn: Callable[..., None], *args: Any) -> None:
        # Typed errors are handled in each flow; anything else is a bug, shown rather than lost in a
        # worker that dies silently.
        try:
            fn(*args)
        except Exception as exc:
            self.app.call_from_thread(
                self.app.notify,
                f"{type(exc).__name__}: {exc}",
                title=f"Could not {description}",
                severity="error",
                timeout=10,
            )

    # -- guards ------------------------------------------------------------------------------------------------
    def allowed(self, what: str) -> bool:
        app = self.app
        if app.settings.read_only:
            app.notify(f"Read-only mode: {what} is disabled", severity="warning", timeout=4)
            return False
        if app.actions is None:
            app.notify(f"{what} is not available in this session", severity="warning", timeout=4)
            return False
        return True

    def _context(self, app_name: str) -> str:
        snapshot = self.app.snapshot
        status = snapshot.app(app_name) if snapshot is not None else None
        if status is not None and status.context:
            return str(status.context)
        info = self.app.header_info
        return str(getattr(info, "context", "") or "")

    def _ask(self, screen: ConfirmScreen, then: Callable[[Answer], None]) -> None:
        """Show `screen` (from a worker thread); run `then` on confirm, nothing on cancel."""

        def done(answer: Answer | None) -> None:
            if answer is None:
                self.app.notify("Cancelled: nothing was changed", timeout=3)
            else:
                then(answer)

        self.app.call_from_thread(self.app.push_screen, screen, done)

    def _fail(self, what: str, exc: GitopsError) -> None:
        self.app.call_from_thread(
            self.app.notify, exc.message, title=f"{what} refused", severity="error", timeout=10
        )

    def _show(self, title: str, lines: Sequence[str], ok: bool) -> None:
        self.app.call_from_thread(self.app.push_screen, ResultScreen(title, lines, ok=ok))
        self.app.call_from_thread(self.app.action_refresh)

    # -- sync --------------------------------------------------------------------------------------------------
    def sync(self, app_name: str, selected: Sequence[ResourceKey] | None = None) -> None:
        if self.allowed("sync"):
            self.app.notify(f"Planning a sync of {app_name}…", timeout=2)
            self._thread("plan a sync", self._plan_sync, app_name, tuple(selected) if selected else None)

    def _plan_sync(self, app_name: str, selected: tuple[ResourceKey, ...] | None) -> None:
        from gitops_tui.actions.describe import plan_lines

        actions = self.app.actions
        assert actions is not None
        try:
            with_prune = actions.plan_sync(app_name, prune=True, selected=selected)
            without = actions.plan_sync(app_name, prune=False, selected=selected, refresh=False)
        except GitopsError as exc:
            self._fail("Sync", exc)
            return
        if with_prune.empty:
            self.app.call_from_thread(self.app.notify, f"{app_name} is in sync: nothing to apply", timeout=4)
            return
        options = [Option("dry_run", "Dry run (the server checks everything, nothing is changed)", key="d")]
        if with_prune.prunes:
            options.insert(
                0,
                Option(
                    "prune",
                    f"Prune: delete {len(with_prune.prunes)} tracked object(s) no longer in Git",
                    key="p",
                ),
            )
        lines = plan_lines(with_prune)
        if with_prune.prunes:
            lines.append("")
            lines.append("prunes happen only with the Prune box ticked (p)")
        what = f"{len(selected)} selected resource(s) of {app_name}" if selected else app_name
        screen = ConfirmScreen(
            f"Sync {what}",
            lines,
            context=self._context(app_name),
            confirm_label="Sync",
            options=options,
            blocked=without.blocked_reason,
        )

        def run(answer: Answer) -> None:
            plan = with_prune if answer.options.get("prune") else without
            self._thread("sync", self._run_sync, plan, answer.options.get("dry_run", False))

        self._ask(screen, run)

    def _run_sync(self, plan: Any, dry_run: bool) -> None:
        from gitops_tui.actions.describe import result_line, sync_summary

        actions = self.app.actions
        assert actions is not None
        verb = "Dry run of the sync" if dry_run else "Sync"
        progress = ProgressScreen(f"{verb} of {plan.app}…", len(plan.changes))
        self.app.call_from_thread(self.app.push_screen, progress)
        try:
            result = actions.sync(
                plan,
                dry_run=dry_run,
                progress=lambda r: self.app.call_from_thread(progress.add, result_line(r)),
            )
        except GitopsError as exc:
            self._fail("Sync", exc)
            return
        finally:
            self.app.call_from_thread(progress.dismiss)
        lines = [result_line(r) for r in result.results]
        lines.append(sync_summary(result))
        self._show(f"{verb} of {plan.app}: {'done' if result.ok else 'FAILED'}", lines, result.ok)
        if dry_run or not result.applied:
            return
        # Follow health until it settles (the notification says how it ended); the UI stays usable.
        keys = [r.key for r in result.applied]
        try:
            health = actions.wait_for_health(plan.app, timeout=self.app.settings.health_timeout, keys=keys)
        except GitopsError as exc:
            self._fail("Health", exc)
            return
        self.app.call_from_thread(
            self.app.notify,
            f"{plan.app} after the sync: {health.value}",
            title="Health",
            severity="information" if health.value in ("Healthy", "Suspended") else "warning",
            timeout=8,
        )
        self.app.call_from_thread(self.app.action_refresh)

    # -- adopt -------------------------------------------------------------------------------------------------
    def adopt(self, app_name: str, key: ResourceKey, paths: Sequence[str] = ()) -> None:
        if self.allowed("adopt"):
            self.app.notify(f"Planning how to write {key.display()} into Git…", timeout=2)
            self._thread("plan an adopt", self._plan_adopt, app_name, key, tuple(paths))

    def adopt_lines(self, app_name: str, key: ResourceKey, left: set[int], right: set[int]) -> None:
        """Adopt the drifted fields shown on these lines of the Diff screen (Git lines `left`, live lines
        `right`); no lines, or none holding a drifted field: every drifted field of the resource."""
        if self.allowed("adopt"):
            self.app.notify(f"Planning how to write {key.display()} into Git…", timeout=2)
            self._thread("plan an adopt", self._plan_adopt_lines, app_name, key, left, right)

    def _plan_adopt_lines(self, app_name: str, key: ResourceKey, left: set[int], right: set[int]) -> None:
        from gitops_tui.ui.yaml_text import pointer_lines, to_yaml

        paths: tuple[str, ...] = ()
        if left or right:
            try:
                detail = self.app.backend.resource_detail(app_name, key)
            except GitopsError as exc:
                self._fail("Adopt", exc)
                return
            drifted = [d.path for d in detail.status.drift]
            git_side = detail.predicted if detail.predicted is not None else detail.git
            # The same YAML the Diff screen showed, so its line numbers find the same fields.
            on_right = pointer_lines(to_yaml(detail.live), drifted)
            on_left = pointer_lines(to_yaml(git_side), [p for p in drifted if p not in on_right])
            paths = tuple(p for p in drifted if on_right.get(p, -1) in right or on_left.get(p, -1) in left)
        self._plan_adopt(app_name, key, paths)

    def _plan_adopt(self, app_name: str, key: ResourceKey, paths: tuple[str, ...]) -> None:
        from gitops_tui.actions.describe import adopt_plan_lines

        actions = self.app.actions
        assert actions is not None
        try:
            actions.check_adoptable(app_name)
            plan = actions.plan_adopt(app_name, key, paths)
        except GitopsError as exc:
            self._fail("Adopt", exc)
            return
        lines = adopt_plan_lines(plan)
        for change in plan.changes:
            lines.append("")
            lines.extend(_file_diff(change.path, change.before, change.after))
        screen = ConfirmScreen(
            f"Adopt the live state of {key.display()} into Git",
            lines,
            context=f"repo {self.app.settings.repo or '.'}",
            confirm_label="Commit",
            reason_prompt="Why? (goes into the commit message)",
            options=[Option("push", "Push the commit (never prompts; a rejection is reported)", key="p")],
        )
        self._ask(screen, lambda answer: self._thread("adopt", self._run_adopt, plan, answer))

    def _run_adopt(self, plan: Any, answer: Answer) -> None:
        from gitops_tui.actions.describe import adopt_result_lines

        actions = self.app.actions
        assert actions is not None
        try:
            result = actions.adopt(plan, answer.reason, push=answer.options.get("push", False))
        except GitopsError as exc:
            self._fail("Adopt", exc)
            return
        lines = adopt_result_lines(result)
        if result.push_error:
            lines.append(f"push failed: {result.push_error}")
        self._show(f"Adopted {plan.key.display()} into Git", lines, not result.push_error)

    # -- revert ------------------------------------------------------------------------------------------------
    def revert(self, app_name: str, commit: Commit) -> None:
        if self.allowed("revert"):
            self.app.notify(f"Previewing the revert of {commit.short}…", timeout=2)
            self._thread("preview a revert", self._plan_revert, app_name, commit)

    def _plan_revert(self, app_name: str, commit: Commit) -> None:
        from gitops_tui.actions.describe import revert_plan_lines

        actions = self.app.actions
        assert actions is not None
        try:
            plan = actions.preview_revert(commit.sha)
        except GitopsError as exc:
            self._fail("Revert", exc)
            return
        screen = ConfirmScreen(
            f"Revert {commit.short} {commit.summary}",
            revert_plan_lines(plan),
            context=self._context(app_name),
            confirm_label="Revert",
            options=[
                Option("push", "Push the revert commit (never prompts; a rejection is reported)", key="p"),
                Option("sync", "Sync the affected apps afterwards", key="s"),
            ],
            blocked=plan.blocked_reason,
            danger=True,
        )
        self._ask(screen, lambda answer: self._thread("revert", self._run_revert, plan, answer))

    def _run_revert(self, plan: Any, answer: Answer) -> None:
        from gitops_tui.actions.describe import result_line, revert_result_lines

        actions = self.app.actions
        assert actions is not None
        sync = answer.options.get("sync", False)
        # With a sync this takes a while (apply, then health until it settles): show it as it goes.
        progress = (
            ProgressScreen(f"Reverting {plan.commit.short}, then syncing and following health…", 0)
            if sync
            else None
        )
        if progress is not None:
            self.app.call_from_thread(self.app.push_screen, progress)

        def report(app_name: str, change: Any) -> None:
            if progress is not None:
                line = f"{app_name}: {result_line(change).strip()}"
                self.app.call_from_thread(progress.add, line)

        try:
            result = actions.revert(
                plan.commit.sha,
                push=answer.options.get("push", False),
                sync=sync,
                preview=plan,
                progress=report,
                health_timeout=self.app.settings.health_timeout,
            )
        except GitopsError as exc:
            self._fail("Revert", exc)
            return
        finally:
            if progress is not None:
                self.app.call_from_thread(progress.dismiss)
        lines = revert_result_lines(result)
        if result.push_error:
            lines.append(f"push failed: {result.push_error}")
        self._show(f"Reverted {plan.commit.short}", lines, result.ok)


def _file_diff(path: str, before: str, after: str) -> list[str]:
    import difflib

    return [
        line.rstrip("\n")
        for line in difflib.unified_diff(
            before.splitlines(keepends=True),
            after.splitlines(keepends=True),
            fromfile=f"a/{path}" if before else "/dev/null",
            tofile=f"b/{path}",
            n=2,
        )
    ]
