"""The long-running commands: the TUI (the default), the demo, and `watch`."""

from __future__ import annotations

import argparse

from gitops_tui.cli.base import EXIT_OK, make_workspace


def cmd_tui(args: argparse.Namespace) -> int:
    from gitops_tui.actions import Actions
    from gitops_tui.ui.app import make_app

    # Connect in the app's workers, not here: importing the kubernetes client and reading kubeconfig would
    # delay the first paint by most of a second; a bad context then shows in the header and on every app.
    ws = make_workspace(args, connect=False)
    try:
        make_app(ws, ws.settings, actions=Actions(ws)).run()
    finally:
        ws.close()
    return EXIT_OK


def cmd_demo(args: argparse.Namespace) -> int:
    from gitops_tui.config import Settings
    from gitops_tui.orchestration.reconcile import Workspace
    from gitops_tui.sandbox.demo import CONTEXT, demo_environment, wait_for_interrupt
    from gitops_tui.source.repo import GitRepo

    with demo_environment() as demo:
        if args.no_tui:
            wait_for_interrupt(demo)
            return EXIT_OK
        from gitops_tui.actions import Actions
        from gitops_tui.audit import AuditLog
        from gitops_tui.ui.app import make_app

        settings = Settings(repo=str(demo.repo), kubeconfig=str(demo.kubeconfig), context=CONTEXT)
        ws = Workspace(settings, GitRepo(demo.repo))
        # the demo's mutations are logged beside its repo, not in the operator's real audit log
        actions = Actions(ws, AuditLog(demo.repo.parent / "audit.jsonl"))
        try:
            make_app(ws, settings, actions=actions).run()
        finally:
            ws.close()
    return EXIT_OK


def cmd_watch(args: argparse.Namespace) -> int:
    from gitops_tui.actions import Actions
    from gitops_tui.actions.automation import Automation
    from gitops_tui.orchestration.loop import ReconcileEngine

    ws = make_workspace(args)
    automation = Automation(Actions(ws), enabled=bool(ws.settings.auto) and not ws.settings.read_only)
    engine = ReconcileEngine(
        ws,
        interval=ws.settings.interval,
        on_event=lambda e: print(e.line(), flush=True),
        automate=automation.run,
        due=automation.next_due,
    )
    print(f"gitops-tui: watching {ws.repo.root} on {ws.client().context} (automation {automation.state})")
    try:
        engine.run()
    finally:
        engine.stop()
        ws.close()
    return EXIT_OK
