"""A running sandbox and a REST client on it, per test."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from gitops_tui.sandbox.server import SandboxServer
from tests.sandbox.rest import Rest


@pytest.fixture
def server() -> Iterator[SandboxServer]:
    srv = SandboxServer(bookmark_seconds=0.2).start()
    try:
        yield srv
    finally:
        srv.stop()


@pytest.fixture
def rest(server: SandboxServer, tmp_path: Path) -> Iterator[Rest]:
    client = Rest(server.write_kubeconfig(tmp_path / "kubeconfig"))
    try:
        yield client
    finally:
        client.close()


def namespace(rest: Rest, name: str) -> None:
    resp = rest.create(
        "/api/v1/namespaces", {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": name}}
    )
    assert resp.status == 201, resp
