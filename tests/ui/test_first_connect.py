"""The TUI connects from its worker threads, so in a real `gitops-tui` process the kubernetes client package
is first imported there, by two workers at once (the header and the reconcile loop). Unserialised, one of them
saw the package half-imported and every app showed "ImportError: cannot import name 'ApiClient'" until the
retry. Tests that import the sandbox's kubectl helpers import the package up front and never saw it, so this
runs in a fresh interpreter that has not imported it."""

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

    async def main(app):
        async with app.run_test(size=(120, 36)) as pilot:
            async with asyncio.timeout(30):
                while (app.snapshot is None or app.header_info is None) and not app.problem:
                    await pilot.pause(0.05)
            return app.snapshot, app.header_info, app.problem

    with tempfile.TemporaryDirectory() as tmp:
        server = SandboxServer(controllers=False).start()
        try:
            kubeconfig = server.write_kubeconfig(Path(tmp) / "kubeconfig", context="sandbox")
            repo = build_demo_repo(Path(tmp) / "repo")
            assert "kubernetes" not in sys.modules, "imported before the TUI ran: this test proves nothing"
            settings = Settings(repo=str(repo), kubeconfig=str(kubeconfig), context="sandbox")
            ws = Workspace(settings, GitRepo(repo))
            snapshot, header, problem = asyncio.run(main(make_app(ws, settings)))
            ws.close()
        finally:
            server.stop()
    errors = [f"{a.app.name}: {a.error}" for a in snapshot.apps if a.error] if snapshot else []
    print(header and header.server, problem, *errors, sep="\\n")
    sys.exit(1 if errors or problem or header is None or not header.server.startswith("http") else 0)
    """
)


def test_first_connection_from_the_tui_workers_in_a_fresh_process() -> None:
    for _ in range(2):
        proc = subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, text=True, timeout=120)
        assert proc.returncode == 0, proc.stdout + proc.stderr[-3000:]
