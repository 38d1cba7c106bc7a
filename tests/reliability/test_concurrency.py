"""Concurrency: two mutations of one app at once — the second is refused (ActionBusy) and the cluster sees
one set of applies; a reconcile running while a sync is half done reports what is really live, never the
app as fixed."""

from __future__ import annotations

import threading
from typing import Any

import pytest

from gitops_tui.model import ResourceKey, SyncStatus

from .conftest import Env
from .reltools import commit_all, configmap, write, writes


class PausedSync:
    """A sync in a thread that stops after its first resource result (its lock held, later waves not
    started) until `resume()`: the moment another action or a reconcile comes in is certain, not timed."""

    def __init__(self, actions: Any, plan: Any) -> None:
        self.reached = threading.Event()
        self._go = threading.Event()
        self.results: list[Any] = []

        def progress(_change: Any) -> None:
            if not self.reached.is_set():
                self.reached.set()
                assert self._go.wait(timeout=20)

        self.thread = threading.Thread(
            target=lambda: self.results.append(actions.sync(plan, progress=progress))
        )
        self.thread.start()
        assert self.reached.wait(timeout=20), "the sync never applied anything"

    def resume(self) -> Any:
        self._go.set()
        self.thread.join(timeout=20)
        assert not self.thread.is_alive()
        return self.results[0]


def test_a_second_sync_of_the_same_app_is_refused_while_the_first_runs(env: Env) -> None:
    from gitops_tui.actions import ActionBusy

    env.kubectl.scale("Deployment", "web", "web", 5)
    plan = env.actions.plan_sync("web")
    before = len(env.server.requests.records)
    first = PausedSync(env.actions, plan)
    with pytest.raises(ActionBusy, match="web"):
        env.actions.sync(plan)
    # Another app is not blocked by web's sync.
    env.kubectl.scale("Deployment", "api", "api", 5)
    other = env.actions.sync(env.actions.plan_sync("api"))
    assert other.ok
    assert first.resume().ok
    web_writes = [p for _m, p in writes(env.server, before) if "/namespaces/web/" in p]
    assert len(web_writes) == 1, web_writes  # one apply of the Deployment, from the first sync only
    assert [e.app for e in env.audit.entries()] == ["web", "api"]


def test_adopt_and_sync_of_one_app_do_not_run_at_once(env: Env) -> None:
    from gitops_tui.actions import ActionBusy

    env.kubectl.scale("Deployment", "web", "web", 5)
    adopt_plan = env.actions.plan_adopt("web", ResourceKey("apps", "Deployment", "web", "web"))
    sync = PausedSync(env.actions, env.actions.plan_sync("web"))
    head = (env.repo / ".git/HEAD").read_text()
    with pytest.raises(ActionBusy):
        env.actions.adopt(adopt_plan, "keep the scale")
    assert sync.resume().ok
    assert (env.repo / ".git/HEAD").read_text() == head
    assert "replicas: 2" in (env.repo / "web/deployment.yaml").read_text()  # Git untouched


def test_two_processes_syncing_one_app_are_serialized(env: Env) -> None:
    from gitops_tui.actions import ActionBusy, Actions

    env.kubectl.scale("Deployment", "web", "web", 5)
    sync = PausedSync(env.actions, env.actions.plan_sync("web"))
    elsewhere = Actions(env.workspace(), env.audit, sleep=lambda _s: None)
    try:
        with pytest.raises(ActionBusy):
            elsewhere.sync(elsewhere.plan_sync("web"))
    finally:
        sync.resume()


def test_a_reconcile_during_a_sync_shows_the_half_applied_state_as_it_is(env: Env) -> None:
    # Wave 1: the ConfigMap change; wave 2: the Deployment (scaled by hand, so drifted).
    write(env.repo, "web/config.yaml", [configmap("web-config", GREETING="v2")])
    text = (env.repo / "web/deployment.yaml").read_text()
    text = text.replace(
        "  labels:\n    app: web\n",
        "  labels:\n    app: web\n  annotations:\n    argocd.argoproj.io/sync-wave: '2'\n",
        1,
    )
    (env.repo / "web/deployment.yaml").write_text(text)
    commit_all(env.repo, "web: v2, deployment in wave 2")
    env.kubectl.scale("Deployment", "web", "web", 5)
    plan = env.actions.plan_sync("web")
    assert [sorted(c.key.kind for c in w) for w in plan.waves] == [["ConfigMap"], ["Deployment"]]
    sync = PausedSync(env.actions, plan)  # wave 1 applied, wave 2 not started
    # Mid-sync, the TUI's reconcile worker (same Workspace) compares.
    snap = env.ws.reconcile_once()
    web = snap.app("web")
    assert web is not None
    by = {r.key.kind: r.sync for r in web.resources}
    assert by["ConfigMap"] is SyncStatus.SYNCED  # wave 1 is applied
    assert by["Deployment"] is SyncStatus.OUT_OF_SYNC  # wave 2 is not yet: not reported fixed
    assert web.sync is SyncStatus.OUT_OF_SYNC
    assert sync.resume().ok
    after = env.ws.reconcile_once().app("web")
    assert after is not None and after.sync is SyncStatus.SYNCED
