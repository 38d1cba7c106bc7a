"""Shared fixtures for integration tests: the sandbox API server over loopback."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from gitops_tui.sandbox.server import SandboxServer


@pytest.fixture
def sandbox(tmp_path: Path) -> Iterator[tuple[SandboxServer, Path]]:
    server = SandboxServer().start()
    try:
        yield server, server.write_kubeconfig(tmp_path / "kubeconfig", context="sandbox")
    finally:
        server.stop()
