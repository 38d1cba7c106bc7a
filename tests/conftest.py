"""Every test runs with its own XDG directories: no test reads the developer's config or writes their
caches, audit log or state."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture(autouse=True)
def _isolated_xdg(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    base: Path = tmp_path_factory.mktemp("xdg")
    for name in ("XDG_CONFIG_HOME", "XDG_CACHE_HOME", "XDG_STATE_HOME"):
        (base / name).mkdir()
        monkeypatch.setenv(name, str(base / name))
    for name in ("KUBECONFIG", "GITOPS_TUI_READ_ONLY", "GITOPS_TUI_FIELD_MANAGER", "GITOPS_TUI_DIFF_MODE"):
        monkeypatch.delenv(name, raising=False)
