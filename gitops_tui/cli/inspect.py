"""The commands that only look: `status`, `diff` and `history`."""

from __future__ import annotations

import argparse
import json
import sys

from gitops_tui.cli.base import (
    EXIT_DRIFT,
    EXIT_ERROR,
    EXIT_OK,
    UsageError,
    make_workspace,
    out,
    parse_resource,
    reconcile_or_fail,
    resource_matches,
)
from gitops_tui.model import GitopsError, SyncStatus


def cmd_status(args: argparse.Namespace) -> int:
    from gitops_tui.output import status_json, status_text

    ws = make_workspace(args, overlap=True)
    try:
        snap = reconcile_or_fail(ws)
    finally:
        ws.close()
    print(status_json(snap.apps) if args.json else status_text(snap.apps), end="" if not args.json else "\n")
    for err in snap.discovery_errors:
        print(f"gitops-tui: {err}", file=sys.stderr)
    failed = [a for a in snap.apps if a.sync is SyncStatus.UNKNOWN or a.error]
    if failed:
        more = f" (and {len(failed) - 1} more)" if len(failed) > 1 else ""
        first = failed[0]
        print(f"gitops-tui: {first.app.id}: {first.error or 'not compared'}{more}", file=sys.stderr)
        return EXIT_ERROR
    return EXIT_DRIFT if any(a.sync is not SyncStatus.SYNCED for a in snap.apps) else EXIT_OK


def cmd_diff(args: argparse.Namespace) -> int:
    from gitops_tui.output import diff_json, unified_diff

    specs = [parse_resource(s) for s in args.resource]
    ws = make_workspace(args, overlap=True)
    try:
        snap = reconcile_or_fail(ws, only=[args.app])
        app = snap.app(ws.resolve(args.app))  # an unknown or ambiguous name fails here, saying why
        assert app is not None
        if app.sync is SyncStatus.UNKNOWN and not app.resources:
            raise GitopsError(f"{app.app.id}: {app.error}")
        chosen = [r for r in app.resources if not specs or any(resource_matches(r.key, s) for s in specs)]
        if specs and not chosen:
            raise UsageError(f"no resource of {args.app} matches {', '.join(args.resource)}")
        drifted = [r for r in chosen if r.sync is not SyncStatus.SYNCED]
        if args.json:
            print(diff_json(app, chosen))
        else:
            for res in drifted:
                sys.stdout.write(unified_diff(ws.resource_detail(app.app.id, res.key)))
    finally:
        ws.close()
    unknown = [r for r in chosen if r.sync is SyncStatus.UNKNOWN]
    if unknown:
        more = f" (and {len(unknown) - 1} more)" if len(unknown) > 1 else ""
        first = unknown[0]
        print(f"gitops-tui: {first.key.display()}: {first.error or 'not compared'}{more}", file=sys.stderr)
        return EXIT_ERROR
    return EXIT_DRIFT if drifted else EXIT_OK


def cmd_history(args: argparse.Namespace) -> int:
    from gitops_tui.actions import Actions
    from gitops_tui.actions.describe import commit_json, history_lines

    ws = make_workspace(args, connect=False)
    try:
        commits = Actions(ws).history(args.app)
    finally:
        ws.close()
    if args.json:
        print(json.dumps({"app": args.app, "commits": [commit_json(c) for c in commits]}, indent=2))
    else:
        out(history_lines(commits))
    return 0
