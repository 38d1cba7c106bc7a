"""Fixtures for the reliability suite: the sandbox over loopback with short timeouts, a two-app repo that
was synced once, and the real CLI."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from gitops_tui.audit import AuditLog
from gitops_tui.config import Settings
from gitops_tui.orchestration.reconcile import Workspace
from gitops_tui.sandbox.demo import initial_sync
from gitops_tui.sandbox.kubectl import Kubectl
from gitops_tui.sandbox.server import SandboxServer
from gitops_tui.source.repo import GitRepo

from .reltools import make_repo

# Short enough that a hung server costs a test about a second, long enough for a loaded 2-core machine.
TIMEOUT = 1.5


@dataclass
class Env:
    server: SandboxServer
    kubeconfig: Path
    repo: Path
    ws: Workspace
    audit: AuditLog
    kubectl: Kubectl
    capsys: pytest.CaptureFixture[str]
    workspaces: list[Workspace]
    _actions: Any = None

    @property
    def actions(self) -> Any:
        """gitops_tui.actions.Actions on the main Workspace, made on first use."""
        if self._actions is None:
            from gitops_tui.actions import Actions

            self._actions = Actions(self.ws, self.audit, sleep=lambda _s: None)
        return self._actions

    def workspace(self, **settings: Any) -> Workspace:
        values: dict[str, Any] = {
            "repo": str(self.repo),
            "kubeconfig": str(self.kubeconfig),
            "context": "sandbox",
            "request_timeout": TIMEOUT,
            **settings,
        }
        ws = Workspace(Settings(**values), GitRepo(self.repo))
        self.workspaces.append(ws)
        return ws

    @property
    def common(self) -> list[str]:
        return ["--repo", str(self.repo), "--kubeconfig", str(self.kubeconfig), "--context", "sandbox"]

    def cli(self, *args: str) -> tuple[int, str, str]:
        """Run the real CLI in process; (exit code, stdout, stderr)."""
        from gitops_tui.cli import main

        self.capsys.readouterr()
        code = main([*args, *self.common])
        out, err = self.capsys.readouterr()
        return code, out, err

    def status(self) -> tuple[int, dict[str, Any], str]:
        code, out, err = self.cli("status", "--json")
        assert "Traceback" not in err, err
        return code, {a["name"]: a for a in json.loads(out)["apps"]}, err

    def quiet(self) -> None:
        self.server.faults.clear()
        self.server.rbac.clear()


@pytest.fixture
def sandbox(tmp_path: Path) -> Iterator[tuple[SandboxServer, Path]]:
    server = SandboxServer().start()
    try:
        yield server, server.write_kubeconfig(tmp_path / "kubeconfig", context="sandbox")
    finally:
        server.stop()


@pytest.fixture
def env(
    tmp_path: Path,
    sandbox: tuple[SandboxServer, Path],
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> Iterator[Env]:
    server, kubeconfig = sandbox
    # The CLI reads the request timeout from the environment like any other setting.
    monkeypatch.setenv("GITOPS_TUI_REQUEST_TIMEOUT", str(TIMEOUT))
    repo = make_repo(tmp_path)
    audit = AuditLog(tmp_path / "audit.jsonl")
    e = Env(server, kubeconfig, repo, None, audit, Kubectl(str(kubeconfig), "sandbox"), capsys, [])  # type: ignore[arg-type]
    e.ws = e.workspace()
    initial_sync(e.ws.client(), e.ws.desired_objects())
    yield e
    e.quiet()
    e.kubectl.close()
    for ws in e.workspaces:
        ws.close()


def no_traceback(err: str) -> None:
    assert "Traceback" not in err and "internal error" not in err, err
