"""History and revert: the commits that touched an app, what reverting one would do to every rendered app
(a Git-vs-Git diff), the revert itself, then optionally a push and a sync of the apps it changed."""

from __future__ import annotations

import difflib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

import yaml

from gitops_tui.actions.base import REPO_LOCK
from gitops_tui.actions.sync import ChangeResult, SyncActions, SyncResult
from gitops_tui.audit import AuditEntry
from gitops_tui.engine.keyorder import canonical
from gitops_tui.engine.secrets import mask_pair
from gitops_tui.model import Commit, GitopsError, HealthStatus, Obj, RenderedApp, ResourceKey, match_ref
from gitops_tui.source import gitwrite
from gitops_tui.source.dependencies import app_paths
from gitops_tui.source.revert_tree import reverted_tree


@dataclass(frozen=True)
class ObjectChange:
    """One rendered object the revert changes: created, updated or deleted in Git (Secret values masked)."""

    key: ResourceKey
    action: str  # "create" | "update" | "delete"
    diff: str  # unified YAML diff, HEAD → after the revert


@dataclass(frozen=True)
class AppEffect:
    app: str
    changes: tuple[ObjectChange, ...] = ()
    error: str = ""  # the app does not render on one side
    gone: bool = False  # the revert removes the app's declaration (an Application added by the commit)


@dataclass(frozen=True)
class RevertPlan:
    """What reverting `commit` would do. `blocked_reason` non-empty: the revert will be refused."""

    commit: Commit
    files: tuple[str, ...]  # files the revert changes
    patch: str  # the file-level inverse diff
    apps: tuple[AppEffect, ...]  # only apps whose rendered output changes
    dirty: tuple[str, ...] = ()  # uncommitted files: a revert is refused until they are committed or stashed
    conflicts: tuple[str, ...] = ()  # files the revert would conflict in

    @property
    def affected_apps(self) -> tuple[str, ...]:
        """Apps the revert changes that still exist after it: what a sync afterwards syncs."""
        return tuple(a.app for a in self.apps if not a.gone)

    @property
    def gone_apps(self) -> tuple[str, ...]:
        """Apps whose declaration the revert removes: not synced, and their live objects stay."""
        return tuple(a.app for a in self.apps if a.gone)

    @property
    def blocked_reason(self) -> str:
        if self.dirty:
            return gitwrite.DirtyTree(self.dirty).message
        if self.conflicts:
            return gitwrite.RevertConflict(self.commit.short, self.conflicts).message.replace(
                "the revert was aborted and nothing changed", "it would be aborted"
            )
        return ""


@dataclass(frozen=True)
class RevertResult:
    reverted: Commit
    sha: str  # the new revert commit
    pushed: bool = False
    push_error: str = ""
    syncs: tuple[SyncResult, ...] = ()
    sync_errors: tuple[str, ...] = ()  # apps whose sync could not start, with why
    health: Mapping[str, HealthStatus] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.push_error and not self.sync_errors and all(s.ok for s in self.syncs)


def _dump(obj: Obj | None) -> list[str]:
    if obj is None:
        return []
    text = yaml.safe_dump(canonical(obj), sort_keys=False, default_flow_style=False, width=1000)
    return text.splitlines(keepends=True)


def _effects(before: Sequence[RenderedApp], after: Sequence[RenderedApp]) -> tuple[AppEffect, ...]:
    old: dict[str, RenderedApp] = {}
    new: dict[str, RenderedApp] = {}
    for side, rendered in ((old, before), (new, after)):
        for r in rendered:
            side.setdefault(r.app.id, r)  # of two apps with one id (reported), the first
    effects = []
    for name in list(dict.fromkeys([*old, *new])):
        a, b = old.get(name), new.get(name)
        if a is not None and b is not None and (a.error or b.error):
            if a.error != b.error:
                effects.append(AppEffect(name, error=b.error or f"(before the revert: {a.error})"))
            continue
        objs_a = {ResourceKey.of(o): o for o in (a.objects if a else ())}
        objs_b = {ResourceKey.of(o): o for o in (b.objects if b else ())}
        changes = []
        for key in sorted({*objs_a, *objs_b}):
            x, y = objs_a.get(key), objs_b.get(key)
            if x == y:
                continue
            x, y = mask_pair(x, y)
            action = "create" if x is None else "delete" if y is None else "update"
            lines = difflib.unified_diff(
                _dump(x), _dump(y), fromfile=f"HEAD/{key.display()}", tofile=f"reverted/{key.display()}"
            )
            changes.append(ObjectChange(key, action, "".join(lines)))
        gone = a is not None and b is None
        if changes or gone:
            effects.append(AppEffect(name, tuple(changes), gone=gone))
    return tuple(effects)


