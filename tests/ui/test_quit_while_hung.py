"""`q` while a request hangs on a dead API server: the process ends at once. The client's worker threads
used to be a `ThreadPoolExecutor`, which the interpreter joins at exit, so the TUI stayed open until the
hung request timed out (7 s of a 10 s timeout, by hand). Run in a fresh interpreter: exit is the point."""

from __future__ import annotations

import subprocess
import sys
import textwrap

SCRIPT = textwrap.dedent(
    """
    import asyncio, sys, tempfile
    from pathlib import Path
    from gitops_tui.config import Settings
    from gitops_tui.orchestration.reconcile import Workspace
    from gitops_tui.sandbox.demo_repo import build_demo_repo
    from gitops_tui.sandbox.server import SandboxServer
    from gitops_tui.source.repo import GitRepo
    from gitops_tui.ui.app import make_app

    async def main(app, hang):
        async with app.run_test(size=(120, 36)) as pilot:
            async with asyncio.timeout(30):
                while not hang.hits:  # a LIST of Deployments is in flight, and will not come back
                    await pilot.pause(0.05)
            await pilot.press("q")

    tmp = tempfile.mkdtemp()
    server = SandboxServer(controllers=False).start()
    hang = server.faults.rules.add_rule("GET", r".*/deployments.*", status=500, hang_seconds=300)
    kubeconfig = server.write_kubeconfig(Path(tmp) / "kubeconfig", context="sandbox")
    repo = build_demo_repo(Path(tmp) / "repo")
    settings = Settings(repo=str(repo), kubeconfig=str(kubeconfig), context="sandbox", request_timeout=300)
    ws = Workspace(settings, GitRepo(repo))
    asyncio.run(main(make_app(ws, settings), hang))
    ws.close()
    print("quit", flush=True)
    """
)


def test_quitting_does_not_wait_for_a_hung_request() -> None:
    # The hung LIST would end after 300 s; the process must be gone long before (TimeoutExpired = failure).
    proc = subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, text=True, timeout=90)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert proc.stdout == "quit\n"
