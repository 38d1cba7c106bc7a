"""The mutating commands (DESIGN §3): sync, adopt, revert. Each prints its plan, asks on a terminal unless
`--yes` (and refuses without one), then runs through `Actions` and prints what happened. Read-only mode
refuses them (exit 2) before anything is sent."""

from __future__ import annotations

import argparse
import difflib
import sys

from gitops_tui.cli.base import (
    UsageError,
    confirm,
    fresh_status,
    make_workspace,
    out,
    parse_resource,
    refuse_read_only,
    resource_matches,
    where,
)
from gitops_tui.model import GitopsError, HealthStatus, ResourceKey


def cmd_sync(args: argparse.Namespace) -> int:
    if len(args.app) > 1:
        if args.resource:
            raise UsageError("--resource names resources of one app: sync one app to use it")
        return _sync_several(args)
    ws = make_workspace(args)
    try:
        if not args.dry_run:
            refuse_read_only(ws, f"sync {args.app[0]}")
        changed = _sync_one(ws, args.app[0], args, confirmed=False)
        return 1 if args.dry_run and changed else 0  # as `kubectl diff`: 1 when a sync would change things
    finally:
        ws.close()


def _sync_several(args: argparse.Namespace) -> int:
    """Several apps, in Flux's dependsOn order: each synced and healthy before the ones that depend on it
    (kustomize-controller waits for Ready the same way); the first that fails stops the rest."""
    from gitops_tui.engine.dependson import outside, sync_order

    ws = make_workspace(args)
    try:
        if not args.dry_run:
            refuse_read_only(ws, f"sync {' '.join(args.app)}")
        ws.reconcile_once(only=args.app)
        ids = list(dict.fromkeys(ws.resolve(ref) for ref in args.app))  # unknown or ambiguous: said here
        ordered = sync_order([ws.app_spec(i) for i in ids])
        out([f"order: {' -> '.join(a.id for a in ordered)}"])
        out([f"{app} depends on {dep}, not in this sync: not waited for" for app, dep in outside(ordered)])
        if not args.dry_run:
            confirm(f"sync {len(ordered)} apps in this order, each healthy before the next?", args.yes)
        changed = False
        for spec in ordered:
            changed = _sync_one(ws, spec.id, args, confirmed=True) or changed
        return 1 if args.dry_run and changed else 0
    finally:
        ws.close()


def _sync_one(ws, ref: str, args: argparse.Namespace, *, confirmed: bool) -> bool:  # type: ignore[no-untyped-def]
    """Plan, confirm (unless the caller did), sync and wait for health. True when there was something to
    apply. Raises GitopsError when the sync fails or the app does not become healthy."""
    from gitops_tui.actions import Actions
    from gitops_tui.actions.describe import plan_lines, result_line, sync_summary

    specs = [parse_resource(s) for s in args.resource]
    actions = Actions(ws)
    status = fresh_status(ws, ref)
    app = status.app.id  # what the user typed, resolved: locks, the plan and the audit log use this
    selected: set[ResourceKey] | None = None
    if specs:
        selected = {r.key for r in status.resources if any(resource_matches(r.key, s) for s in specs)}
        if not selected:
            raise GitopsError(f"no resource of {app} matches {', '.join(args.resource)}")
    plan = actions.plan_sync(app, prune=args.prune, selected=selected, refresh=False)
    out([where(ws, app), *plan_lines(plan)])
    if plan.blocked_reason:
        raise GitopsError(plan.blocked_reason)
    if plan.empty:
        out([f"nothing to sync: {app} is {status.sync}"])
        return False
    if not args.dry_run and not confirmed:
        confirm(f"apply {len(plan.changes)} change(s) to {app}?", args.yes)
    result = actions.sync(plan, dry_run=args.dry_run, progress=lambda r: out([result_line(r)]))
    out([sync_summary(result)])
    if not result.ok:
        first = result.failed[0] if result.failed else None
        why = f"{first.key.display()}: {first.message}" if first else result.aborted
        raise GitopsError(f"sync of {app} failed ({len(result.failed)} failed; {why})")
    if args.dry_run:
        return True
    timeout = ws.settings.health_timeout
    health = actions.wait_for_health(
        app,
        timeout=timeout,
        on_change=lambda h: out([f"{app}: {h}"]),
        keys=selected,
    )
    if health in (HealthStatus.DEGRADED, HealthStatus.PROGRESSING, HealthStatus.UNKNOWN):
        raise GitopsError(f"synced, but {app} is {health} (waited up to {timeout:g} s)")
    return True


