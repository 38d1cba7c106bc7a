"""Every mutation — sync (and prune), revert (and push), adopt — goes through `Actions`: the CLI uses it
now, the TUI's confirm dialogs use it too. Each is planned first (a plan is the blast radius a confirm dialog
or `--dry-run` shows; planning writes nothing and works in read-only mode), then run; what actually
happened is returned as a value and appended to the audit log (never values, so never a Secret).

Every mutation: raises `ReadOnlyRefused` in read-only mode before sending or writing anything (and logs
nothing); takes the app's lock (revert and adopt also the repository's) without waiting, raising
`ActionBusy` when another mutation holds it; raises `GitopsError` subclasses with one-line messages.
Blocking (Kubernetes, git, kustomize): call from a worker thread in the TUI.

Public API (stable)::

    actions = Actions(workspace, audit=None, *, sleep=time.sleep, push_timeout=30.0)
    actions.read_only -> bool
    actions.record(AuditEntry) -> AuditEntry   # audit with our who-fields (automation, freeze use it)

    # sync
    actions.plan_sync(app, *, prune=False, selected=None, refresh=True) -> SyncPlan
        # SyncPlan (engine/syncplan.py): .waves, .prunes, .changes, .count("create"|"update"|"prune"),
        # .empty, .skipped_prunes, .blocked_reason; PlannedChange: .key .action .wave .drift
        # .taken_over (fields taken from other managers) .immutable / .will_fail (the server will refuse)
    actions.sync(plan, *, dry_run=False, progress=None) -> SyncResult
        # progress(ChangeResult) per resource as it finishes. SyncResult: .results .applied .failed .ok
        # .aborted (why later waves / prunes were not attempted) .dry_run
    actions.wait_for_health(app, *, timeout=120.0, interval=1.0, sleep=time.sleep, on_change=None)
        -> HealthStatus

    # history and revert
    actions.history(app, limit=100) -> list[Commit]
    actions.preview_revert(sha) -> RevertPlan
        # .commit .files .patch .apps (AppEffect: .app .changes (ObjectChange: .key .action .diff) .error .gone)
        # .affected_apps .gone_apps .dirty .conflicts .blocked_reason
    actions.revert(sha, *, push=False, sync=False, prune=False, preview=None, progress=None,
                   health_timeout=120.0) -> RevertResult
        # raises DirtyTree / RevertConflict / RevertRefused; .sha .reverted .pushed .push_error .syncs
        # .sync_errors .health .ok;  progress(app, ChangeResult)

    # adopt
    actions.check_adoptable(app) -> None                      # AdoptRefused: Helm app, Git at a revision
    actions.plan_adopt(app, key, paths=()) -> AdoptPlan      # raises AdoptRefused
        # AdoptPlan (source/adopt/plan.py): .app .key .fields .changes (FileChange: .path .before .after)
        # .summary ("file: field old → new" lines)
    actions.adopt(plan, reason="", *, push=False) -> AdoptResult
        # .sha .files .message .sync (the resource's status afterwards) .pushed .push_error
"""

from gitops_tui.actions.adopt import AdoptActions, AdoptResult, choose_fields
from gitops_tui.actions.base import ActionBusy, ReadOnlyRefused
from gitops_tui.actions.revert import AppEffect, ObjectChange, RevertPlan, RevertResult
from gitops_tui.actions.sync import ChangeResult, Progress, SyncResult
from gitops_tui.engine.syncplan import PlannedChange, SyncPlan
from gitops_tui.source.adopt import AdoptPlan, AdoptRefused, FileChange
from gitops_tui.source.gitwrite import DirtyTree, PushRejected, RevertConflict, RevertRefused


class Actions(AdoptActions):
    """Sync, revert and adopt on one workspace (see the module docstring for the API)."""


__all__ = [
    "ActionBusy",
    "Actions",
    "AdoptPlan",
    "AdoptRefused",
    "AdoptResult",
    "AppEffect",
    "ChangeResult",
    "DirtyTree",
    "FileChange",
    "ObjectChange",
    "PlannedChange",
    "Progress",
    "PushRejected",
    "ReadOnlyRefused",
    "RevertConflict",
    "RevertPlan",
    "RevertRefused",
    "RevertResult",
    "SyncPlan",
    "SyncResult",
    "choose_fields",
]
