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
    from gitops_tui.actions import Actions
    from gitops_tui.actions.describe import plan_lines, result_line, sync_summary

    specs = [parse_resource(s) for s in args.resource]
    ws = make_workspace(args)
    try:
        if not args.dry_run:
            refuse_read_only(ws, f"sync {args.app}")
        actions = Actions(ws)
        status = fresh_status(ws, args.app)
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
            return 0
        if not args.dry_run:
            confirm(f"apply {len(plan.changes)} change(s) to {app}?", args.yes)
        result = actions.sync(plan, dry_run=args.dry_run, progress=lambda r: out([result_line(r)]))
        out([sync_summary(result)])
        if not result.ok:
            first = result.failed[0] if result.failed else None
            why = f"{first.key.display()}: {first.message}" if first else result.aborted
            raise GitopsError(f"sync of {app} failed ({len(result.failed)} failed; {why})")
        if args.dry_run:
            return 1  # as `kubectl diff`: there is drift a sync would remove
        timeout = ws.settings.health_timeout
        health = actions.wait_for_health(
            app,
            timeout=timeout,
            on_change=lambda h: out([f"{app}: {h}"]),
            keys=selected,
        )
        if health in (HealthStatus.DEGRADED, HealthStatus.PROGRESSING, HealthStatus.UNKNOWN):
            raise GitopsError(f"synced, but {app} is {health} (waited up to {timeout:g} s)")
        return 0
    finally:
        ws.close()


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
