"""A synced sandbox + temp repo driven through the real CLI, with what tests check after each action:
the writes the server received, `status --json`, the audit log, the Git state."""

from __future__ import annotations

import io
import json
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from repotools import git

from gitops_tui.audit import AuditEntry, AuditLog
from gitops_tui.cli import main
from gitops_tui.config import Settings
from gitops_tui.orchestration.reconcile import Workspace
from gitops_tui.sandbox.demo import initial_sync
from gitops_tui.sandbox.kubectl import Kubectl
from gitops_tui.sandbox.server import SandboxServer
from gitops_tui.source.repo import GitRepo

WRITES = ("POST", "PUT", "PATCH", "DELETE")


class FakeTerminal(io.StringIO):
    """stdin that says it is a terminal and answers with the given lines."""

    def isatty(self) -> bool:
        return True


def mark(server: SandboxServer, kubectl: Kubectl) -> int:
    """Where the request log stands now. The server logs a request just after answering it, so first
    wait for a probe sent after everything before it to be logged."""
    probe = f"/api/v1/namespaces/default?probe={time.monotonic_ns()}"
    kubectl._call("GET", probe)
    deadline = time.monotonic() + 10
    while not any(r.path == probe for r in server.requests.records[-50:]):
        if time.monotonic() > deadline:
            raise AssertionError("the sandbox never logged the probe request")
        time.sleep(0.01)
    return len(server.requests.records)


@dataclass
class Env:
    server: SandboxServer
    kubeconfig: Path
    repo: Path
    kubectl: Kubectl
    capsys: pytest.CaptureFixture[str]

    @property
    def common(self) -> list[str]:
        return ["--repo", str(self.repo), "--kubeconfig", str(self.kubeconfig), "--context", "sandbox"]

    def cli(self, *args: str) -> tuple[int, str, str]:
        self.capsys.readouterr()
        code = main([*args, *self.common])
        out, err = self.capsys.readouterr()
        return code, out, err

    def sync_all(self) -> None:
        ws = Workspace(Settings(kubeconfig=str(self.kubeconfig), context="sandbox"), GitRepo(self.repo))
        try:
            initial_sync(ws.client(), ws.desired_objects())
        finally:
            ws.close()

    def mark(self) -> int:
        return mark(self.server, self.kubectl)

    def writes(self, since: int = 0) -> list[tuple[str, str]]:
        """(method, path) of every mutating request after `since`, dry runs excluded."""
        return [
            (r.method, r.path)
            for r in self.server.requests.records[since:]
            if r.method in WRITES and not r.dry_run
        ]

    def status(self) -> dict[str, dict[str, Any]]:
        """`status --json` by app name, each with `by`: (kind, namespace, name) -> resource."""
        code, out, err = self.cli("status", "--json")
        assert code in (0, 1), err
        apps = {a["name"]: a for a in json.loads(out)["apps"]}
        for a in apps.values():
            a["by"] = {(r["kind"], r["namespace"], r["name"]): r for r in a["resources"]}
        return apps

    def audit(self) -> list[AuditEntry]:
        return AuditLog().entries()

    def git(self, *args: str) -> str:
        return git(self.repo, *args)

    def head(self) -> str:
        return self.git("rev-parse", "HEAD").strip()

    def live(self, kind: str, namespace: str, name: str) -> dict[str, Any]:
        return self.kubectl.get(kind, namespace, name)


@contextmanager
def synced_env(
    tmp_path: Path, repo: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> Iterator[Env]:
    """The sandbox with its controllers (so workloads become healthy, as on a real cluster) and `repo`
    applied to it, as after a first sync."""
    monkeypatch.setenv("GITOPS_TUI_HEALTH_TIMEOUT", "20")
    git(repo, "config", "user.name", "On Call")  # whoever runs the tests, adopt and revert commit as this
    git(repo, "config", "user.email", "oncall@example.com")
    server = SandboxServer(controllers=True, controller_delay=0.01).start()
    kubectl = None
    try:
        kubeconfig = server.write_kubeconfig(tmp_path / "kubeconfig", context="sandbox")
        kubectl = Kubectl(str(kubeconfig), "sandbox")
        env = Env(server, kubeconfig, repo, kubectl, capsys)
        env.sync_all()
        yield env
    finally:
        if kubectl is not None:
            kubectl.close()
        server.stop()


def remote(env: Env, tmp_path: Path, *, reject: str = "") -> Path:
    """A bare `origin` for the env's repo, main pushed to it; with `reject`, a pre-receive hook that
    refuses every push with that message (a protected branch)."""
    bare = tmp_path / "origin.git"
    git(tmp_path, "init", "-q", "--bare", str(bare))
    # The remote is named as the Applications name the repository; git sends it to the bare one.
    env.git("config", f"url.{bare}.insteadOf", "https://git.example.com/platform.git")
    env.git("remote", "add", "origin", "https://git.example.com/platform.git")
    env.git("push", "-q", "-u", "origin", "main")
    if reject:
        hook = bare / "hooks/pre-receive"
        hook.write_text(f"#!/bin/sh\necho '{reject}' >&2\nexit 1\n")
        hook.chmod(0o755)
    return bare
