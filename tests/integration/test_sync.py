"""Sync through `Actions` against the sandbox: plan (blast radius), apply, prune, failures mid-sync,
dry run, read-only — each checked against what the server actually received."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from clitools import mark
from repotools import commit_all, write
from test_status_cli import make_repo

from gitops_tui.actions import ActionBusy, Actions, ReadOnlyRefused
from gitops_tui.audit import AuditLog
from gitops_tui.config import Settings
from gitops_tui.model import GitopsError, ResourceKey, SyncStatus
from gitops_tui.orchestration.reconcile import Workspace
from gitops_tui.sandbox.demo import initial_sync
from gitops_tui.sandbox.kubectl import Kubectl
from gitops_tui.source.repo import GitRepo

WRITES = ("POST", "PUT", "PATCH", "DELETE")


def writes(server, since: int = 0) -> list[tuple[str, str]]:
    """(method, path) of every mutating request the server received after `since`, dry runs excluded."""
    return [
        (r.method, r.path) for r in server.requests.records[since:] if r.method in WRITES and not r.dry_run
    ]


@pytest.fixture
def env(tmp_path: Path, sandbox):
    server, kubeconfig = sandbox
    repo = make_repo(tmp_path)

    def workspace(**settings) -> Workspace:
        return Workspace(
            Settings(repo=str(repo), kubeconfig=str(kubeconfig), context="sandbox", **settings), GitRepo(repo)
        )

    ws = workspace()
    initial_sync(ws.client(), ws.desired_objects())
    audit = AuditLog(tmp_path / "audit.jsonl")
    actions = Actions(ws, audit, sleep=lambda _s: None)
    kubectl = Kubectl(str(kubeconfig), "sandbox")
    yield server, repo, ws, actions, audit, kubectl, workspace
    kubectl.close()
    ws.close()


def key(kind: str, ns: str, name: str, group: str = "") -> ResourceKey:
    return ResourceKey(group, kind, ns, name)


def stray(kubectl: Kubectl, name: str = "stray", app: str = "api-production", ns: str = "production") -> None:
    kubectl.create(
        {
            "apiVersion": "v1",
            "kind": "ConfigMap",
            "metadata": {
                "name": name,
                "namespace": ns,
                "annotations": {"argocd.argoproj.io/tracking-id": f"{app}:/ConfigMap:{ns}/{name}"},
            },
            "data": {"x": "1"},
        }
    )


def test_plan_shows_the_blast_radius_and_sync_heals_drift(env) -> None:
    server, _repo, ws, actions, audit, kubectl, _ = env
    kubectl.scale("Deployment", "production", "api", 5)
    kubectl.delete("Service", "production", "api")
    stray(kubectl)

    plan = actions.plan_sync("api-production")
    assert plan.count("update") == 1 and plan.count("create") == 1 and plan.count("prune") == 0
    taken = {c.key: c for c in plan.changes if c.taken_over}
    deploy = key("Deployment", "production", "api", "apps")
    assert deploy in taken
    assert [t.path for t in taken[deploy].taken_over] == ["/spec/replicas"]
    assert {t.manager for t in taken[deploy].taken_over} == {"kubectl"}

    before = len(server.requests.records)
    result = actions.sync(plan)
    assert result.ok, result
    assert {(r.key.kind, r.action) for r in result.results} == {
        ("Deployment", "update"),
        ("Service", "create"),
    }
    # Exactly two applies reached the server, and nothing was deleted without --prune.
    sent = writes(server, before)
    assert [m for m, _ in sent] == ["PATCH", "PATCH"], sent

    status = ws.reconcile_once(only=["api-production"]).app("api-production")
    assert status is not None
    by = {r.key: r.sync for r in status.resources}
    assert by[deploy] is SyncStatus.SYNCED
    assert by[key("Service", "production", "api")] is SyncStatus.SYNCED
    assert by[key("ConfigMap", "production", "stray")] is SyncStatus.REQUIRES_PRUNING

    live = ws.client().get(ws.client().discovery.for_kind("apps", "Deployment"), "production", "api")
    owners = {e["manager"] for e in live["metadata"]["managedFields"]}
    assert "kubectl" not in owners  # the scale was taken over by the forced apply
    assert live["metadata"]["annotations"]["argocd.argoproj.io/tracking-id"] == (
        "api-production:apps/Deployment:production/api"
    )

    [entry] = audit.entries()
    assert entry.action == "sync" and entry.app == "api-production" and entry.result == "ok"
    assert entry.context == "sandbox"


def test_prune_deletes_exactly_the_extra_tracked_object(env) -> None:
    server, _repo, ws, actions, audit, kubectl, _ = env
    stray(kubectl)
    stray(kubectl, name="other-app-stray", app="api-staging", ns="production")  # tracked by another app
    kubectl.create(
        {
            "apiVersion": "v1",
            "kind": "ConfigMap",
            "metadata": {"name": "untracked", "namespace": "production"},
        }
    )

    plan = actions.plan_sync("api-production", prune=True)
    assert [(c.key.name, c.action) for c in plan.changes if c.action != "none"] == [("stray", "prune")]
    before = len(server.requests.records)
    result = actions.sync(plan)
    assert result.ok
    assert writes(server, before) == [("DELETE", "/api/v1/namespaces/production/configmaps/stray")]
    names = {
        o["metadata"]["name"]
        for o in ws.client().list(ws.client().discovery.for_kind("", "ConfigMap"), "production")[0]
    }
    assert {"other-app-stray", "untracked", "api-config"} <= names and "stray" not in names
    assert audit.entries()[-1].details["pruned"] == 1


def test_no_prune_after_a_failed_listing(env) -> None:
    server, _repo, ws, actions, _audit, kubectl, _ = env
    stray(kubectl)
    server.faults.add_rule(method="GET", path_regex=r"/configmaps(\?|$)", status=500, message="etcd timeout")
    plan = actions.plan_sync("api-production", prune=True)
    assert "refusing to prune" in plan.blocked_reason and "etcd timeout" in plan.blocked_reason
    before = len(server.requests.records)
    with pytest.raises(GitopsError, match="refusing to prune"):
        actions.sync(plan)
    assert writes(server, before) == []  # not even the applies: the operator asked for a sync with prune
    server.faults.rules.clear()


def test_dry_run_changes_nothing(env) -> None:
    server, _repo, _ws, actions, audit, kubectl, _ = env
    kubectl.scale("Deployment", "production", "api", 5)
    stray(kubectl)
    plan = actions.plan_sync("api-production", prune=True)
    before = len(server.requests.records)
    result = actions.sync(plan, dry_run=True)
    assert result.dry_run and result.ok
    assert writes(server, before) == []
    assert {r.message for r in result.results} <= {"would be updated", "would be created", "would be deleted"}
    assert audit.entries() == []


def test_read_only_refuses_and_sends_nothing(env) -> None:
    server, _repo, _ws, _actions, audit, kubectl, workspace = env
    kubectl.scale("Deployment", "production", "api", 5)
    ro = workspace(read_only=True)
    actions = Actions(ro, audit)
    plan = actions.plan_sync("api-production")
    before = len(server.requests.records)
    with pytest.raises(ReadOnlyRefused):
        actions.sync(plan)
    assert writes(server, before) == []
    assert audit.entries() == []
    ro.close()


def test_a_failure_mid_sync_reports_what_was_applied(env) -> None:
    server, repo, ws, actions, audit, _kubectl, _ = env
    # A wave-1 ConfigMap and a wave-2 Deployment change; the Deployment apply is rejected with 422.
    write(
        repo,
        "api/base/configmap.yaml",
        [
            {
                "apiVersion": "v1",
                "kind": "ConfigMap",
                "metadata": {"name": "api-config"},
                "data": {"MODE": "canary"},
            }
        ],
    )
    text = (repo / "api/base/deployment.yaml").read_text().replace("api:1.0.0", "api:1.1.0")
    text = text.replace(
        "  labels:\n    app: api\n",
        "  labels:\n    app: api\n  annotations:\n    argocd.argoproj.io/sync-wave: '2'\n",
        1,
    )
    (repo / "api/base/deployment.yaml").write_text(text)
    commit_all(repo, "api: 1.1.0")
    plan = actions.plan_sync("api-production")
    # The real apply (not the dry runs of planning) of the Deployment is rejected.
    server.faults.add_rule(
        method="PATCH",
        path_regex=r"/deployments/api\?(?!.*dryRun=All)",
        status=422,
        message='Deployment.apps "api" is invalid: spec.template.spec.containers[0].image: Invalid value',
    )
    result = actions.sync(plan)
    assert not result.ok
    applied = {r.key.kind for r in result.applied}
    failed = {r.key.kind: r.message for r in result.failed}
    assert "ConfigMap" in applied
    assert "Deployment" in failed and "invalid" in failed["Deployment"]
    entry = audit.entries()[-1]
    assert entry.result == "partial"
    assert any("Deployment" in f for f in entry.details["failed"])
    server.faults.rules.clear()
    status = ws.reconcile_once(only=["api-production"]).app("api-production")
    assert status is not None
    by = {r.key.kind: r.sync for r in status.resources}
    assert by["ConfigMap"] is SyncStatus.SYNCED and by["Deployment"] is SyncStatus.OUT_OF_SYNC


def test_two_mutations_on_one_app_are_not_run_at_once(env) -> None:
    _server, _repo, _ws, actions, _audit, _kubectl, _ = env
    plan = actions.plan_sync("api-production")
    lock = actions.app_lock("api-production")
    with lock, pytest.raises(ActionBusy):
        actions.sync(plan)


def with_retry(repo: Path, retry: dict) -> None:
    path = repo / "apps/api-production.yaml"
    doc = yaml.safe_load(path.read_text())
    doc["spec"]["syncPolicy"]["retry"] = retry
    path.write_text(yaml.safe_dump(doc, sort_keys=False))
    commit_all(repo, "api-production: retry")


def deployment_applies(server, since: int) -> int:
    return sum(1 for m, p in writes(server, since) if m == "PATCH" and "/deployments/api?" in p)


def test_transient_failures_are_retried_with_the_apps_backoff(env) -> None:
    server, repo, ws, _actions, audit, kubectl, _ = env
    with_retry(repo, {"limit": 3, "backoff": {"duration": "2s", "factor": 2, "maxDuration": "3s"}})
    kubectl.scale("Deployment", "production", "api", 5)
    slept: list[float] = []
    actions = Actions(ws, audit, sleep=slept.append)
    plan = actions.plan_sync("api-production")
    server.faults.add_rule(
        method="PATCH", path_regex=r"/deployments/api\?(?!.*dryRun=All)", status=503, times=2, message="busy"
    )
    before = len(server.requests.records)
    result = actions.sync(plan)
    assert result.ok, result
    assert slept == [2.0, 3.0]  # 2 s, then 4 s capped at maxDuration
    assert deployment_applies(server, before) == 3


def test_retries_stop_at_the_limit_and_the_failure_is_reported(env) -> None:
    server, repo, ws, _actions, audit, kubectl, _ = env
    with_retry(repo, {"limit": 1, "backoff": {"duration": "1s"}})
    kubectl.scale("Deployment", "production", "api", 5)
    slept: list[float] = []
    actions = Actions(ws, audit, sleep=slept.append)
    plan = actions.plan_sync("api-production")
    server.faults.add_rule(
        method="PATCH",
        path_regex=r"/deployments/api\?(?!.*dryRun=All)",
        status=503,
        message="etcd leader lost",
    )
    before = len(server.requests.records)
    result = actions.sync(plan)
    server.faults.rules.clear()
    assert not result.ok and slept == [1.0]
    [failed] = result.failed
    assert failed.key.kind == "Deployment" and "etcd leader lost" in failed.message
    assert deployment_applies(server, before) == 2
    assert audit.entries()[0].result == "failed"


def test_a_validation_error_is_not_retried(env) -> None:
    server, repo, ws, _actions, audit, kubectl, _ = env
    with_retry(repo, {"limit": 5, "backoff": {"duration": "1s"}})
    kubectl.scale("Deployment", "production", "api", 5)
    slept: list[float] = []
    actions = Actions(ws, audit, sleep=slept.append)
    plan = actions.plan_sync("api-production")
    server.faults.add_rule(
        method="PATCH", path_regex=r"/deployments/api\?(?!.*dryRun=All)", status=422, message="invalid"
    )
    before = len(server.requests.records)
    assert not actions.sync(plan).ok
    server.faults.rules.clear()
    assert slept == [] and deployment_applies(server, before) == 1


def test_revert_and_adopt_wait_for_nobody(env) -> None:
    """A second writer of the repository (or of the app) is refused at once, having done nothing."""
    server, repo, ws, actions, audit, kubectl, _ = env
    kubectl.scale("Deployment", "production", "api", 5)
    head = GitRepo(repo).head_full()
    plan = actions.plan_adopt("api-production", key("Deployment", "production", "api", "apps"))
    with actions.repo_lock():
        with pytest.raises(ActionBusy, match="the repository"):
            actions.revert("HEAD")
        with pytest.raises(ActionBusy):
            actions.adopt(plan, "x")
    with actions.app_lock("api-production"), pytest.raises(ActionBusy, match="api-production"):
        actions.adopt(plan, "x")
    assert GitRepo(repo).head_full() == head and not GitRepo(repo).is_dirty()
    assert audit.entries() == []
    assert actions.adopt(plan, "after the others").sync is SyncStatus.SYNCED


def test_health_is_followed_for_the_resources_synced(env) -> None:
    _server, _repo, ws, actions, _audit, kubectl, _ = env
    kubectl.delete("Service", "production", "api")
    seen: list[str] = []
    # No controllers in this sandbox: the Deployment has no status and stays Progressing; the Service
    # (the only resource synced) is Healthy once created.
    plan = actions.plan_sync("api-production", selected={key("Service", "production", "api")})
    assert actions.sync(plan).ok
    health = actions.wait_for_health(
        "api-production", timeout=0, keys={key("Service", "production", "api")}, on_change=seen.append
    )
    assert health == "Healthy" and seen == ["Healthy"]
    assert actions.wait_for_health("api-production", timeout=0) == "Progressing"


def test_a_prune_planned_earlier_spares_an_object_no_longer_tracked(env) -> None:
    """A confirm dialog left open while someone hands the object to another app: it is not deleted."""
    server, _repo, _ws, actions, _audit, kubectl, _ = env
    stray(kubectl)
    stray(kubectl, name="gone")
    plan = actions.plan_sync("api-production", prune=True)
    assert sorted(c.key.name for c in plan.prunes) == ["gone", "stray"]
    kubectl.patch(
        "ConfigMap",
        "production",
        "stray",
        {
            "metadata": {
                "annotations": {"argocd.argoproj.io/tracking-id": "other:/ConfigMap:production/stray"}
            }
        },
    )
    kubectl.delete("ConfigMap", "production", "gone")
    before = mark(server, kubectl)
    result = actions.sync(plan)
    assert {r.key.name: (r.ok, r.message) for r in result.results} == {
        "stray": (False, "no longer tracked by api-production since the plan: not deleted"),
        "gone": (True, "already gone"),
    }
    assert [m for m, _ in writes(server, before)] == []
    assert kubectl.get("ConfigMap", "production", "stray")["metadata"]["name"] == "stray"
