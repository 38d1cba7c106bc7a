"""Command line (DESIGN §3, a stable contract): `main` parses, dispatches to the command's module and turns
what goes wrong into one line and an exit code. The command modules (`inspect`, `mutate`, `run`) build the
real collaborators and hand them in; they share `base` and never import this module.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import select
import sys
from collections.abc import Callable, Sequence

from gitops_tui.cli import inspect, mutate, run
from gitops_tui.cli.base import EXIT_BROKEN_PIPE, EXIT_ERROR, build_parser
from gitops_tui.model import GitopsError

__all__ = ["COMMANDS", "build_parser", "main"]

COMMANDS: dict[str | None, Callable[[argparse.Namespace], int]] = {
    None: run.cmd_tui,
    "demo": run.cmd_demo,
    "status": inspect.cmd_status,
    "diff": inspect.cmd_diff,
    "sync": mutate.cmd_sync,
    "adopt": mutate.cmd_adopt,
    "history": inspect.cmd_history,
    "revert": mutate.cmd_revert,
    "watch": run.cmd_watch,
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
