"""Command line (DESIGN §3, a stable contract). Builds the real collaborators and hands them in.

Exit codes follow `kubectl diff`: 0 in sync / success, 1 drift found, 2 error (one line on stderr).
"""

from __future__ import annotations

import argparse
import contextlib
import os
import select
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from gitops_tui import __version__, cli_actions
from gitops_tui.model import GitopsError, ResourceKey, SyncStatus

if TYPE_CHECKING:  # imported late at run time, as everything heavy here: `--help` starts at once
    from gitops_tui.reconcile import Snapshot, Workspace

EXIT_OK, EXIT_DRIFT, EXIT_ERROR = 0, 1, 2
EXIT_BROKEN_PIPE = 128 + 13  # SIGPIPE, as a shell reports a writer killed by it


class UsageError(GitopsError):
    pass


def _global_options(parser: argparse.ArgumentParser, *, suppress: bool) -> None:
    default = argparse.SUPPRESS if suppress else None
    parser.add_argument(
        "--repo", default=default, help="Git checkout of the config repo (default: Git root of .)"
    )
    parser.add_argument(
        "--kubeconfig", default=default, help="kubeconfig file (default: $KUBECONFIG, ~/.kube/config)"
    )
    parser.add_argument("--context", default=default, help="kube context (default: the current one)")
    parser.add_argument(
        "--revision", default=default, help="render Git at this revision instead of the working tree"
    )
    parser.add_argument(
        "--read-only", action="store_true", default=default, help="hide and refuse every mutation"
    )
    parser.add_argument(
        "--auto", action="store_true", default=default, help="run the apps' automated sync policies"
    )
    parser.add_argument(
        "--diff-mode",
        choices=("auto", "server", "client"),
        default=default,
        help="server-side dry run or client-side",
    )


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="gitops-tui", description="Keyboard-driven GitOps drift inspection, sync, revert and adopt."
    )
    parser.add_argument("--version", action="version", version=f"gitops-tui {__version__}")
    _global_options(parser, suppress=False)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    def command(name: str, help_text: str) -> argparse.ArgumentParser:
        p = sub.add_parser(name, help=help_text, description=help_text)
        _global_options(p, suppress=True)
        return p

    p = command("demo", "embedded sandbox: sample repo + local API server with drift, then the TUI")
    p.add_argument("--no-tui", action="store_true", help="print the paths and keep the sandbox running")
    p = command("status", "every app: sync, health, drifted resources")
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p = command("diff", "Git-vs-live diff of one app")
    p.add_argument("app")
    p.add_argument("--resource", action="append", default=[], metavar="KIND/[NS/]NAME")
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p = command("sync", "apply Git to the cluster for one app (server-side apply), after a preview")
    p.add_argument("app")
    p.add_argument("--resource", action="append", default=[], metavar="KIND/[NS/]NAME")
    p.add_argument("--prune", action="store_true", help="delete tracked live objects that are not in Git")
    p.add_argument(
        "--dry-run", action="store_true", help="show the plan, check it with the server, change nothing"
    )
    p.add_argument("--yes", action="store_true", help="do not ask for confirmation")
    p = command("adopt", "write a resource's live values of drifted fields into Git and commit them")
    p.add_argument("app")
    p.add_argument("--resource", required=True, metavar="KIND/[NS/]NAME")
    p.add_argument("--path", action="append", default=[], metavar="JSONPTR", help="only this drifted field")
    p.add_argument("-m", "--message", default=None, metavar="REASON", help="why (the commit message body)")
    p.add_argument("--push", action="store_true", help="push the adopt commit (never prompts)")
    p.add_argument("--yes", action="store_true", help="do not ask for confirmation")
    p = command("history", "commits that touched an app's path, newest first")
    p.add_argument("app")
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p = command("revert", "git revert a commit after previewing its effect on the rendered apps")
    p.add_argument("commit")
    p.add_argument("--push", action="store_true", help="push the revert commit (never prompts)")
    p.add_argument("--sync", action="store_true", help="sync the apps the revert changed")
    p.add_argument("--yes", action="store_true", help="do not ask for confirmation")
    command("watch", "the reconcile loop, headless: one log line per event")
    return parser


def parse_resource(spec: str) -> tuple[str, str | None, str]:
    """KIND/[NS/]NAME → (kind, namespace or None, name). KIND may be `kind.group`."""
    parts = spec.split("/")
    if len(parts) == 2 and all(parts):
        return parts[0], None, parts[1]
    if len(parts) == 3 and parts[0] and parts[2]:
        return parts[0], parts[1] or None, parts[2]
    raise UsageError(f"--resource {spec!r}: expected KIND/NAME or KIND/NAMESPACE/NAME")