def cmd_adopt(args: argparse.Namespace) -> int:
    from gitops_tui.actions import Actions
    from gitops_tui.actions.describe import adopt_plan_lines, adopt_result_lines

    spec = parse_resource(args.resource)
    for path in args.path:  # checked before anything is read: a typo is a usage error, not a failure later
        if not path.startswith("/"):
            raise UsageError(f"--path {path!r} is not a JSON pointer (like /spec/replicas)")
    ws = make_workspace(args)
    try:
        refuse_read_only(ws, f"adopt {args.resource} into Git")
        actions = Actions(ws)
        ws.reconcile_once(only=[args.app])
        app = ws.resolve(args.app)  # an unknown or ambiguous name fails here, saying why
        actions.check_adoptable(app)
        status = fresh_status(ws, app, refresh=False)
        keys = [r.key for r in status.resources if resource_matches(r.key, spec)]
        if not keys:
            raise GitopsError(f"no resource of {app} matches {args.resource}")
        if len(keys) > 1:
            raise GitopsError(f"{args.resource} is ambiguous: {', '.join(k.display() for k in keys)}")
        plan = actions.plan_adopt(app, keys[0], args.path)
        out(adopt_plan_lines(plan))
        for change in plan.changes:
            diff = difflib.unified_diff(
                change.before.splitlines(keepends=True),
                change.after.splitlines(keepends=True),
                fromfile=f"a/{change.path}" if change.before else "/dev/null",
                tofile=f"b/{change.path}",
            )
            sys.stdout.write("".join(diff))
        reason = args.message
        if reason is None and not args.yes and sys.stdin.isatty():
            try:
                reason = input("reason (commit message body): ")
            except EOFError:
                reason = ""
        confirm(f"commit this to {ws.repo.branch()}{' and push' if args.push else ''}?", args.yes)
        result = actions.adopt(plan, reason or "", push=args.push)
        out(adopt_result_lines(result))
        if result.push_error:
            raise GitopsError(f"committed {result.sha[:7]}, but {result.push_error}")
        return 0
    finally:
        ws.close()


def cmd_revert(args: argparse.Namespace) -> int:
    from gitops_tui.actions import Actions
    from gitops_tui.actions.describe import revert_plan_lines, revert_result_lines
    from gitops_tui.source.gitwrite import DirtyTree

    ws = make_workspace(args, connect=args.sync)
    try:
        refuse_read_only(ws, f"revert {args.commit}")
        actions = Actions(ws)
        preview = actions.preview_revert(args.commit)
        out(revert_plan_lines(preview))
        if preview.dirty:
            raise DirtyTree(preview.dirty)
        if preview.conflicts:
            raise GitopsError(f"{preview.blocked_reason}; nothing changed")
        then = " and push" if args.push else ""
        then += f" and sync {', '.join(preview.affected_apps)}" if args.sync and preview.affected_apps else ""
        confirm(f"revert {preview.commit.short} on {ws.repo.branch()}{then}?", args.yes)
        result = actions.revert(
            args.commit,
            push=args.push,
            sync=args.sync,
            preview=preview,
            health_timeout=ws.settings.health_timeout,
        )
        out(revert_result_lines(result))
        short = f"reverted {result.reverted.short} as {result.sha[:7]}"
        if result.push_error:
            raise GitopsError(f"{short}, but {result.push_error}")
        if result.sync_errors:
            raise GitopsError(f"{short}, but the sync did not run: {result.sync_errors[0]}")
        failed = [s for s in result.syncs if not s.ok]
        if failed:
            raise GitopsError(f"{short}, but the sync of {failed[0].app} failed")
        return 0
    finally:
        ws.close()
