"""The reconcile loop engine against the sandbox: live watches, working-tree changes, faults (dropped watches,
410 Gone, API down, slow answers), automation with self-heal and freeze, and what an idle loop costs."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from repotools import commit_all, write
from test_status_cli import application, make_repo

from gitops_tui.actions import Actions
from gitops_tui.actions.automation import Automation
from gitops_tui.audit import AuditLog
from gitops_tui.config import Settings
from gitops_tui.model import SyncStatus
from gitops_tui.orchestration import livewatch, loop
from gitops_tui.orchestration.loop import LoopEvent, ReconcileEngine
from gitops_tui.orchestration.reconcile import Snapshot, Workspace
from gitops_tui.sandbox.demo import initial_sync
from gitops_tui.sandbox.kubectl import Kubectl
from gitops_tui.source.repo import GitRepo

WAIT = 15.0  # generous: a loaded 2-core machine; the tests never assert timings


def wait_for(predicate: Callable[[], object], what: str, timeout: float = WAIT) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.02)
    raise AssertionError(f"timed out waiting for {what}")


class Running:
    def __init__(self, engine: ReconcileEngine) -> None:
        self.engine = engine
        self.snapshots: list[Snapshot] = []
        self.events: list[LoopEvent] = []
        engine.on_snapshot = self.snapshots.append
        engine.on_event = self.events.append
        self.thread = threading.Thread(target=engine.run, daemon=True)
        self.thread.start()

    def status(self, app: str) -> object:
        snap = self.snapshots[-1] if self.snapshots else None
        return snap.app(app) if snap else None

    def sync_of(self, app: str) -> SyncStatus | None:
        status = self.snapshots[-1].app(app) if self.snapshots else None
        return status.sync if status else None

    def stop(self) -> None:
        self.engine.stop()
        self.thread.join(10)
        assert not self.thread.is_alive(), "the loop did not stop"


@pytest.fixture
def env(tmp_path: Path, sandbox):
    server, kubeconfig = sandbox
    repo = make_repo(tmp_path)
    healing = application("api-production", "api/overlays/production", "production")
    healing["spec"]["syncPolicy"]["automated"] = {"selfHeal": True, "prune": False}
    write(repo, "apps/api-production.yaml", [healing])
    commit_all(repo, "api-production: automated self-heal")
    settings = Settings(repo=str(repo), kubeconfig=str(kubeconfig), context="sandbox", request_timeout=2.0)
    ws = Workspace(settings, GitRepo(repo))
    initial_sync(ws.client(), ws.desired_objects())
    kubectl = Kubectl(str(kubeconfig), "sandbox")
    running: list[Running] = []

    def start(interval: float = 300.0, automate=None, files: bool = True) -> Running:
        engine = ReconcileEngine(ws, interval=interval, automate=automate, watch_files=files)
        run = Running(engine)
        running.append(run)
        wait_for(lambda: run.engine.watched, "the first reconcile and its watches")
        time.sleep(0.1)  # the first reconcile's watches are all started (watch_count == len(watched))
        return run

    yield server, repo, ws, kubectl, start, tmp_path
    for run in running:
        run.stop()
    kubectl.close()
    ws.close()


def watches(server, since: int = 0) -> list:
    return [r for r in server.requests.records[since:] if r.verb == "watch"]


def test_a_live_scale_shows_as_drift_of_that_app_only(env) -> None:
    server, _repo, _ws, kubectl, start, _ = env
    run = start(files=False)
    assert run.sync_of("api-production") is SyncStatus.SYNCED
    kinds = run.engine.watch_count
    before = len(run.snapshots)

    kubectl.scale("Deployment", "production", "api", 5)

    wait_for(lambda: run.sync_of("api-production") is SyncStatus.OUT_OF_SYNC, "drift from the watch")
    drift = [e for e in run.events if e.kind == "drift" and e.app == "api-production"]
    assert drift and "Deployment.apps/production/api" in drift[-1].message
    assert not [e for e in run.events[1:] if e.app == "api-staging" and e.kind == "drift"]
    assert len(run.snapshots) > before
    assert run.engine.watch_count == kinds  # the change did not start more watches


def test_a_kind_in_many_namespaces_is_watched_once_across_all_of_them(env, monkeypatch) -> None:
    """Per-namespace watches cost a thread and a connection each (200 namespaces x 5 kinds: 1,000); from
    CLUSTER_WIDE_FROM namespaces a kind is watched once, as Argo CD does. Here from one namespace on."""
    monkeypatch.setattr(livewatch, "CLUSTER_WIDE_FROM", 1)
    server, _repo, _ws, kubectl, start, _ = env
    run = start(files=False)
    spaces = {ns for _, _, ns in run.engine.watched}
    assert "*" in spaces and spaces <= {"*", ""}, run.engine.watched  # "": a cluster-scoped kind
    assert len({res for _, res, _ in run.engine.watched}) == len(run.engine.watched)  # one per kind
    since = len(server.requests.records)
    kubectl.create(
        {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "noise", "namespace": "default"}}
    )
    kubectl.scale("Deployment", "production", "api", 5)
    wait_for(
        lambda: run.sync_of("api-production") is SyncStatus.OUT_OF_SYNC, "drift from the all-namespaces watch"
    )
    watched = {(r.resource, r.namespace) for r in watches(server, since)}
    assert all(ns == "" for _, ns in watched), watched  # no per-namespace watch was started
    assert not [e for e in run.events if e.kind == "drift" and e.app != "api-production"]


def test_all_namespaces_forbidden_falls_back_to_a_watch_per_namespace(env, monkeypatch) -> None:
    monkeypatch.setattr(livewatch, "CLUSTER_WIDE_FROM", 1)
    server, _repo, _ws, kubectl, start, _ = env
    # RBAC that grants deployments per namespace only: the all-namespaces LIST and watch are refused
    server.faults.add_rule("GET", r"^/apis/apps/v1/deployments(\?|$)", status=403)
    run = start(files=False)
    wait_for(
        lambda: ("sandbox", "deployments.apps", "production") in run.engine.watched, "per-namespace watch"
    )
    assert ("sandbox", "deployments.apps", "*") not in run.engine.watched
    said = [e for e in run.events if e.kind == "watch"]
    assert len(said) == 1 and "deployments.apps per namespace" in said[0].message, said
    kubectl.scale("Deployment", "production", "api", 5)
    wait_for(
        lambda: run.sync_of("api-production") is SyncStatus.OUT_OF_SYNC, "drift from the namespace watch"
    )
    assert len([e for e in run.events if e.kind == "watch"]) == 1  # said once, not per reconnect


def test_dropped_watches_and_410_resume_without_duplicates(env) -> None:
    server, _repo, _ws, kubectl, start, _ = env
    run = start(files=False)
    kinds = run.engine.watch_count

    server.faults.drop_watches()
    # the next watch of Deployments answers 410 Gone once: the engine must LIST again and watch on
    server.faults.add_rule(
        "GET", r"/apis/apps/v1/namespaces/production/deployments\?watch=true", status=410, times=1
    )
    time.sleep(0.5)
    kubectl.scale("Deployment", "production", "api", 4)

    wait_for(
        lambda: run.sync_of("api-production") is SyncStatus.OUT_OF_SYNC, "drift after the watches resumed"
    )
    wait_for(lambda: run.engine.watch_count == kinds, "every watch running again")
    assert run.engine.watch_count == kinds
    assert len(run.engine.watched) == kinds  # one per kind and namespace, never two
    gone = run.engine._watches[("sandbox", "deployments.apps", "production")]
    # the 410 made it LIST again; a stream cut by an error rather than ended makes one LIST more
    assert gone.lists in (2, 3), gone.lists


def test_api_down_shows_unknown_then_recovers_by_itself(env) -> None:
    server, _repo, _ws, kubectl, start, _ = env
    run = start(files=False)
    kinds = run.engine.watch_count

    server.faults.refuse = True
    server.faults.drop_watches()
    run.engine.request()
    wait_for(lambda: run.sync_of("api-production") is SyncStatus.UNKNOWN, "Unknown while the API is down")
    assert run.snapshots[-1].app("api-production").error
    assert [e for e in run.events if e.kind == "error" and e.app == "api-production"]
    time.sleep(1.0)

    server.faults.refuse = False
    kubectl.scale("Deployment", "production", "api", 6)
    wait_for(lambda: run.sync_of("api-production") is SyncStatus.OUT_OF_SYNC, "recovery without a restart")
    assert [e for e in run.events if e.kind == "recovered" and e.app == "api-production"]
    assert run.thread.is_alive()
    wait_for(lambda: run.engine.watch_count == kinds, "watches back")
    assert len(run.engine.watched) == kinds


def test_a_returning_api_server_is_noticed_by_the_watches_not_the_backoff(env, monkeypatch) -> None:
    """Down for a while, reconciles fail and back off (here: 300 s). When the server is back, a watch's
    reconnect LISTs, which proves it, and the apps recover at once, with no live change to wake them and
    no key pressed. While it is down, failing watches must not each run a reconcile: that pushed the
    backoff to minutes within seconds."""
    monkeypatch.setattr(loop, "backoff", lambda _failures: 300.0)  # the engine's retries
    monkeypatch.setattr(livewatch, "WATCH_RETRY_MAX", 0.3)
    server, _repo, _ws, _kubectl, start, _ = env
    run = start(files=False)
    server.faults.refuse = True
    server.faults.drop_watches()
    run.engine.request()
    wait_for(lambda: run.sync_of("api-production") is SyncStatus.UNKNOWN, "Unknown while the API is down")
    time.sleep(1.5)  # the watches fail and retry several times meanwhile
    assert run.engine.failures == 1, run.engine.failures  # one failed reconcile, not one per watch failure
    server.faults.refuse = False
    wait_for(lambda: run.sync_of("api-production") is SyncStatus.SYNCED, "recovery long before the backoff")
    assert [e for e in run.events if e.kind == "recovered" and e.app == "api-production"]


def test_slow_responses_do_not_stall_or_duplicate(env) -> None:
    server, _repo, _ws, kubectl, start, _ = env
    run = start(files=False)
    server.faults.latency_ms = 150
    since = len(server.requests.records)
    for replicas in (4, 5, 6):
        kubectl.scale("Deployment", "production", "api", replicas)
    wait_for(
        lambda: any(
            r.key.kind == "Deployment" and any(d.live == 6 for d in r.drift)
            for r in run.snapshots[-1].app("api-production").resources
        ),
        "the last of three quick scales",
    )
    server.faults.latency_ms = 0
    assert len(run.engine.watched) == run.engine.watch_count
    # a burst of changes is coalesced: far fewer reconciles than events, and watches were not restarted
    assert len(watches(server, since)) == 0


def test_a_saved_manifest_recomputes_only_its_app(env) -> None:
    _server, repo, _ws, _kubectl, start, _ = env
    run = start()
    time.sleep(0.3)  # the file watcher is up
    (repo / "api/overlays/staging/kustomization.yaml").write_text(
        "namespace: staging\nresources:\n  - ../../base\n  - namespace.yaml\nreplicas:\n  - name: api\n    count: 2\n"
    )
    wait_for(lambda: run.sync_of("api-staging") is SyncStatus.OUT_OF_SYNC, "drift from the saved file")
    assert run.sync_of("api-production") is SyncStatus.SYNCED


def test_idle_loop_lists_once_per_kind_per_period_and_never_dry_runs(env) -> None:
    server, _repo, _ws, _kubectl, start, _ = env
    run = start(interval=0.5, files=False)
    time.sleep(0.5)
    since = len(server.requests.records)
    cycles = run.engine.cycles
    time.sleep(2.0)
    periods = run.engine.cycles - cycles
    records = server.requests.records[since:]
    assert periods >= 1
    assert not [r for r in records if r.dry_run]
    lists: dict[tuple[str, str], int] = {}
    for r in records:
        if r.verb == "list":
            lists[(r.resource, r.namespace)] = lists.get((r.resource, r.namespace), 0) + 1
    assert lists and max(lists.values()) <= periods + 1  # +1: a period may straddle the window's edge


def test_self_heal_with_automation_on_is_audited_and_waits_for_a_freeze(env) -> None:
    server, _repo, ws, kubectl, start, tmp_path = env
    audit = AuditLog(tmp_path / "audit.jsonl")
    skew = [0.0]  # the freeze's clock: moved forward by the test instead of waiting
    automation = Automation(
        Actions(ws, audit, sleep=lambda _s: None), enabled=False, clock=lambda: time.time() + skew[0]
    )
    run = start(automate=automation.run, files=False)

    kubectl.scale("Deployment", "production", "api", 5)
    wait_for(lambda: run.sync_of("api-production") is SyncStatus.OUT_OF_SYNC, "drift")
    cycles = run.engine.cycles
    run.engine.request()
    wait_for(lambda: run.engine.cycles > cycles, "another reconcile")
    assert run.sync_of("api-production") is SyncStatus.OUT_OF_SYNC  # observe-only by default

    automation.freeze("api-production", 600)
    automation.set_enabled(True)
    for _ in range(3):
        cycles = run.engine.cycles
        run.engine.request()
        wait_for(lambda c=cycles: run.engine.cycles > c, "a reconcile while frozen")
    assert run.sync_of("api-production") is SyncStatus.OUT_OF_SYNC  # frozen: not healed
    assert 0 < automation.frozen_for("api-production") <= 600

    skew[0] = 601.0

    def healed() -> bool:
        run.engine.request()
        return run.sync_of("api-production") is SyncStatus.SYNCED

    wait_for(healed, "the heal once the freeze ended")
    messages = [e.message for e in run.events if e.app == "api-production"]
    assert "freeze ended" in messages
    assert any("sync finished" in m for m in messages)
    entries = [json.loads(line) for line in (tmp_path / "audit.jsonl").read_text().splitlines()]
    actions = [(e["action"], e["app"]) for e in entries]
    assert ("freeze", "api-production") in actions and ("automation", "api-production") in actions
    assert ("sync", "api-production") in actions
    heal_at = next(i for i, e in enumerate(entries) if e["action"] == "sync")
    freeze_at = next(i for i, e in enumerate(entries) if e["action"] == "freeze")
    assert freeze_at < heal_at


def test_watch_command_prints_one_line_per_event_and_no_secret_values(env) -> None:
    server, repo, _ws, kubectl, _start, tmp_path = env
    secret = "s3cr3t-value-never-shown"
    write(
        repo,
        "api/base/secret.yaml",
        [
            {
                "apiVersion": "v1",
                "kind": "Secret",
                "metadata": {"name": "api"},
                "stringData": {"token": secret},
            }
        ],
    )
    kustomization = (repo / "api/base/kustomization.yaml").read_text() + "  - secret.yaml\n"
    (repo / "api/base/kustomization.yaml").write_text(kustomization)
    kubeconfig = next(p for p in tmp_path.iterdir() if p.name == "kubeconfig")
    cmd = [sys.executable, "-m", "gitops_tui", "watch", "--repo", str(repo), "--kubeconfig", str(kubeconfig)]
    proc = subprocess.Popen(
        [*cmd, "--context", "sandbox"],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1", "XDG_STATE_HOME": str(tmp_path / "state")},
    )
    lines: list[str] = []
    reader = threading.Thread(target=lambda: lines.extend(proc.stdout), daemon=True)  # type: ignore[arg-type]
    reader.start()
    try:
        wait_for(lambda: any(" api-staging " in line for line in lines), "the first reconcile's lines")
        time.sleep(1.0)  # the watches are up
        kubectl.scale("Deployment", "staging", "api", 3)
        wait_for(
            lambda: any(" drift " in line and "Deployment.apps/staging/api" in line for line in lines[2:]),
            "the scale as a drift line",
        )
    finally:
        proc.terminate()
        proc.wait(10)
        reader.join(5)
    out = "".join(lines)
    assert lines[0].startswith("gitops-tui: watching") and "automation off" in lines[0]
    assert "Secret/staging/api" in out  # missing from the cluster: named, never shown
    assert secret not in out and "Traceback" not in out