def resource_matches(key: ResourceKey, spec: tuple[str, str | None, str]) -> bool:
    kind, namespace, name = spec
    kind_name, _, group = kind.partition(".")
    if kind_name.lower() != key.kind.lower() or name != key.name:
        return False
    if group and group != key.group:
        return False
    return namespace is None or namespace == key.namespace


def _flags(args: argparse.Namespace) -> dict[str, object]:
    names = ("kubeconfig", "context", "revision", "read_only", "auto", "diff_mode")
    return {n: getattr(args, n, None) for n in names}


def make_workspace(args: argparse.Namespace, *, connect: bool = True, overlap: bool = False):  # type: ignore[no-untyped-def]
    """The workspace for a command. `connect`: a bad kubeconfig or an unknown context is one clear error up
    front, not one per app. `overlap` (read-only commands): check only what our own kubeconfig reader can
    (file, context, server) now, and let the official client load while the apps render; the command then
    reports `ws.kubeconfig_error()` itself. Mutating commands never overlap: a revert must not be
    committed before we know the sync after it can run."""
    from gitops_tui.cluster.kubeconfig import find_context
    from gitops_tui.config import load_settings
    from gitops_tui.reconcile import Workspace
    from gitops_tui.source.repo import GitRepo

    repo = GitRepo(Path(args.repo) if getattr(args, "repo", None) else Path.cwd())
    settings = load_settings({"repo": str(repo.root), **_flags(args)}, repo_root=repo.root)
    ws = Workspace(settings, repo)
    if connect and overlap:
        find_context(settings.kubeconfig, settings.context)
    elif connect:
        ws.client()
    return ws


def _reconcile_or_fail(ws: Workspace, only: list[str] | None = None) -> Snapshot:
    """One reconcile; a kubeconfig the official client rejects for the default context is one line."""
    snap = ws.reconcile_once(only=only)
    error = ws.kubeconfig_error()
    if error is not None:
        raise error
    return snap


def cmd_status(args: argparse.Namespace) -> int:
    from gitops_tui.output import status_json, status_text

    ws = make_workspace(args, overlap=True)
    try:
        snap = _reconcile_or_fail(ws)
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
        snap = _reconcile_or_fail(ws, only=[args.app])
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
    from gitops_tui.reconcile import Workspace
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
    from gitops_tui.loop import ReconcileEngine

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


COMMANDS: dict[str | None, Callable[[argparse.Namespace], int]] = {
    None: cmd_tui,
    "demo": cmd_demo,
    "status": cmd_status,
    "diff": cmd_diff,
    "sync": cli_actions.cmd_sync,
    "adopt": cli_actions.cmd_adopt,
    "history": cli_actions.cmd_history,
    "revert": cli_actions.cmd_revert,
    "watch": cmd_watch,
}


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        code = _run(args)
        sys.stdout.flush()  # here, not at exit, so that a closed pipe is ours to handle
        return code
    except BrokenPipeError:
        return _reader_left()


def _run(args: argparse.Namespace) -> int:
    try:
        return COMMANDS[args.command](args)
    except BrokenPipeError:
        raise
    except GitopsError as exc:
        print(f"gitops-tui: {exc.message}", file=sys.stderr)
        return EXIT_ERROR
    except KeyboardInterrupt:
        return 130
    except Exception as exc:  # last resort: one line, never a traceback, unless asked for
        if os.environ.get("GITOPS_TUI_DEBUG"):
            raise
        print(
            f"gitops-tui: internal error: {type(exc).__name__}: {exc} (GITOPS_TUI_DEBUG=1 shows more)",
            file=sys.stderr,
        )
        return EXIT_ERROR


def _reader_left() -> int:
    """`gitops-tui diff APP | head`: a reader has gone. Quiet, as git is. Only the streams whose reader has
    gone are pointed at /dev/null (so the interpreter's flush at exit does not complain); what is still
    buffered for a stream that works (stdout, when it was stderr's reader that left) is written."""
    gone = [s for s in (sys.stdout, sys.stderr) if _pipe_reader_gone(s)] or [sys.stdout]
    for stream in gone:
        with contextlib.suppress(OSError, ValueError):
            os.dup2(os.open(os.devnull, os.O_WRONLY), stream.fileno())
    with contextlib.suppress(OSError, ValueError):
        sys.stdout.flush()
    return EXIT_BROKEN_PIPE


def _pipe_reader_gone(stream: object) -> bool:
    """Whether `stream` is the write end of a pipe nobody reads any more (poll reports an error on it)."""
    try:
        fd = stream.fileno()  # type: ignore[attr-defined]
        poller = select.poll()
        poller.register(fd, select.POLLOUT)
        return any(events & select.POLLERR for _, events in poller.poll(0))
    except (AttributeError, OSError, ValueError):
        return False
