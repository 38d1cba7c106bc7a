"""`gitops-tui demo`: a sample GitOps repo, the sandbox API server, a first sync, realistic drift, the TUI.

Everything lives in one temporary directory that is removed on exit, and the server runs in this process,
so quitting leaves nothing behind.
"""

from __future__ import annotations

import shutil
import signal
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from gitops_tui.cluster.client import ClusterClient
from gitops_tui.cluster.tracking import ANNOTATION
from gitops_tui.model import HeaderInfo, Obj
from gitops_tui.sandbox.demo_repo import build_demo_repo
from gitops_tui.sandbox.kubectl import Kubectl
from gitops_tui.sandbox.objects import frozen_clock
from gitops_tui.sandbox.server import SandboxServer

CONTEXT = "sandbox"


@dataclass(frozen=True)
class Demo:
    root: Path
    repo: Path
    kubeconfig: Path
    server: SandboxServer


def initial_sync(client: ClusterClient, objects: list[Obj], manager: str = "gitops-tui") -> None:
    """Apply every desired object once, Namespaces and CRDs first, as a first sync would."""
    first = [o for o in objects if o.get("kind") in ("Namespace", "CustomResourceDefinition")]
    rest = [o for o in objects if o.get("kind") not in ("Namespace", "CustomResourceDefinition")]
    for batch in (first, rest):
        for result in client.apply_many(batch, manager=manager, force=True):
            if isinstance(result, Exception):
                raise result
        if batch is first:
            client.discovery.refresh()


def make_drift(kubectl: Kubectl) -> None:
    """The out-of-band changes an on-call operator would find (DESIGN §6)."""
    kubectl.scale("Deployment", "production", "api", replicas=5)
    kubectl.set_image(
        "Deployment", "staging", "api", container="api", image="registry.example.com/api:1.5.0-rc1"
    )
    # During an incident someone pointed the storefront at the staging API by hand.
    kubectl.set_env(
        "Deployment",
        "web",
        "web",
        container="web",
        env="API_URL",
        value="http://api.staging.svc.cluster.local",
    )
    kubectl.delete("Service", "database", "database")
    kubectl.create(
        {
            "apiVersion": "v1",
            "kind": "ConfigMap",
            "metadata": {
                "name": "api-hotfix-flags",
                "namespace": "production",
                "annotations": {ANNOTATION: "api-production:/ConfigMap:production/api-hotfix-flags"},
            },
            "data": {"FEATURE_NEW_CHECKOUT": "false"},
        }
    )


class Terminated(SystemExit):
    """SIGTERM or SIGHUP (the terminal closed) arrived: unwind so that the demo directory is removed."""


def _terminate(signum: int, _frame: object) -> None:
    raise Terminated(128 + signum)


@contextmanager
def _exit_on_hangup() -> Iterator[None]:
    """Turn SIGTERM and SIGHUP into an exception while the demo runs: Python's default for both is to die
    without running `finally`, which would leave the temporary directory behind."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = {sig: signal.signal(sig, _terminate) for sig in (signal.SIGTERM, signal.SIGHUP)}
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


@contextmanager
def demo_environment(*, latency_ms: float = 0.0, frozen_at: float | None = None) -> Iterator[Demo]:
    """Build the repo, start the sandbox, sync, drift; tear everything down on exit (also on SIGTERM or
    SIGHUP). With `frozen_at`, every time the sandbox records while building is that one."""
    with _exit_on_hangup():
        yield from _demo_environment(latency_ms, frozen_at)


def _demo_environment(latency_ms: float, frozen_at: float | None) -> Iterator[Demo]:
    from gitops_tui.config import Settings
    from gitops_tui.orchestration.reconcile import Workspace
    from gitops_tui.source.repo import GitRepo

    root = Path(tempfile.mkdtemp(prefix="gitops-tui-demo-"))
    server = SandboxServer(controllers=True)
    try:
        repo = build_demo_repo(root / "repo")
        server.start()
        server.faults.latency_ms = latency_ms
        kubeconfig = server.write_kubeconfig(root / "kubeconfig", context=CONTEXT)
        settings = Settings(repo=str(repo), kubeconfig=str(kubeconfig), context=CONTEXT)
        with frozen_clock(frozen_at) if frozen_at is not None else nullcontext():
            ws = Workspace(settings, GitRepo(repo))
            try:
                client = ws.client()
                initial_sync(client, ws.desired_objects())
            finally:
                ws.close()
            kubectl = Kubectl(str(kubeconfig), CONTEXT)
            try:
                make_drift(kubectl)
            finally:
                kubectl.close()
        yield Demo(root=root, repo=repo, kubeconfig=kubeconfig, server=server)
    finally:
        server.stop()
        shutil.rmtree(root, ignore_errors=True)


def wait_for_interrupt(demo: Demo) -> None:
    """--no-tui: say where everything is and keep the sandbox up until Ctrl-C or SIGTERM."""
    print(f"repo:       {demo.repo}")
    print(f"kubeconfig: {demo.kubeconfig}")
    print(f"server:     {demo.server.url}")
    print("\nTry, in another terminal:")
    print(f"  export KUBECONFIG={demo.kubeconfig}")
    print(f"  cd {demo.repo} && gitops-tui status")
    print("\nPress Ctrl-C to stop the sandbox and remove the demo.", flush=True)
    stop = threading.Event()
    try:
        while not stop.wait(1.0):
            pass
    except (KeyboardInterrupt, Terminated):
        pass


# -- the same demo on every run: for SVG snapshots and the README's screenshots -------------------------------
DRIFTED_AT = 1710345600.0  # 2024-03-13T16:00:00Z, after the demo repo's last commit
STEADY_NOW = DRIFTED_AT + 7 * 60  # the clock of the workspace and the app: the drift is 7 minutes old
STEADY_SERVER = "https://127.0.0.1:6443"  # shown instead of the sandbox's random port


class SteadyWorkspace:
    """A demo workspace that always tells the same story: a fixed clock and a fixed server URL in the
    header. Everything else is the real Workspace against the real sandbox."""

    def __init__(self, demo: Demo) -> None:
        from gitops_tui.config import Settings
        from gitops_tui.orchestration.reconcile import Workspace
        from gitops_tui.source.repo import GitRepo

        settings = Settings(repo=str(demo.repo), kubeconfig=str(demo.kubeconfig), context=CONTEXT)
        self._workspace = Workspace(settings, GitRepo(demo.repo), clock=lambda: STEADY_NOW)
        self.settings = settings

    def __getattr__(self, name: str) -> Any:
        return getattr(self._workspace, name)

    def header(self) -> HeaderInfo:
        return replace(self._workspace.header(), server=STEADY_SERVER)

    def reconcile_once(self, **kwargs: Any) -> Any:
        snapshot = self._workspace.reconcile_once(**kwargs)
        return replace(snapshot, header=replace(snapshot.header, server=STEADY_SERVER))


@contextmanager
def steady_demo() -> Iterator[SteadyWorkspace]:
    with demo_environment(frozen_at=DRIFTED_AT) as demo:
        workspace = SteadyWorkspace(demo)
        try:
            yield workspace
        finally:
            workspace.close()
