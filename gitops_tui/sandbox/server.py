"""SandboxServer: a loopback Kubernetes API server for the demo and the test tier.

srv = SandboxServer().start()
kubeconfig = srv.write_kubeconfig(tmp / "kubeconfig")
...  # the official kubernetes client, unchanged
srv.stop()  # start() again later on the same port: objects are kept (a restart)
"""

from __future__ import annotations

import threading
from pathlib import Path
from types import TracebackType
from typing import Any

import yaml

from gitops_tui.sandbox.controllers import Controllers
from gitops_tui.sandbox.crds import CrdController
from gitops_tui.sandbox.faults import FaultInjector, Rbac, RequestLog
from gitops_tui.sandbox.httpd import Context, Server
from gitops_tui.sandbox.operations import Api
from gitops_tui.sandbox.registry import Registry
from gitops_tui.sandbox.store import Store

# Namespaces every cluster has.
_SYSTEM_NAMESPACES = ("default", "kube-system", "kube-public", "kube-node-lease")


class SandboxServer:
    def __init__(
        self,
        host: str = "127.0.0.1",
        port: int = 0,
        token: str | None = None,
        *,
        controllers: bool = False,
        controller_delay: float = 0.05,
        bookmark_seconds: float = 5.0,
        watch_history: int = 5000,
    ) -> None:
        self.host = host
        self.port = port
        self.token = token
        self.store = Store(history=watch_history)
        self.registry = Registry()
        self.api = Api(self.store, self.registry)
        self.faults = FaultInjector()
        self.requests = RequestLog()
        self.rbac = Rbac()
        self._stopping = threading.Event()
        self._ctx = Context(
            self.api, self.faults, self.requests, self.rbac, token, bookmark_seconds, self._stopping
        )
        self.faults._drop_watches = self.store.drop_watches
        self._crds = CrdController(self.api)
        self.controllers = Controllers(self.api, delay=controller_delay) if controllers else None
        self._httpd: Server | None = None
        self._thread: threading.Thread | None = None
        for name in _SYSTEM_NAMESPACES:
            self.api.create(
                self.registry.lookup("", "v1", "namespaces"),  # type: ignore[arg-type]
                "",
                {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": name}},
                "kube-apiserver",
                False,
            )

    # ------------------------------------------------------------ lifecycle

    def start(self) -> SandboxServer:
        if self._httpd is not None:
            return self
        self._stopping.clear()
        self._httpd = Server((self.host, self.port), self._ctx)
        # Keep the port: a restart must come back where clients expect it.
        self.port = self._httpd.server_address[1]
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, args=(0.05,), name="sandbox-http", daemon=True
        )
        self._thread.start()
        if self.controllers is not None:
            self.controllers.start()
        return self

    def stop(self) -> None:
        httpd, self._httpd = self._httpd, None
        if httpd is None:
            return
        self._stopping.set()
        self.store.drop_watches()
        httpd.shutdown()
        httpd.close_connections()
        httpd.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        if self.controllers is not None:
            self.controllers.stop()

    def __enter__(self) -> SandboxServer:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    @property
    def running(self) -> bool:
        return self._httpd is not None

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    # ------------------------------------------------------------ client configuration

    def write_kubeconfig(
        self,
        path: str | Path,
        context: str = "sandbox",
        namespace: str = "default",
        token: str | None = None,
    ) -> Path:
        """A kubeconfig with cluster `sandbox`, user `sandbox-admin` and `context` (current)."""
        user: dict[str, Any] = {}
        if token or self.token:
            user["token"] = token or self.token
        config = {
            "apiVersion": "v1",
            "kind": "Config",
            "clusters": [{"name": "sandbox", "cluster": {"server": self.url}}],
            "users": [{"name": "sandbox-admin", "user": user}],
            "contexts": [
                {
                    "name": context,
                    "context": {"cluster": "sandbox", "user": "sandbox-admin", "namespace": namespace},
                }
            ],
            "current-context": context,
            "preferences": {},
        }
        target = Path(path)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(yaml.safe_dump(config, sort_keys=False))
        return target