class RevertActions(SyncActions):
    def history(self, app: str, limit: int = 100) -> list[Commit]:
        """Commits touching what the app is built from (its path, and for Kustomize the bases and
        components it pulls in), newest first, from HEAD or from --revision. Needs no cluster."""
        with self.ws.repo.worktree_or_revision(self.ws.settings.revision) as tree:
            found = self.ws.discover(tree, wanted=lambda _a: False)  # the tree, not every render
            matches = match_ref(app, found.apps)
            if len(matches) > 1:
                raise GitopsError(
                    f"app {app!r} is ambiguous: it names {', '.join(sorted(a.id for a in matches))}"
                )
            if not matches:
                known = ", ".join(sorted(a.id for a in found.apps)) or "none"
                raise GitopsError(f"unknown app {app!r} (known: {known})")
            spec = matches[0]
            paths = app_paths(tree, spec)
        return self.ws.repo.history(paths, limit, rev=self.ws.settings.revision)

    def preview_revert(self, sha: str) -> RevertPlan:
        """The revert's effect on every rendered app, HEAD against HEAD-with-the-revert, and whether it
        would be refused (dirty tree, conflict). Writes nothing; allowed in read-only mode."""
        repo = self.ws.repo
        files = gitwrite.preview_revert(repo, sha)
        with repo.worktree_or_revision("HEAD") as tree:
            before = list(self.ws.discover(tree).rendered)
        with reverted_tree(repo, files.commit.sha, files.patch) as reverted:
            after = list(self.ws.discover(reverted.path).rendered)
            conflicts = reverted.conflicts
        return RevertPlan(
            commit=files.commit,
            files=files.files,
            patch=files.shown,  # Secret values masked; the raw patch stays inside the preview
            apps=_effects(before, after),
            dirty=tuple(repo.dirty_files()),
            conflicts=conflicts,
        )

    def revert(
        self,
        sha: str,
        *,
        push: bool = False,
        sync: bool = False,
        prune: bool = False,
        preview: RevertPlan | None = None,
        progress: Callable[[str, ChangeResult], None] | None = None,
        health_timeout: float = 120.0,
    ) -> RevertResult:
        """`git revert` of `sha` as a new commit; then optionally push (never prompts) and sync the apps
        whose rendered output the revert changed. Refused: read-only (ReadOnlyRefused), dirty tree
        (DirtyTree), conflict (RevertConflict, aborted cleanly). A rejected push or a failed sync is
        reported in the result: the revert commit stands. `preview`: the plan already shown (saves
        rendering every app again)."""
        self._check_writable(f"revert {sha}")
        if sync and self.ws.settings.revision not in (None, "HEAD"):
            raise GitopsError(
                f"revert --sync applies the working tree, but Git is read at {self.ws.settings.revision}"
            )
        with self._holding(REPO_LOCK):
            plan = preview if preview is not None else self.preview_revert(sha)
            # What would fail after the commit is checked before it: a revert that cannot be pushed or
            # synced as asked is refused whole, not committed and left half done.
            problem = self._cannot_follow_up(plan, push=push, sync=sync)
            if problem:
                self._record_revert(sha, "", "refused", problem, plan)
                raise GitopsError(f"nothing reverted: {problem}")
            try:
                new_sha = gitwrite.revert(self.ws.repo, sha)
            except GitopsError as exc:
                refused = isinstance(exc, gitwrite.DirtyTree | gitwrite.RevertRefused)
                self._record_revert(sha, "", "refused" if refused else "failed", exc.message, plan)
                raise
            reverted = plan.commit
            self._record_revert(sha, new_sha, "ok", reverted.summary, plan)
            pushed, push_error = self._push(new_sha) if push else (False, "")
        result = RevertResult(reverted=reverted, sha=new_sha, pushed=pushed, push_error=push_error)
        if not sync:
            return result
        return self._sync_after(result, plan.affected_apps, prune, progress, health_timeout)

    def _cannot_follow_up(self, plan: RevertPlan, *, push: bool, sync: bool) -> str:
        """Why the push or the sync asked for could not even start ("" when both can): no remote to
        push to, or a cluster of an affected app that does not answer. A push the remote then rejects,
        or a sync that fails, still leave the revert commit (reported)."""
        if push:
            try:
                gitwrite.push_target(self.ws.repo)
            except GitopsError as exc:
                return f"{exc.message} (revert without --push, or add the remote first)"
        if sync and plan.affected_apps:
            unreachable = self.ws.unreachable(plan.affected_apps)
            if unreachable:
                return f"the sync after it could not run: {unreachable} (revert without --sync, or retry)"
        return ""

    def _push(self, sha: str) -> tuple[bool, str]:
        try:
            gitwrite.push(self.ws.repo, timeout=self.push_timeout)
        except GitopsError as exc:
            self.record(AuditEntry("push", "", "failed", details={"commit": sha}, message=exc.message))
            return False, exc.message
        self.record(AuditEntry("push", "", "ok", details={"commit": sha, "branch": self.ws.repo.branch()}))
        return True, ""

    def _sync_after(
        self,
        result: RevertResult,
        apps: Sequence[str],
        prune: bool,
        progress: Callable[[str, ChangeResult], None] | None,
        health_timeout: float,
    ) -> RevertResult:
        syncs: list[SyncResult] = []
        errors: list[str] = []
        health: dict[str, HealthStatus] = {}
        for app in apps:
            try:
                plan = self.plan_sync(app, prune=prune)
                if plan.empty:
                    continue

                def report(r: ChangeResult, app: str = app) -> None:
                    if progress is not None:
                        progress(app, r)

                done = self.sync(plan, progress=report)
                syncs.append(done)
                if done.ok:
                    health[app] = self.wait_for_health(app, timeout=health_timeout)
            except GitopsError as exc:
                errors.append(f"{app}: {exc.message}")
        return RevertResult(
            reverted=result.reverted,
            sha=result.sha,
            pushed=result.pushed,
            push_error=result.push_error,
            syncs=tuple(syncs),
            sync_errors=tuple(errors),
            health=health,
        )

    def _record_revert(self, sha: str, new_sha: str, outcome: str, message: str, plan: RevertPlan) -> None:
        apps = ", ".join(a.app for a in plan.apps)  # the ones it removes too
        self.record(
            AuditEntry(
                action="revert",
                app=apps,
                result=outcome,
                details={"commit": plan.commit.sha, "revert_commit": new_sha},
                message=message,
            )
        )
