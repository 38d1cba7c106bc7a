"""Sandbox API server over loopback, and a ClusterClient on it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from gitops_tui.cluster.client import ClusterClient

MANAGER = "gitops-tui"


def configmap(namespace: str, name: str, **data: str) -> dict:
    return {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {"name": name, "namespace": namespace, "labels": {"app": name}},
        "data": dict(data) or {"key": "value"},
    }


def deployment(namespace: str, name: str, image: str = "nginx:1.27", replicas: int | None = None) -> dict:
    spec: dict = {
        "selector": {"matchLabels": {"app": name}},
        "template": {
            "metadata": {"labels": {"app": name}},
            "spec": {"containers": [{"name": "web", "image": image}]},
        },
    }
    if replicas is not None:
        spec["replicas"] = replicas
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": name, "namespace": namespace, "labels": {"app": name}},
        "spec": spec,
    }


def namespace(name: str) -> dict:
    return {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": name}}


@pytest.fixture
def sandbox(tmp_path: Path):
    from gitops_tui.sandbox.server import SandboxServer

    server = SandboxServer(port=0).start()
    try:
        yield server, server.write_kubeconfig(tmp_path / "kubeconfig", context="sandbox")
    finally:
        server.stop()


@pytest.fixture
def client(sandbox) -> Iterator[ClusterClient]:
    _, kubeconfig = sandbox
    with ClusterClient.from_kubeconfig(str(kubeconfig), "sandbox", timeout=5.0, max_workers=16) as c:
        yield c


@pytest.fixture
def srv(sandbox):
    return sandbox[0]
