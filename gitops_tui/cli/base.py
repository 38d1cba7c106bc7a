"""What every command shares: the parser (DESIGN §3, a stable contract), the workspace a command works on,
resource arguments, confirmation and output. Command modules import from here, never from each other or
from the package above.

Exit codes follow `kubectl diff`: 0 in sync / success, 1 drift found, 2 error (one line on stderr).
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from gitops_tui import __version__
from gitops_tui.model import GitopsError, ResourceKey, SyncStatus

if TYPE_CHECKING:  # imported late at run time, as everything heavy here: `--help` starts at once
    from gitops_tui.orchestration.reconcile import Snapshot, Workspace

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
    p = command(
        "sync",
        "apply Git to the cluster for one app or several (server-side apply), after a preview; several go in "
        "Flux's dependsOn order, each healthy before the next",
    )
    p.add_argument("app", nargs="+")
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
    from gitops_tui.orchestration.reconcile import Workspace
    from gitops_tui.source.repo import GitRepo

    repo = GitRepo(Path(args.repo) if getattr(args, "repo", None) else Path.cwd())
    settings = load_settings({"repo": str(repo.root), **_flags(args)}, repo_root=repo.root)
    ws = Workspace(settings, repo)
    if connect and overlap:
        find_context(settings.kubeconfig, settings.context)
    elif connect:
        ws.client()
    return ws


def reconcile_or_fail(ws: Workspace, only: list[str] | None = None) -> Snapshot:
    """One reconcile; a kubeconfig the official client rejects for the default context is one line."""
    snap = ws.reconcile_once(only=only)
    error = ws.kubeconfig_error()
    if error is not None:
        raise error
    return snap


class Cancelled(GitopsError):
    pass


def out(lines: Sequence[str]) -> None:
    """Print and flush. If the reader has gone (`sync --yes | head -1`), the rest of the output goes to
    /dev/null and the command carries on: a sync, a revert or an adopt is never cut short, nor left out
    of the audit log, because its progress could not be shown."""
    try:
        for line in lines:
            print(line)
        sys.stdout.flush()
    except BrokenPipeError:
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())


def confirm(question: str, yes: bool) -> None:
    """Go on only with `--yes` or a "y" typed at a terminal; stdin not a terminal means no."""
    if yes:
        return
    if not sys.stdin.isatty():
        raise GitopsError("refusing to go on without confirmation: stdin is not a terminal (pass --yes)")
    try:
        answer = input(f"{question} [y/N] ")
    except EOFError:
        answer = ""
    if answer.strip().lower() not in ("y", "yes"):
        raise Cancelled("cancelled: nothing was changed")


def refuse_read_only(ws, what: str) -> None:  # type: ignore[no-untyped-def]
    from gitops_tui.actions import ReadOnlyRefused

    if ws.settings.read_only:
        raise ReadOnlyRefused(what)


def where(ws, app: str) -> str:  # type: ignore[no-untyped-def]
    client = ws.client_for(app)
    return f"context {client.context} ({client.server})"


def fresh_status(ws, app: str, *, refresh: bool = True):  # type: ignore[no-untyped-def]
    if refresh:
        ws.reconcile_once(only=[app])
    ws.app_spec(app)  # an unknown name fails here, listing the known ones
    status = ws.status_of(app)
    if status.sync is SyncStatus.UNKNOWN and not status.resources:
        raise GitopsError(f"{app}: {status.error}")
    return status
