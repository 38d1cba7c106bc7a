"""The Apps screen on repositories that are trees: Flux clusters whose apps share names (this crashed the
TUI with `DuplicateKey: The row key ... already exists`), grouped by cluster with each cluster's context in
the header, and an app-of-apps whose children sit under their parent, foldable with `z`."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from textual.pilot import Pilot

from gitops_tui.config import Settings
from gitops_tui.orchestration.reconcile import Workspace
from gitops_tui.sandbox.server import SandboxServer
from gitops_tui.source.repo import GitRepo
from gitops_tui.ui.app import GitopsApp, make_app
from gitops_tui.ui.screens.app_resources import AppScreen
from gitops_tui.ui.screens.apps import AppsScreen
from gitops_tui.ui.widgets.header import StatusHeader
from tests.source.repos import application, commit, deployment, init, write


@pytest.fixture
def sandbox(tmp_path: Path) -> Iterator[Path]:
    server = SandboxServer().start()
    try:
        yield server.write_kubeconfig(tmp_path / "kubeconfig", context="sandbox")
    finally:
        server.stop()


def flux(name: str, path: str) -> dict[str, Any]:
    return {
        "apiVersion": "kustomize.toolkit.fluxcd.io/v1",
        "kind": "Kustomization",
        "metadata": {"name": name, "namespace": "flux-system"},
        "spec": {
            "interval": "10m",
            "path": path,
            "prune": True,
            "sourceRef": {"kind": "GitRepository", "name": "flux-system"},
        },
    }


def two_clusters(root: Path) -> Path:
    repo = init(root / "fleet")
    for cluster in ("staging", "production"):
        write(repo, f"clusters/{cluster}/flux-system/gotk-sync.yaml", "# written by flux bootstrap\n")
        write(repo, f"clusters/{cluster}/flux-system/kustomization.yaml", "resources:\n  - gotk-sync.yaml\n")
        write(repo, f"clusters/{cluster}/apps.yaml", flux("apps", f"./apps/{cluster}"))
        write(repo, f"clusters/{cluster}/kyverno.yaml", flux("kyverno", "./infrastructure"))
        write(repo, f"apps/{cluster}/deploy.yaml", deployment("podinfo"))
    write(repo, "infrastructure/deploy.yaml", deployment("kyverno"))
    commit(repo, "fleet")
    return repo


def build(repo: Path, kubeconfig: Path) -> tuple[GitopsApp, Workspace]:
    settings = Settings(repo=str(repo), kubeconfig=str(kubeconfig), context="sandbox")
    ws = Workspace(settings, GitRepo(repo))
    return make_app(ws, settings), ws


async def until(pilot: Pilot, condition: Callable[[], object]) -> None:
    async with asyncio.timeout(20):
        while not condition():
            await pilot.pause(0.05)


def shown(app: GitopsApp) -> list[str]:
    screen = app.screen
    assert isinstance(screen, AppsScreen)
    return [r.key for r in screen.table.shown]


async def test_apps_of_two_clusters_sharing_names_are_grouped_by_cluster(
    tmp_path: Path, sandbox: Path
) -> None:
    app, ws = build(two_clusters(tmp_path), sandbox)
    try:
        async with app.run_test(size=(160, 40)) as pilot:
            await until(pilot, lambda: app.snapshot is not None and shown(app))
            assert shown(app) == [
                "cluster:production",
                "production/flux-system/flux-system",
                "production/flux-system/apps",
                "production/flux-system/kyverno",
                "cluster:staging",
                "staging/flux-system/flux-system",
                "staging/flux-system/apps",
                "staging/flux-system/kyverno",
            ]
            # The kubeconfig's one context stands for both clusters, and the header says so.
            header = str(app.screen.query_one(StatusHeader).render())
            assert "production→sandbox" in header and "staging→sandbox" in header
            # `z` on a cluster folds it; `enter` on its row unfolds it again.
            screen = app.screen
            assert isinstance(screen, AppsScreen)
            screen.table.select_key("cluster:production")
            await pilot.press("z")
            assert shown(app)[:2] == ["cluster:production", "cluster:staging"]
            await pilot.press("enter")
            assert len(shown(app)) == 8
            # A filter shows the matching apps flat, without the cluster rows.
            await pilot.press("slash", *"kyverno", "enter")
            assert shown(app) == ["production/flux-system/kyverno", "staging/flux-system/kyverno"]
            await pilot.press("escape")
            # Opening one opens that cluster's app, not the other one of the same name.
            screen.table.select_key("staging/flux-system/apps")
            await pilot.press("enter")
            await until(pilot, lambda: isinstance(app.screen, AppScreen))
            assert isinstance(app.screen, AppScreen)
            assert app.screen.app_name == "staging/flux-system/apps"
            assert app.screen.status is not None and app.screen.status.app.cluster == "staging"
    finally:
        ws.close()


async def test_an_app_of_apps_folds_its_children(tmp_path: Path, sandbox: Path) -> None:
    repo = init(tmp_path / "platform")
    write(repo, "bootstrap/root.yaml", application("root", "apps", "argocd"))
    for name in ("guestbook", "web"):
        write(repo, f"apps/{name}.yaml", application(name, name, name))
        write(repo, f"{name}/deploy.yaml", deployment(name))
    commit(repo, "apps")
    app, ws = build(repo, sandbox)
    try:
        async with app.run_test(size=(160, 40)) as pilot:
            await until(pilot, lambda: app.snapshot is not None and shown(app))
            assert shown(app) == ["root", "guestbook", "web"]
            screen = app.screen
            assert isinstance(screen, AppsScreen)
            names = [r.cells[0].plain for r in screen.table.shown]  # type: ignore[union-attr]
            assert names[0].strip().startswith("▾ root") and names[1].startswith("    guestbook")
            screen.table.select_key("web")
            await pilot.press("z")  # on a child: its parent's tree folds, the cursor on the parent
            assert shown(app) == ["root"]
            assert screen.table.current is not None and screen.table.current.key == "root"
            await pilot.press("z")
            assert shown(app) == ["root", "guestbook", "web"]
    finally:
        ws.close()


def test_fixture_files_are_valid_yaml(tmp_path: Path) -> None:
    repo = two_clusters(tmp_path)
    for path in repo.rglob("*.yaml"):
        list(yaml.safe_load_all(path.read_text()))
