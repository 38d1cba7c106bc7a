"""The Apps screen on a repository shaped like fluxcd/flux2-kustomize-helm-example: each cluster's
HelmReleases are rows under the Kustomization that applies them, and one whose chart cannot be fetched
(no chart server here) opens like any other app, its error shown, nothing crashing."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from textual.pilot import Pilot

from gitops_tui.config import Settings
from gitops_tui.orchestration.reconcile import Workspace
from gitops_tui.sandbox.server import SandboxServer
from gitops_tui.source.repo import GitRepo
from gitops_tui.ui.app import GitopsApp, make_app
from gitops_tui.ui.screens.app_resources import AppScreen
from gitops_tui.ui.screens.apps import AppsScreen
from tests.source.fluxhelm import write_example
from tests.source.repos import commit, init

NOWHERE = "127.0.0.1:9"  # the discard port: nothing serves charts there


@pytest.fixture
def sandbox(tmp_path: Path) -> Iterator[Path]:
    server = SandboxServer().start()
    try:
        yield server.write_kubeconfig(tmp_path / "kubeconfig", context="sandbox")
    finally:
        server.stop()


async def until(pilot: Pilot, condition: Callable[[], object]) -> None:
    async with asyncio.timeout(30):
        while not condition():
            await pilot.pause(0.05)


def rows(app: GitopsApp) -> list[tuple[str, str]]:
    screen = app.screen
    assert isinstance(screen, AppsScreen)
    return [(r.key, r.cells[0].plain) for r in screen.table.shown]  # type: ignore[union-attr]


async def test_helmreleases_are_rows_under_their_kustomization(tmp_path: Path, sandbox: Path) -> None:
    repo = init(tmp_path / "repo")
    write_example(repo, f"http://{NOWHERE}/charts", NOWHERE)
    commit(repo, "the flux2-kustomize-helm-example layout")
    settings = Settings(repo=str(repo), kubeconfig=str(sandbox), context="sandbox")
    ws = Workspace(settings, GitRepo(repo))
    app = make_app(ws, settings)
    try:
        async with app.run_test(size=(180, 50)) as pilot:
            await until(pilot, lambda: app.snapshot is not None and rows(app))
            staging = [(k, label.strip()) for k, label in rows(app) if k.startswith("staging/")]
            assert [k for k, _ in staging] == [
                "staging/flux-system/flux-system",
                "staging/flux-system/apps",
                "staging/podinfo/hr:podinfo",
                "staging/flux-system/infra-configs",
                "staging/flux-system/infra-controllers",
                "staging/cert-manager/hr:cert-manager",
                "staging/envoy-gateway-system/hr:envoy-gateway",
            ]
            labels = dict(rows(app))
            apps_row, release_row = labels["staging/flux-system/apps"], labels["staging/podinfo/hr:podinfo"]
            assert release_row.strip().startswith("podinfo (HelmRelease)")
            indent = len(release_row) - len(release_row.lstrip())
            assert indent > len(apps_row) - len(apps_row.lstrip())  # one level under `apps`
            screen = app.screen
            assert isinstance(screen, AppsScreen)
            screen.table.select_key("staging/podinfo/hr:podinfo")
            await pilot.press("enter")
            await until(pilot, lambda: isinstance(app.screen, AppScreen))
            opened = app.screen
            assert isinstance(opened, AppScreen) and opened.status is not None
            assert opened.status.app.kind == "HelmRelease" and opened.status.app.cluster == "staging"
            assert "not reachable offline" in opened.status.error
            await pilot.press("escape")
            await until(pilot, lambda: isinstance(app.screen, AppsScreen))
    finally:
        ws.close()
