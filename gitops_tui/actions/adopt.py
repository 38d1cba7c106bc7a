"""Adopt: write the live values of a resource's drifted fields into the Git source that produces them,
verify by rendering again, and commit only the touched files (`adopt: <kind>/<name> <paths>` + reason)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from gitops_tui.actions.base import REPO_LOCK
from gitops_tui.actions.revert import RevertActions
from gitops_tui.audit import AuditEntry
from gitops_tui.engine import pointer
from gitops_tui.model import DriftField, GitopsError, ResourceKey, SourceType, SyncStatus
from gitops_tui.source import gitwrite
from gitops_tui.source.adopt import (
    AdoptPlan,
    AdoptRefused,
    adopt_message,
    apply_adopt,
    field_name,
    plan_adopt,
    undo_adopt,
    verify_adopt,
)
from gitops_tui.source.render import render_app


@dataclass(frozen=True)
class AdoptResult:
    plan: AdoptPlan
    sha: str  # the adopt commit
    files: tuple[str, ...]  # the files committed (relative to the repository root)
    message: str  # the commit message
    sync: SyncStatus  # the resource's status after the adopt (Synced: Git now tells the truth)
    pushed: bool = False
    push_error: str = ""


def _covers(prefix: str, path: str) -> bool:
    pre, parts = pointer.split(prefix), pointer.split(path)
    return parts[: len(pre)] == pre


def choose_fields(key: ResourceKey, drift: Sequence[DriftField], paths: Sequence[str]) -> list[DriftField]:
    """The drifted fields named by `paths` (JSON pointers, by index or `[name=...]` key; a parent selects
    everything below it); all of them when `paths` is empty. AdoptRefused for a path that matches none."""
    if not paths:
        return list(drift)
    chosen: dict[str, DriftField] = {}
    for p in paths:
        hits = [d for d in drift if _covers(p, d.path) or (d.keyed_path and _covers(p, d.keyed_path))]
        if not hits:
            known = ", ".join(d.path for d in drift) or "none"
            raise AdoptRefused(f"{p} is not a drifted field of {key.display()} (drifted: {known})")
        chosen.update({d.path: d for d in hits})
    return list(chosen.values())


class AdoptActions(RevertActions):
    def plan_adopt(self, app: str, key: ResourceKey, paths: Sequence[str] = ()) -> AdoptPlan:
        """The file edits that make Git render the live values of `key`'s drifted fields (`paths`: some of
        them, as JSON pointers). Compares afresh first; writes nothing; allowed in read-only mode.
        AdoptRefused: Helm apps, Secret data, a resource in sync / not live / not in Git, a path that did
        not drift, files with uncommitted changes, Git read at a revision."""
        self.ws.reconcile_once(only=[app])
        self.check_adoptable(app)
        status = self.ws.status_of(app)
        res = next((r for r in status.resources if r.key == key), None)
        if res is None:
            if status.error:
                raise AdoptRefused(f"{app}: {status.error}")
            raise AdoptRefused(f"{key.display()} is not part of app {app}")
        if res.sync is SyncStatus.SYNCED:
            raise AdoptRefused(f"nothing to adopt: {key.display()} is Synced")
        if res.sync is SyncStatus.MISSING:
            raise AdoptRefused(f"{key.display()} is not live: there is nothing to adopt (a sync creates it)")
        if res.sync is SyncStatus.REQUIRES_PRUNING:
            raise AdoptRefused(f"{key.display()} is not in Git: adopting a whole object is not supported")
        if res.sync is SyncStatus.UNKNOWN:
            raise AdoptRefused(f"{key.display()} could not be compared: {res.error or status.error}")
        fields = choose_fields(key, res.drift, paths)
        root = self.ws.repo.root
        spec = self.ws.app_spec(app)
        plan = plan_adopt(root, spec, render_app(root, spec), key, fields)
        self._refuse_dirty(plan)
        return plan

    def check_adoptable(self, app: str) -> None:
        """AdoptRefused when nothing of `app` can be adopted whatever drifted (a Helm app, Git read at a
        revision); the app must have been reconciled."""
        spec = self.ws.app_spec(app)
        if spec.source_type is SourceType.HELM:
            raise AdoptRefused(
                f"{app} is a Helm app: Helm values cannot be derived from rendered output; "
                "change values.yaml by hand"
            )
        if self.ws.settings.revision is not None:
            raise AdoptRefused(
                f"adopt edits the working tree, but Git is read at {self.ws.settings.revision}"
            )

    def _refuse_dirty(self, plan: AdoptPlan) -> None:
        dirty = set(self.ws.repo.dirty_files())
        touched = [c.path for c in plan.changes if c.path in dirty]
        if touched:
            raise AdoptRefused(
                f"uncommitted changes in {', '.join(touched)}: commit or stash them first "
                "(the adopt commits these files)"
            )

    def adopt(self, plan: AdoptPlan, reason: str = "", *, push: bool = False) -> AdoptResult:
        """Write the planned edits, verify by rendering that the app now has the live values (else put the
        files back), commit exactly those files, optionally push (a rejection is in the result)."""
        self._check_writable(f"adopt {plan.key.display()} into Git")
        with self._holding(REPO_LOCK, plan.app):
            spec = self.ws.app_spec(plan.app)
            root = self.ws.repo.root
            self._refuse_dirty(plan)
            files = apply_adopt(root, plan)
            message = adopt_message(plan, reason)
            try:
                differing = verify_adopt(root, spec, plan.key, plan.fields)
                if differing:
                    raise AdoptRefused(
                        f"after the edit {plan.app} still renders other values for {', '.join(differing)}; "
                        "the files were put back and nothing was committed"
                    )
                sha = gitwrite.commit_paths(self.ws.repo, files, message)
            except GitopsError as exc:
                undo_adopt(root, plan)
                self._record_adopt(plan, "failed", exc.message, "", files)
                raise
            except BaseException:
                undo_adopt(root, plan)
                raise
            self._record_adopt(plan, "ok", reason, sha, files)
            pushed, push_error = self._push(sha) if push else (False, "")
        status = self.ws.reconcile_once(only=[plan.app]).app(plan.app)
        res = next((r for r in status.resources if r.key == plan.key), None) if status else None
        return AdoptResult(
            plan=plan,
            sha=sha,
            files=tuple(files),
            message=message,
            sync=res.sync if res is not None else SyncStatus.UNKNOWN,
            pushed=pushed,
            push_error=push_error,
        )

    def _record_adopt(
        self, plan: AdoptPlan, outcome: str, message: str, sha: str, files: Sequence[str]
    ) -> None:
        self.record(
            AuditEntry(
                action="adopt",
                app=plan.app,
                result=outcome,
                resources=(plan.key.display(),),
                details={"fields": [field_name(f) for f in plan.fields], "files": list(files), "commit": sha},
                message=message,
            )
        )
